package output

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// inUTC runs f with local time in UTC, so row times are predictable.
func inUTC(t *testing.T, f func()) {
	t.Helper()
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()
	f()
}

func tsMap(name string, agg *types.Agg, entries ...Entry) *Map {
	return &Map{Name: name, Agg: agg, Entries: entries}
}

// series builds a Tseries whose epoch e starts at Unix time e*interval.
func series(interval time.Duration, points map[uint64]int64) Tseries {
	ts := Tseries{Points: map[uint64]Value{}, Interval: int64(interval)}
	for e, v := range points {
		ts.Points[e] = Int(v)
	}
	return ts
}

// The zigzag example of bpftrace's docs/stdlib.md ("tseries", example two).
func TestTseriesTextDocsZigzag(t *testing.T) {
	base := time.Date(2025, 1, 1, 10, 39, 49, 300e6, time.UTC).UnixNano() / int64(100*time.Millisecond)
	vals := []int64{-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4}
	pts := map[uint64]int64{}
	for i, v := range vals {
		pts[uint64(base)+uint64(i)] = v
	}
	agg := &types.Agg{Kind: types.AggTseries, Signed: true, Interval: int64(100 * time.Millisecond), Intervals: 20}
	want := `@:
             -5                                                  5
hh:mm:ss.ms  |___________________________________________________|
10:39:49.300 *                         .                         | -5
10:39:49.400 |    *                    .                         | -4
10:39:49.500 |         *               .                         | -3
10:39:49.600 |              *          .                         | -2
10:39:49.700 |                   *     .                         | -1
10:39:49.800 |                         *                         | 0
10:39:49.900 |                         .    *                    | 1
10:39:50.000 |                         .         *               | 2
10:39:50.100 |                         .              *          | 3
10:39:50.200 |                         .                   *     | 4
10:39:50.300 |                         .                         * 5
10:39:50.400 |                         .                   *     | 4
10:39:50.500 |                         .              *          | 3
10:39:50.600 |                         .         *               | 2
10:39:50.700 |                         .    *                    | 1
10:39:50.800 |                         *                         | 0
10:39:50.900 |                   *     .                         | -1
10:39:51.000 |              *          .                         | -2
10:39:51.100 |         *               .                         | -3
10:39:51.200 |    *                    .                         | -4
             v___________________________________________________v
             -5                                                  5

`
	inUTC(t, func() {
		got := FormatMapText(tsMap("@", agg, Entry{Val: series(100*time.Millisecond, pts)}), 0, 0)
		if got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	})
}

// bpftrace's tests/bpftrace.cpp print_tseries_map: the window ends at the
// map's latest epoch, older epochs drop out, missing intervals print "-".
func TestTseriesTextWindow(t *testing.T) {
	const first = 173482610 // epochs of 1ms
	k0 := Tseries{Points: map[uint64]Value{}, Interval: int64(time.Millisecond)}
	k1 := Tseries{Points: map[uint64]Value{}, Interval: int64(time.Millisecond)}
	for i := uint64(1); i <= 5; i++ {
		k0.Points[first+i] = Uint(i)
		k1.Points[first+i+1] = Uint(i)
	}
	agg := &types.Agg{Kind: types.AggTseries, Interval: int64(time.Millisecond), Intervals: 5}
	want := `m[0]:
             2                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:11:22.612 *                                                   | 2
00:11:22.613 |                *                                  | 3
00:11:22.614 |                                 *                 | 4
00:11:22.615 |                                                   * 5
00:11:22.616 |                                                   | -
             v___________________________________________________v
             2                                                   5

m[1]:
             1                                                   5
hh:mm:ss.ms  |___________________________________________________|
00:11:22.612 *                                                   | 1
00:11:22.613 |            *                                      | 2
00:11:22.614 |                         *                         | 3
00:11:22.615 |                                      *            | 4
00:11:22.616 |                                                   * 5
             v___________________________________________________v
             1                                                   5

`
	inUTC(t, func() {
		got := FormatMapText(tsMap("m", agg, Entry{Key: Uint(0), Val: k0}, Entry{Key: Uint(1), Val: k1}), 0, 0)
		if got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	})
}

