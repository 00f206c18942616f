package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// reg("name") reads a register from the probe's struct pt_regs (x86-64);
// kptr/uptr re-tag a pointer's address space; macaddr formats 6 bytes.

var x86Regs = map[string]int{
	"r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40, "r11": 48, "r10": 56,
	"r9": 64, "r8": 72, "ax": 80, "cx": 88, "dx": 96, "si": 104, "di": 112, "orig_ax": 120,
	"ip": 128, "cs": 136, "flags": 144, "sp": 152, "ss": 160,
}

func init() {
	register(
		&Entry{Name: "reg", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				name, ok := c.ConstString(call.Args[0])
				if !ok {
					c.Errorf(call.Args[0].Span(), "reg() expects a string literal register name")
					return nil
				}
				off, ok := x86Regs[name]
				if !ok {
					c.Errorf(call.Args[0].Span(), "'%s' is not a valid register", name)
					return nil
				}
				if !c.CtxHasRegs() {
					c.Errorf(call.Span(), "reg can not be used with '%s' probes", c.Provider())
					return nil
				}
				c.SetData(call, off)
				return types.Uint64
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				r := g.Push()
				g.LoadCtx(r)
				g.Emit(asm.LoadMem(r, r, int16(g.Data(call).(int)), asm.DWord))
			}},
		&Entry{Name: "kptr", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: checkPtrSpace(types.AddrKernel), Emit: emitPassThrough},
		&Entry{Name: "uptr", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: checkPtrSpace(types.AddrUser), Emit: emitPassThrough},
		&Entry{Name: "macaddr", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				t := c.Check(call.Args[0])
				if t == nil {
					return nil
				}
				if t.Size() < 6 || isIntLike(t) {
					c.Errorf(call.Args[0].Span(), "macaddr() expects an array of at least 6 bytes, got %s", t)
					return nil
				}
				return &types.Special{Name: "macaddr", Bytes: 6}
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				t := g.Type(call.Args[0])
				tmp := g.Temp(t.Size())
				g.Store(call.Args[0], tmp, t)
				g.Copy(dst, tmp, 6)
			}},
	)
}

func checkPtrSpace(space types.AddrSpace) func(c Checker, call *Call) types.Type {
	return func(c Checker, call *Call) types.Type {
		t, ok := wantInt(c, call.Name, call.Args[0])
		if !ok {
			return nil
		}
		if p, ok := t.(*types.Pointer); ok {
			return &types.Pointer{Elem: p.Elem, Space: space}
		}
		return &types.Pointer{Elem: types.Uint8, Space: space}
	}
}

func emitPassThrough(g Gen, call *Call, _ Loc) { g.Expr(call.Args[0]) }
