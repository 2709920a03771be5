package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// ednKeyword is a keyword the EDN reader read (without its colon).
type ednKeyword string

// ednReader reads the EDN subset a history uses: maps (keyword keys), vectors, keywords,
// strings, integers, nil, true and false; commas are whitespace.
type ednReader struct {
	s   string
	pos int
}

// readEDN parses one EDN value, and nothing after it but whitespace.
func readEDN(s string) (any, error) {
	r := &ednReader{s: s}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	r.space()
	if r.pos != len(r.s) {
		return nil, fmt.Errorf("trailing data at %d: %q", r.pos, r.s[r.pos:])
	}
	return v, nil
}

func (r *ednReader) space() {
	for r.pos < len(r.s) && strings.IndexByte(" \t\r\n,", r.s[r.pos]) >= 0 {
		r.pos++
	}
}

func (r *ednReader) value() (any, error) {
	r.space()
	if r.pos >= len(r.s) {
		return nil, fmt.Errorf("unexpected end")
	}
	switch c := r.s[r.pos]; {
	case c == '{':
		r.pos++
		m := map[ednKeyword]any{}
		for {
			r.space()
			if r.pos < len(r.s) && r.s[r.pos] == '}' {
				r.pos++
				return m, nil
			}
			k, err := r.value()
			if err != nil {
				return nil, err
			}
			kw, ok := k.(ednKeyword)
			if !ok {
				return nil, fmt.Errorf("map key %v is not a keyword", k)
			}
			if _, dup := m[kw]; dup {
				return nil, fmt.Errorf("duplicate key :%s", kw)
			}
			if m[kw], err = r.value(); err != nil {
				return nil, err
			}
		}
	case c == '[':
		r.pos++
		v := []any{}
		for {
			r.space()
			if r.pos < len(r.s) && r.s[r.pos] == ']' {
				r.pos++
				return v, nil
			}
			e, err := r.value()
			if err != nil {
				return nil, err
			}
			v = append(v, e)
		}
	case c == '"':
		return r.str()
	case c == ':':
		r.pos++
		return ednKeyword(r.token()), nil
	case c == '-' || c >= '0' && c <= '9':
		tok := r.token()
		n, err := strconv.ParseInt(tok, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer %q", tok)
		}
		return n, nil
	}
	switch tok := r.token(); tok {
	case "nil":
		return nil, nil
	case "true", "false":
		return tok == "true", nil
	default:
		return nil, fmt.Errorf("unexpected %q at %d", tok, r.pos)
	}
}

// token reads a symbol-like run of characters.
func (r *ednReader) token() string {
	start := r.pos
	for r.pos < len(r.s) && strings.IndexByte(" \t\r\n,{}[]\"", r.s[r.pos]) < 0 {
		r.pos++
	}
	return r.s[start:r.pos]
}

func (r *ednReader) str() (string, error) {
	r.pos++ // the opening quote
	var b strings.Builder
	for r.pos < len(r.s) {
		c := r.s[r.pos]
		switch {
		case c == '"':
			r.pos++
			return b.String(), nil
		case c == '\\' && r.pos+1 < len(r.s):
			esc := r.s[r.pos+1]
			r.pos += 2
			switch esc {
			case '"', '\\':
				b.WriteByte(esc)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'u':
				if r.pos+4 > len(r.s) {
					return "", fmt.Errorf("short \\u escape")
				}
				n, err := strconv.ParseUint(r.s[r.pos:r.pos+4], 16, 16)
				if err != nil {
					return "", fmt.Errorf("bad \\u escape %q", r.s[r.pos:r.pos+4])
				}
				b.WriteRune(rune(n))
				r.pos += 4
			default:
				return "", fmt.Errorf("unknown escape \\%c", esc)
			}
		case c < 0x20:
			return "", fmt.Errorf("raw control character %#x in a string", c)
		default:
			b.WriteByte(c)
			r.pos++
		}
	}
	return "", fmt.Errorf("unterminated string")
}

