package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Process and time builtins: values read with one helper call.

// helperVar is a builtin whose value is a helper's result, optionally
// shifted right and masked.
func helperVar(name string, fn asm.BuiltinFunc, t types.Type, shift int32, mask32 bool) *Entry {
	return &Entry{
		Name: name, Kind: Var, Bare: true,
		Check: func(Checker, *Call) types.Type { return t },
		Emit: func(g Gen, _ *Call, _ Loc) {
			r := g.Push()
			g.Emit(fn.Call(), asm.Mov.Reg(r, asm.R0))
			if shift != 0 {
				g.Emit(asm.RSh.Imm(r, shift))
			}
			if mask32 {
				g.Emit(asm.Mov.Reg32(r, r))
			}
		},
	}
}

func init() {
	register(
		helperVar("pid", asm.FnGetCurrentPidTgid, types.Uint32, 32, false),
		helperVar("tid", asm.FnGetCurrentPidTgid, types.Uint32, 0, true),
		helperVar("uid", asm.FnGetCurrentUidGid, types.Uint32, 0, true),
		helperVar("gid", asm.FnGetCurrentUidGid, types.Uint32, 32, false),
		helperVar("cpu", asm.FnGetSmpProcessorId, types.Uint32, 0, false),
		helperVar("rand", asm.FnGetPrandomU32, types.Uint32, 0, false),
		helperVar("cgroup", asm.FnGetCurrentCgroupId, types.Uint64, 0, false),
		helperVar("jiffies", asm.FnJiffies64, types.Uint64, 0, false),
		&Entry{
			Name: "func", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				n := c.TargetFuncLen()
				c.SetData(call, n)
				return &types.String{N: n}
			},
			Emit: func(g Gen, c *Call, dst Loc) {
				g.StringConst(dst, g.TargetFunc(), g.Data(c).(int))
			},
		},
		&Entry{
			// ctx: the probe's context pointer (what the program was
			// called with), as an untyped kernel pointer to cast.
			Name: "ctx", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				return &types.Pointer{Space: types.AddrKernel}
			},
			Emit: func(g Gen, _ *Call, _ Loc) {
				g.LoadCtx(g.Push())
			},
		},
		&Entry{
			Name: "curtask", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				st, ok := c.KernelStruct("task_struct")
				if !ok {
					return &types.Pointer{Space: types.AddrKernel}
				}
				return &types.Pointer{Elem: st, Space: types.AddrKernel}
			},
			Emit: func(g Gen, _ *Call, _ Loc) {
				r := g.Push()
				g.Emit(asm.FnGetCurrentTask.Call(), asm.Mov.Reg(r, asm.R0))
			},
		},
		&Entry{
			Name: "username", Kind: Var, Bare: true,
			Check: func(Checker, *Call) types.Type { return &types.Special{Name: "username", Bytes: 8} },
			Emit: func(g Gen, _ *Call, dst Loc) {
				g.Emit(asm.FnGetCurrentUidGid.Call(), asm.Mov.Reg32(asm.R0, asm.R0))
				g.StoreReg(dst, asm.R0, asm.DWord)
			},
		},
		&Entry{
			Name: "nsecs", Kind: Var, Bare: true, Paren: true, MaxArgs: 1,
			Check: checkNsecs,
			Emit: func(g Gen, c *Call, _ Loc) {
				fn, _ := g.Data(c).(asm.BuiltinFunc)
				if fn == 0 {
					fn = asm.FnKtimeGetBootNs
				}
				r := g.Push()
				g.Emit(fn.Call(), asm.Mov.Reg(r, asm.R0))
			},
		},
		&Entry{
			Name: "ncpus", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type { c.SetData(call, c.NCPUs()); return types.Uint64 },
			Emit: func(g Gen, c *Call, _ Loc) {
				r := g.Push()
				n, _ := g.Data(c).(int)
				g.Emit(asm.Mov.Imm(r, int32(n)))
			},
		},
		&Entry{
			Name: "comm", Kind: Var, Bare: true, Paren: true,
			Check: func(Checker, *Call) types.Type { return &types.String{N: 16} },
			Emit: func(g Gen, _ *Call, dst Loc) {
				// get_current_comm NUL-pads the whole buffer itself.
				g.Addr(asm.R1, dst)
				g.Emit(asm.Mov.Imm(asm.R2, 16), asm.FnGetCurrentComm.Call())
			},
		},
		&Entry{
			Name: "probe", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				n := c.ProbeNameLen()
				c.SetData(call, n)
				return &types.String{N: n}
			},
			Emit: func(g Gen, c *Call, dst Loc) {
				n, _ := g.Data(c).(int)
				g.StringConst(dst, g.ProbeName(), n)
			},
		},
	)
}

func checkNsecs(c Checker, call *Call) types.Type {
	fn := asm.FnKtimeGetBootNs
	if len(call.Args) == 1 {
		id, _ := identName(call.Args[0])
		switch id {
		case "boot":
		case "monotonic":
			fn = asm.FnKtimeGetNs
		case "tai":
			fn = asm.FnKtimeGetTaiNs
		case "sw_tai":
			// bpftrace: boot time plus the TAI offset the runtime knows; approximate with TAI.
			fn = asm.FnKtimeGetTaiNs
		default:
			c.Errorf(call.Args[0].Span(), "Invalid timestamp mode: expected boot, monotonic, tai or sw_tai")
		}
	}
	c.SetData(call, fn)
	return types.Uint64
}

func init() {
	register(&Entry{Name: "strftime", Kind: Func, Paren: true, MinArgs: 2, MaxArgs: 2,
		Check: func(c Checker, call *Call) types.Type {
			f, ok := c.ConstString(call.Args[0])
			if !ok {
				c.Errorf(call.Args[0].Span(), "strftime() expects a string literal format")
				return nil
			}
			if _, ok := wantInt(c, "strftime", call.Args[1]); !ok {
				return nil
			}
			return &types.Timestamp{Format: f}
		},
		Emit: func(g Gen, call *Call, dst Loc) {
			r := g.Expr(call.Args[1])
			g.StoreReg(dst, r, asm.DWord)
			g.Pop()
		}})
}
