package output

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/output")

// golden compares got with testdata/output/name (rewriting it with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "output", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// checkJSONLines unmarshals every line of NDJSON output.
func checkJSONLines(t *testing.T, out string) []any {
	t.Helper()
	var vals []any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("invalid JSON line %q: %v", line, err)
		}
		vals = append(vals, v)
	}
	return vals
}

// sameJSON reports whether two JSON texts hold the same data.
func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got invalid JSON %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want invalid JSON %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON differs:\n got %s\nwant %s", got, want)
	}
}

// Builders for test maps.

func agg(kind types.AggKind) *types.Agg { return &types.Agg{Kind: kind} }

func histAgg(k int) *types.Agg { return &types.Agg{Kind: types.AggHist, Bits: k} }

func lhistAgg(min, max, step int64) *types.Agg {
	return &types.Agg{Kind: types.AggLhist, Min: min, Max: max, Step: step}
}

// histOf buckets values the way the BPF program does.
func histOf(a *types.Agg, vals ...int64) Hist {
	h := Hist{Counts: map[uint64]uint64{}}
	for _, v := range vals {
		if a.Kind == types.AggLhist {
			h.Counts[types.LhistIndex(v, a.Min, a.Max, a.Step)]++
		} else {
			h.Counts[types.HistIndex(v, a.Bits)]++
		}
	}
	return h
}

func scalar(name string, a *types.Agg, v Value) *Map {
	return &Map{Name: name, Agg: a, Entries: []Entry{{Val: v}}}
}

func keyed(name string, a *types.Agg, kv ...Value) *Map {
	m := &Map{Name: name, Agg: a}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Entries = append(m.Entries, Entry{Key: kv[i], Val: kv[i+1]})
	}
	return m
}
