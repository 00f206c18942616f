package runtime

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// perfSendInts is sendInts through bpf_perf_event_output (the fallback for
// kernels without ring buffers): the context must be the program's.
func perfSendInts(id int64, args ...int64) asm.Instructions {
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
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.LoadMapPtr(asm.R2, 0).WithReference("ringbuf"),
		asm.LoadImm(asm.R3, 0xffffffff, asm.DWord), // BPF_F_CURRENT_CPU
		asm.Mov.Reg(asm.R4, asm.RFP),
		asm.Add.Imm(asm.R4, int32(off)),
		asm.Mov.Imm(asm.R5, int32(size)),
		asm.FnPerfEventOutput.Call(),
	)
}

func TestPerfBufferFallback(t *testing.T) {
	needRoot(t)
	b := newObj()
	b.obj.Maps["ringbuf"] = &ebpf.MapSpec{Name: "ringbuf", Type: ebpf.PerfEventArray}
	pf := b.event(codegen.EvPrintf, "perf %d\n", types.NewTuple(types.Int64))
	ex := b.event(codegen.EvExit, "", nil)
	b.special("begin", asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1)}, perfSendInts(pf, 7), perfSendInts(ex))
	out, _, code := run(t, b.obj, Options{Quiet: true})
	if out != "perf 7\n\n\n" || code != 0 {
		t.Errorf("stdout = %q, code %d", out, code)
	}
}
