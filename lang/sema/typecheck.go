package sema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// typeProgram walks every probe twice: the first walk settles the types of
// variables and maps (a string slot grows to its longest assignment), the
// second checks every use against them and fills Info.
func typeProgram(c *checker) {
	// Settling walks repeat until no map or variable type changes (a map
	// read before a later, wider assignment needs another round).
	c.final = false
	c.declareMaps()
	prev := ""
	for round := 0; round < maxSettleRounds; round++ {
		c.nextVar = 0
		for _, pi := range c.info.Probes {
			c.typeProbe(pi)
		}
		snap := c.typeSnapshot()
		if snap == prev {
			break
		}
		prev = snap
	}
	// Final walk: keep the settled map types, rebuild everything else.
	c.final = true
	old := c.info
	c.info = newInfo()
	c.info.Config = old.Config
	c.info.Features = c.opts.Features
	c.info.HelperErrors = c.opts.HelperErrors
	c.info.NoWarnings = c.opts.NoWarnings
	c.info.NCPUs = c.opts.NCPUs
	c.info.Probes = old.Probes
	for _, m := range old.Maps {
		nm := *m
		c.info.Maps = append(c.info.Maps, &nm)
		c.info.maps[nm.Name] = &nm
	}
	c.nextVar = 0
	for _, pi := range c.info.Probes {
		c.typeProbe(pi)
	}
	c.dropUnusedDecls()
}

// dropUnusedDecls warns about declared maps the program never uses, as
// bpftrace does, and leaves them out: they have no key or value to lay out.
func (c *checker) dropUnusedDecls() {
	for _, md := range c.mapDecls() {
		name := "@" + md.Map.Name
		m := c.info.maps[name]
		if m == nil || m.Kind == "" || m.Key != nil || m.Value != nil {
			continue
		}
		c.diags.Warnf(md.Span(), "Unused map: %s", name)
		delete(c.info.maps, name)
		for i, x := range c.info.Maps {
			if x == m {
				c.info.Maps = append(c.info.Maps[:i], c.info.Maps[i+1:]...)
				break
			}
		}
	}
}

const maxSettleRounds = 4

// typeSnapshot renders every map and variable type, to see when settling is done.
func (c *checker) typeSnapshot() string {
	var b strings.Builder
	for _, m := range c.info.Maps {
		fmt.Fprintf(&b, "%s %v %v;", m.Name, m.Key, m.Value)
	}
	keys := make([]string, 0, len(c.varTypes))
	for v, t := range c.varTypes {
		keys = append(keys, fmt.Sprintf("%p=%v", v, t))
	}
	sort.Strings(keys)
	b.WriteString(strings.Join(keys, ";"))
	return b.String()
}

func (c *checker) typeProbe(pi *ProbeInfo) {
	c.probe = pi
	c.ctx, c.provider = nil, ""
	if len(pi.Targets) > 0 {
		c.ctx = pi.Targets[0].Ctx
		c.provider = pi.Targets[0].Provider.Name()
	}
	c.scope = nil
	c.push()
	if pi.Probe.Pred != nil {
		t := c.expr(pi.Probe.Pred)
		c.wantCond(pi.Probe.Pred, t)
	}
	c.block(pi.Probe.Body)
	c.pop()
}

func (c *checker) wantCond(e ast.Expr, t types.Type) {
	if t == nil || isScalar(t) {
		return
	}
	c.errorf(e.Span(), "Invalid condition: %s is not an integer, bool or pointer", t)
}

func (c *checker) block(b *ast.Block) {
	if b == nil {
		return
	}
	c.push()
	for i, s := range b.Stmts {
		if is, ok := s.(*ast.IfStmt); ok {
			c.hoistIfVars(is, b.Stmts[i+1:])
		}
		c.stmt(s)
	}
	c.pop()
}

// branch checks an if branch, noting whether a constant condition rules
// it out.
func (c *checker) branch(ruledOut bool, check func()) {
	if ruledOut {
		c.unreached++
		defer func() { c.unreached-- }()
	}
	check()
}

