package nemesis

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestJointSplitParses(t *testing.T) {
	for _, line := range []string{
		"1s joint for=2s nodes=1,3 shape=remove mode=split",
		"1s joint shape=add value=2",
		"1s joint for=500ms shape=add mode=split value=3",
	} {
		f, err := ParseFault(line)
		if err != nil {
			t.Fatalf("ParseFault(%q): %v", line, err)
		}
		if got := f.String(); got != line {
			t.Errorf("ParseFault(%q).String() = %q; want it back", line, got)
		}
	}
}

func TestJointSplitRejected(t *testing.T) {
	for line, want := range map[string]string{
		"1s joint nodes=1,3 shape=remove mode=split":         "needed with mode=split",
		"1s joint for=2s nodes=1,3 shape=remove":             "needed with mode=split",
		"1s joint for=2s nodes=1,3 shape=remove mode=ring":   `mode "ring"`,
		"1s joint for=2s nodes=1,3 shape=remove mode=split ": "", // trailing space is fine
	} {
		_, err := ParseFault(line)
		switch {
		case want == "" && err != nil:
			t.Errorf("ParseFault(%q) = %v; want no error", line, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("ParseFault(%q) = %v; want an error with %q", line, err, want)
		}
	}
}

// TestDrawJointSplits: about two in three drawn joint faults split the network, each valid.
func TestDrawJointSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	splits := 0
	for range 300 {
		f := drawJoint(5, r)
		if err := f.Validate(); err != nil {
			t.Fatalf("drawn %s: %v", f, err)
		}
		if f.Mode == JointSplit {
			splits++
		}
	}
	if splits < 170 || splits > 230 {
		t.Errorf("%d of 300 drawn joint faults split; want about 200", splits)
	}
}
