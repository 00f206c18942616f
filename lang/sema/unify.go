package sema

import "github.com/gobpftrace/gobpftrace/lang/types"

// storage is how a value of type t is kept in a variable, map, tuple or
// event payload: integers widen to 64 bits, as bpftrace stores them.
func storage(t types.Type) types.Type {
	switch t := t.(type) {
	case *types.Int:
		if t.Signed {
			return types.Int64
		}
		return types.Uint64
	case *types.Enum:
		return types.Uint64
	case *types.Tuple:
		el := make([]types.Type, len(t.Fields))
		for i, f := range t.Fields {
			el[i] = storage(f.Type)
		}
		return types.NewTuple(el...)
	case *types.Record:
		el := make([]types.Type, len(t.Fields))
		names := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			el[i] = storage(f.Type)
			names[i] = f.Name
		}
		return types.NewRecord(names, el)
	}
	return t
}

// unify merges the type a slot already has with a newly assigned one: the
// first integer signedness wins, strings grow to the longer one, tuples merge
// element by element. ok is false when the two cannot share a slot.
func unify(a, b types.Type) (types.Type, bool) {
	if a == nil {
		return storage(b), true
	}
	b = storage(b)
	switch at := a.(type) {
	case *types.Int:
		switch b.(type) {
		case *types.Int:
			return at, true
		}
	case *types.String:
		if bt, ok := b.(*types.String); ok {
			if bt.N > at.N {
				return bt, true
			}
			return at, true
		}
	case *types.Tuple:
		bt, ok := b.(*types.Tuple)
		if !ok || len(bt.Fields) != len(at.Fields) {
			return a, false
		}
		el := make([]types.Type, len(at.Fields))
		for i := range at.Fields {
			u, ok := unify(at.Fields[i].Type, bt.Fields[i].Type)
			if !ok {
				return a, false
			}
			el[i] = u
		}
		return types.NewTuple(el...), true
	case *types.Record:
		bt, ok := b.(*types.Record)
		if !ok || len(bt.Fields) != len(at.Fields) {
			return a, false
		}
		// Fields match by name: a record with the same fields in another
		// order fits the slot, which keeps its own order (as bpftrace does).
		el := make([]types.Type, len(at.Fields))
		names := make([]string, len(at.Fields))
		for i := range at.Fields {
			j := recordField(bt, at.Fields[i].Name)
			if j < 0 {
				return a, false
			}
			u, ok := unify(at.Fields[i].Type, bt.Fields[j].Type)
			if !ok {
				return a, false
			}
			el[i], names[i] = u, at.Fields[i].Name
		}
		return types.NewRecord(names, el), true
	case *types.Agg:
		if bt, ok := b.(*types.Agg); ok && bt.Kind == at.Kind && bt.Min == at.Min && bt.Max == at.Max && bt.Step == at.Step && bt.Bits == at.Bits &&
			bt.Interval == at.Interval && bt.Intervals == at.Intervals && bt.TsAgg == at.TsAgg {
			if bt.Signed {
				return bt, true
			}
			return at, true
		}
		return a, false
	}
	return a, types.Equal(a, b)
}

func isInt(t types.Type) bool {
	switch t.(type) {
	case *types.Int, *types.Enum:
		return true
	}
	return false
}

// isScalar: fits a register (ints, bools, pointers).
func isScalar(t types.Type) bool {
	switch t.(type) {
	case *types.Int, *types.Bool, *types.Pointer, *types.Enum:
		return true
	}
	return false
}

func signed(t types.Type) bool {
	if it, ok := t.(*types.Int); ok {
		return it.Signed
	}
	return false
}

// recordField is the index of r's field called name, or -1.
func recordField(r *types.Record, name string) int {
	for i, f := range r.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}
