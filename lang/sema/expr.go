package sema

import (
	"math"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// expr types e, records the type and returns it; nil after an error.
func (c *checker) expr(e ast.Expr) types.Type {
	t := c.expr1(e)
	if t != nil {
		c.info.Types[e] = t
	}
	return t
}

func (c *checker) expr1(e ast.Expr) types.Type {
	switch e := e.(type) {
	case *ast.IntLit:
		if e.Value > math.MaxInt64 {
			return types.Uint64
		}
		return types.Int64
	case *ast.BoolLit:
		return &types.Bool{}
	case *ast.StringLit:
		return &types.String{N: len(e.Value) + 1}
	case *ast.Variable:
		v, _ := c.lookupVar(e.Name)
		if v == nil {
			c.errorf(e.Span(), "Undefined or undeclared variable: $%s", e.Name)
			return nil
		}
		c.info.Vars[e] = v
		return v.Type
	case *ast.PositionalParam:
		k, _ := c.constOf(e)
		c.info.Consts[e] = k
		if k.IsStr {
			return &types.String{N: len(k.Str) + 1}
		}
		return types.Int64
	case *ast.MapRef, *ast.MapAccess:
		return c.mapRead(e)
	case *ast.Ident:
		return c.ident(e)
	case *ast.Call:
		return c.call(e, e.Func, e.Args, true)
	case *ast.Binary:
		return c.binary(e)
	case *ast.Unary:
		return c.unary(e)
	case *ast.IncDec:
		return c.incdec(e)
	case *ast.Ternary:
		ct := c.expr(e.Cond)
		c.wantCond(e.Cond, ct)
		a, b := c.expr(e.Then), c.expr(e.Else)
		if a == nil || b == nil {
			return nil
		}
		if isInt(a) && isInt(b) {
			if signed(a) && signed(b) {
				return types.Int64
			}
			return types.Uint64
		}
		u, ok := unify(a, b)
		if !ok {
			c.errorf(e.Span(), "Ternary operator must return the same type: have '%s' and '%s'", a, b)
			return nil
		}
		return u
	case *ast.Cast:
		return c.cast(e)
	case *ast.FieldAccess:
		return c.field(e)
	case *ast.TupleIndex:
		t := c.expr(e.X)
		if t == nil {
			return nil
		}
		tt, ok := t.(*types.Tuple)
		if !ok {
			c.errorf(e.Span(), "Can not access index '%d' on expression of type '%s'", e.N, t)
			return nil
		}
		if e.N < 0 || e.N >= len(tt.Fields) {
			c.errorf(e.Span(), "Invalid tuple index: %d. Found %d elements in tuple.", e.N, len(tt.Fields))
			return nil
		}
		return tt.Fields[e.N].Type
	case *ast.Tuple:
		var el []types.Type
		for _, x := range e.Elems {
			t := c.expr(x)
			if t == nil {
				return nil
			}
			el = append(el, storage(t))
		}
		return types.NewTuple(el...)
	case *ast.Record:
		var el []types.Type
		var names []string
		for _, f := range e.Fields {
			t := c.expr(f.Value)
			if t == nil {
				return nil
			}
			el = append(el, storage(t))
			names = append(names, f.Name)
		}
		return types.NewRecord(names, el)
	case *ast.Sizeof:
		var t types.Type
		if e.Type != nil {
			t = c.typeExpr(e.Type)
		} else if tt := c.identAsType(e.X); tt != nil {
			t = tt
		} else {
			t = c.expr(e.X)
		}
		if t == nil {
			return nil
		}
		c.info.Consts[e] = Const{Int: int64(t.Size())}
		return types.Uint64
	case *ast.Offsetof:
		var t types.Type
		if e.Type != nil {
			t = c.typeExpr(e.Type)
		} else {
			t = c.expr(e.X)
		}
		if t == nil {
			return nil
		}
		off := 0
		for _, name := range e.Fields {
			st, ok := t.(*types.Struct)
			if !ok {
				c.errorf(e.Span(), "offsetof() requires a struct or union, got '%s'", t)
				return nil
			}
			st = c.complete(st)
			f, ok := st.Field(name)
			if !ok {
				c.errorf(e.Span(), "'%s' has no field named '%s'", st, name)
				return nil
			}
			off += f.Offset
			t = f.Type
		}
		c.info.Consts[e] = Const{Int: int64(off)}
		return types.Uint64
	case *ast.IndexExpr:
		xt, it := c.expr(e.X), c.expr(e.Index)
		if xt == nil || it == nil {
			return nil
		}
		if !isInt(it) {
			c.errorf(e.Index.Span(), "The array index must be an integer, got '%s'", it)
			return nil
		}
		switch xt := xt.(type) {
		case *types.Pointer:
			if xt.Elem == nil {
				c.errorf(e.Span(), "Cannot index a void pointer")
				return nil
			}
			return fieldType(xt.Elem)
		case *types.Array:
			return fieldType(xt.Elem)
		case *types.String:
			// A character of a string value: "$path[0] != "/"[0]" (opensnoop).
			k, ok := c.constOf(e.Index)
			if !ok || k.IsStr || k.Int < 0 || k.Int >= int64(xt.N) {
				c.errorf(e.Index.Span(), "A string index must be an integer constant within the string (0 to %d)", xt.N-1)
				return nil
			}
			return types.Int8
		}
		c.errorf(e.Span(), "The [] operator can not be used on expressions of type '%s'", xt)
		return nil
	case *ast.BlockExpr:
		c.push()
		for _, s := range e.Stmts {
			c.stmt(s)
		}
		var t types.Type = &types.Void{}
		if e.Value != nil {
			t = c.expr(e.Value)
		}
		c.pop()
		return t
	}
	c.errorf(e.Span(), "This expression is not supported yet")
	return nil
}

// constOf evaluates compile-time constants.
func (c *checker) constOf(e ast.Expr) (Const, bool) {
	switch e := e.(type) {
	case *ast.IntLit:
		return Const{Int: int64(e.Value)}, true
	case *ast.StringLit:
		return Const{Str: e.Value, IsStr: true}, true
	case *ast.BoolLit:
		if e.Value {
			return Const{Int: 1}, true
		}
		return Const{}, true
	case *ast.PositionalParam:
		if e.Count {
			return Const{Int: int64(len(c.opts.Params))}, true
		}
		if e.N < 1 || e.N > len(c.opts.Params) {
			// bpftrace: a missing parameter is "" as a string and 0 as an int.
			return Const{Int: 0}, true
		}
		s := c.opts.Params[e.N-1]
		if n, err := strconv.ParseInt(s, 0, 64); err == nil {
			return Const{Int: n}, true
		}
		return Const{Str: s, IsStr: true}, true
	case *ast.Unary:
		if e.Op == "-" {
			if k, ok := c.constOf(e.X); ok && !k.IsStr {
				return Const{Int: -k.Int}, true
			}
		}
	case *ast.Binary:
		// Folded for compile-time arguments (static_assert, unroll...).
		a, aok := c.constOf(e.L)
		b, bok := c.constOf(e.R)
		if aok && bok && !a.IsStr && !b.IsStr {
			if v, ok := foldInt(e.Op, a.Int, b.Int); ok {
				return Const{Int: v}, true
			}
		}
	case *ast.Call:
		// str($1) is the parameter as a string.
		if e.Func == "str" && len(e.Args) == 1 {
			if p, ok := e.Args[0].(*ast.PositionalParam); ok && !p.Count {
				s := ""
				if p.N >= 1 && p.N <= len(c.opts.Params) {
					s = c.opts.Params[p.N-1]
				}
				return Const{Str: s, IsStr: true}, true
			}
		}
	}
	if k, ok := c.info.Consts[e]; ok {
		return k, true
	}
	return Const{}, false
}

func (c *checker) ident(e *ast.Ident) types.Type {
	if m, ok := c.macros[e.Name]; ok && len(m.Params) == 0 {
		return c.call(e, e.Name, nil, false)
	}
	if en, ok := stdlib.Lookup(e.Name); ok && en.Bare {
		return c.call(e, e.Name, nil, false)
	}
	if t, ok := c.ctxIdent(e); ok {
		return t
	}
	if v, ok := c.cenums[e.Name]; ok {
		c.info.Consts[e] = Const{Int: v}
		return types.Int64
	}
	if d, ok := c.defines[e.Name]; ok {
		c.info.Subst[e] = d
		return c.expr(d)
	}
	if k := c.kernel(); k != nil {
		if v, et, ok := k.EnumConstant(e.Name); ok {
			c.info.Consts[e] = Const{Int: v}
			if et != nil && et.Bits > 0 {
				return types.Int64
			}
			return types.Int64
		}
	}
	if v, ok := headerConst(e.Name); ok {
		c.info.Consts[e] = Const{Int: v}
		return types.Int64
	}
	if en, ok := stdlib.Lookup(e.Name); ok && en.Paren {
		c.errorf(e.Span(), "%s() is a function: call it with parentheses", e.Name)
		return nil
	}
	c.errorf(e.Span(), "Unknown identifier: '%s'", e.Name)
	return nil
}

// call types a builtin use through its registry entry.
func (c *checker) call(node ast.Expr, name string, args []ast.Expr, paren bool) types.Type {
	if m, ok := c.macros[name]; ok {
		x := c.expandMacro(node, m, args)
		if x == nil {
			return nil
		}
		c.info.Subst[node] = x
		c.macroDepth++
		defer func() { c.macroDepth-- }()
		return c.expr(x)
	}
	if name == "find" && paren {
		if x := c.expandFind(node, args); x != nil {
			c.info.Subst[node] = x
			return c.expr(x)
		}
		return nil
	}
	if name == "assert" && paren {
		if x := c.expandAssert(node, args); x != nil {
			c.info.Subst[node] = x
			return c.expr(x)
		}
		return nil
	}
	en, ok := stdlib.Lookup(name)
	if !ok {
		c.errorf(node.Span(), "Unknown function: '%s'", name)
		for _, a := range args {
			if _, isMap := a.(*ast.MapRef); !isMap { // not a scalar read of @m
				c.expr(a)
			}
		}
		return nil
	}
	if paren && !en.Paren {
		c.errorf(node.Span(), "%s is not a function: use it without parentheses", name)
		return nil
	}
	if paren && (len(args) < en.MinArgs || (en.MaxArgs >= 0 && len(args) > en.MaxArgs)) {
		switch {
		case en.MinArgs == en.MaxArgs:
			c.errorf(node.Span(), "%s() requires %d arguments (%d provided)", name, en.MinArgs, len(args))
		case len(args) < en.MinArgs:
			c.errorf(node.Span(), "%s() requires at least %d arguments (%d provided)", name, en.MinArgs, len(args))
		default:
			c.errorf(node.Span(), "%s() takes up to %d arguments (%d provided)", name, en.MaxArgs, len(args))
		}
		return nil
	}
	if len(en.Probes) > 0 && c.provider != "" {
		allowed := false
		for _, p := range en.Probes {
			allowed = allowed || p == c.provider
		}
		if !allowed {
			c.errorf(node.Span(), "The %s builtin can not be used with '%s' probes", name, c.provider)
			return nil
		}
	}
	if c.ctx != nil {
		for _, d := range c.ctx.Disallow {
			if d == name {
				c.errorf(node.Span(), "The %s builtin can not be used with '%s' probes", name, c.provider)
				return nil
			}
		}
	}
	if name == "tseries" {
		c.unstable("tseries", unstableTseries, node.Span())
	}
	call := &stdlib.Call{Node: node, Name: name, Args: args, Paren: paren}
	c.info.Calls[node] = &CallInfo{Entry: en, Call: call, Event: -1}
	if en.Check == nil {
		return &types.Void{}
	}
	return en.Check(c, call)
}

func (c *checker) binary(e *ast.Binary) types.Type {
	l, r := c.expr(e.L), c.expr(e.R)
	if l == nil || r == nil {
		return nil
	}
	switch e.Op {
	case "&&", "||":
		c.wantCond(e.L, l)
		c.wantCond(e.R, r)
		return &types.Bool{}
	case "==", "!=", "<", "<=", ">", ">=":
		_, lok := l.(*types.String)
		_, rok := r.(*types.String)
		if lok || rok {
			if !(lok && rok) {
				c.errorf(e.Span(), "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, l, r)
				return nil
			}
			if e.Op != "==" && e.Op != "!=" {
				c.errorf(e.Span(), "Strings can only be compared with == and !=")
				return nil
			}
			return &types.Bool{}
		}
		if !isScalar(l) || !isScalar(r) {
			c.errorf(e.Span(), "Type mismatch for '%s': comparing '%s' with '%s'", e.Op, l, r)
			return nil
		}
		return &types.Bool{}
	}
	if !(isInt(l) || isBool(l) || isPtr(l)) || !(isInt(r) || isBool(r)) {
		c.errorf(e.Span(), "Type mismatch for '%s': '%s' and '%s'", e.Op, l, r)
		return nil
	}
	if isPtr(l) && (e.Op == "+" || e.Op == "-") {
		return l
	}
	return arithType(e.L, l, e.R, r)
}

// arithType is the result of integer arithmetic: 64 bits, signed unless an
// operand is unsigned; a literal takes the other operand's signedness.
func arithType(le ast.Expr, l types.Type, re ast.Expr, r types.Type) types.Type {
	_, llit := le.(*ast.IntLit)
	_, rlit := re.(*ast.IntLit)
	ls, rs := signed(l) || isBool(l), signed(r) || isBool(r)
	switch {
	case llit && !rlit:
		ls = rs
	case rlit && !llit:
		rs = ls
	}
	if ls && rs {
		return types.Int64
	}
	return types.Uint64
}

func isPtr(t types.Type) bool { _, ok := t.(*types.Pointer); return ok }

func (c *checker) unary(e *ast.Unary) types.Type {
	t := c.expr(e.X)
	if t == nil {
		return nil
	}
	switch e.Op {
	case "!":
		c.wantCond(e.X, t)
		return &types.Bool{}
	case "-", "~", "+":
		if !isInt(t) && !isBool(t) {
			c.errorf(e.Span(), "Operator '%s' requires an integer, got '%s'", e.Op, t)
			return nil
		}
		if e.Op == "-" {
			return types.Int64
		}
		return storage(t)
	case "*":
		p, ok := t.(*types.Pointer)
		if !ok && isInt(t) {
			// "*kaddr("avenrun")", "*$addr": bpftrace reads a 64-bit
			// integer at a kernel address held in an integer.
			name := "int64"
			if !signed(t) {
				name = "uint64"
			}
			sp := ast.Base{Sp: e.Span()}
			x := &ast.Unary{Base: sp, Op: "*", X: &ast.Cast{Base: sp, Type: &ast.TypeExpr{Base: sp, Name: name, Ptr: 1}, X: e.X}}
			c.info.Subst[e] = x
			return c.expr(x)
		}
		if !ok || p.Elem == nil {
			c.errorf(e.Span(), "Can not dereference type '%s'", t)
			return nil
		}
		if st, ok := p.Elem.(*types.Struct); ok {
			return c.complete(st)
		}
		return fieldType(p.Elem)
	case "&":
		c.unstable("address-of operator (&)", unstableAddr, e.Span())
		space, ok := c.remoteSpace(e.X)
		if !ok {
			c.errorf(e.Span(), "The address-of operator '&' takes a field, an element or a dereference of memory behind a pointer ('&p->f', '&p[i]', '&*p')")
			return nil
		}
		return &types.Pointer{Elem: t, Space: space}
	}
	c.errorf(e.Span(), "Operator '%s' is not supported here", e.Op)
	return nil
}

// remoteSpace reports whether e names memory behind a pointer (what codegen
// reads with probe_read, and so what has an address), and in which address
// space.
func (c *checker) remoteSpace(e ast.Expr) (types.AddrSpace, bool) {
	switch x := e.(type) {
	case *ast.FieldAccess:
		if _, ok := c.info.Fields[x]; !ok {
			return 0, false
		}
		switch t := c.info.Types[x.X].(type) {
		case *types.Pointer:
			return t.Space, true
		case *types.Struct:
			return c.remoteSpace(x.X)
		}
	case *ast.Unary:
		if p, ok := c.info.Types[x.X].(*types.Pointer); ok && x.Op == "*" {
			return p.Space, true
		}
	case *ast.IndexExpr:
		switch t := c.info.Types[x.X].(type) {
		case *types.Pointer:
			return t.Space, true
		case *types.Array, *types.String: // char[N] fields type as strings
			return c.remoteSpace(x.X)
		}
	}
	return 0, false
}

func (c *checker) incdec(e *ast.IncDec) types.Type {
	switch x := e.X.(type) {
	case *ast.Variable:
		v, _ := c.lookupVar(x.Name)
		if v == nil {
			c.errorf(x.Span(), "Undefined or undeclared variable: $%s", x.Name)
			return nil
		}
		c.info.Vars[x] = v
		c.info.Types[x] = v.Type
		if v.Type != nil && !isInt(v.Type) && !ptrStep(v.Type, e.Op) {
			c.errorf(e.Span(), "The %s operator can only be used on integers, $%s is %s", e.Op, x.Name, v.Type)
			return nil
		}
		return v.Type
	case *ast.MapRef, *ast.MapAccess:
		m := c.mapTarget(x)
		if _, agg := m.Value.(*types.Agg); agg {
			c.errorf(e.Span(), "The %s operator cannot be used on %s() maps", e.Op, m.Value)
			return nil
		}
		if m.Value == nil || !c.final {
			u, _ := unify(m.Value, types.Int64)
			m.Value = u
		} else if !isInt(m.Value) && !ptrStep(m.Value, e.Op) {
			c.errorf(e.Span(), "The %s operator can only be used on integer maps, %s holds %s", e.Op, m.Name, m.Value)
			return nil
		}
		c.info.Types[x] = m.Value
		return m.Value
	}
	c.errorf(e.Span(), "The %s operator must be applied to a map or variable", e.Op)
	return nil
}

func (c *checker) cast(e *ast.Cast) types.Type {
	t := c.expr(e.X)
	to := c.typeExpr(e.Type)
	if t == nil || to == nil {
		return nil
	}
	switch tt := to.(type) {
	case *types.Int, *types.Bool:
		if isScalar(t) {
			return to
		}
		if _, isStr := t.(*types.String); isStr {
			if _, isBool := to.(*types.Bool); isBool {
				return to // true unless empty
			}
		}
	case *types.Pointer:
		if isInt(t) || isPtr(t) {
			return to
		}
	case *types.Array:
		// An integer reinterpreted as an array of the same size:
		// (uint8[4])$x, (bool[2])(uint16)1.
		if isInt(t) && t.Size() == to.Size() && isScalar(tt.Elem) {
			return to
		}
	}
	if isInt(to) {
		// and back: (uint32)$bytes for a 4-byte array
		if at, ok := t.(*types.Array); ok && at.Size() == to.Size() && isScalar(at.Elem) {
			return to
		}
	}
	c.errorf(e.Span(), "Cannot cast from '%s' to '%s'", t, to)
	return nil
}

// maxValueSize bounds the size of a value (a per-CPU map value holds at most 32 KiB).
const maxValueSize = 32 << 10

// typeExpr resolves a written type.
func (c *checker) typeExpr(te *ast.TypeExpr) types.Type {
	var t types.Type
	if te.Typeof != nil {
		switch x := te.Typeof.(type) {
		case *ast.TypeExpr:
			t = c.typeExpr(x)
		case ast.Expr:
			t = c.expr(x)
		}
		if t == nil {
			return nil
		}
		for i := 0; i < te.Ptr; i++ {
			t = &types.Pointer{Elem: t, Space: types.AddrKernel}
		}
		return t
	}
	switch te.Name {
	case "int8", "char", "signed char", "int8_t", "s8", "__s8":
		t = types.Int8
	case "int16", "short", "int16_t", "s16", "__s16":
		t = types.Int16
	case "int32", "int", "signed", "signed int", "int32_t", "s32", "__s32", "pid_t":
		t = types.Int32
	case "int64", "long", "long long", "long int", "int64_t", "s64", "__s64", "ssize_t", "loff_t":
		t = types.Int64
	case "uint8", "unsigned char", "u8", "uint8_t", "__u8":
		t = types.Uint8
	case "uint16", "unsigned short", "u16", "uint16_t", "__u16":
		t = types.Uint16
	case "uint32", "unsigned int", "unsigned", "u32", "uint32_t", "__u32":
		t = types.Uint32
	case "uint64", "unsigned long", "unsigned long long", "u64", "size_t", "uint64_t", "__u64", "unsigned long int":
		t = types.Uint64
	case "bool":
		t = &types.Bool{}
	case "string":
		t = &types.String{N: c.info.Config.MaxStrlen}
	case "void":
		if te.Ptr == 0 {
			c.errorf(te.Span(), "Cannot use type 'void' here")
			return nil
		}
		te2 := *te
		te2.Ptr--
		var inner types.Type = &types.Pointer{Space: types.AddrKernel}
		for i := 0; i < te2.Ptr; i++ {
			inner = &types.Pointer{Elem: inner, Space: types.AddrKernel}
		}
		return inner
	default:
		nt, ok := c.namedType(te.Name)
		if !ok {
			kind, name, _ := strings.Cut(strings.Join(strings.Fields(te.Name), " "), " ")
			if c.inCDecl && te.Ptr > 0 && (kind == "struct" || kind == "union") && name != "" {
				// A pointer to an incomplete type is fine in C (clang
				// accepts "struct devlink_trap *trap;" from a module's
				// BTF that is not loaded): only dereferencing it fails.
				nt, ok = &types.Struct{Kind: kind, Name: name}, true
			}
		}
		if !ok {
			c.errorf(te.Span(), "Unknown type: '%s'", te.Name)
			return nil
		}
		t = nt
	}
	size := 1
	for _, d := range te.Dims {
		size *= d
		if d > maxValueSize || size > maxValueSize {
			c.errorf(te.Span(), "Type is too large (more than %d bytes)", maxValueSize)
			return nil
		}
	}
	if te.Name == "string" && len(te.Dims) == 1 && te.Dims[0] > 0 {
		return &types.String{N: te.Dims[0]}
	}
	for _, d := range te.Dims {
		if d <= 0 {
			c.errorf(te.Span(), "Array dimensions must be positive")
			return nil
		}
		t = &types.Array{Elem: t, Len: d}
	}
	for i := 0; i < te.Ptr; i++ {
		t = &types.Pointer{Elem: t, Space: types.AddrKernel}
	}
	return t
}

// identAsType reads "sizeof(NAME)" with a bare NAME that is no value
// (builtin, macro, #define, enum constant) as the type NAME: a typedef,
// a basic type name ("u64", "pid_t") or, as bpftrace does, "struct NAME".
// It returns nil, reporting nothing, when NAME is no type either.
func (c *checker) identAsType(x ast.Expr) types.Type {
	id, ok := x.(*ast.Ident)
	if !ok {
		return nil
	}
	if _, ok := stdlib.Lookup(id.Name); ok {
		return nil
	}
	if _, ok := c.macros[id.Name]; ok {
		return nil
	}
	if _, ok := c.defines[id.Name]; ok {
		return nil
	}
	if _, ok := c.cenums[id.Name]; ok {
		return nil
	}
	l := c.list()
	n := len(*l)
	t := c.typeExpr(&ast.TypeExpr{Base: ast.Base{Sp: id.Span()}, Name: id.Name})
	*l = (*l)[:n] // an unknown type is reported as an unknown identifier instead
	return t
}
