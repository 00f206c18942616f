package ast

import "reflect"

// Walk visits n and then its children in source order (pre-order). When fn
// returns false, n's children are skipped. Nil nodes are not visited.
func Walk(n Node, fn func(Node) bool) {
	if isNil(n) || !fn(n) {
		return
	}
	for _, c := range Children(n) {
		Walk(c, fn)
	}
}

// isNil catches typed nil pointers stored in interfaces (a nil *Block as a Node).
func isNil(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Children returns n's direct children in source order.
func Children(n Node) []Node {
	var out []Node
	add := func(cs ...Node) {
		for _, c := range cs {
			if !isNil(c) {
				out = append(out, c)
			}
		}
	}
	addExprs := func(es []Expr) {
		for _, e := range es {
			add(e)
		}
	}
	switch n := n.(type) {
	case *Program:
		for _, d := range n.Decls {
			add(d)
		}
	case *Preproc, *Import:
	case *CRecord:
		for _, f := range n.Fields {
			add(f)
		}
	case *CField:
		add(n.Type, n.Record)
	case *CEnum:
		for _, v := range n.Values {
			add(v)
		}
	case *CEnumValue:
		add(n.Value)
	case *CTypedef:
		add(n.Type)
	case *Config:
		for _, e := range n.Entries {
			add(e)
		}
	case *ConfigEntry:
		add(n.Value)
	case *MapDecl:
		add(n.Map)
		addExprs(n.Args)
	case *Macro:
		for _, p := range n.Params {
			add(p)
		}
		add(n.Body)
	case *MacroParam, *AttachPoint:
	case *Probe:
		for _, ap := range n.AttachPoints {
			add(ap)
		}
		add(n.Pred, n.Body)
	case *TypeExpr:
		add(n.Typeof)
	case *Block:
		for _, s := range n.Stmts {
			add(s)
		}
	case *ExprStmt:
		add(n.X)
	case *AssignStmt:
		add(n.Target, n.Value)
	case *LetStmt:
		add(n.Var, n.Type, n.Value)
	case *IfStmt:
		add(n.Cond, n.Then, n.Else)
	case *WhileStmt:
		add(n.Cond, n.Body)
	case *ForStmt:
		add(n.Var, n.Iter, n.Body)
	case *UnrollStmt:
		add(n.Count, n.Body)
	case *JumpStmt:
		add(n.Value)
	case *MapAccess:
		add(n.Map)
		addExprs(n.Keys)
	case *Call:
		addExprs(n.Args)
	case *Binary:
		add(n.L, n.R)
	case *Unary:
		add(n.X)
	case *IncDec:
		add(n.X)
	case *Ternary:
		add(n.Cond, n.Then, n.Else)
	case *Cast:
		add(n.Type, n.X)
	case *FieldAccess:
		add(n.X)
	case *IndexExpr:
		add(n.X, n.Index)
	case *TupleIndex:
		add(n.X)
	case *Tuple:
		addExprs(n.Elems)
	case *Record:
		for _, f := range n.Fields {
			add(f)
		}
	case *RecordField:
		add(n.Value)
	case *Sizeof:
		add(n.Type, n.X)
	case *Offsetof:
		add(n.Type, n.X)
	case *Range:
		add(n.Lo, n.Hi)
	case *BlockExpr:
		for _, s := range n.Stmts {
			add(s)
		}
		add(n.Value)
	}
	return out
}
