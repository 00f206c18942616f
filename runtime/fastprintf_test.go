package runtime

import (
	"math"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
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

// TestDirectPrintfMatchesDecode: formatting straight from the payload prints
// what decoding the payload and formatting the values prints.
func TestDirectPrintfMatchesDecode(t *testing.T) {
	dec := NewDecoder(nil, "")
	layouts := [][]types.Type{
		{&types.Int{Bits: 64, Signed: true}, &types.String{N: 16}},
		{&types.Int{Bits: 8, Signed: true}, &types.Int{Bits: 16}, &types.Int{Bits: 32, Signed: true}},
		{&types.String{N: 4}, &types.Int{Bits: 64}, &types.Int{Bits: 32}},
	}
	formats := []string{"%d %s\n", "%u|%x|%X", "%s %i %s", "%s|%d|%u"}
	for _, l := range layouts {
		tup := types.NewTuple(l...)
		for _, f := range formats {
			ff := compileFast(f)
			if ff == nil {
				t.Fatalf("%q: no fast format", f)
			}
			ff.bind(tup)
			for seed := 0; seed < 64; seed++ {
				payload := make([]byte, tup.Size())
				for i := range payload {
					payload[i] = byte(seed*31 + i*17)
					if seed%3 == 0 && i%5 == 2 {
						payload[i] = 0
					}
				}
				var args []output.Value
				for _, fl := range tup.Fields {
					args = append(args, dec.value(fl.Type, payload[fl.Offset:]))
				}
				want, ok := ff.appendTo(nil, args)
				if !ok {
					if ff.direct {
						t.Errorf("%q over %v: bound directly but the value path declines", f, l)
					}
					continue
				}
				if !ff.direct {
					t.Errorf("%q over %v: not bound directly", f, l)
					continue
				}
				got, ok := ff.appendPayload(nil, payload, dec.trailer)
				if !ok || string(got) != string(want) {
					t.Errorf("%q over %v payload %x: direct %q, decoded %q", f, l, payload, got, want)
				}
			}
		}
	}
}
