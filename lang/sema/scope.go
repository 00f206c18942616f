package sema

import "github.com/gobpftrace/gobpftrace/lang/ast"

// scope is a block's scratch variables; lookups go outwards.
type scope struct {
	parent *scope
	vars   map[string]*Var
	decl   map[string]*ast.Variable // declaring node, to key settled types
}

func (c *checker) push() {
	c.scope = &scope{parent: c.scope, vars: map[string]*Var{}, decl: map[string]*ast.Variable{}}
}
func (c *checker) pop() { c.scope = c.scope.parent }

func (c *checker) lookupVar(name string) (*Var, *ast.Variable) {
	for s := c.scope; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, s.decl[name]
		}
	}
	return nil, nil
}

func (c *checker) declareVar(v *ast.Variable) *Var {
	nv := &Var{Name: v.Name, ID: c.nextVar}
	c.nextVar++
	if c.final && c.probe != nil {
		c.probe.Vars = append(c.probe.Vars, nv)
	}
	c.scope.vars[v.Name] = nv
	c.scope.decl[v.Name] = v
	if t, ok := c.varTypes[v]; ok {
		nv.Type = t
	}
	return nv
}
