package codegen_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

var histValues = []int64{-5, -1, 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 1023, 1024, 1025,
	1 << 20, 1<<20 + 12345, 1<<40 + 3, 1<<62 + 1<<59, 1<<63 - 1}

// buckets reads a hist/lhist map: user key (first 8 bytes) -> bucket -> count.
func (l *loaded) buckets(t *testing.T, name string) map[uint64]map[uint64]int64 {
	out := map[uint64]map[uint64]int64{}
	l.eachBucket(t, name, func(k, b uint64, vals [][]byte) {
		if out[k] == nil {
			out[k] = map[uint64]int64{}
		}
		for _, v := range vals {
			out[k][b] += int64(binary.LittleEndian.Uint64(v))
		}
	})
	return out
}

// eachBucket calls fn for every entry of a bucketed map (hist, lhist,
// tseries): the user key's first 8 bytes, the bucket index ending the key,
// and the per-CPU values.
func (l *loaded) eachBucket(t *testing.T, name string, fn func(key, bucket uint64, vals [][]byte)) {
	_, m := l.kernelMap(t, name)
	it := m.Iterate()
	var key []byte
	var vals [][]byte
	for it.Next(&key, &vals) {
		fn(binary.LittleEndian.Uint64(key), binary.LittleEndian.Uint64(key[len(key)-8:]), vals)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestHistIndex checks the BPF bucket computation against types.HistIndex
// and types.LhistIndex for every hist bit count.
func TestHistIndex(t *testing.T) {
	needRoot(t)
	var b strings.Builder
	b.WriteString("BEGIN {\n")
	for i, v := range histValues {
		for k := 0; k <= types.MaxHistBits; k++ {
			fmt.Fprintf(&b, "  @h%d[%d] = hist(%d, %d);\n", k, i, v, k)
		}
		fmt.Fprintf(&b, "  @l[%d] = lhist(%d, 0, 1000, 100);\n", i, v)
		fmt.Fprintf(&b, "  @l2[%d] = lhist(%d, 5, 30, 5);\n", i, v)
		fmt.Fprintf(&b, "  @l3[%d] = lhist(%d, 0, 10000000000, 5000000000);\n", i, v)
	}
	b.WriteString("}\n")
	obj, _ := build(t, b.String(), sema.Options{})
	l := load(t, obj)
	l.run(t, "begin")
	for k := 0; k <= types.MaxHistBits; k++ {
		got := l.buckets(t, fmt.Sprintf("@h%d", k))
		for i, v := range histValues {
			want := types.HistIndex(v, k)
			if got[uint64(i)][want] != 1 || len(got[uint64(i)]) != 1 {
				t.Errorf("hist(%d, %d): buckets %v, want index %d", v, k, got[uint64(i)], want)
			}
		}
	}
	for _, c := range []struct {
		name           string
		min, max, step int64
	}{{"@l", 0, 1000, 100}, {"@l2", 5, 30, 5}, {"@l3", 0, 10000000000, 5000000000}} {
		got := l.buckets(t, c.name)
		for i, v := range histValues {
			want := types.LhistIndex(v, c.min, c.max, c.step)
			if got[uint64(i)][want] != 1 || len(got[uint64(i)]) != 1 {
				t.Errorf("lhist(%d, %d, %d, %d): buckets %v, want index %d", v, c.min, c.max, c.step, got[uint64(i)], want)
			}
		}
	}
}

// TestAggregations checks min/max/avg/stats map values.
func TestAggregations(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN { @mn = min(5); @mn = min(-3); @mn = min(7); @mx = max(5); @mx = max(-3); @mx = max(9);
		@a = avg(2); @a = avg(4); @s = stats(10); @s = stats(20); @s = stats(-3); @u = min((uint64)5); @u = min((uint64)3); }`, sema.Options{})
	l := load(t, obj)
	l.run(t, "begin")
	read := func(name string) (int64, int64) {
		_, m := l.kernelMap(t, name)
		var vals [][]byte
		if err := m.Lookup(make([]byte, 8), &vals); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if binary.LittleEndian.Uint64(v[8:]) != 0 {
				return int64(binary.LittleEndian.Uint64(v)), int64(binary.LittleEndian.Uint64(v[8:]))
			}
		}
		t.Fatalf("no value for %s", name)
		return 0, 0
	}
	check := func(name string, a, b int64) {
		x, y := read(name)
		if x != a || y != b {
			t.Errorf("%s = {%d, %d}, want {%d, %d}", name, x, y, a, b)
		}
	}
	check("@mn", -3, 1)
	check("@mx", 9, 1)
	check("@a", 6, 2)
	check("@s", 27, 3)
	check("@u", 3, 1)
}

// TestScalarArray: a scalar count or sum lives in a one-slot per-CPU array
// (an inlined lookup, no insert path), and delete() zeroes every CPU's
// value, as deleting a per-CPU hash entry would.
func TestScalarArray(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `begin { @ = count(); @s = sum(5); @m = max(1); } end { delete(@); delete(@s); }`, sema.Options{})
	for _, um := range obj.UserMaps {
		want := ebpf.PerCPUArray
		if um.Name == "@m" {
			want = ebpf.PerCPUHash
		}
		if got := obj.Maps[um.Spec].Type; got != want {
			t.Errorf("%s: map type %v, want %v", um.Name, got, want)
		}
	}
	l := load(t, obj)
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"@", "@s"} {
		vals := make([]uint64, ncpu)
		for i := range vals {
			vals[i] = uint64(10 * (i + 1)) // counted earlier on every CPU
		}
		_, m := l.kernelMap(t, name)
		if err := m.Put(uint32(0), vals); err != nil {
			t.Fatal(err)
		}
	}
	l.run(t, "begin")
	base := int64(10 * ncpu * (ncpu + 1) / 2)
	if got := l.scalar(t, "@", nil); got != base+1 {
		t.Errorf("@ = %d, want %d", got, base+1)
	}
	if got := l.scalar(t, "@s", nil); got != base+5 {
		t.Errorf("@s = %d, want %d", got, base+5)
	}
	l.run(t, "end")
	for _, name := range []string{"@", "@s"} {
		var vals []uint64
		_, m := l.kernelMap(t, name)
		if err := m.Lookup(uint32(0), &vals); err != nil {
			t.Fatal(err)
		}
		for cpu, v := range vals {
			if v != 0 {
				t.Errorf("%s after delete: CPU %d holds %d", name, cpu, v)
			}
		}
	}
}