func TestEDNReader(t *testing.T) {
	v, err := readEDN(`{:a [1 -2 "x\"y\\z\u00e9\n" nil :k true], :b {}}`)
	require.NoError(t, err)
	assert.Equal(t, map[ednKeyword]any{"a": []any{int64(1), int64(-2), "x\"y\\zé\n", nil, ednKeyword("k"), true},
		"b": map[ednKeyword]any{}}, v)
	for _, bad := range []string{`{:a 1`, `[1 2`, `"open`, `{1 2}`, `{:a 1 :a 2}`, `[1] 2`, `12x`, `"a` + "\n" + `"`} {
		_, err := readEDN(bad)
		assert.Error(t, err, bad)
	}
}

// parseEDNHistory reads a history file: one map per line.
func parseEDNHistory(t *testing.T, data string) []map[ednKeyword]any {
	t.Helper()
	var out []map[ednKeyword]any
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		v, err := readEDN(sc.Text())
		require.NoError(t, err, "line %d: %s", n, sc.Text())
		m, ok := v.(map[ednKeyword]any)
		require.True(t, ok, "line %d is not a map: %s", n, sc.Text())
		out = append(out, m)
	}
	require.NoError(t, sc.Err())
	return out
}

// handHistory is a kv history with one operation of every shape, by three clients.
func handHistory() []workloads.HistoryOp {
	ok, fail, unknown := workloads.OutcomeOK, workloads.OutcomeFail, workloads.OutcomeUnknown
	return []workloads.HistoryOp{
		{Client: 0, Op: workloads.Op{Kind: workloads.Put, Key: "k1", Value: "7"}, Call: 100, Return: 200, Outcome: ok},
		{Client: 1, Op: workloads.Op{Kind: workloads.Get, Key: "k1"}, Call: 150,
			Reply: workloads.Reply{Value: "7", Found: true}, Return: 300, Outcome: ok},
		{Client: 0, Op: workloads.Op{Kind: workloads.CAS, Key: "k1", Expect: "", Value: "9"}, Call: 250,
			Reply: workloads.Reply{Value: "7", Found: true}, Return: 500, Outcome: ok},
		{Client: 2, Op: workloads.Op{Kind: workloads.CAS, Key: "k1", Expect: "7", Value: "8"}, Call: 300,
			Reply: workloads.Reply{Value: "7", Found: true, Swapped: true}, Return: 400, Outcome: ok},
		{Client: 1, Op: workloads.Op{Kind: workloads.Put, Key: "k\"2", Value: "3"}, Call: 350, Return: 900, Outcome: unknown},
		{Client: 1, Op: workloads.Op{Kind: workloads.Get, Key: "k9"}, Call: 950, Return: 1000, Outcome: ok},
		{Client: 2, Op: workloads.Op{Kind: workloads.Get, Key: "k1"}, Call: 960, Return: 990, Outcome: fail},
	}
}

