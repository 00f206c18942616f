package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Kernel symbols resolved through the kernel's BTF.

func init() {
	register(
		&Entry{Name: "percpu_kaddr", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Check: checkPercpuKaddr, Emit: emitPercpuKaddr},
		&Entry{Name: "kfunc_exist", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				name, ok := c.ConstString(call.Args[0])
				if !ok {
					c.Errorf(call.Args[0].Span(), "kfunc_exist() expects a string literal")
					return nil
				}
				v := &constValue{}
				if c.KernelFuncExists(name) {
					v.Int = 1
				}
				c.SetData(call, v)
				return &types.Bool{}
			}, Emit: emitConst},
	)
}

// percpu_kaddr(name [, cpu]) is the address of a per-CPU kernel variable:
// ld_imm64 BPF_PSEUDO_BTF_ID, then bpf_this_cpu_ptr or bpf_per_cpu_ptr
// (which gives NULL for a CPU out of range).
func checkPercpuKaddr(c Checker, call *Call) types.Type {
	name, ok := c.ConstString(call.Args[0])
	if !ok {
		c.Errorf(call.Args[0].Span(), "percpu_kaddr() expects a string literal")
		return nil
	}
	id, ok := c.KernelVarID(name)
	if !ok {
		c.Errorf(call.Args[0].Span(), "Failed to resolve per-CPU kernel symbol: %s", name)
		return nil
	}
	// The kernel resolves the BTF id to an address through kallsyms, which
	// lists variables only when built with CONFIG_KALLSYMS_ALL.
	if _, ok := c.KernelAddr(name); !ok {
		c.Errorf(call.Args[0].Span(), "Failed to resolve kernel symbol: %s (not in /proc/kallsyms: the kernel lists no variables without CONFIG_KALLSYMS_ALL)", name)
		return nil
	}
	if len(call.Args) == 2 {
		if _, ok := wantInt(c, "percpu_kaddr", call.Args[1]); !ok {
			return nil
		}
	}
	c.SetData(call, id)
	return &types.Pointer{Elem: types.Uint64, Space: types.AddrKernel}
}

const pseudoBTFID = asm.R3 // BPF_PSEUDO_BTF_ID in the source register field

func emitPercpuKaddr(g Gen, call *Call, _ Loc) {
	ld := asm.LoadImm(asm.R1, int64(g.Data(call).(uint32)), asm.DWord)
	ld.Src = pseudoBTFID
	if len(call.Args) == 2 {
		r := g.Expr(call.Args[1])
		g.Emit(asm.Mov.Reg(asm.R2, r))
		g.Pop()
		g.Emit(ld, asm.FnPerCpuPtr.Call())
	} else {
		g.Emit(ld, asm.FnThisCpuPtr.Call())
	}
	r := g.Push()
	g.Emit(asm.Mov.Reg(r, asm.R0))
}
