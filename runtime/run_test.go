package runtime

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

func needRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("kernel test (-short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to load BPF programs")
	}
}

// objBuilder builds codegen.Objects by hand, the way codegen would.
type objBuilder struct {
	obj *codegen.Object
}

func newObj() *objBuilder {
	return &objBuilder{obj: &codegen.Object{
		Maps: map[string]*ebpf.MapSpec{
			"ringbuf": {Name: "ringbuf", Type: ebpf.RingBuf, MaxEntries: 64 * 4096},
		},
		RingBuf: "ringbuf",
		Config:  codegen.Config{PrintMapsOnExit: true, MaxStrlen: 64},
	}}
}

// event adds an event and returns its id.
func (b *objBuilder) event(kind codegen.EventKind, fmt string, args *types.Tuple) int64 {
	id := len(b.obj.Events)
	b.obj.Events = append(b.obj.Events, &codegen.Event{ID: id, Kind: kind, Fmt: fmt, ArgsType: args})
	return int64(id)
}

// sendInts emits code that sends event id with 8-byte integer args.
func sendInts(id int64, args ...int64) asm.Instructions {
	size := 8 * (1 + len(args))
	off := int16(-size)
	insns := asm.Instructions{
		asm.LoadImm(asm.R1, id, asm.DWord),
		asm.StoreMem(asm.RFP, off, asm.R1, asm.DWord),
	}
	for i, a := range args {
		insns = append(insns,
			asm.LoadImm(asm.R1, a, asm.DWord),
			asm.StoreMem(asm.RFP, off+int16(8*(i+1)), asm.R1, asm.DWord))
	}
	return append(insns,
		asm.LoadMapPtr(asm.R1, 0).WithReference("ringbuf"),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, int32(off)),
		asm.Mov.Imm(asm.R3, int32(size)),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnRingbufOutput.Call(),
	)
}

// updateMap emits @name[key] = val for an 8-byte key and value.
func updateMap(spec string, key, val int64) asm.Instructions {
	return asm.Instructions{
		asm.LoadImm(asm.R1, key, asm.DWord),
		asm.StoreMem(asm.RFP, -8, asm.R1, asm.DWord),
		asm.LoadImm(asm.R1, val, asm.DWord),
		asm.StoreMem(asm.RFP, -16, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(spec),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -16),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call(),
	}
}

func ret0() asm.Instructions {
	return asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}
}

// special adds a begin or end program.
func (b *objBuilder) special(provider string, body ...asm.Instructions) {
	var insns asm.Instructions
	for _, part := range body {
		insns = append(insns, part...)
	}
	insns = append(insns, ret0()...)
	b.obj.Programs = append(b.obj.Programs, &codegen.Program{
		Spec: &ebpf.ProgramSpec{
			Name:         provider,
			Type:         ebpf.RawTracepoint,
			Instructions: insns,
			License:      "GPL",
		},
		Target:     &probe.Target{Provider: provider, Name: provider},
		ProbeIndex: len(b.obj.Programs),
	})
}

// userMap adds a hash map @name with 8-byte keys (nil key type: scalar) and values.
func (b *objBuilder) userMap(name string, key, val types.Type, perCPU bool) string {
	spec := "AT_" + strings.TrimPrefix(name, "@")
	typ := ebpf.Hash
	if perCPU {
		typ = ebpf.PerCPUHash
	}
	vs := uint32(8)
	if a, ok := val.(*types.Agg); ok && (a.Kind == types.AggMin || a.Kind == types.AggMax || a.Kind == types.AggAvg || a.Kind == types.AggStats) {
		vs = 16
	}
	ks := uint32(8)
	if a, ok := val.(*types.Agg); ok && (a.Kind == types.AggHist || a.Kind == types.AggLhist) {
		ks = 16
	}
	b.obj.Maps[spec] = &ebpf.MapSpec{Name: spec, Type: typ, KeySize: ks, ValueSize: vs, MaxEntries: 4096}
	b.obj.UserMaps = append(b.obj.UserMaps, &codegen.UserMap{Name: name, Spec: spec, Key: key, Value: val, PerCPU: perCPU, ValueSize: int(vs)})
	return spec
}

func run(t *testing.T, obj *codegen.Object, o Options) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	o.Stdout, o.Stderr = &out, &errb
	code, err := Run(context.Background(), obj, o)
	if err != nil {
		t.Fatalf("Run: %v\nstderr: %s", err, errb.String())
	}
	return out.String(), errb.String(), code
}

func TestBeginPrintfExit(t *testing.T) {
	needRoot(t)
	b := newObj()
	pf := b.event(codegen.EvPrintf, "hello %d\n", types.NewTuple(types.Int64))
	ex := b.event(codegen.EvExit, "", types.NewTuple(types.Int64))
	b.special("begin", sendInts(pf, 42), sendInts(ex, 3))
	out, errs, code := run(t, b.obj, Options{})
	if out != "hello 42\n\n\n" {
		t.Errorf("stdout = %q", out)
	}
	if errs != "Attached 1 probe\n" {
		t.Errorf("stderr = %q", errs)
	}
	if code != 3 {
		t.Errorf("exit code = %d, want 3", code)
	}
}

func TestMapsPrintedOnExit(t *testing.T) {
	needRoot(t)
	b := newObj()
	ex := b.event(codegen.EvExit, "", nil)
	x := b.userMap("@x", types.Int64, types.Int64, false)
	c := b.userMap("@c", nil, &types.Agg{Kind: types.AggCount}, true)
	b.special("begin", updateMap(x, 1, 10), updateMap(x, 2, 5), updateMap(c, 0, 7), sendInts(ex))
	b.special("end", updateMap(x, 3, 7))
	out, _, code := run(t, b.obj, Options{Quiet: true})
	want := "\n\n@c: 7\n@x[2]: 5\n@x[3]: 7\n@x[1]: 10\n"
	if out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if code != 0 {
		t.Errorf("code = %d", code)
	}
}

// TestVerifierRejectionIsACompilerBug checks that a program the verifier
// rejects is reported as a compiler bug naming the probe, with the end of
// the verifier's log.
func TestVerifierRejectionIsACompilerBug(t *testing.T) {
	needRoot(t)
	b := newObj()
	b.special("begin", asm.Instructions{
		asm.LoadMem(asm.R0, asm.R10, 8, asm.DWord), // above the frame: rejected
	})
	var out, errb bytes.Buffer
	code, err := Run(context.Background(), b.obj, Options{Stdout: &out, Stderr: &errb, Quiet: true})
	var bug *CompilerBugError
	if !errors.As(err, &bug) {
		t.Fatalf("err = %v (code %d), want a CompilerBugError", err, code)
	}
	if bug.Probe != "begin" || len(bug.Log) == 0 || len(bug.Log) > verifierTail {
		t.Errorf("probe %q, %d log lines", bug.Probe, len(bug.Log))
	}
	if !strings.Contains(err.Error(), "internal compiler error") || !strings.Contains(err.Error(), "begin") {
		t.Errorf("message: %v", err)
	}
	if code != 1 {
		t.Errorf("code = %d", code)
	}
}
