package sema

import (
	"fmt"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Functions of bpftrace's standard library that are macros there are
// rewritten here into plain statements (through Info.Subst, as macros are).

// expandAssert rewrites assert(cond, msg), a macro of bpftrace's standard
// library, into: if (!(cond)) { errorf("assert failed: %s", msg); exit(1); }
func (c *checker) expandAssert(node ast.Expr, args []ast.Expr) ast.Expr {
	if x, ok := c.expansions[node]; ok {
		return x
	}
	if len(args) != 2 {
		c.errorf(node.Span(), "assert() takes 2 arguments (condition, message), %d given", len(args))
		return nil
	}
	sp := ast.Base{Sp: node.Span()}
	fail := &ast.Block{Base: sp, Stmts: []ast.Stmt{
		&ast.ExprStmt{Base: sp, X: &ast.Call{Base: sp, Func: "errorf", Args: []ast.Expr{&ast.StringLit{Base: sp, Value: "assert failed: %s"}, args[1]}}},
		&ast.ExprStmt{Base: sp, X: &ast.Call{Base: sp, Func: "exit", Args: []ast.Expr{&ast.IntLit{Base: sp, Value: 1}}}},
	}}
	x := &ast.BlockExpr{Base: sp, Stmts: []ast.Stmt{
		&ast.IfStmt{Base: sp, Cond: &ast.Unary{Base: sp, Op: "!", X: args[0]}, Then: fail},
	}}
	c.expansions[node] = x
	return x
}

// expandFind rewrites find(@m, key, $v) (bpftrace's standard library) into
// { $found = has_key(@m, key); if ($found) { $v = @m[key]; } $found }.
func (c *checker) expandFind(node ast.Expr, args []ast.Expr) ast.Expr {
	if x, ok := c.expansions[node]; ok {
		return x
	}
	if len(args) != 3 {
		c.errorf(node.Span(), "find() takes 3 arguments (map, key, variable), %d given", len(args))
		return nil
	}
	m, ok := args[0].(*ast.MapRef)
	if !ok {
		c.errorf(args[0].Span(), "find() expects a map as its first argument")
		return nil
	}
	v, ok := args[2].(*ast.Variable)
	if !ok {
		c.errorf(args[2].Span(), "find() expects a scratch variable as its third argument")
		return nil
	}
	sp := ast.Base{Sp: node.Span()}
	c.nexpand++
	found := func() *ast.Variable { return &ast.Variable{Base: sp, Name: fmt.Sprintf("__found_%d", c.nexpand)} }
	x := &ast.BlockExpr{Base: sp, Stmts: []ast.Stmt{
		&ast.AssignStmt{Base: sp, Op: "=", Target: found(),
			Value: &ast.Call{Base: sp, Func: "has_key", Args: []ast.Expr{m, args[1]}}},
		&ast.IfStmt{Base: sp, Cond: found(), Then: &ast.Block{Base: sp, Stmts: []ast.Stmt{
			&ast.AssignStmt{Base: sp, Op: "=", Target: v,
				Value: &ast.MapAccess{Base: sp, Map: m, Keys: []ast.Expr{args[1]}}},
		}}},
	}, Value: found()}
	c.expansions[node] = x
	return x
}
