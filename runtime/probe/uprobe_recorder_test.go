package probe_test

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// utMaxLocs is how many values a recorder program can keep.
const utMaxLocs = 7

// utRecorder is a loaded program that, each time it runs, counts the hit and
// stores the value of each Loc (read the way codegen would read it), as
// the latest values.
type utRecorder struct {
	Prog *ebpf.Program
	Map  *ebpf.Map // array, one value: [count, loc0, loc1, ...]
}

// Close releases the program and its map.
func (r *utRecorder) Close() {
	r.Prog.Close()
	r.Map.Close()
}

// Values returns the hit count and the last value of each Loc.
func (r *utRecorder) Values(t testing.TB) (uint64, []int64) {
	t.Helper()
	var v [utMaxLocs + 1]uint64
	if err := r.Map.Lookup(uint32(0), &v); err != nil {
		t.Fatal(err)
	}
	out := make([]int64, utMaxLocs)
	for i := range out {
		out[i] = int64(v[i+1])
	}
	return v[0], out
}

func utSizeOf(n int) asm.Size {
	switch n {
	case 1:
		return asm.Byte
	case 2:
		return asm.Half
	case 4:
		return asm.Word
	}
	return asm.DWord
}

// utExtend sign- or zero-extends the low n bytes of r.
func utExtend(r asm.Register, n int, signed bool) asm.Instructions {
	if n >= 8 {
		return nil
	}
	sh := int64(64 - 8*n)
	if signed {
		return asm.Instructions{asm.LSh.Imm(r, int32(sh)), asm.ArSh.Imm(r, int32(sh))}
	}
	return asm.Instructions{asm.LSh.Imm(r, int32(sh)), asm.RSh.Imm(r, int32(sh))}
}

// utLoadLoc reads one Loc into R7 (ctx is in R6).
func utLoadLoc(l probe.Loc) asm.Instructions {
	var ins asm.Instructions
	switch l.Kind {
	case probe.LocConst:
		ins = append(ins, asm.LoadImm(asm.R7, l.Const, asm.DWord))
	case probe.LocCtx:
		ins = append(ins, asm.LoadMem(asm.R7, asm.R6, int16(l.Offset), utSizeOf(l.Size)))
		ins = append(ins, utExtend(asm.R7, l.Size, l.Signed)...)
	case probe.LocDeref:
		ins = append(ins,
			asm.LoadMem(asm.R3, asm.R6, int16(l.Offset), asm.DWord),
			asm.Add.Imm(asm.R3, int32(l.Disp)),
		)
		if l.Scale > 0 {
			ins = append(ins,
				asm.LoadMem(asm.R4, asm.R6, int16(l.Index), asm.DWord),
				asm.Mul.Imm(asm.R4, int32(l.Scale)),
				asm.Add.Reg(asm.R3, asm.R4),
			)
		}
		ins = append(ins,
			asm.StoreImm(asm.RFP, -8, 0, asm.Word),
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R1, asm.RFP),
			asm.Add.Imm(asm.R1, -8),
			asm.Mov.Imm(asm.R2, int32(l.Size)),
			asm.FnProbeReadUser.Call(),
			asm.LoadMem(asm.R7, asm.RFP, -8, utSizeOf(l.Size)),
		)
		ins = append(ins, utExtend(asm.R7, l.Size, l.Signed)...)
	}
	return ins
}

// utNewRecorder loads a kprobe-type program recording locs.
func utNewRecorder(t testing.TB, locs []probe.Loc) *utRecorder {
	t.Helper()
	if len(locs) > utMaxLocs {
		locs = locs[:utMaxLocs]
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8 * (utMaxLocs + 1), MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	ins := asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1)}
	// Values go to the stack at -16, -24, ... first; then into the map.
	for i, l := range locs {
		ins = append(ins, utLoadLoc(l)...)
		ins = append(ins, asm.StoreMem(asm.RFP, int16(-16-8*i), asm.R7, asm.DWord))
	}
	ins = append(ins,
		asm.StoreImm(asm.RFP, -4-8-8*utMaxLocs, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, int32(-4-8-8*utMaxLocs)),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
	)
	for i := range locs {
		ins = append(ins,
			asm.LoadMem(asm.R1, asm.RFP, int16(-16-8*i), asm.DWord),
			asm.StoreMem(asm.R0, int16(8+8*i), asm.R1, asm.DWord),
		)
	}
	ins = append(ins,
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	)
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.Kprobe, License: "GPL", Instructions: ins})
	if err != nil {
		m.Close()
		t.Fatalf("load recorder: %v", err)
	}
	return &utRecorder{Prog: prog, Map: m}
}
