package codegen_test

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/perf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/sema"
)

// TestPerfBufferFallback: with Features.NoRingBuf events go through a perf
// event array (kernels without ring buffers); the records are the same.
func TestPerfBufferFallback(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN { printf("%d %s\n", 42, "x"); exit(); }`, sema.Options{Features: sema.Features{NoRingBuf: true}})
	if typ := obj.Maps[obj.RingBuf].Type; typ != ebpf.PerfEventArray {
		t.Fatalf("event map is %v, want a perf event array", typ)
	}
	spec := &ebpf.CollectionSpec{Maps: obj.Maps, Programs: map[string]*ebpf.ProgramSpec{}}
	for i, p := range obj.Programs {
		spec.Programs[fmt.Sprintf("p%d", i)] = p.Spec
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	rd, err := perf.NewReader(coll.Maps[obj.RingBuf], 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if _, err := coll.Programs["p0"].Run(&ebpf.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for len(ids) < 2 {
		rec, err := rd.Read()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, binary.LittleEndian.Uint64(rec.RawSample))
		if len(ids) == 1 {
			ev := obj.Events[ids[0]]
			if got := int64(binary.LittleEndian.Uint64(rec.RawSample[8+ev.ArgsType.Fields[0].Offset:])); got != 42 {
				t.Errorf("printf argument = %d, want 42", got)
			}
		}
	}
	if obj.Events[ids[0]].Fmt != "%d %s\n" || obj.Events[ids[1]].Kind != codegen.EvExit {
		t.Errorf("events %v: got %+v, %+v", ids, obj.Events[ids[0]], obj.Events[ids[1]])
	}
}

// TestPerfBufferLoads: probe programs with perf-buffer output pass the verifier.
func TestPerfBufferLoads(t *testing.T) {
	needRoot(t)
	for _, src := range []string{
		`tracepoint:syscalls:sys_enter_openat { printf("%s %d\n", comm, pid); }`,
		`profile:hz:99 { print(kstack); time("%H"); }`,
		`rawtracepoint:sched_switch { printf("%d\n", arg0); exit(); }`,
	} {
		obj, _ := build(t, src, sema.Options{Host: realHost(t), Features: sema.Features{NoRingBuf: true}})
		spec := &ebpf.CollectionSpec{Maps: obj.Maps, Programs: map[string]*ebpf.ProgramSpec{}}
		for i, p := range obj.Programs {
			spec.Programs[fmt.Sprintf("p%d", i)] = p.Spec
		}
		coll, err := ebpf.NewCollection(spec)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		coll.Close()
	}
}

// TestRandomProgramsFallbacks: random programs also load with perf-buffer
// output and -k helper checks (which add code after every probe_read).
func TestRandomProgramsFallbacks(t *testing.T) {
	needRoot(t)
	for seed := int64(0); seed < 60; seed++ {
		p := &progGen{r: rand.New(rand.NewSource(seed))}
		var b strings.Builder
		b.WriteString("BEGIN {\n@i[0] = 1; @s[0] = \"init\";\n")
		for i := 0; i < 12; i++ {
			p.stmt(&b, 2)
		}
		b.WriteString("}\n")
		src := b.String()
		for _, opts := range []sema.Options{{HelperErrors: true}, {HelperErrors: true, Features: sema.Features{NoRingBuf: true}}} {
			obj, _ := build(t, src, opts)
			spec := &ebpf.CollectionSpec{Maps: obj.Maps, Programs: map[string]*ebpf.ProgramSpec{}}
			for i, p := range obj.Programs {
				spec.Programs[fmt.Sprintf("p%d", i)] = p.Spec
			}
			coll, err := ebpf.NewCollection(spec)
			if err != nil {
				t.Fatalf("seed %d %+v: %v\n%s", seed, opts, err, src)
			}
			if _, err := coll.Programs["p0"].Run(&ebpf.RunOptions{}); err != nil {
				t.Fatalf("seed %d: run: %v", seed, err)
			}
			coll.Close()
		}
	}
}
