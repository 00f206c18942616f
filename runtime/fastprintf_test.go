package runtime

import (
	"math"
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// TestFastPrintfMatchesSprintf: the fast path prints exactly what
// output.Sprintf prints, or declines.
func TestFastPrintfMatchesSprintf(t *testing.T) {
	formats := []string{
		"%d %s\n", "%i|%u|%x|%X|%s", "pid %d comm %s\n", "%lu %llu %ld %zu\n", "100%% %d\n",
		"%5d", "%-5s|", "%08x", "%c", "%p", "%hhd", "%", "abc", "%d%d%d",
	}
	values := []output.Value{
		output.Int(0), output.Int(-1), output.Int(42), output.Int(math.MinInt64), output.Int(math.MaxInt64),
		output.Uint(0), output.Uint(7), output.Uint(math.MaxUint64), output.Uint(1 << 63),
		output.String(""), output.String("comm"), output.Bool(true),
	}
	for _, f := range formats {
		ff := compileFast(f)
		for _, a := range values {
			for _, b := range values {
				args := []output.Value{a, b, a}
				want := output.Sprintf(f, args)
				if ff == nil {
					continue
				}
				got, ok := ff.appendTo(nil, args)
				if ok && string(got) != want {
					t.Errorf("format %q args %#v: fast %q, Sprintf %q", f, args, got, want)
				}
			}
		}
	}
	if compileFast("%5d") != nil || compileFast("%c") != nil || compileFast("%") != nil {
		t.Error("formats with widths or other conversions must fall back")
	}
}
