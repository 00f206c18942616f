package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// With -k (sema.Options.HelperErrors) every probe_read helper call is
// followed by a check of its result: a negative one sends an EvHelperError
// event (helper number, return code) for the runtime to report with the
// statement's location, as bpftrace does. r0 is kept for the caller.

var checkedHelpers = map[asm.BuiltinFunc]string{
	asm.FnProbeRead:          "probe_read",
	asm.FnProbeReadStr:       "probe_read_str",
	asm.FnProbeReadKernel:    "probe_read_kernel",
	asm.FnProbeReadKernelStr: "probe_read_kernel_str",
	asm.FnProbeReadUser:      "probe_read_user",
	asm.FnProbeReadUserStr:   "probe_read_user_str",
}

func (g *gen) helperCheck(fn asm.BuiltinFunc, name string) {
	g.inHelperCheck = true
	defer func() { g.inHelperCheck = false }()
	id := g.c.helperEvent(name, g)
	save := g.Temp(8)
	g.StoreReg(save, asm.R0, asm.DWord)
	done := g.NewLabel()
	g.Emit(asm.JSGE.Imm(asm.R0, 0, done))
	const size = 24
	if g.info.Features.NoRingBuf {
		rec := g.Temp(size)
		g.Addr(asm.R0, rec)
	} else {
		g.c.usesRingBuf = true
		g.loadMapPtr(asm.R1, ringBufName)
		g.Emit(asm.Mov.Imm(asm.R2, size), asm.Mov.Imm(asm.R3, 0), asm.FnRingbufReserve.Call(),
			asm.JEq.Imm(asm.R0, 0, done))
	}
	g.Emit(stImm(asm.R0, 0, int64(id), asm.DWord), stImm(asm.R0, 8, int64(fn), asm.DWord))
	g.LoadMem(asm.R1, save, asm.DWord)
	g.Emit(asm.StoreMem(asm.R0, 16, asm.R1, asm.DWord))
	if g.info.Features.NoRingBuf {
		g.perfOutput(asm.R0, size)
	} else {
		g.Emit(asm.Mov.Reg(asm.R1, asm.R0), asm.Mov.Imm(asm.R2, 0), asm.FnRingbufSubmit.Call())
	}
	g.Bind(done)
	g.LoadMem(asm.R0, save, asm.DWord)
}

// helperEvent adds the EvHelperError event of the statement being generated.
func (c *compiler) helperEvent(name string, g *gen) int {
	ev := &Event{ID: len(c.obj.Events), Kind: EvHelperError, Fmt: name,
		ArgsType: types.NewTuple(types.Int64, types.Int64), Span: g.srcSpan}
	if f := c.prog.File; f != nil {
		p := f.Position(g.srcSpan.Start)
		ev.Loc = fmt.Sprintf("%s:%d:%d", f.Name, p.Line, p.Col)
	}
	c.obj.Events = append(c.obj.Events, ev)
	return ev.ID
}

// mapHelperCheck follows a map_update_elem or map_delete_elem call: a
// negative result sends the EvHelperError event, built on the stack and sent
// with one output call (fewer instructions than helperCheck, as every map
// update carries it). r0 is left alone on success. Nothing is emitted with
// warnings off.
func (g *gen) mapHelperCheck(fn asm.BuiltinFunc, name string) {
	if g.info.NoWarnings || g.inHelperCheck {
		return
	}
	g.inHelperCheck = true
	defer func() { g.inHelperCheck = false }()
	id := g.c.helperEvent(name, g)
	done := g.NewLabel()
	g.Emit(asm.JSGE.Imm(asm.R0, 0, done))
	const size = 24
	rec := g.Temp(size)
	g.StoreImm(rec, int64(id), asm.DWord)
	g.StoreImm(rec.At(8), int64(fn), asm.DWord)
	g.StoreReg(rec.At(16), asm.R0, asm.DWord)
	if g.info.Features.NoRingBuf {
		g.Addr(asm.R0, rec)
		g.perfOutput(asm.R0, size)
	} else {
		g.c.usesRingBuf = true
		g.loadMapPtr(asm.R1, ringBufName)
		g.Addr(asm.R2, rec)
		g.Emit(asm.Mov.Imm(asm.R3, size), asm.Mov.Imm(asm.R4, 0), asm.FnRingbufOutput.Call())
	}
	g.Bind(done)
}
