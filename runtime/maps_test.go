package runtime

import (
	"encoding/binary"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// fillCounts makes a per-CPU count map like @[key] = count() with n keys.
func fillCounts(t *testing.T, n int) (*ebpf.Map, int) {
	t.Helper()
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.PerCPUHash, KeySize: 8, ValueSize: 8, MaxEntries: uint32(n + n/4)})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]uint64, n)
	vals := make([]uint64, n*ncpu)
	for i := range keys {
		keys[i] = uint64(i)
		for c := 0; c < ncpu; c++ {
			vals[i*ncpu+c] = uint64(i%7 + c)
		}
	}
	if _, err := m.BatchUpdate(keys, vals, nil); err != nil {
		t.Fatal(err)
	}
	return m, ncpu
}

// TestReadBigMap checks that a 100k-key map is read, merged and printed in
// under 0.1 s (bpftrace takes 0.54 s).
func TestReadBigMap(t *testing.T) {
	needRoot(t)
	const n = 100000
	m, ncpu := fillCounts(t, n)
	defer m.Close()
	r := &mapReader{dec: NewDecoder(nil, ""), ncpu: ncpu}
	um := &codegen.UserMap{Name: "@", Key: types.Int64, Value: &types.Agg{Kind: types.AggCount}, PerCPU: true}
	start, cpu0 := time.Now(), cpuTime()
	om, err := r.read(um, m)
	if err != nil {
		t.Fatal(err)
	}
	read := time.Since(start)
	output.NewText(io.Discard, io.Discard).Map(om, 0, 0)
	took, cpu := time.Since(start), cpuTime()-cpu0
	t.Logf("100k keys: read+merge %v, printed %v wall, %v CPU", read, took, cpu)
	if len(om.Entries) != n {
		t.Fatalf("%d entries, want %d", len(om.Entries), n)
	}
	want := uint64(0)
	for c := 0; c < ncpu; c++ {
		want += uint64(12345%7 + c)
	}
	for _, e := range om.Entries {
		if e.Key == output.Int(12345) && e.Val != output.Uint(want) {
			t.Errorf("@[12345] = %v, want %d", e.Val, want)
		}
	}
	// CPU time, not wall time: a loaded machine must not fail the test.
	// The product target is < 100 ms (perfbench's readout metric); the test
	// allows headroom for GC threads and a machine shared with other tests.
	if cpu > 250*time.Millisecond && !raceEnabled {
		t.Errorf("reading and printing took %v of CPU, want < 250ms", cpu)
	}
}

// TestClearAndZero checks clear() and zero() on a per-CPU map.
func TestClearAndZero(t *testing.T) {
	needRoot(t)
	m, ncpu := fillCounts(t, 100)
	defer m.Close()
	r := &mapReader{dec: NewDecoder(nil, ""), ncpu: ncpu}
	if err := r.zero(m); err != nil {
		t.Fatal(err)
	}
	raw, err := r.dump(m)
	if err != nil {
		t.Fatal(err)
	}
	if raw.n != 100 {
		t.Fatalf("%d entries after zero, want 100", raw.n)
	}
	for i := 0; i < raw.n; i++ {
		v := raw.val(i)
		for c := 0; c < ncpu; c++ {
			if x := binary.LittleEndian.Uint64(v[c*8:]); x != 0 {
				t.Fatalf("value %d after zero", x)
			}
		}
	}
	if err := r.clear(m); err != nil {
		t.Fatal(err)
	}
	if raw, _ = r.dump(m); raw.n != 0 {
		t.Fatalf("%d entries after clear", raw.n)
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkReadMap100k(b *testing.B) {
	if testing.Short() || os.Geteuid() != 0 {
		b.Skip("kernel benchmark: needs root, not -short")
	}
	t := &testing.T{}
	m, ncpu := fillCounts(t, 100000)
	defer m.Close()
	r := &mapReader{dec: NewDecoder(nil, ""), ncpu: ncpu}
	um := &codegen.UserMap{Name: "@", Key: types.Int64, Value: &types.Agg{Kind: types.AggCount}, PerCPU: true}
	b.Run("dump", func(b *testing.B) {
		for b.Loop() {
			r.dump(m)
		}
	})
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			r.read(um, m)
		}
	})
	om, _ := r.read(um, m)
	b.Run("print", func(b *testing.B) {
		for b.Loop() {
			output.NewText(io.Discard, io.Discard).Map(om, 0, 0)
		}
	})
}
