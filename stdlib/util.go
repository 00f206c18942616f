package stdlib

import (
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

func identName(e ast.Expr) (string, bool) {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name, true
	}
	return "", false
}

func isInt(t types.Type) bool {
	switch t.(type) {
	case *types.Int, *types.Enum:
		return true
	}
	return false
}

func isIntLike(t types.Type) bool {
	switch t.(type) {
	case *types.Int, *types.Enum, *types.Bool, *types.Pointer:
		return true
	}
	return false
}

func signed(t types.Type) bool {
	it, ok := t.(*types.Int)
	return ok && it.Signed
}

// wantInt checks that e is an integer and returns its type.
func wantInt(c Checker, fn string, e ast.Expr) (types.Type, bool) {
	t := c.Check(e)
	if t == nil {
		return nil, false
	}
	if !isIntLike(t) {
		c.Errorf(e.Span(), "%s() expects an integer argument, got %s", fn, t)
		return t, false
	}
	return t, true
}

// payload is how a value travels in an event: integers widen to 64 bits.
func payload(t types.Type) types.Type {
	switch t := t.(type) {
	case *types.Int:
		if t.Signed {
			return types.Int64
		}
		return types.Uint64
	case *types.Bool, *types.Enum:
		return types.Uint64
	case *types.Tuple:
		el := make([]types.Type, len(t.Fields))
		for i, f := range t.Fields {
			el[i] = payload(f.Type)
		}
		return types.NewTuple(el...)
	}
	return t
}

type astExpr = ast.Expr

// fixSkip makes the jump two instructions back skip the last instruction
// (a "jcc +1" built without a label).
func fixSkip(g Gen) { g.SetJumpOffset(-2, 1) }

// printPayload is payload for print(): bools stay bools (in tuples too),
// which the runtime prints as true/false as bpftrace does.
func printPayload(t types.Type) types.Type {
	switch t := t.(type) {
	case *types.Bool:
		return t
	case *types.Tuple:
		el := make([]types.Type, len(t.Fields))
		for i, f := range t.Fields {
			el[i] = printPayload(f.Type)
		}
		return types.NewTuple(el...)
	}
	return payload(t)
}