func TestHistoryEDNExact(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteHistoryEDN(&b, workloads.WorkloadKV, handHistory()))
	want := `{:type :invoke, :f :write, :value ["k1" "7"], :process 0, :time 100, :index 0, :client 0}
{:type :invoke, :f :read, :value ["k1" nil], :process 1, :time 150, :index 1, :client 1}
{:type :ok, :f :write, :value ["k1" "7"], :process 0, :time 200, :index 2, :client 0}
{:type :invoke, :f :cas, :value ["k1" [nil "9"]], :process 0, :time 250, :index 3, :client 0}
{:type :ok, :f :read, :value ["k1" "7"], :process 1, :time 300, :index 4, :client 1}
{:type :invoke, :f :cas, :value ["k1" ["7" "8"]], :process 2, :time 300, :index 5, :client 2}
{:type :invoke, :f :write, :value ["k\"2" "3"], :process 1, :time 350, :index 6, :client 1}
{:type :ok, :f :cas, :value ["k1" ["7" "8"]], :process 2, :time 400, :index 7, :client 2}
{:type :fail, :f :cas, :value ["k1" [nil "9"]], :process 0, :time 500, :index 8, :client 0, :error :mismatch}
{:type :info, :f :write, :value ["k\"2" "3"], :process 1, :time 900, :index 9, :client 1}
{:type :invoke, :f :read, :value ["k9" nil], :process 4, :time 950, :index 10, :client 1}
{:type :invoke, :f :read, :value ["k1" nil], :process 2, :time 960, :index 11, :client 2}
{:type :fail, :f :read, :value ["k1" nil], :process 2, :time 990, :index 12, :client 2}
{:type :ok, :f :read, :value ["k9" nil], :process 4, :time 1000, :index 13, :client 1}
`
	assert.Equal(t, want, b.String())
	evs := parseEDNHistory(t, b.String())
	require.Len(t, evs, 14)
	assert.Equal(t, map[ednKeyword]any{"type": ednKeyword("info"), "f": ednKeyword("write"), "value": []any{`k"2`, "3"},
		"process": int64(1), "time": int64(900), "index": int64(9), "client": int64(1)}, evs[9])

	var j bytes.Buffer
	require.NoError(t, WriteHistoryJSON(&j, workloads.WorkloadKV, handHistory()))
	lines := strings.Split(strings.TrimSuffix(j.String(), "\n"), "\n")
	require.Len(t, lines, 14)
	assert.Equal(t, `{"type":"fail","f":"cas","value":["k1",[null,"9"]],"process":0,"time":500,"index":8,"client":0,"error":"mismatch"}`, lines[8])
	assert.Equal(t, `{"type":"invoke","f":"read","value":["k9",null],"process":4,"time":950,"index":10,"client":1}`, lines[10])
}

func TestHistoryEDNAppendExact(t *testing.T) {
	h := []workloads.HistoryOp{
		{Client: 0, Op: workloads.Op{Kind: workloads.Append, Key: "k0", Value: "5"}, Call: 10, Return: 20, Outcome: workloads.OutcomeOK},
		{Client: 1, Op: workloads.Op{Kind: workloads.Get, Key: "k0"}, Call: 30,
			Reply: workloads.Reply{Value: "1 2 5", Found: true}, Return: 40, Outcome: workloads.OutcomeOK},
		{Client: 1, Op: workloads.Op{Kind: workloads.Get, Key: "k7"}, Call: 50, Return: 60, Outcome: workloads.OutcomeOK},
	}
	var b bytes.Buffer
	require.NoError(t, WriteHistoryEDN(&b, workloads.WorkloadAppend, h))
	want := `{:type :invoke, :f :txn, :value [[:append "k0" 5]], :process 0, :time 10, :index 0, :client 0}
{:type :ok, :f :txn, :value [[:append "k0" 5]], :process 0, :time 20, :index 1, :client 0}
{:type :invoke, :f :txn, :value [[:r "k0" nil]], :process 1, :time 30, :index 2, :client 1}
{:type :ok, :f :txn, :value [[:r "k0" [1 2 5]]], :process 1, :time 40, :index 3, :client 1}
{:type :invoke, :f :txn, :value [[:r "k7" nil]], :process 1, :time 50, :index 4, :client 1}
{:type :ok, :f :txn, :value [[:r "k7" nil]], :process 1, :time 60, :index 5, :client 1}
`
	assert.Equal(t, want, b.String())
	evs := parseEDNHistory(t, b.String())
	assert.Equal(t, []any{[]any{ednKeyword("r"), "k0", []any{int64(1), int64(2), int64(5)}}}, evs[3]["value"])
}

