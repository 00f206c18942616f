package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Map functions that run in BPF: delete and has_key.

func init() {
	register(
		&Entry{Name: "len", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				if isStackCall(call.Args[0]) {
					return checkStackLen(c, call)
				}
				name, ok := c.MapArg(call.Args[0])
				if !ok {
					return nil
				}
				c.SetData(call, name)
				return types.Int64
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				if st, ok := g.Data(call).(*types.Stack); ok {
					emitStackLen(g, st)
					return
				}
				g.MapLen(g.MapSpec(g.Data(call).(string)))
				r := g.Push()
				g.Emit(asm.Mov.Reg(r, asm.R0))
			}},
		&Entry{Name: "delete", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: -1,
			Check: func(c Checker, call *Call) types.Type {
				checkMapAccessArgs(c, call)
				return &types.Bool{}
			},
			// The result says whether there was something to delete.
			Emit: func(g Gen, call *Call, _ Loc) {
				spec, key := g.MapKey(g.Data(call).(ast.Expr))
				g.MapDelete(spec, key)
				r := g.Push()
				g.Emit(asm.Mov.Imm(r, 1), asm.JEq.Imm(asm.R0, 0, "").WithReference(""), asm.Mov.Imm(r, 0))
				fixSkip(g)
			},
			// Unused, a failed delete is a warning at run time.
			EmitDiscarded: func(g Gen, call *Call) {
				spec, key := g.MapKey(g.Data(call).(ast.Expr))
				g.MapDelete(spec, key)
				g.WarnDeleteFailure()
			}},
		&Entry{Name: "has_key", Kind: Func, Paren: true, MinArgs: 2, MaxArgs: -1,
			Check: func(c Checker, call *Call) types.Type {
				checkMapAccessArgs(c, call)
				return &types.Bool{}
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				spec, key := g.MapKey(g.Data(call).(ast.Expr))
				g.Lookup(spec, key)
				r := g.Push()
				g.Emit(asm.Mov.Imm(r, 0), asm.JEq.Imm(asm.R0, 0, "").WithReference(""), asm.Mov.Imm(r, 1))
				fixSkip(g)
			}},
	)
}

// checkMapAccessArgs accepts f(@m[k]) and f(@m, k...) and records the map
// access for Emit.
func checkMapAccessArgs(c Checker, call *Call) {
	var ma *ast.MapAccess
	switch a := call.Args[0].(type) {
	case *ast.MapAccess:
		if len(call.Args) != 1 {
			c.Errorf(call.Span(), "%s() takes a map access or a map and a key", call.Name)
			return
		}
		ma = a
	case *ast.MapRef:
		if len(call.Args) == 1 {
			ma = &ast.MapAccess{Base: a.Base, Map: a}
			break
		}
		ma = &ast.MapAccess{Base: ast.Base{Sp: call.Span()}, Map: a, Keys: call.Args[1:]}
	default:
		c.Errorf(call.Args[0].Span(), "%s() expects a map as its first argument", call.Name)
		return
	}
	if !c.MapKey(ma) {
		return
	}
	if len(ma.Keys) == 0 {
		c.SetData(call, ast.Expr(ma.Map))
		return
	}
	c.SetData(call, ast.Expr(ma))
}

// isStackCall: len(ustack), len(kstack(3)) count the frames of a stack
// taken right there.
func isStackCall(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "ustack" || x.Name == "kstack"
	case *ast.Call:
		return x.Func == "ustack" || x.Func == "kstack"
	}
	return false
}

func checkStackLen(c Checker, call *Call) types.Type {
	st, ok := c.Check(call.Args[0]).(*types.Stack)
	if !ok {
		return nil
	}
	c.SetData(call, st)
	return types.Int64
}

// emitStackLen takes the stack with bpf_get_stack into a temporary and
// pushes its depth (bytes copied / 8; 0 on error).
func emitStackLen(g Gen, st *types.Stack) {
	n := st.Limit * 8
	buf := g.Temp(n)
	g.LoadCtx(asm.R1)
	g.Addr(asm.R2, buf)
	flags := int32(0)
	if st.User {
		flags = bpfFUserStack
	} else {
		flags = int32(g.KstackSkip() & 0xff) // BPF_F_SKIP_FIELD_MASK
	}
	g.Emit(asm.Mov.Imm(asm.R3, int32(n)), asm.Mov.Imm(asm.R4, flags), asm.FnGetStack.Call())
	r := g.Push()
	g.Emit(asm.Mov.Reg(r, asm.R0), asm.ArSh.Imm(r, 3),
		asm.JSGE.Imm(r, 0, ""), asm.Mov.Imm(r, 0))
	fixSkip(g)
}