func (c *checker) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.Block:
		c.block(s)
	case *ast.ExprStmt:
		c.exprStmt(s)
	case *ast.AssignStmt:
		c.assign(s)
	case *ast.LetStmt:
		if v, _ := c.scope.vars[s.Var.Name]; v != nil {
			c.errorf(s.Var.Span(), "Variable $%s was already declared in this scope", s.Var.Name)
		}
		var t types.Type
		if s.Type != nil {
			t = c.typeExpr(s.Type)
		}
		var vt types.Type
		if s.Value != nil {
			vt = c.expr(s.Value) // before declaring: the value may use an outer $x
		}
		nv := c.declareVar(s.Var)
		if s.Value != nil {
			if t == nil {
				t = vt
			} else if vt != nil && !assignable(t, vt) {
				c.errorf(s.Value.Span(), "Type mismatch for $%s: trying to assign value of type '%s' when variable already has a type '%s'", s.Var.Name, vt, t)
			}
		}
		if s.Type != nil && t != nil {
			// A declared type is kept as written (no widening to 64 bits).
			nv.Type = t
			c.varTypes[s.Var] = t
			c.info.Vars[s.Var] = nv
			c.info.Types[s.Var] = t
		} else {
			c.settleVar(s.Var, nv, t)
		}
	case *ast.IfStmt:
		c.wantCond(s.Cond, c.expr(s.Cond))
		k, known := c.constOf(s.Cond)
		known = known && !k.IsStr
		c.branch(known && k.Int == 0, func() { c.block(s.Then) })
		if s.Else != nil {
			c.branch(known && k.Int != 0, func() { c.stmt(s.Else) })
		}
	case *ast.WhileStmt:
		c.wantCond(s.Cond, c.expr(s.Cond))
		c.loops++
		c.block(s.Body)
		c.loops--
	case *ast.UnrollStmt:
		n, ok := c.ConstInt(s.Count)
		c.expr(s.Count)
		// bpftrace points at "unroll (n)": the keyword through the ")".
		head := lang.Span{Start: s.Span().Start, End: s.Count.Span().End + 1}
		switch {
		case !ok:
			c.errorf(head, "invalid unroll value")
		case n > 100:
			c.errorf(head, "unroll maximum value is 100")
		case n < 1:
			c.errorf(head, "unroll minimum value is 1")
		default:
			c.info.Consts[s.Count] = Const{Int: n} // folded for codegen
		}
		c.block(s.Body)
	case *ast.ForStmt:
		c.forStmt(s)
	case *ast.JumpStmt:
		switch s.Kind {
		case "break", "continue":
			if c.loops == 0 {
				c.errorf(s.Span(), "'%s' statement is not allowed outside of a loop", s.Kind)
			}
		case "return":
			if s.Value != nil {
				c.expr(s.Value)
			}
		}
	default:
		c.errorf(s.Span(), "unsupported statement")
	}
}

func (c *checker) forStmt(s *ast.ForStmt) {
	c.push()
	defer c.pop()
	var vt types.Type
	switch it := s.Iter.(type) {
	case *ast.Range:
		lt, ht := c.expr(it.Lo), c.expr(it.Hi)
		if lt != nil && !isInt(lt) {
			c.errorf(it.Lo.Span(), "Loop range requires an integer for the start value")
		}
		if ht != nil && !isInt(ht) {
			c.errorf(it.Hi.Span(), "Loop range requires an integer for the end value")
		}
		vt = types.Int64
		if lt != nil && !signed(lt) {
			vt = types.Uint64
		}
	case *ast.MapRef:
		m := c.info.maps["@"+it.Name]
		if m == nil {
			c.errorf(it.Span(), "Undefined map: @%s", it.Name)
			return
		}
		if _, agg := m.Value.(*types.Agg); agg {
			c.errorf(it.Span(), "Loop over aggregation maps is not supported")
			return
		}
		c.info.Types[it] = m.Value
		key := m.Key
		if key == nil {
			key = types.Uint64
		}
		vt = types.NewTuple(key, m.Value)
	default:
		c.errorf(s.Iter.Span(), "for loops iterate over a map or a range (a..b)")
		return
	}
	nv := c.declareVar(s.Var)
	c.settleVar(s.Var, nv, vt)
	c.loops++
	c.block(s.Body)
	c.loops--
}

