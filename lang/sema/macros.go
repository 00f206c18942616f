package sema

import (
	"fmt"
	"reflect"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Macros are expanded where they are called: the call is replaced (through
// Info.Subst) by a block expression built from a copy of the macro body in
// which $param names the caller's variable, @param the caller's map and a
// bare param the argument expression. Other variables of the body are
// renamed so they cannot clash with the caller's.

const maxMacroDepth = 32

func collectMacros(c *checker) {
	c.macros = map[string]*ast.Macro{}
	c.expansions = map[ast.Expr]ast.Expr{}
	for _, d := range c.prog.Decls {
		if m, ok := d.(*ast.Macro); ok {
			if _, dup := c.macros[m.Name]; dup {
				c.errorf(m.Span(), "Macro %s is defined twice", m.Name)
				continue
			}
			c.macros[m.Name] = m
		}
	}
}

// expandMacro types a call of macro m (node is the *ast.Call or *ast.Ident).
func (c *checker) expandMacro(node ast.Expr, m *ast.Macro, args []ast.Expr) ast.Expr {
	if x, ok := c.expansions[node]; ok {
		return x
	}
	if len(args) != len(m.Params) {
		c.errorf(node.Span(), "Macro %s takes %d arguments, %d given", m.Name, len(m.Params), len(args))
		return nil
	}
	if c.macroDepth >= maxMacroDepth {
		c.errorf(node.Span(), "Macro %s: expansion is nested too deeply (recursive macro?)", m.Name)
		return nil
	}
	c.nexpand++
	suffix := fmt.Sprintf("__%s_%d", m.Name, c.nexpand)
	vars := map[string]string{}    // body variable -> caller variable
	maps := map[string]string{}    // @param -> caller map
	exprs := map[string]ast.Expr{} // bare param -> argument
	var pre []ast.Stmt
	for i, p := range m.Params {
		a := args[i]
		switch p.Sigil {
		case "$":
			if v, ok := a.(*ast.Variable); ok {
				vars[p.Name] = v.Name
				continue
			}
			// An expression for a variable parameter: bind it to a fresh one.
			name := p.Name + suffix
			vars[p.Name] = name
			pre = append(pre, &ast.AssignStmt{Base: ast.Base{Sp: a.Span()}, Op: "=",
				Target: &ast.Variable{Base: ast.Base{Sp: a.Span()}, Name: name}, Value: a})
		case "@":
			mr, ok := a.(*ast.MapRef)
			if !ok {
				c.errorf(a.Span(), "Macro %s: parameter @%s expects a map", m.Name, p.Name)
				return nil
			}
			maps[p.Name] = mr.Name
		default:
			exprs[p.Name] = a
		}
	}
	body := clone(m.Body).(*ast.Block)
	rename(body, vars, suffix, maps, exprs)
	stmts := append(pre, body.Stmts...)
	x := &ast.BlockExpr{Base: ast.Base{Sp: node.Span()}}
	if n := len(stmts); n > 0 {
		if es, ok := stmts[n-1].(*ast.ExprStmt); ok {
			x.Value = es.X
			stmts = stmts[:n-1]
		}
	}
	x.Stmts = stmts
	c.expansions[node] = x
	return x
}

// clone deep-copies an AST subtree.
func clone(n any) any {
	return cloneValue(reflect.ValueOf(n)).Interface()
}

func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Elem().Type())
		out.Elem().Set(cloneValue(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(cloneValue(v.Elem()))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(cloneValue(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(cloneValue(v.Index(i)))
		}
		return out
	}
	return v
}

// rename rewrites a cloned macro body in place.
func rename(n any, vars map[string]string, suffix string, maps map[string]string, exprs map[string]ast.Expr) {
	var walk func(v reflect.Value)
	exprType := reflect.TypeOf((*ast.Expr)(nil)).Elem()
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			switch x := v.Interface().(type) {
			case *ast.Variable:
				if to, ok := vars[x.Name]; ok {
					x.Name = to
				} else {
					x.Name += suffix
				}
				return
			case *ast.MapRef:
				if to, ok := maps[x.Name]; ok {
					x.Name = to
				}
				return
			}
			walk(v.Elem())
		case reflect.Interface:
			if v.IsNil() {
				return
			}
			// A bare parameter used as an expression: put the argument in.
			if id, ok := v.Interface().(*ast.Ident); ok && v.Type() == exprType {
				if a, ok := exprs[id.Name]; ok && v.CanSet() {
					v.Set(reflect.ValueOf(clone(a)))
					return
				}
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(n))
}
