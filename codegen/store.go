package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

type ctxRef = sema.CtxRef

func isMemory(t types.Type) bool {
	switch t.(type) {
	case *types.Int, *types.Bool, *types.Pointer, *types.Enum:
		return false
	}
	return true
}

func (g *gen) varLoc(v *sema.Var) stdlib.Loc {
	l, ok := g.vars[v]
	if !ok {
		g.fail("variable $%s has no slot", v.Name)
	}
	return l
}

// Store evaluates e into memory at dst as a value of type t.
func (g *gen) Store(e ast.Expr, dst stdlib.Loc, t types.Type) {
	if sub, ok := g.info.Subst[e]; ok {
		g.Store(sub, dst, t)
		return
	}
	if !isMemory(t) {
		if v, ok := g.smallImm(e); ok {
			if _, ctx := g.info.Ctx[e]; !ctx {
				size, _ := scalarSize(t)
				g.StoreImm(dst, int64(v), size)
				return
			}
		}
		r := g.Expr(e)
		if _, ok := t.(*types.Bool); ok {
			if _, src := g.Type(e).(*types.Bool); !src {
				g.convert(r, t)
			}
		}
		size, _ := scalarSize(t)
		g.StoreReg(dst, r, size)
		g.Pop()
		return
	}
	et := g.Type(e)
	if st, ok := t.(*types.String); ok {
		g.storeString(e, dst, st, et)
		return
	}
	switch x := e.(type) {
	case *ast.Cast:
		if src := g.Type(x.X); !isMemory(src) {
			// (T[n])int: the integer's bytes, as they lie in memory.
			r := g.Expr(x.X)
			g.StoreReg(dst, r, sizeOf(t.Size()))
			g.Pop()
			return
		}
	case *ast.Tuple:
		tt := t.(*types.Tuple)
		g.zeroPadding(dst, tt.Fields, tt.Size())
		for i, el := range x.Elems {
			g.Store(el, dst.At(tt.Fields[i].Offset), tt.Fields[i].Type)
		}
		return
	case *ast.Record:
		// Fields are evaluated in source order and land by name: the slot
		// may list them in another order.
		rt := t.(*types.Record)
		g.zeroPadding(dst, rt.Fields, rt.Size())
		for i, f := range x.Fields {
			if j := fieldByName(rt, f.Name); j >= 0 {
				i = j
			}
			g.Store(f.Value, dst.At(rt.Fields[i].Offset), rt.Fields[i].Type)
		}
		return
	}
	if !types.Equal(et, t) {
		// Same shape, different widths (e.g. strings inside tuples), or a
		// record with its fields in another order: go through a temp,
		// converting field by field.
		if dstFields, srcFields, match := sameShape(t, et); match != nil {
			tmp := g.Temp(et.Size())
			g.storeSame(e, tmp, et)
			g.zeroPadding(dst, dstFields, t.Size())
			for i, f := range dstFields {
				j := match(i)
				if j < 0 {
					g.fail("cannot store %s as %s", et, t)
				}
				g.convertMem(dst.At(f.Offset), f.Type, tmp.At(srcFields[j].Offset), srcFields[j].Type)
			}
			return
		}
		g.fail("cannot store %s as %s", et, t)
	}
	g.storeSame(e, dst, t)
}

// sameShape pairs the fields of two tuples (by position) or two records
// (by name) of the same length: match gives the source field of
// destination field i (-1 for none); nil when the types do not pair up.
func sameShape(dst, src types.Type) (dstFields, srcFields []types.Field, match func(i int) int) {
	switch d := dst.(type) {
	case *types.Tuple:
		if s, ok := src.(*types.Tuple); ok && len(s.Fields) == len(d.Fields) {
			return d.Fields, s.Fields, func(i int) int { return i }
		}
	case *types.Record:
		if s, ok := src.(*types.Record); ok && len(s.Fields) == len(d.Fields) {
			return d.Fields, s.Fields, func(i int) int { return fieldByName(s, d.Fields[i].Name) }
		}
	}
	return nil, nil, nil
}

