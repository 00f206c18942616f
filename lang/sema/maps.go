package sema

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// SpecName turns a map name into its BPF spec name: "@x" -> "AT_x", "@" -> "AT_".
func SpecName(name string) string { return "AT_" + strings.TrimPrefix(name, "@") }

// mapTarget finds or creates the map written by an assignment and checks its key.
func (c *checker) mapTarget(e ast.Expr) *Map {
	name, keys := mapParts(e)
	m := c.info.maps[name]
	if m == nil {
		m = &Map{Name: name, Spec: SpecName(name), MaxKeys: c.info.Config.MaxMapKeys}
		c.info.maps[name] = m
		c.info.Maps = append(c.info.Maps, m)
	}
	c.mapKey(m, e, keys, true)
	return m
}

// mapRead types a read of @m or @m[k]; reading a map never written is an error.
func (c *checker) mapRead(e ast.Expr) types.Type {
	name, keys := mapParts(e)
	m := c.info.maps[name]
	if m == nil {
		if c.final {
			c.errorf(e.Span(), "Undefined map: %s", name)
		}
		for _, k := range keys {
			c.expr(k)
		}
		return nil
	}
	c.mapKey(m, e, keys, false)
	if m.Value == nil && m.Kind == "" {
		// Written only with values that depend on itself ("@b = @b + 1"
		// as its first use): bpftrace reads the missing entry as 0.
		return types.Int64
	}
	if a, agg := m.Value.(*types.Agg); agg {
		// Summed over the CPUs in the probe (bpf_map_lookup_percpu_elem).
		switch a.Kind {
		case types.AggCount:
			return types.Uint64
		case types.AggSum, types.AggMin, types.AggMax, types.AggAvg:
			if a.Signed {
				return types.Int64
			}
			return types.Uint64
		}
		c.errorf(e.Span(), "%s() maps cannot be used in expressions", a)
		return nil
	}
	return m.Value
}

func mapParts(e ast.Expr) (string, []ast.Expr) {
	switch e := e.(type) {
	case *ast.MapRef:
		return "@" + e.Name, nil
	case *ast.MapAccess:
		return "@" + e.Map.Name, e.Keys
	}
	return "", nil
}

// keyType is the type of a map key built from keys: one value or a tuple.
func (c *checker) keyType(keys []ast.Expr) types.Type {
	if len(keys) == 0 {
		return nil
	}
	var el []types.Type
	for _, k := range keys {
		t := c.expr(k)
		if t == nil {
			return nil
		}
		if _, void := t.(*types.Void); void {
			c.errorf(k.Span(), "Value has no type: it cannot be a map key")
			return nil
		}
		el = append(el, storage(t))
	}
	if len(el) == 1 {
		return el[0]
	}
	return types.NewTuple(el...)
}

// mapKey checks (or, on first use, fixes) the key type of m.
func (c *checker) mapKey(m *Map, e ast.Expr, keys []ast.Expr, write bool) {
	kt := c.keyType(keys)
	if len(keys) > 0 && kt == nil {
		return
	}
	if kt == nil {
		// scalar use
		if m.Key != nil && c.final {
			c.errorf(e.Span(), "%s used as a map without an explicit key (scalar map), previously used with key type %s", m.Name, m.Key)
		}
		m.scalarSeen = true
		return
	}
	if m.scalarSeen && c.final {
		c.errorf(e.Span(), "%s used as a map with an explicit key, previously used without", m.Name)
		return
	}
	if m.Key == nil || !c.final {
		u, ok := unify(m.Key, kt)
		if ok {
			m.Key = u
		}
		return
	}
	if !assignable(m.Key, kt) {
		c.errorf(e.Span(), "Argument mismatch for %s: trying to access with arguments: '%s' when map expects arguments: '%s'", m.Name, kt, m.Key)
	}
}