// settleVarWidth is settleVar for "$x = v" and "$x op= v": as in bpftrace,
// an integer variable keeps the width of its first assignment, so that
// "$x = (uint8)255; $x++" wraps to 0. A later "=" of a wider non-literal
// integer widens the variable instead (bpftrace rejects that; older
// bpftrace kept every variable in 64 bits, and old scripts rely on it).
// keep is true when the value must not widen the variable (a literal,
// or a compound assignment, whose result is stored at the variable's width).
func (c *checker) settleVarWidth(decl *ast.Variable, v *Var, t types.Type, compound bool, val ast.Expr) {
	ti, isInt := t.(*types.Int)
	if !isInt {
		c.settleVar(decl, v, t)
		return
	}
	c.info.Vars[decl] = v
	if v.Type == nil || !c.final {
		lit, isLit := c.intLitValue(val)
		switch vt := v.Type.(type) {
		case nil:
			if (compound || isLit) && ti.Bits < 64 {
				// a literal or compound first use: the usual 64 bits
				v.Type = storage(t)
			} else {
				v.Type = t
			}
		case *types.Int:
			keep := compound || isLit && fitsInt(lit, vt)
			if !keep && ti.Bits > vt.Bits {
				v.Type = &types.Int{Bits: ti.Bits, Signed: vt.Signed}
			}
		default:
			u, _ := unify(v.Type, t)
			v.Type = u
		}
		c.varTypes[decl] = v.Type
	}
	c.info.Types[decl] = v.Type
}

// intLitValue is the value of an integer literal (or a negated one).
func (c *checker) intLitValue(e ast.Expr) (int64, bool) {
	switch x := e.(type) {
	case *ast.IntLit:
		return int64(x.Value), true
	case *ast.Unary:
		if x.Op == "-" {
			if v, ok := c.intLitValue(x.X); ok {
				return -v, true
			}
		}
	}
	return 0, false
}

// fitsInt reports whether v is representable in t.
func fitsInt(v int64, t *types.Int) bool {
	if t.Bits >= 64 {
		return true
	}
	if t.Signed {
		lim := int64(1) << (t.Bits - 1)
		return v >= -lim && v < lim
	}
	return v >= 0 && v < int64(1)<<t.Bits
}

// settleVar fixes a variable's type from its first declaration.
func (c *checker) settleVar(decl *ast.Variable, v *Var, t types.Type) {
	c.info.Vars[decl] = v
	if t == nil {
		return
	}
	if v.Type == nil || !c.final {
		u, _ := unify(v.Type, t)
		v.Type = u
		c.varTypes[decl] = u
	}
	c.info.Types[decl] = v.Type
}

func (c *checker) exprStmt(s *ast.ExprStmt) {
	if x, ok := s.X.(*ast.Call); ok {
		if e, ok := stdlib.Lookup(x.Func); ok && e.Kind == stdlib.Agg && c.macros[x.Func] == nil {
			c.errorf(x.Span(), "%s() must be assigned directly to a map", x.Func)
			return
		}
	}
	c.expr(s.X)
}

func (c *checker) assign(s *ast.AssignStmt) {
	// Aggregations: @m[k] = count().
	if call, ok := s.Value.(*ast.Call); ok {
		if e, ok := stdlib.Lookup(call.Func); ok && e.Kind == stdlib.Agg {
			c.assignAgg(s, call, e)
			return
		}
	}
	vt := c.expr(s.Value)
	if vt == nil {
		// keep going to declare the target
	} else if _, void := vt.(*types.Void); void {
		c.errorf(s.Value.Span(), "Value has no type: it cannot be assigned")
		return
	}
	if s.Op != "=" && vt != nil && !isInt(vt) && !isBool(vt) {
		c.errorf(s.Value.Span(), "Operator %s requires an integer operand, got %s", s.Op, vt)
	}
	switch t := s.Target.(type) {
	case *ast.Variable:
		v, decl := c.lookupVar(t.Name)
		if v == nil {
			if s.Op != "=" {
				c.errorf(t.Span(), "Undefined or undeclared variable: $%s", t.Name)
				return
			}
			v = c.declareVar(t)
			decl = t
		}
		c.info.Vars[t] = v
		if s.Op != "=" && v.Type != nil && !isInt(v.Type) && !ptrStep(v.Type, s.Op) {
			c.errorf(t.Span(), "Operator %s requires an integer variable, $%s is %s", s.Op, t.Name, v.Type)
		}
		if vt != nil && c.final && v.Type != nil && !ptrStep(v.Type, s.Op) && !assignable(v.Type, vt) {
			c.errorf(s.Span(), "Type mismatch for $%s: trying to assign value of type '%s' when variable already has a type '%s'", t.Name, vt, v.Type)
		}
		c.settleVarWidth(decl, v, vt, s.Op != "=", s.Value)
		c.info.Vars[t] = v
		c.info.Types[t] = v.Type
	case *ast.MapRef, *ast.MapAccess:
		m := c.mapTarget(t)
		if m == nil || vt == nil {
			return
		}
		if _, agg := m.Value.(*types.Agg); agg {
			c.errorf(s.Span(), "Map %s holds %s() values: it cannot be assigned a plain value", m.Name, m.Value)
			return
		}
		if s.Op != "=" {
			// x op= v keeps the map's integer type
			if m.Value == nil || !c.final {
				u, _ := unify(m.Value, types.Int64)
				m.Value = u
			} else if !isInt(m.Value) && !ptrStep(m.Value, s.Op) {
				c.errorf(s.Span(), "Operator %s requires an integer map, %s holds %s", s.Op, m.Name, m.Value)
			}
		} else {
			c.setMapValue(m, t, vt, s.Value)
		}
		c.info.Types[t] = m.Value
	default:
		c.expr(s.Target)
		c.errorf(s.Target.Span(), "Cannot assign to this expression")
	}
}