// StorePadded is Store with string tails zeroed.
func (g *gen) StorePadded(e ast.Expr, dst stdlib.Loc, t types.Type) {
	saved := g.padStrings
	g.padStrings = true
	g.Store(e, dst, t)
	g.padStrings = saved
}

// convertMem copies a value of type st at src into dst as type dt.
func (g *gen) convertMem(dst stdlib.Loc, dt types.Type, src stdlib.Loc, st types.Type) {
	if !isMemory(dt) {
		g.loadScalar(asm.R0, src, st)
		size, _ := scalarSize(dt)
		g.StoreReg(dst, asm.R0, size)
		return
	}
	n := st.Size()
	if dt.Size() < n {
		n = dt.Size()
	}
	g.Copy(dst, src, n)
	if dt.Size() > n {
		g.Zero(dst.At(n), dt.Size()-n)
	}
}

// zeroPadding clears the gaps between fields (map keys compare bytes).
func (g *gen) zeroPadding(dst stdlib.Loc, fields []types.Field, size int) {
	off := 0
	for _, f := range fields {
		if f.Offset > off {
			g.Zero(dst.At(off), f.Offset-off)
		}
		off = f.Offset + f.Type.Size()
	}
	if size > off {
		g.Zero(dst.At(off), size-off)
	}
}

// storeSame stores a memory value whose type is exactly t.
func (g *gen) storeSame(e ast.Expr, dst stdlib.Loc, t types.Type) {
	if l, ok := g.locOf(e); ok {
		g.Copy(dst, l, t.Size())
		return
	}
	if g.isRemote(e) {
		g.remoteInto(e, dst, t)
		return
	}
	if ref, ok := g.info.Ctx[e]; ok && ref.Arg != "*" {
		// an array field inside the context
		l := g.ctxLoc(ref)
		if l.Kind != probe.LocCtx {
			g.fail("cannot read %s from this argument", t)
		}
		r := g.Push()
		g.LoadCtx(r)
		g.copyFromRegOff(dst, r, l.Offset, t.Size())
		g.Pop()
		return
	}
	if ref, ok := g.info.Ctx[e]; ok && ref.Arg == "*" {
		// The whole args struct: the verifier refuses direct loads of the
		// common fields, so copy the context with probe_read_kernel.
		g.LoadCtx(asm.R3)
		g.Addr(asm.R1, dst)
		g.Emit(asm.Mov.Imm(asm.R2, int32(t.Size())), asm.FnProbeReadKernel.Call())
		return
	}
	switch x := e.(type) {
	case *ast.MapRef, *ast.MapAccess:
		g.mapReadInto(e, dst, t)
		return
	case *ast.Ident, *ast.Call:
		g.builtinInto(x, dst)
		return
	case *ast.BlockExpr:
		for _, s := range x.Stmts {
			g.stmt(s)
		}
		g.Store(x.Value, dst, t)
		return
	case *ast.Ternary:
		elseL, end := g.NewLabel(), g.NewLabel()
		g.branch(x.Cond, elseL, false)
		g.Store(x.Then, dst, t)
		g.jmp(end)
		g.Bind(elseL)
		g.Store(x.Else, dst, t)
		g.Bind(end)
		return
	case *ast.FieldAccess, *ast.TupleIndex:
		l, _ := g.memberLoc(e)
		g.Copy(dst, l, t.Size())
		return
	}
	g.fail("cannot generate %T as a %s value", e, t)
}

// inMemory is where e's value of type t lies: its own place, or a
// temporary it is stored into.
func (g *gen) inMemory(e ast.Expr, t types.Type) stdlib.Loc {
	l, ok := g.locOf(e)
	if !ok {
		l = g.Temp(t.Size())
		g.Store(e, l, t)
	}
	return l
}

// locOf returns where a memory value already lives, if it does.
func (g *gen) locOf(e ast.Expr) (stdlib.Loc, bool) {
	if v, ok := e.(*ast.Variable); ok {
		return g.varLoc(g.info.Vars[v]), true
	}
	return stdlib.Loc{}, false
}

