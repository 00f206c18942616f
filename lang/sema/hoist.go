package sema

import (
	"sort"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Old published scripts (tcpaccept, tcpconnect, hrtimersnoop...) assign a
// scratch variable in both arms of an if/else and read it after the if:
//
//	if (...) { $daddr = ...; } else { $daddr = ...; }
//	printf("%s\n", ntop($daddr));
//
// Newest bpftrace scopes variables to their block and rejects the read.
// We accept it, with a warning, when every path through the if assigns the
// variable, so that each read after it is dominated by an assignment: the
// variable is declared in the enclosing block before the if (hoisted).
// A variable assigned in only some arms (hrtimersnoop's "if (...) {
// $duration = ...; }") is hoisted too, zeroed at probe entry, as older
// bpftrace did for every variable; that gets a stronger warning.

// hoistIfVars declares, in the current scope, the variables that the if
// statement s assigns on every path and that the statements after it read.
func (c *checker) hoistIfVars(s *ast.IfStmt, rest []ast.Stmt) {
	all := assignedOnEveryPath(s)
	some := map[string]*ast.Variable{}
	assignedOnSomePath(s, some)
	if len(some) == 0 {
		return
	}
	// A variable is read after the if when some statement reads it before
	// a later statement surely assigns it again.
	used, assigned := map[string]bool{}, map[string]bool{}
	var reads func(n ast.Node) bool
	reads = func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Variable:
			if !assigned[x.Name] {
				used[x.Name] = true
			}
		case *ast.AssignStmt:
			// "$x = v" writes $x: only v (and a compound op's $x) is read.
			if _, ok := x.Target.(*ast.Variable); ok && x.Op == "=" {
				ast.Walk(x.Value, reads)
				return false
			}
		case *ast.LetStmt:
			if x.Value != nil {
				ast.Walk(x.Value, reads)
			}
			return false
		}
		return true
	}
	for _, r := range rest {
		ast.Walk(r, reads)
		for name := range assignedOnEveryPath(r) {
			assigned[name] = true
		}
	}
	names := make([]string, 0, len(some))
	for name := range some {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		decl := some[name]
		if !used[name] {
			continue
		}
		if v, _ := c.lookupVar(name); v != nil {
			continue
		}
		v := c.declareVar(decl)
		if all[name] != nil {
			c.list().Warnf(decl.Span(), "Variable $%s is assigned in every branch of the if and used after it; newer bpftrace scopes it to its block (accepted as older bpftrace did)", name)
			continue
		}
		v.ZeroInit = true
		c.list().Warnf(decl.Span(), "Variable $%s is assigned in only some branches of the if and used after it; newer bpftrace scopes it to its block (accepted as older bpftrace did: it reads as zero when not assigned)", name)
	}
}

// assignedOnSomePath adds the variables that some path through s assigns
// with "=" (not inside loops), each with its first assignment target.
func assignedOnSomePath(s ast.Stmt, out map[string]*ast.Variable) {
	switch s := s.(type) {
	case *ast.Block:
		if s == nil {
			return
		}
		for _, st := range s.Stmts {
			assignedOnSomePath(st, out)
		}
	case *ast.AssignStmt:
		if v, ok := s.Target.(*ast.Variable); ok && s.Op == "=" && out[v.Name] == nil {
			out[v.Name] = v
		}
	case *ast.IfStmt:
		assignedOnSomePath(s.Then, out)
		if s.Else != nil {
			assignedOnSomePath(s.Else, out)
		}
	}
}

// assignedOnEveryPath lists the variables a statement assigns with "=" on
// every path through it, each with its first assignment target.
func assignedOnEveryPath(s ast.Stmt) map[string]*ast.Variable {
	switch s := s.(type) {
	case *ast.Block:
		out := map[string]*ast.Variable{}
		for _, st := range s.Stmts {
			for name, v := range assignedOnEveryPath(st) {
				if out[name] == nil {
					out[name] = v
				}
			}
		}
		return out
	case *ast.AssignStmt:
		if v, ok := s.Target.(*ast.Variable); ok && s.Op == "=" {
			return map[string]*ast.Variable{v.Name: v}
		}
	case *ast.IfStmt:
		if s.Else == nil || s.Then == nil {
			return nil
		}
		then, els := assignedOnEveryPath(s.Then), assignedOnEveryPath(s.Else)
		out := map[string]*ast.Variable{}
		for name, v := range then {
			if els[name] != nil {
				out[name] = v
			}
		}
		return out
	}
	return nil
}
