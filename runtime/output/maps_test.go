package output

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

type mapCase struct {
	name     string
	m        *Map
	top, div int
}

func mapCases() []mapCase {
	h0 := histAgg(0)
	h2 := histAgg(2)
	lh := lhistAgg(0, 10, 2)
	return []mapCase{
		{"scalar count", scalar("@x", agg(types.AggCount), Uint(5)), 0, 0},
		{"scalar plain int negative", scalar("@neg", nil, Int(-7)), 0, 0},
		{"scalar string", scalar("@s", nil, String("a b \n d e")), 0, 0},
		{"scalar tuple", scalar("@", nil, Tuple{Int(1), Int(2), String("string"), Tuple{Int(4), Int(5)}}), 0, 0},
		{"scalar record", scalar("@r", nil, Record{{"a", Int(1)}, {"b", String("abc")}}), 0, 0},
		{"scalar empty record", scalar("@e", nil, Record{}), 0, 0},
		{"keyed count sorted by value, ties by key", keyed("@c", agg(types.AggCount),
			String("sshd"), Uint(5), String("bash"), Uint(1), String("zsh"), Uint(1), String("curl"), Uint(3)), 0, 0},
		{"tuple keys", keyed("@t", agg(types.AggCount),
			Tuple{Int(1), String("abc")}, Uint(2), Tuple{Int(2), String("def")}, Uint(1)), 0, 0},
		{"signed sum with negatives", keyed("@sum", &types.Agg{Kind: types.AggSum, Signed: true},
			Int(1), Int(-5), Int(2), Int(10), Int(3), Int(0)), 0, 0},
		{"unsigned sum", keyed("@usum", agg(types.AggSum), Int(1), Uint(1<<63), Int(2), Uint(3)), 0, 0},
		{"signed min sorts as unsigned", keyed("@min", &types.Agg{Kind: types.AggMin, Signed: true},
			String("a"), Int(-1), String("b"), Int(3), String("c"), Int(0)), 0, 0},
		{"max", keyed("@max", agg(types.AggMax), String("a"), Uint(9), String("b"), Uint(3)), 0, 0},
		{"avg", keyed("@avg", agg(types.AggAvg),
			String("a"), Avg{Total: 10, Count: 1}, String("b"), Avg{Total: 40, Count: 2},
			String("c"), Avg{Total: 30, Count: 1}, String("d"), Avg{Total: 40, Count: 1}), 0, 0},
		{"avg signed negative", scalar("@avgneg", &types.Agg{Kind: types.AggAvg, Signed: true},
			Avg{Total: -7, Count: 2, Signed: true}), 0, 0},
		{"avg top 2 div 10", keyed("@", agg(types.AggAvg),
			String("a"), Avg{Total: 10, Count: 1}, String("b"), Avg{Total: 20, Count: 1},
			String("c"), Avg{Total: 30, Count: 1}, String("d"), Avg{Total: 40, Count: 1}), 2, 10},
		{"stats scalar", scalar("@stats", agg(types.AggStats), Stats{Total: 6, Count: 3}), 0, 0},
		{"stats keyed", keyed("@stats", agg(types.AggStats),
			String("zsh"), Stats{Total: 10, Count: 1}, String("curl"), Stats{Total: 2, Count: 1}), 0, 0},
		{"stats div", scalar("@sd", agg(types.AggStats), Stats{Total: 600, Count: 3}), 0, 10},
		{"count top 2", keyed("@top", agg(types.AggCount),
			Int(1), Uint(10), Int(2), Uint(30), Int(3), Uint(20), Int(4), Uint(5)), 2, 0},
		{"count div", keyed("@div", agg(types.AggCount), Int(1), Uint(1999), Int(2), Uint(3000)), 0, 1000},
		{"plain ints div", keyed("@pd", nil, Int(1), Int(-2500), Int(2), Int(7500), Int(3), Int(3000)), 0, 1000},
		{"enum values sort by number", keyed("@en", nil, Int(1), Symbol{Name: "B", Addr: 2, Numeric: true}, Int(2), Symbol{Name: "A", Addr: 1, Numeric: true}), 0, 0},
		{"min max div", keyed("@mm", &types.Agg{Kind: types.AggMax, Signed: true}, Int(1), Int(-2500), Int(2), Int(7500)), 0, 100},
		{"string values sorted by key", keyed("@str", nil,
			String("b"), String("two"), String("a"), String("one"), String("c"), String("three")), 0, 0},
		{"int keys sorted signed", keyed("@ik", nil,
			Int(3), String("x"), Int(-2), String("y"), Int(10), String("z")), 0, 0},
		{"hist like bpftrace's hist.txt", scalar("@", h0, histOf(h0, -1, 2, 3, 5, 20)), 0, 0},
		{"hist two values with gaps", scalar("@", h0, histOf(h0, 2, 20)), 0, 0},
		{"hist zero and one", scalar("@z", h0, histOf(h0, 0, 0, 1)), 0, 0},
		{"hist K M G T P E", scalar("@big", h0, histOf(h0, 1024, 1<<20, 1<<30, 1<<40, 1<<50, 1<<60, math.MaxInt64)), 0, 0},
		{"hist bar rounding", scalar("@bars", h0, histOf(h0, 4, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16)), 0, 0},
		{"hist k=2", scalar("@k2", h2, histOf(h2, 0, 3, 4, 7, 8, 9, 10, 16, 1000, 1280, 5000)), 0, 0},
		{"hist all zero (after zero())", scalar("@hist", h0, Hist{Counts: map[uint64]uint64{3: 0}}), 0, 0},
		{"hist keyed top 2", keyed("@", h0,
			Int(1), histOf(h0, 10), Int(2), histOf(h0, 20, 20), Int(3), histOf(h0, 30, 30, 30)), 2, 0},
		{"hist div", scalar("@hd", h0, Hist{Counts: map[uint64]uint64{3: 1000, 5: 3500}}), 0, 100},
		{"lhist like bpftrace's lhist.txt", scalar("@", lh, histOf(lh, -1, 2, 3, 7, 10)), 0, 0},
		{"lhist in range only", scalar("@l", lhistAgg(0, 100, 10), histOf(lhistAgg(0, 100, 10), 50, 55, 72)), 0, 0},
		{"lhist step 1 single values", scalar("@l1", lhistAgg(0, 5, 1), histOf(lhistAgg(0, 5, 1), 0, 1, 1, 4)), 0, 0},
		{"lhist negative min", scalar("@ln", lhistAgg(-20, 20, 10), histOf(lhistAgg(-20, 20, 10), -25, -15, 0, 19, 20)), 0, 0},
		{"lhist K labels", scalar("@lk", lhistAgg(0, 10240, 1024), histOf(lhistAgg(0, 10240, 1024), 0, 3000, 20000)), 0, 0},
		{"lhist M labels", scalar("@lm", lhistAgg(0, 4<<20, 1<<20), histOf(lhistAgg(0, 4<<20, 1<<20), 1<<20, 5<<20)), 0, 0},
		{"lhist only above max", scalar("@la", lhistAgg(0, 100, 10), histOf(lhistAgg(0, 100, 10), 100, 500)), 0, 0},
		{"lhist only below min", scalar("@lb", lhistAgg(0, 100, 10), histOf(lhistAgg(0, 100, 10), -1)), 0, 0},
		{"lhist keyed", keyed("@stats", lhistAgg(0, 100, 10),
			String("bpftrace"), histOf(lhistAgg(0, 100, 10), 2, 1000), String("curl"), histOf(lhistAgg(0, 100, 10), 50)), 0, 0},
		{"buffer key", keyed("@buf", agg(types.AggCount), Tuple{Buffer("ok_key\x00\x00"), Int(1)}, Uint(1)), 0, 0},
		{"empty map prints nothing", &Map{Name: "@empty", Agg: agg(types.AggCount)}, 0, 0},
		{"empty stats map", &Map{Name: "@es", Agg: agg(types.AggStats)}, 0, 0},
		{"empty hist map", &Map{Name: "@eh", Agg: h0}, 0, 0},
	}
}

func TestMapsTextGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range mapCases() {
		fmt.Fprintf(&b, "### %s (top=%d div=%d)\n", c.name, c.top, c.div)
		b.WriteString(FormatMapText(c.m, c.top, c.div))
	}
	golden(t, "maps.txt", b.String())
}

func TestMapsJSONGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range mapCases() {
		s := FormatMapJSON(c.m, c.top, c.div)
		checkJSONLines(t, s)
		fmt.Fprintf(&b, "### %s (top=%d div=%d)\n", c.name, c.top, c.div)
		b.WriteString(s)
	}
	golden(t, "maps.json.txt", b.String())
}

// Exact lines from bpftrace's tests/runtime/json-output and outputs/*.json.
func TestJSONMatchesBpftrace(t *testing.T) {
	h0 := histAgg(0)
	lh := lhistAgg(0, 100, 10)
	avg4 := keyed("@", agg(types.AggAvg),
		String("a"), Avg{Total: 10, Count: 1}, String("b"), Avg{Total: 20, Count: 1},
		String("c"), Avg{Total: 30, Count: 1}, String("d"), Avg{Total: 40, Count: 1})
	hist3 := keyed("@", h0, Int(1), histOf(h0, 10), Int(2), histOf(h0, 20), Int(3), histOf(h0, 30))
	exact := []struct {
		got, want string
	}{
		{FormatMapJSON(avg4, 2, 10), `{"type": "stats", "data": {"@": {"c": 3, "d": 4}}}` + "\n"},
		{FormatMapJSON(avg4, 10, 10), `{"type": "stats", "data": {"@": {"a": 1, "b": 2, "c": 3, "d": 4}}}` + "\n"},
		{FormatMapJSON(hist3, 2, 0), `{"type": "hist", "data": {"@": {"2": [{"min": 16, "max": 31, "count": 1}], "3": [{"min": 16, "max": 31, "count": 1}]}}}` + "\n"},
		{FormatMapJSON(hist3, 10, 0), `{"type": "hist", "data": {"@": {"1": [{"min": 8, "max": 15, "count": 1}], "2": [{"min": 16, "max": 31, "count": 1}], "3": [{"min": 16, "max": 31, "count": 1}]}}}` + "\n"},
		{FormatMapJSON(scalar("@", nil, Tuple{Int(1), Int(2), String("string"), Tuple{Int(4), Int(5)}}), 0, 0),
			`{"type": "map", "data": {"@": [1,2,"string",[4,5]]}}` + "\n"},
		{FormatMapJSON(scalar("@", nil, Tuple{Int(0), Record{{"m", Int(2)}, {"n", Int(3)}}}), 0, 0),
			`{"type": "map", "data": {"@": [0,{"m": 2, "n": 3}]}}` + "\n"},
		{FormatMapJSON(scalar("@", nil, Tuple{Int(1), Int(2), String(`string with "quotes"`)}), 0, 0),
			`{"type": "map", "data": {"@": [1,2,"string with \"quotes\""]}}` + "\n"},
		{FormatMapJSON(scalar("@", nil, Pointer{Addr: 0x32}), 0, 0), `{"type": "map", "data": {"@": 50}}` + "\n"},
	}
	for _, e := range exact {
		if e.got != e.want {
			t.Errorf("got  %s\nwant %s", e.got, e.want)
		}
	}

	var out bytes.Buffer
	w := NewJSON(&out)
	w.Printf("test 5")
	w.Printf("test \r \n \t \\ \" bar")
	w.Value(Int(5))
	w.Value(String("bpftrace"))
	w.Value(Tuple{Int(1), Int(2), String("string")})
	w.Value(Record{{"m", Int(2)}, {"n", Int(3)}})
	w.Value(Record{{"y", Record{{"m", Array{Int(2)}}}}, {"a", Record{{"n", Int(3)}}}})
	w.Value(Symbol{Name: "FOO", Addr: 333, Numeric: true})
	w.Value(Record{{"m", Int(2)}, {"n", Record{{"i", Int(5)}, {"f", None{}}}}})
	w.Value(Tuple{Bool(true), Bool(false)})
	w.Value(String("Argument list too long"))
	w.Syscall("a b c\n")
	w.Join("/bin/echo,'A'")
	w.AttachedProbes(1)
	w.LostEvents(3)
	w.Errorf("bad thing", []Location{{Filename: "stdin", Line: 1, Col: 37}})
	want := `{"type": "printf", "data": "test 5"}
{"type": "printf", "data": "test \r \n \t \\ \" bar"}
{"type": "value", "data": 5}
{"type": "value", "data": "bpftrace"}
{"type": "value", "data": [1,2,"string"]}
{"type": "value", "data": {"m": 2, "n": 3}}
{"type": "value", "data": {"y": {"m": [2]}, "a": {"n": 3}}}
{"type": "value", "data": 333}
{"type": "value", "data": {"m": 2, "n": {"i": 5, "f": null}}}
{"type": "value", "data": [true,false]}
{"type": "value", "data": "Argument list too long"}
{"type": "syscall", "data": "a b c\n"}
{"type": "join", "data": "/bin/echo,'A'"}
{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
{"type": "lost_events", "count": 3, "data": {"events": 3}}
{"type": "errorf", "msg": "bad thing", "filename": "stdin", "line": 1, "col": 37}
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	checkJSONLines(t, out.String())

	// Semantic comparisons with bpftrace's tests/runtime/outputs/*.json.
	hm := keyed("@", h0, String("bpftrace"), histOf(h0, 2), String("curl"), histOf(h0, -1, 0, 511, 1024, 1025))
	sameJSON(t, FormatMapJSON(hm, 0, 0), `{"type": "hist", "data": {"@": {"bpftrace": [{"min": 2, "max": 3, "count": 1}], "curl": [
      {"max": -1, "count": 1}, {"min": 0, "max": 0, "count": 1}, {"min": 1, "max": 1, "count": 0},
      {"min": 2, "max": 3, "count": 0}, {"min": 4, "max": 7, "count": 0}, {"min": 8, "max": 15, "count": 0},
      {"min": 16, "max": 31, "count": 0}, {"min": 32, "max": 63, "count": 0}, {"min": 64, "max": 127, "count": 0},
      {"min": 128, "max": 255, "count": 0}, {"min": 256, "max": 511, "count": 1}, {"min": 512, "max": 1023, "count": 0},
      {"min": 1024, "max": 2047, "count": 2}]}}}`)
	lm := keyed("@stats", lh, String("bpftrace"), histOf(lh, 2, 1000), String("curl"), histOf(lh, 50))
	sameJSON(t, FormatMapJSON(lm, 0, 0), `{"type": "hist", "data": {"@stats": {"curl": [{"min": 50, "max": 59, "count": 1}], "bpftrace": [
      {"min": 0, "max": 9, "count": 1}, {"min": 10, "max": 19, "count": 0}, {"min": 20, "max": 29, "count": 0},
      {"min": 30, "max": 39, "count": 0}, {"min": 40, "max": 49, "count": 0}, {"min": 50, "max": 59, "count": 0},
      {"min": 60, "max": 69, "count": 0}, {"min": 70, "max": 79, "count": 0}, {"min": 80, "max": 89, "count": 0},
      {"min": 90, "max": 99, "count": 0}, {"min": 100, "count": 1}]}}}`)
	sm := keyed("@stats", agg(types.AggStats), String("curl"), Stats{Total: 2, Count: 1}, String("zsh"), Stats{Total: 10, Count: 1})
	sameJSON(t, FormatMapJSON(sm, 0, 0), `{"type": "stats", "data": {"@stats": {"curl": {"count": 1, "average": 2, "total": 2}, "zsh": {"count": 1, "average": 10, "total": 10}}}}`)
	sameJSON(t, FormatMapJSON(scalar("@hist", h0, Hist{Counts: map[uint64]uint64{3: 0}}), 0, 0), `{"type": "hist", "data": {"@hist": []}}`)
	sameJSON(t, FormatMapJSON(keyed("@complex", nil, Tuple{String("bpftrace"), Int(2)}, Int(5)), 0, 0),
		`{"type": "map", "data": {"@complex": {"bpftrace,2": 5}}}`)

	sameJSON(t, FormatMapJSON(scalar("@", h0, histOf(h0, 10*1024*1024*1024)), 0, 0),
		`{"type": "hist", "data": {"@": [{"min": 8589934592, "max": 17179869183, "count": 1}]}}`)
	sameJSON(t, FormatMapJSON(scalar("@stats", agg(types.AggStats), Stats{Total: 12, Count: 2}), 0, 0),
		`{"type": "stats", "data": {"@stats": {"count": 2, "average": 6, "total": 12}}}`)
	two := FormatMapJSON(keyed("@map1", nil, String("key1"), Int(2)), 0, 0) + FormatMapJSON(keyed("@map2", nil, String("key2"), Int(3)), 0, 0)
	lines := checkJSONLines(t, two)
	if len(lines) != 2 {
		t.Errorf("multiple maps: %q", two)
	} else {
		sameJSON(t, strings.SplitN(two, "\n", 2)[1], `{"type": "map", "data": { "@map2": { "key2": 3} }}`)
	}

	// hist(i, 3) for i in 0..1023, as bpftrace's outputs/hist_2args.json.
	h3 := histAgg(3)
	var vals []int64
	for i := int64(0); i < 1024; i++ {
		vals = append(vals, i)
	}
	var wantB strings.Builder
	wantB.WriteString(`{"type": "hist", "data": {"@": [`)
	first := true
	for lo, size := int64(0), int64(1); lo < 1024; lo += size {
		if lo >= 16 && lo&(lo-1) == 0 {
			size = lo / 8
		}
		if !first {
			wantB.WriteString(", ")
		}
		first = false
		fmt.Fprintf(&wantB, `{"min": %d, "max": %d, "count": %d}`, lo, lo+size-1, size)
	}
	wantB.WriteString("]}}")
	sameJSON(t, FormatMapJSON(scalar("@", h3, histOf(h3, vals...)), 0, 0), wantB.String())
}

// Exact text from bpftrace's tests/runtime/outputs (body lines; the newest
// bpftrace prints "@:" with no trailing space).
func TestTextMatchesBpftrace(t *testing.T) {
	h0 := histAgg(0)
	got := FormatMapText(scalar("@", h0, histOf(h0, -1, 2, 3, 5, 20)), 0, 0)
	want := "@:\n" +
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n" +
		"[0]                    0 |                                                    |\n" +
		"[1]                    0 |                                                    |\n" +
		"[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n" +
		"[8, 16)                0 |                                                    |\n" +
		"[16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n\n"
	if got != want {
		t.Errorf("hist:\n%s\nwant:\n%s", got, want)
	}
	lh := lhistAgg(0, 10, 2)
	got = FormatMapText(scalar("@", lh, histOf(lh, -1, 2, 3, 7, 10)), 0, 0)
	want = "@:\n" +
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n" +
		"[0, 2)                 0 |                                                    |\n" +
		"[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[4, 6)                 0 |                                                    |\n" +
		"[6, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n" +
		"[8, 10)                0 |                                                    |\n" +
		"[10, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n\n"
	if got != want {
		t.Errorf("lhist:\n%s\nwant:\n%s", got, want)
	}
	avg4 := keyed("@", agg(types.AggAvg),
		String("a"), Avg{Total: 10, Count: 1}, String("b"), Avg{Total: 20, Count: 1},
		String("c"), Avg{Total: 30, Count: 1}, String("d"), Avg{Total: 40, Count: 1})
	if got := FormatMapText(avg4, 2, 10); got != "@[c]: 3\n@[d]: 4\n" {
		t.Errorf("avg top/div: %q", got)
	}
	if got := FormatMapText(scalar("@stats", agg(types.AggStats), Stats{Total: 6, Count: 3}), 0, 0); got != "@stats: { .count = 3, .average = 2, .total = 6 }\n" {
		t.Errorf("stats: %q", got)
	}
	if got := FormatMapText(keyed("@", nil, Tuple{Buffer("ok_key\x00\x00"), Int(1)}, Int(1)), 0, 0); got != `@[ok_key\x00\x00, 1]: 1`+"\n" {
		t.Errorf("buf key: %q", got)
	}
}