// memberLoc evaluates the tuple/record containing e and returns the member's place.
func (g *gen) memberLoc(e ast.Expr) (stdlib.Loc, types.Type) {
	var x ast.Expr
	var pick func(types.Type) (types.Field, bool)
	switch m := e.(type) {
	case *ast.TupleIndex:
		x = m.X
		pick = func(t types.Type) (types.Field, bool) {
			if tt, ok := t.(*types.Tuple); ok && m.N < len(tt.Fields) {
				return tt.Fields[m.N], true
			}
			return types.Field{}, false
		}
	case *ast.FieldAccess:
		x = m.X
		if f, ok := g.info.Fields[m]; ok {
			pick = func(types.Type) (types.Field, bool) { return f, true }
			break
		}
		pick = func(t types.Type) (types.Field, bool) {
			if rt, ok := t.(*types.Record); ok {
				for _, f := range rt.Fields {
					if f.Name == m.Name {
						return f, true
					}
				}
			}
			return types.Field{}, false
		}
	}
	xt := g.Type(x)
	f, ok := pick(xt)
	if !ok {
		g.fail("bad member access on %s", xt)
	}
	base, ok := g.locOf(x)
	if !ok {
		base = g.Temp(xt.Size())
		g.Store(x, base, xt)
	}
	return base.At(f.Offset), f.Type
}

// storeString writes a string of type et into an N-byte slot.
func (g *gen) storeString(e ast.Expr, dst stdlib.Loc, t *types.String, et types.Type) {
	if k, ok := g.info.Consts[e]; ok && k.IsStr {
		g.StringConst(dst, k.Str, t.N)
		return
	}
	if lit, ok := e.(*ast.StringLit); ok {
		g.StringConst(dst, lit.Value, t.N)
		return
	}
	if ref, ok := g.info.Ctx[e]; ok {
		g.ctxString(dst, t.N, g.ctxLoc(ref))
		return
	}
	src, ok := et.(*types.String)
	if !ok {
		g.fail("cannot store %s as a string", et)
	}
	switch {
	case src.N == t.N:
		g.storeSame(e, dst, t)
	case src.N < t.N:
		g.storeSame(e, dst, src)
		if g.padStrings {
			g.Zero(dst.At(src.N), t.N-src.N)
		}
	default:
		// Longer source: evaluate fully, copy the head, terminate.
		if l, ok := g.locOf(e); ok {
			g.Copy(dst, l, t.N-1)
		} else {
			tmp := g.Temp(src.N)
			g.storeSame(e, tmp, src)
			g.Copy(dst, tmp, t.N-1)
		}
		g.StoreImm(dst.At(t.N-1), 0, asm.Byte)
	}
}

// ctxString reads a string argument (in-context char array or __data_loc) into dst.
func (g *gen) ctxString(dst stdlib.Loc, n int, l probe.Loc) {
	if g.padStrings {
		g.Zero(dst, n)
	}
	switch l.Kind {
	case probe.LocCtx:
		size := l.Size
		if size > n {
			size = n
		}
		g.LoadCtx(asm.R3)
		g.Emit(asm.Add.Imm(asm.R3, int32(l.Offset)))
		g.Addr(asm.R1, dst)
		g.Emit(asm.Mov.Imm(asm.R2, int32(size)), asm.FnProbeReadKernelStr.Call())
	case probe.LocCtxDataLoc:
		g.LoadCtx(asm.R3)
		g.Emit(
			asm.LoadMem(asm.R2, asm.R3, int16(l.Offset), asm.Word),
			asm.And.Imm(asm.R2, 0xffff),
			asm.Add.Reg(asm.R3, asm.R2),
		)
		g.Addr(asm.R1, dst)
		g.Emit(asm.Mov.Imm(asm.R2, int32(n)), asm.FnProbeReadKernelStr.Call())
	default:
		g.fail("argument is not a string")
	}
}

// fieldByName is the index of r's field called name, or -1.
func fieldByName(r *types.Record, name string) int {
	for i, f := range r.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}