func TestEDNStringEscapes(t *testing.T) {
	in := "a\"b\\c\nd\te\rf\x01g\x7fé" + string([]byte{0xff}) + "z"
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	writeEDNString(w, in)
	require.NoError(t, w.Flush())
	assert.Equal(t, `"a\"b\\c\nd\te\rf\u0001g\u007fé\ufffdz"`, b.String())
	back, err := readEDN(b.String())
	require.NoError(t, err)
	assert.Equal(t, strings.ToValidUTF8(in, "\ufffd"), back)
	assert.True(t, utf8.ValidString(back.(string)))
}

// checkHistoryEvents holds a real run's exported history to Jepsen's rules: two events per
// operation, indices 0..n-1 in order, times never going back, one invocation then one
// completion per process at a time, and completion types matching the outcomes.
func checkHistoryEvents(t *testing.T, res *cluster.Result, evs []map[ednKeyword]any) {
	t.Helper()
	require.Len(t, evs, 2*len(res.History))
	want := map[ednKeyword]int{"invoke": len(res.History)}
	for _, h := range res.History {
		typ, _ := completionType(h)
		want[ednKeyword(typ)]++
	}
	got := map[ednKeyword]int{}
	open := map[int64]bool{}
	var last int64
	for i, ev := range evs {
		typ := ev["type"].(ednKeyword)
		got[typ]++
		assert.Equal(t, int64(i), ev["index"], "event %d", i)
		tm := ev["time"].(int64)
		assert.GreaterOrEqual(t, tm, last, "event %d goes back in time", i)
		last = tm
		p := ev["process"].(int64)
		if typ == "invoke" {
			require.False(t, open[p], "event %d: process %d invokes with an operation in flight", i, p)
		} else {
			require.True(t, open[p], "event %d: process %d completes nothing", i, p)
		}
		open[p] = typ == "invoke"
	}
	assert.Equal(t, want, got)
	assert.Greater(t, got["ok"], 0)
}

func TestHistoryEDNOfRealRuns(t *testing.T) {
	t.Run("kv", func(t *testing.T) {
		cfg := cluster.DefaultConfig()
		cfg.Duration, cfg.Workload = simnet.Duration(3*time.Second), workloads.WorkloadKV
		res, err := cluster.Run(1, cfg, cluster.Options{Engine: raftengine.Descriptor()})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, WriteHistoryEDN(&b, res.Config.Workload, res.History))
		evs := parseEDNHistory(t, b.String())
		checkHistoryEvents(t, res, evs)
		// The first operation of the run is the first event, as it was invoked.
		first := res.History[0]
		assert.Equal(t, ednKeyword("invoke"), evs[0]["type"])
		assert.Equal(t, first.Call, evs[0]["time"])
		assert.Equal(t, int64(first.Client), evs[0]["process"])
		assert.Equal(t, first.Op.Key, evs[0]["value"].([]any)[0])
	})
	t.Run("append", func(t *testing.T) {
		cfg := cluster.DefaultConfig()
		cfg.Duration, cfg.Workload, cfg.Nemesis = simnet.Duration(3*time.Second), workloads.WorkloadAppend, "crash,partition"
		res, err := cluster.Run(2, cfg, cluster.Options{Engine: raftengine.Descriptor()})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, WriteHistoryEDN(&b, res.Config.Workload, res.History))
		evs := parseEDNHistory(t, b.String())
		checkHistoryEvents(t, res, evs)
		for _, ev := range evs {
			assert.Equal(t, ednKeyword("txn"), ev["f"])
			mop := ev["value"].([]any)[0].([]any)
			assert.Contains(t, []ednKeyword{"append", "r"}, mop[0])
		}
		var j bytes.Buffer
		require.NoError(t, WriteHistoryJSON(&j, res.Config.Workload, res.History))
		lines := strings.Split(strings.TrimSuffix(j.String(), "\n"), "\n")
		require.Len(t, lines, len(evs))
		for i, line := range lines {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m))
			assert.Equal(t, string(evs[i]["type"].(ednKeyword)), m["type"])
			assert.Equal(t, float64(evs[i]["time"].(int64)), m["time"])
		}
	})
}
