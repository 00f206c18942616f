package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

const (
	ringBufName   = "ringbuf"
	eventLossName = "event_loss"
)

// SendEvent reserves a ring-buffer record, writes the event ID and the
// arguments straight into it and submits it. When the buffer is full the
// event-loss counter is incremented instead.
func (g *gen) SendEvent(call *stdlib.Call, args []ast.Expr) {
	if len(args) == 0 {
		end := g.beginEvent(call, false)
		if g.info.Features.NoRingBuf {
			p := g.Push()
			g.Emit(asm.Mov.Reg(p, asm.R0))
			g.perfOutput(p, g.eventSize(call))
			g.Pop()
		} else {
			g.Emit(asm.Mov.Reg(asm.R1, asm.R0), asm.Mov.Imm(asm.R2, 0), asm.FnRingbufSubmit.Call())
		}
		g.Bind(end)
		return
	}
	ev := g.event(call)
	g.WriteEvent(call, func(rec stdlib.Loc) {
		for i, a := range args {
			f := ev.ArgsType.Fields[i]
			g.Store(a, rec.At(f.Offset), f.Type)
		}
	})
}

func (g *gen) event(call *stdlib.Call) *sema.Event {
	ci := g.info.Calls[call.Node]
	if ci == nil || ci.Event < 0 {
		g.fail("%s: no event recorded", call.Name)
	}
	return g.info.Events[ci.Event]
}

// WriteEvent reserves the call's record and lets fill write the payload
// at rec (offsets as in the event's ArgsType), then submits it.
func (g *gen) WriteEvent(call *stdlib.Call, fill func(rec stdlib.Loc)) {
	end := g.beginEvent(call, true)
	// The record pointer lives in a temporary (r6-r9) while the payload is
	// written straight into the record.
	p := g.Push()
	g.Emit(asm.Mov.Reg(p, asm.R0))
	rec := stdlib.Loc{Ptr: int16(g.depth), Off: 8}
	saved := g.padStrings
	g.padStrings = false
	fill(rec)
	g.padStrings = saved
	if g.info.Features.NoRingBuf {
		g.perfOutput(p, g.eventSize(call))
	} else {
		g.Emit(asm.Mov.Reg(asm.R1, p), asm.Mov.Imm(asm.R2, 0), asm.FnRingbufSubmit.Call())
	}
	g.Pop()
	g.Bind(end)
}

// beginEvent reserves the record and writes the ID; r0 points at the
// record afterwards. The returned label follows the event.
func (g *gen) beginEvent(call *stdlib.Call, payload bool) string {
	ev := g.event(call)
	size := g.eventSize(call)
	g.c.usesRingBuf = true
	if g.info.Features.NoRingBuf {
		// Perf buffers copy the record from memory: build it in a
		// temporary, sent by perfOutput.
		rec := g.Temp(size)
		g.Zero(rec, size)
		g.Addr(asm.R0, rec)
		g.Emit(stImm(asm.R0, 0, int64(ev.ID), asm.DWord))
		return g.NewLabel()
	}
	ok, end := g.NewLabel(), g.NewLabel()
	g.loadMapPtr(asm.R1, ringBufName)
	g.Emit(asm.Mov.Imm(asm.R2, int32(size)), asm.Mov.Imm(asm.R3, 0), asm.FnRingbufReserve.Call(),
		asm.JNE.Imm(asm.R0, 0, ok))
	g.c.usesLoss = true
	g.Emit(asm.LoadMapValue(asm.R1, 0, 0).WithReference(eventLossName), asm.Mov.Imm(asm.R2, 1),
		asm.StoreXAdd(asm.R1, asm.R2, asm.DWord))
	g.jmp(end)
	g.Bind(ok)
	g.Emit(stImm(asm.R0, 0, int64(ev.ID), asm.DWord))
	return end
}

// builtinScalar generates a builtin with a scalar value: its Emit pushes one temporary.
func (g *gen) builtinScalar(e ast.Expr) asm.Register {
	ci := g.info.Calls[e]
	if ci == nil {
		g.fail("unresolved builtin")
	}
	d := g.depth
	ci.Entry.Emit(g, ci.Call, stdlib.Loc{})
	if g.depth != d+1 {
		g.fail("%s: generator left %d values", ci.Call.Name, g.depth-d)
	}
	return g.top()
}

// builtinInto generates a builtin with a memory value at dst.
func (g *gen) builtinInto(e ast.Expr, dst stdlib.Loc) {
	ci := g.info.Calls[e]
	if ci == nil {
		g.fail("unresolved builtin")
	}
	ci.Entry.Emit(g, ci.Call, dst)
}

// PadStrings tells string producers whether the bytes after the NUL must be zero.
func (g *gen) PadStrings() bool { return g.padStrings }

// eventSize is the record size of the call's event: the ID and the payload.
func (g *gen) eventSize(call *stdlib.Call) int {
	size := 8
	if ev := g.event(call); ev.ArgsType != nil {
		size += ev.ArgsType.Size()
	}
	return size
}

// perfOutput sends the record at p with bpf_perf_event_output on this
// CPU's perf buffer (the NoRingBuf fallback); a failure counts as a lost
// event.
func (g *gen) perfOutput(p asm.Register, size int) {
	const currentCPU = 0xffffffff // BPF_F_CURRENT_CPU
	g.LoadCtx(asm.R1)
	g.loadMapPtr(asm.R2, ringBufName)
	g.Emit(asm.LoadImm(asm.R3, currentCPU, asm.DWord), asm.Mov.Reg(asm.R4, p), asm.Mov.Imm(asm.R5, int32(size)),
		asm.FnPerfEventOutput.Call())
	done := g.NewLabel()
	g.Emit(asm.JSGE.Imm(asm.R0, 0, done))
	g.c.usesLoss = true
	g.Emit(asm.LoadMapValue(asm.R1, 0, 0).WithReference(eventLossName), asm.Mov.Imm(asm.R2, 1),
		asm.StoreXAdd(asm.R1, asm.R2, asm.DWord))
	g.Bind(done)
}
