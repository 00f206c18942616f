package output

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

func valueCases() []struct {
	name string
	v    Value
} {
	frames := []Frame{
		{Addr: 0xffffffff81234567, Sym: "do_nanosleep", Off: 5},
		{Addr: 0xffffffff81000010, Sym: "entry_SYSCALL_64_after_hwframe", Off: 118},
		{Addr: 0xffffffff8100abcd},
	}
	uframes := []Frame{
		{Addr: 0x55d0c0de1000, Sym: "main", Off: 23, Module: "/usr/bin/bash"},
		{Addr: 0x7f0000001234, Sym: "__libc_start_main", Off: 128, Module: "/usr/lib/libc.so.6"},
	}
	return []struct {
		name string
		v    Value
	}{
		{"int", Int(-42)},
		{"int min", Int(math.MinInt64)},
		{"uint max", Uint(math.MaxUint64)},
		{"uint 2^53+1", Uint(1<<53 + 1)},
		{"bool", Bool(false)},
		{"string", String(`tab	quote" backslash\ nl` + "\n" + "ctl\x01 utf8 é")},
		{"empty string", String("")},
		{"buffer", Buffer("ok\x00\xff~ ")},
		{"tuple", Tuple{Int(1), String("abc"), Tuple{Uint(2), Bool(true)}}},
		{"record", Record{{"a", Int(1)}, {"b", String("x y")}}},
		{"struct with array and union", Record{{"m", Array{Int(2), Int(3)}}, {"n", Record{{"i", Int(5)}, {"f", None{}}}}}},
		{"empty record", Record{}},
		{"nested array", Array{Array{Int(5), Int(6)}, Array{Int(7), Int(8)}}},
		{"pointer", Pointer{Addr: 0xffff8880deadbeef}},
		{"null pointer", Pointer{}},
		{"ksym", Symbol{Name: "do_nanosleep", Addr: 0xffffffff81234567}},
		{"enum", Symbol{Name: "TWO", Addr: 2, Numeric: true}},
		{"inet", Symbol{Name: "127.0.0.1"}},
		{"kstack bpftrace", Stack{Frames: frames}},
		{"kstack perf", Stack{Frames: frames, Mode: types.StackPerf}},
		{"kstack raw", Stack{Frames: frames, Mode: types.StackRaw}},
		{"ustack perf", Stack{Frames: uframes, Mode: types.StackPerf, User: true}},
		{"empty stack", Stack{}},
		{"timestamp", Timestamp(time.Date(2024, 3, 5, 14, 7, 9, 1234, time.UTC))},
		{"none", None{}},
		{"avg", Avg{Total: -9, Count: 2, Signed: true}},
		{"stats", Stats{Total: 9, Count: 2}},
	}
}

func TestValuesGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range valueCases() {
		j := FormatValueJSON(c.v)
		checkJSONLines(t, j)
		fmt.Fprintf(&b, "### %s\ntext: %s\njson: %s\n", c.name, FormatValue(c.v), j)
	}
	golden(t, "values.txt", b.String())
}

