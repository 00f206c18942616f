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
				name, ok := c.MapArg(call.Args[0])
				if !ok {
					return nil
				}
				c.SetData(call, name)
				return types.Int64
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				g.MapLen(g.MapSpec(g.Data(call).(string)))
				r := g.Push()
				g.Emit(asm.Mov.Reg(r, asm.R0))
			}},
		&Entry{Name: "delete", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: -1,
			Check: func(c Checker, call *Call) types.Type {
				checkMapAccessArgs(c, call)
				return &types.Void{}
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				spec, key := g.MapKey(g.Data(call).(ast.Expr))
				g.Addr(asm.R2, key)
				g.Emit(asm.LoadMapPtr(asm.R1, 0).WithReference(spec), asm.FnMapDeleteElem.Call())
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
