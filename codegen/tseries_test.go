package codegen_test

import (
	"encoding/binary"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/sema"
)

func taiNow(t *testing.T) uint64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_TAI, &ts); err != nil {
		t.Fatal(err)
	}
	return uint64(ts.Nano())
}

// tsBucket is one tseries bucket as the kernel holds it on one CPU.
type tsBucket struct{ val, meta, epoch uint64 }

// tseriesBuckets reads a tseries map: user key (first 8 bytes) -> bucket
// index -> the written CPU's {value, meta, epoch}.
func (l *loaded) tseriesBuckets(t *testing.T, name string) map[uint64]map[uint64]tsBucket {
	out := map[uint64]map[uint64]tsBucket{}
	l.eachBucket(t, name, func(k, b uint64, vals [][]byte) {
		if out[k] == nil {
			out[k] = map[uint64]tsBucket{}
		}
		for _, v := range vals {
			if e := binary.LittleEndian.Uint64(v[16:]); e != 0 {
				out[k][b] = tsBucket{binary.LittleEndian.Uint64(v), binary.LittleEndian.Uint64(v[8:]), e}
			}
		}
	})
	return out
}

// TestTseries checks the bucket layout: the key ends in epoch %
// num_intervals, the value is {value, meta, epoch} with epoch =
// TAI ns / interval, and each aggregation's value and meta.
func TestTseries(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN {
		@l = tseries(5, 100s, 4); @l = tseries(8, 100s, 4);
		@s = tseries(3, 100s, 4, "sum"); @s = tseries(4, 100s, 4, "sum");
		@a = tseries(3, 100s, 4, "avg"); @a = tseries(6, 100s, 4, "avg");
		@mn = tseries(-3, 100s, 4, "min"); @mn = tseries(2, 100s, 4, "min");
		@mx = tseries((uint32)7, 100s, 4, "max"); @mx = tseries((uint32)2, 100s, 4, "max");
		@k[7] = tseries(1, 3000000007, 3); }`, sema.Options{})
	l := load(t, obj)
	before := taiNow(t)
	l.run(t, "begin")
	after := taiNow(t)
	const interval = 100e9
	epoch := before / interval
	if after/interval != epoch {
		t.Skip("crossed an interval boundary")
	}
	check := func(name string, val, meta uint64) {
		t.Helper()
		got := l.tseriesBuckets(t, name)
		b, ok := got[0][epoch%4]
		if !ok || len(got[0]) != 1 {
			t.Fatalf("%s: buckets %v, want one at index %d", name, got, epoch%4)
		}
		if b.val != val || b.meta != meta || b.epoch != epoch {
			t.Errorf("%s = %+v, want {%d %d %d}", name, b, val, meta, epoch)
		}
	}
	check("@s", 7, 0)
	check("@a", 9, 2)
	check("@mn", uint64(^uint64(2)), 1) // -3
	check("@mx", 7, 1)
	last := l.tseriesBuckets(t, "@l")[0][epoch%4]
	if last.val != 8 || last.meta < before || last.meta > after || last.epoch != epoch {
		t.Errorf("@l = %+v, want value 8, write time in [%d, %d], epoch %d", last, before, after, epoch)
	}
	// An interval beyond an immediate (3000000007 ns) and a keyed map.
	k := l.tseriesBuckets(t, "@k")[7]
	if len(k) != 1 {
		t.Fatalf("@k[7]: %v", k)
	}
	for idx, b := range k {
		if b.epoch < before/3000000007 || b.epoch > after/3000000007 || idx != b.epoch%3 || b.val != 1 {
			t.Errorf("@k[7]: bucket %d = %+v", idx, b)
		}
	}
}

// TestTseriesRestartsStaleBucket: a bucket holding an older round's epoch
// restarts before the new value is added.
func TestTseriesRestartsStaleBucket(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN { @s = tseries(3, 100s, 4, "sum"); @mx = tseries(3, 100s, 4, "max"); }`, sema.Options{})
	l := load(t, obj)
	epoch := taiNow(t) / 100e9
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"@s", "@mx"} {
		key := make([]byte, 16)
		binary.LittleEndian.PutUint64(key[8:], epoch%4)
		stale := make([]byte, 24)
		binary.LittleEndian.PutUint64(stale, 100)
		binary.LittleEndian.PutUint64(stale[8:], 1)
		binary.LittleEndian.PutUint64(stale[16:], epoch-4) // same bucket, one round ago
		vals := make([][]byte, ncpu)
		for i := range vals {
			vals[i] = stale
		}
		_, m := l.kernelMap(t, name)
		if err := m.Update(key, vals, ebpf.UpdateAny); err != nil {
			t.Fatal(err)
		}
	}
	l.run(t, "begin")
	if taiNow(t)/100e9 != epoch {
		t.Skip("crossed an interval boundary")
	}
	for _, name := range []string{"@s", "@mx"} {
		found := false
		_, m := l.kernelMap(t, name)
		key := make([]byte, 16)
		binary.LittleEndian.PutUint64(key[8:], epoch%4)
		var vals [][]byte
		if err := m.Lookup(key, &vals); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if binary.LittleEndian.Uint64(v[16:]) == epoch {
				found = true
				if got := binary.LittleEndian.Uint64(v); got != 3 {
					t.Errorf("%s: value %d after restart, want 3", name, got)
				}
			}
		}
		if !found {
			t.Errorf("%s: no CPU wrote epoch %d", name, epoch)
		}
	}
}