func TestMapKeysWithValues(t *testing.T) {
	stack := Stack{Frames: []Frame{{Addr: 0x10, Sym: "f", Off: 1}, {Addr: 0x20, Sym: "g", Off: 2}}}
	m := keyed("@", agg(types.AggCount), stack, Uint(3), Stack{Frames: []Frame{{Addr: 0x30, Sym: "h"}}}, Uint(1))
	want := "@[\n        h+0\n]: 1\n@[\n        f+1\n        g+2\n]: 3\n"
	if got := FormatMapText(m, 0, 0); got != want {
		t.Errorf("stack keys:\n%q\nwant\n%q", got, want)
	}
	j := FormatMapJSON(m, 0, 0)
	checkJSONLines(t, j)
	// bpftrace removes every space from JSON keys, stack indentation too.
	if want := `{"type": "map", "data": {"@": {"\nh+0\n": 1, "\nf+1\ng+2\n": 3}}}` + "\n"; j != want {
		t.Errorf("stack keys JSON:\n%s\nwant\n%s", j, want)
	}
	// JSON keys lose every space, tuple parentheses and all.
	m = keyed("@k", nil, Tuple{String("a b"), Int(1)}, Int(1), String("(x)"), Int(2))
	if got, want := FormatMapJSON(m, 0, 0), `{"type": "map", "data": {"@k": {"ab,1": 1, "x": 2}}}`+"\n"; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestTextWriterStreams(t *testing.T) {
	var out, errs bytes.Buffer
	w := NewText(&out, &errs)
	w.AttachedProbes(1)
	w.AttachedProbes(3)
	w.Printf("hi %d\n")
	w.Value(Tuple{Int(1), Int(2), String("string")})
	w.Value(Record{{"m", Int(2)}, {"n", Int(3)}})
	w.Map(keyed("@c", agg(types.AggCount), String("x"), Uint(3), String("y"), Uint(1)), 0, 0)
	w.Time("12:00:00\n")
	w.Cat("1.00 2.00\n")
	w.Join("/bin/echo A")
	w.Syscall("a b c")
	w.LostEvents(7)
	loc := Location{Filename: "stdin", Line: 1, Col: 9, Pos: "stdin:1:9-30", Context: []string{"BEGIN { errorf(\"boom\"); }", "        ~~~~~~~~~~~~~~~~~~~~~~"}}
	w.Errorf("boom\n", []Location{loc})
	w.Warnf("careful", []Location{loc, {Pos: "stdin:2:1-5", Context: []string{"macro", "~~~~"}}})
	w.RuntimeError("Bad address", []Location{loc})
	w.HelperError("probe_read", -14, []Location{loc})
	w.HelperError("map_update_elem", -7, []Location{loc})
	w.End()
	w.Map(scalar("@x", agg(types.AggCount), Uint(1)), 0, 0)
	w.Map(scalar("@h", histAgg(0), histOf(histAgg(0), 3)), 0, 0)
	w.Map(scalar("@y", nil, Int(2)), 0, 0)
	golden(t, "text_stream_stdout.txt", out.String())
	golden(t, "text_stream_stderr.txt", errs.String())
}

func TestJSONWriterStream(t *testing.T) {
	var out bytes.Buffer
	w := NewJSON(&out)
	w.AttachedProbes(2)
	w.Printf("hi\n")
	w.Time("12:00:00\n")
	w.Cat("1.00 2.00\n")
	w.Value(Stack{Frames: []Frame{{Addr: 1, Sym: "f", Off: 1}}})
	w.Map(&Map{Name: "@empty", Agg: agg(types.AggCount)}, 0, 0)
	w.Map(keyed("@map", nil, String("key1"), Int(2), String("key2"), Int(3)), 0, 0)
	w.Warnf("careful", []Location{{Filename: "stdin", Line: 2, Col: 3}})
	w.RuntimeError("Bad address", []Location{{Filename: "stdin", Line: 1, Col: 37}})
	w.LostEvents(1)
	w.End()
	w.Map(scalar("@stats", agg(types.AggStats), Stats{Total: 12, Count: 2}), 0, 0)
	checkJSONLines(t, out.String())
	golden(t, "json_stream.ndjson", out.String())
}

// Exact line from bpftrace's tests/runtime/json-output (helper_error).
func TestJSONHelperError(t *testing.T) {
	var out bytes.Buffer
	NewJSON(&out).HelperError("probe_read", -14, []Location{{Filename: "stdin", Line: 1, Col: 37}})
	want := `{"type": "helper_error", "msg": "Bad address", "helper": "probe_read", "retcode": -14, "filename": "stdin", "line": 1, "col": 37}` + "\n"
	if out.String() != want {
		t.Errorf("got  %s\nwant %s", out.String(), want)
	}
}

func TestStrerror(t *testing.T) {
	for e, want := range map[int]string{1: "Operation not permitted", 7: "Argument list too long", 14: "Bad address", 2: "No such file or directory", 0: "Success", 4000: "Unknown error 4000"} {
		if got := Strerror(e); got != want {
			t.Errorf("Strerror(%d) = %q, want %q", e, got, want)
		}
	}
}
