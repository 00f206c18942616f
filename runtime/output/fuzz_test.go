package output

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Any format string, with any arguments, formats without panicking.
func FuzzSprintf(f *testing.F) {
	for _, s := range []string{"%d", "%-05.3lld|%#x", "%", "%%%", "%rx%rh%r", "%5", "%.", "%hhhd", "%s %c %p"} {
		f.Add(s, int64(-3), "abc")
	}
	f.Fuzz(func(t *testing.T, format string, n int64, s string) {
		_ = Sprintf(format, []Value{Int(n), String(s), Buffer(s), Uint(n), Tuple{Int(n)}})
		_ = Strftime(format, testTime)
	})
}

// Any bucket counts print, in text and JSON, without panicking.
func FuzzHistogram(f *testing.F) {
	f.Add(uint8(0), int64(0), int64(100), int64(10), uint64(3), uint64(1), uint64(70))
	f.Fuzz(func(t *testing.T, k uint8, min, max, step int64, i1, c1, i2 uint64) {
		h := Hist{Counts: map[uint64]uint64{i1 % 2000: c1, i2 % 2000: 1}}
		bits := int(k % (types.MaxHistBits + 1))
		if step <= 0 || max < min || (max-min)/step > 1000 {
			min, max, step = 0, 100, 10
		}
		for _, a := range []*types.Agg{histAgg(bits), lhistAgg(min, max, step)} {
			m := scalar("@", a, h)
			_ = FormatMapText(m, 0, 0)
			checkJSONLines(t, FormatMapJSON(m, 0, 2))
		}
	})
}
