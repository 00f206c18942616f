package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Stacks and symbols: kstack/ustack store a stack-map id (and pid_tgid for
// ustack, to resolve user symbols); ksym/usym keep an address that the
// runtime resolves.

// DefaultStackLimit is bpftrace's default number of frames.
const DefaultStackLimit = 127

const bpfFUserStack = 1 << 8

func init() {
	register(
		&Entry{Name: "kstack", Kind: Func, Bare: true, Paren: true, MaxArgs: 2,
			Check: checkStack(false), Emit: emitStack},
		&Entry{Name: "ustack", Kind: Func, Bare: true, Paren: true, MaxArgs: 2,
			Check: checkStack(true), Emit: emitStack},
		&Entry{Name: "ksym", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				if _, ok := wantInt(c, "ksym", call.Args[0]); !ok {
					return nil
				}
				return &types.Special{Name: "ksym", Bytes: 8}
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				r := g.Expr(call.Args[0])
				g.StoreReg(dst, r, asm.DWord)
				g.Pop()
			}},
		&Entry{Name: "usym", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				if _, ok := wantInt(c, "usym", call.Args[0]); !ok {
					return nil
				}
				return &types.Special{Name: "usym", Bytes: 16}
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				r := g.Expr(call.Args[0])
				g.StoreReg(dst, r, asm.DWord)
				g.Emit(asm.FnGetCurrentPidTgid.Call(), asm.RSh.Imm(asm.R0, 32))
				g.StoreReg(dst.At(8), asm.R0, asm.DWord)
				g.Pop()
			}},
	)
}

func checkStack(user bool) func(c Checker, call *Call) types.Type {
	return func(c Checker, call *Call) types.Type {
		t := &types.Stack{User: user, Mode: c.StackMode(), Limit: DefaultStackLimit}
		for _, a := range call.Args {
			if id, ok := identName(a); ok {
				switch id {
				case "bpftrace":
					t.Mode = types.StackBpftrace
				case "perf":
					t.Mode = types.StackPerf
				case "raw":
					t.Mode = types.StackRaw
				default:
					c.Errorf(a.Span(), "%s: invalid stack mode '%s' (expected bpftrace, perf or raw)", call.Name, id)
					return nil
				}
				continue
			}
			n, ok := c.ConstInt(a)
			if !ok || n < 1 || n > 1024 {
				c.Errorf(a.Span(), "%s: the limit must be an integer constant between 1 and 1024", call.Name)
				return nil
			}
			t.Limit = int(n)
		}
		c.SetData(call, t)
		return t
	}
}

func emitStack(g Gen, call *Call, dst Loc) {
	t := g.Data(call).(*types.Stack)
	spec := g.StackMap(t)
	g.LoadCtx(asm.R1)
	flags := int32(0)
	if t.User {
		flags = bpfFUserStack
	} else {
		flags = int32(g.KstackSkip() & 0xff) // BPF_F_SKIP_FIELD_MASK
	}
	g.Emit(asm.LoadMapPtr(asm.R2, 0).WithReference(spec), asm.Mov.Imm(asm.R3, flags), asm.FnGetStackid.Call())
	g.StoreReg(dst, asm.R0, asm.DWord)
	if t.User {
		g.Emit(asm.FnGetCurrentPidTgid.Call())
		g.StoreReg(dst.At(8), asm.R0, asm.DWord)
	} else {
		g.StoreImm(dst.At(8), 0, asm.DWord)
	}
}
