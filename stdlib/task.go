package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Builtins read from the current task_struct, with offsets from kernel BTF.

type taskChain struct {
	Offs []int // pointer hops: task + Offs[0] -> p; p + Offs[1] -> ...
	Size int   // bytes read at the last hop
}

// chainOffsets resolves task_struct.<via>-><field>.
func chainOffsets(c Checker, call *Call, via, field string) ([]int, types.Type, bool) {
	ts, ok := c.KernelStruct("task_struct")
	if !ok || ts.Fields == nil {
		c.Errorf(call.Span(), "%s needs kernel BTF for struct task_struct", call.Name)
		return nil, nil, false
	}
	hop, ok1 := ts.Field(via)
	last, ok2 := ts.Field(field)
	if !ok1 || !ok2 {
		c.Errorf(call.Span(), "%s: struct task_struct has no %s or %s", call.Name, via, field)
		return nil, nil, false
	}
	return []int{hop.Offset, last.Offset}, last.Type, true
}

func init() {
	register(
		&Entry{Name: "ppid", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				offs, _, ok := chainOffsets(c, call, "real_parent", "tgid")
				if !ok {
					return nil
				}
				c.SetData(call, &taskChain{Offs: offs, Size: 4})
				return types.Uint32
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				ch := g.Data(call).(*taskChain)
				r := g.Push()
				tmp := g.Temp(8)
				g.Emit(asm.FnGetCurrentTask.Call(), asm.Mov.Reg(r, asm.R0))
				readHop(g, r, tmp, ch.Offs[0], 8)
				readHop(g, r, tmp, ch.Offs[1], 4)
			}},
		&Entry{Name: "pcomm", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				offs, _, ok := chainOffsets(c, call, "group_leader", "comm")
				if !ok {
					return nil
				}
				c.SetData(call, &taskChain{Offs: offs, Size: 16})
				return &types.String{N: 16}
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				ch := g.Data(call).(*taskChain)
				if g.PadStrings() {
					g.Zero(dst, 16)
				}
				r := g.Push()
				tmp := g.Temp(8)
				g.Emit(asm.FnGetCurrentTask.Call(), asm.Mov.Reg(r, asm.R0))
				readHop(g, r, tmp, ch.Offs[0], 8)
				g.Emit(asm.Mov.Reg(asm.R3, r), asm.Add.Imm(asm.R3, int32(ch.Offs[1])))
				g.Addr(asm.R1, dst)
				g.Emit(asm.Mov.Imm(asm.R2, 16), asm.FnProbeReadKernelStr.Call())
				g.Pop()
			}},
	)
}

// readHop replaces r with the size bytes at r+off in kernel memory (via tmp).
func readHop(g Gen, r asm.Register, tmp Loc, off, size int) {
	g.Emit(asm.Mov.Reg(asm.R3, r), asm.Add.Imm(asm.R3, int32(off)))
	g.Addr(asm.R1, tmp)
	g.Emit(asm.Mov.Imm(asm.R2, int32(size)), asm.FnProbeReadKernel.Call())
	sz := asm.DWord
	if size == 4 {
		sz = asm.Word
	}
	g.LoadMem(r, tmp, sz)
}