func (c *checker) assignAgg(s *ast.AssignStmt, call *ast.Call, e *stdlib.Entry) {
	if s.Op != "=" {
		c.errorf(s.Span(), "%s() cannot be used with %s", call.Func, s.Op)
		return
	}
	switch s.Target.(type) {
	case *ast.MapRef, *ast.MapAccess:
	default:
		c.errorf(call.Span(), "%s() must be assigned directly to a map", call.Func)
		return
	}
	vt := c.call(call, call.Func, call.Args, true)
	m := c.mapTarget(s.Target)
	if m == nil || vt == nil {
		return
	}
	c.setMapValue(m, s.Target, vt, call)
	c.info.Types[s.Target] = m.Value
}

// setMapValue fixes or checks a map's value type.
func (c *checker) setMapValue(m *Map, at ast.Expr, vt types.Type, val ast.Expr) {
	if m.Value == nil || !c.final {
		u, ok := unify(m.Value, vt)
		if !ok {
			if c.final {
				c.errorf(val.Span(), "Type mismatch for %s: trying to assign value of type '%s' when map already contains a value of type '%s'", m.Name, vt, m.Value)
			}
			return
		}
		m.Value = u
		return
	}
	if !assignable(m.Value, vt) {
		c.errorf(val.Span(), "Type mismatch for %s: trying to assign value of type '%s' when map already contains a value of type '%s'", m.Name, vt, m.Value)
	}
}

// assignable reports whether a value of type v can be stored in a slot of type slot.
func assignable(slot, v types.Type) bool {
	u, ok := unify(slot, v)
	if !ok {
		return false
	}
	return types.Equal(u, slot)
}

func isBool(t types.Type) bool { _, ok := t.(*types.Bool); return ok }

// mapDecls are the program's "let @m = ..." declarations.
func (c *checker) mapDecls() []*ast.MapDecl {
	var out []*ast.MapDecl
	for _, d := range c.prog.Decls {
		if md, ok := d.(*ast.MapDecl); ok {
			out = append(out, md)
		}
	}
	return out
}

// declareMaps applies "let @m = hash(N);" declarations.
func (c *checker) declareMaps() {
	for _, md := range c.mapDecls() {
		name := "@" + md.Map.Name
		c.unstableTo(&c.diags, "map declarations", unstableMapDecl, md.Span())
		switch md.Kind {
		case "hash", "lruhash", "percpuhash", "percpulruhash":
		default:
			c.diags.Errorf(md.Span(), "Invalid map type: %s (expected hash, lruhash, percpuhash or percpulruhash)", md.Kind)
			continue
		}
		n := int64(c.info.Config.MaxMapKeys)
		if len(md.Args) > 0 {
			k, ok := c.constOf(md.Args[0])
			if !ok || k.IsStr || k.Int < 1 {
				c.diags.Errorf(md.Args[0].Span(), "The map size must be a positive integer constant")
				continue
			}
			n = k.Int
		}
		if c.info.maps[name] != nil {
			c.diags.Errorf(md.Span(), "Map %s is declared twice", name)
			continue
		}
		m := &Map{Name: name, Spec: SpecName(name), Kind: md.Kind, MaxKeys: int(n)}
		c.info.maps[name] = m
		c.info.Maps = append(c.info.Maps, m)
	}
}

// ptrStep reports whether op (+=, -=, ++, --) moves a pointer of type t by
// whole elements, which bpftrace allows.
func ptrStep(t types.Type, op string) bool {
	switch op {
	case "+=", "-=", "++", "--":
		return isPtr(t)
	}
	return false
}
