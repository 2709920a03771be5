package workloads

import (
	"fmt"
	"strconv"
	"strings"
)

// The list encoding of the append workload: a key's value is its elements in append order,
// each a canonical decimal integer (no sign, no leading zeros, at most MaxElementDigits
// digits), separated by single spaces, with no leading or trailing space. The empty string
// (or a missing key) is the empty list. "3 17 4" is the list [3 17 4].

// ParseList decodes a value in the list encoding. It returns an empty (nil) list for "" and
// an error wrapping ErrMalformed for anything that is not in canonical form.
func ParseList(value string) ([]int, error) {
	if value == "" {
		return nil, nil
	}
	out := make([]int, 0, strings.Count(value, " ")+1)
	rest := value
	for {
		elem, tail, more := strings.Cut(rest, " ")
		if !validElement(elem) {
			return nil, fmt.Errorf("%w list %.64q: element %d is %q: want a canonical decimal of at most %d digits",
				ErrMalformed, value, len(out), elem, MaxElementDigits)
		}
		n, err := strconv.Atoi(elem)
		if err != nil { // cannot happen for a valid element; kept so bad input never panics
			return nil, fmt.Errorf("%w list: element %q: %v", ErrMalformed, elem, err)
		}
		out = append(out, n)
		if !more {
			return out, nil
		}
		rest = tail
	}
}

// FormatList encodes elements in the list encoding. Every element must be in
// [0, 10^MaxElementDigits); FormatList panics otherwise, since such a list could not have
// been produced by the KV.
func FormatList(elems []int) string {
	var b strings.Builder
	for i, e := range elems {
		if e < 0 || len(strconv.Itoa(e)) > MaxElementDigits {
			panic(fmt.Sprintf("workloads: FormatList element %d = %d: out of range", i, e))
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(e))
	}
	return b.String()
}

// appendElement returns list with elem added at the end, in the list encoding.
func appendElement(list, elem string) string {
	if list == "" {
		return elem
	}
	return list + " " + elem
}

// validElement reports whether s is a canonical decimal of 1..MaxElementDigits digits.
func validElement(s string) bool {
	if len(s) == 0 || len(s) > MaxElementDigits || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// describeList renders a list-encoded value for people: "[3 17 4]". A value that is not a
// canonical list is shown quoted.
func describeList(value string) string {
	if _, err := ParseList(value); err != nil {
		return strconv.Quote(value)
	}
	return "[" + value + "]"
}