// Leading missing intervals are dropped; a key with nothing in the window
// shows one empty row at the window's end; an all-zeroed map has no rows.
func TestTseriesTextEdges(t *testing.T) {
	agg := &types.Agg{Kind: types.AggTseries, Signed: true, Interval: int64(time.Second), Intervals: 4}
	live := series(time.Second, map[uint64]int64{100: 7, 102: 7})
	old := series(time.Second, map[uint64]int64{90: 1})
	inUTC(t, func() {
		got := FormatMapText(tsMap("@x", agg, Entry{Key: String("a"), Val: live}, Entry{Key: String("b"), Val: old}), 0, 0)
		bounds := func(indent int, lo, hi string) string {
			return fmt.Sprintf("%s%-21s%32s\n", strings.Repeat(" ", indent), lo, hi)
		}
		bar := "|" + strings.Repeat("_", 51) + "|"
		bottom := "v" + strings.Repeat("_", 51) + "v"
		empty := "|" + strings.Repeat(" ", 51) + "|"
		mid := "|" + strings.Repeat(" ", 25) + "*" + strings.Repeat(" ", 25) + "|"
		want := "@x[a]:\n" + bounds(9, "6", "8") +
			"hh:mm:ss " + bar + "\n" +
			"00:01:40 " + mid + " 7\n" +
			"00:01:41 " + empty + " -\n" +
			"00:01:42 " + mid + " 7\n" +
			"         " + bottom + "\n" + bounds(9, "6", "8") + "\n" +
			"@x[b]:\n" + bounds(19, "null", "null") +
			"hh:mm:ss.ns        " + bar + "\n" +
			"00:01:42.000000000 " + empty + " -\n" +
			strings.Repeat(" ", 19) + bottom + "\n" + bounds(19, "null", "null") + "\n"
		if got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
		zeroed := series(time.Second, map[uint64]int64{0: 0})
		if got, want := FormatMapText(tsMap("@z", agg, Entry{Val: zeroed}), 0, 0), "@z:\n<no data>\n"; got != want {
			t.Errorf("zeroed: got %q, want %q", got, want)
		}
		if got, want := FormatMapJSON(tsMap("@z", agg, Entry{Val: zeroed}), 0, 0), `{"type": "tseries", "data": {"@z": []}}`+"\n"; got != want {
			t.Errorf("zeroed JSON: got %q, want %q", got, want)
		}
	})
}

func TestTseriesJSON(t *testing.T) {
	agg := &types.Agg{Kind: types.AggTseries, Signed: true, Interval: int64(time.Second), Intervals: 3}
	a := series(time.Second, map[uint64]int64{100: 4, 102: -1})
	b := series(time.Second, map[uint64]int64{101: 2})
	got := FormatMapJSON(tsMap("@", agg, Entry{Key: String("a b"), Val: a}, Entry{Key: String("c"), Val: b}), 0, 0)
	want := `{"type": "tseries", "data": {"@": {"ab": [{"interval_start":"1970-01-01 00:01:40.000000000","value":4},` +
		`{"interval_start":"1970-01-01 00:01:42.000000000","value":-1}], "c": [{"interval_start":"1970-01-01 00:01:41.000000000","value":2}]}}}` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	checkJSONLines(t, got)
	scalar := FormatMapJSON(tsMap("@s", agg, Entry{Val: b}), 0, 0)
	if want := `{"type": "tseries", "data": {"@s": [{"interval_start":"1970-01-01 00:01:41.000000000","value":2}]}}` + "\n"; scalar != want {
		t.Errorf("got  %s\nwant %s", scalar, want)
	}
}

func TestTseriesMerge(t *testing.T) {
	neg := func(v int64) uint64 { return uint64(v) }
	cases := []struct {
		name   string
		agg    types.Agg
		vals   [][3]uint64 // {value, meta, epoch} per CPU
		epoch  uint64
		result Value
	}{
		{"last by write time", types.Agg{TsAgg: types.TseriesLast}, [][3]uint64{{1, 50, 9}, {2, 70, 9}, {3, 60, 9}}, 9, Uint(2)},
		{"latest epoch only", types.Agg{TsAgg: types.TseriesSum}, [][3]uint64{{5, 0, 8}, {2, 0, 9}, {4, 0, 9}}, 9, Uint(6)},
		{"avg", types.Agg{TsAgg: types.TseriesAvg, Signed: true}, [][3]uint64{{neg(-9), 2, 4}, {neg(-1), 1, 4}}, 4, Int(-3)},
		{"min signed", types.Agg{TsAgg: types.TseriesMin, Signed: true}, [][3]uint64{{neg(-2), 1, 3}, {5, 1, 3}}, 3, Int(-2)},
		{"max unsigned", types.Agg{TsAgg: types.TseriesMax}, [][3]uint64{{2, 1, 3}, {7, 1, 3}, {99, 1, 2}}, 3, Uint(7)},
		{"never written", types.Agg{TsAgg: types.TseriesMax}, [][3]uint64{{0, 0, 0}, {0, 0, 0}}, 0, Uint(0)},
	}
	for _, c := range cases {
		c.agg.Kind = types.AggTseries
		e, v := TseriesMerge(&c.agg, c.vals)
		if e != c.epoch || v != c.result {
			t.Errorf("%s: got (%d, %v), want (%d, %v)", c.name, e, v, c.epoch, c.result)
		}
	}
}

// Microsecond intervals: bpftrace names the unit "μs" and pads by bytes.
func TestTseriesTextMicroseconds(t *testing.T) {
	agg := &types.Agg{Kind: types.AggTseries, Interval: int64(10 * time.Microsecond), Intervals: 2}
	ts := series(10*time.Microsecond, map[uint64]int64{7: 1, 8: 2})
	inUTC(t, func() {
		lines := strings.Split(FormatMapText(tsMap("@", agg, Entry{Val: ts}), 0, 0), "\n")
		if want := "hh:mm:ss.μs    |"; !strings.HasPrefix(lines[2], want) {
			t.Errorf("header %q, want prefix %q", lines[2], want)
		}
		if want := "00:00:00.000070 *"; !strings.HasPrefix(lines[3], want) {
			t.Errorf("row %q, want prefix %q", lines[3], want)
		}
	})
}
