package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
)

// The config table: a config's fields in the order and with the names of its JSON form.

// configRows lists cfg's fields in the order and with the names of its JSON form.
func configRows(cfg cluster.Config) []configRow {
	def := map[string]string{}
	for _, r := range jsonFields(cluster.DefaultConfig()) {
		def[r.Name] = r.Value
	}
	rows := jsonFields(cfg)
	for i := range rows {
		rows[i].Changed = rows[i].Value != def[rows[i].Name]
	}
	return rows
}

// configRowsMax bounds the rows of a config table.
const configRowsMax = 200

// jsonFields flattens a JSON object into rows, keeping the field order. A nested object's
// fields are named "outer.inner"; strings lose their quotes and lists of strings are joined.
func jsonFields(v any) []configRow {
	data, err := json.Marshal(v)
	if err != nil {
		return []configRow{{Name: "error", Value: err.Error()}}
	}
	type level struct {
		dec    *json.Decoder
		prefix string
	}
	open := func(b []byte, prefix string) (level, bool) {
		d := json.NewDecoder(bytes.NewReader(b))
		t, err := d.Token()
		return level{d, prefix}, err == nil && t == json.Delim('{')
	}
	top, ok := open(data, "")
	if !ok {
		return nil
	}
	var rows []configRow
	for stack := []level{top}; len(stack) > 0 && len(rows) < configRowsMax; {
		l := stack[len(stack)-1]
		key, err := l.dec.Token()
		var val json.RawMessage
		if err != nil || key == json.Delim('}') || l.dec.Decode(&val) != nil {
			stack = stack[:len(stack)-1] // this object is done (or broken)
			continue
		}
		name := l.prefix + fmt.Sprint(key)
		if inner, ok := open(val, name+"."); ok {
			stack = append(stack, inner)
			continue
		}
		rows = append(rows, configRow{Name: name, Value: jsonText(val)})
	}
	return rows
}

// jsonText renders a JSON value for a person: a string without quotes, a list of strings
// joined with commas, anything else as it is.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && list != nil {
		return strings.Join(list, ", ")
	}
	return string(raw)
}

// configRow is one field of a config, in the config's JSON form.
type configRow struct {
	Name, Value string
	Changed     bool // differs from cluster.DefaultConfig()
}
