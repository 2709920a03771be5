package reports

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/nemesis"
)

// A fault's text for people. nemesis prints a fault's value exactly, so that the text parses
// back to the same fault (value=0.9500000000000001); the report rounds it to six significant
// digits. Repro files keep the exact text.

// valueRe matches a fault's value field.
var valueRe = regexp.MustCompile(`\bvalue=([-+0-9.eE]+)`)

// roundValues rounds every value= field of a fault's text to six significant digits.
func roundValues(text string) string {
	return valueRe.ReplaceAllStringFunc(text, func(field string) string {
		v, err := strconv.ParseFloat(strings.TrimPrefix(field, "value="), 64)
		if err != nil {
			return field
		}
		return "value=" + strconv.FormatFloat(v, 'g', 6, 64)
	})
}

// scheduleText is a schedule's text, one fault a line, values rounded.
func scheduleText(s nemesis.Schedule) string {
	var b strings.Builder
	for _, f := range s {
		b.WriteString(roundValues(f.String()))
		b.WriteByte('\n')
	}
	return b.String()
}
