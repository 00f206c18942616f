package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// Values in traced memory (through pointers) are read with
// probe_read_{kernel,user}, by the pointer's address space.

// isRemote reports whether e names memory behind a pointer.
func (g *gen) isRemote(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.FieldAccess:
		if _, ok := g.info.Fields[x]; !ok {
			return false
		}
		switch g.Type(x.X).(type) {
		case *types.Pointer:
			return true
		case *types.Struct:
			return g.isRemote(x.X)
		}
	case *ast.Unary:
		return x.Op == "*"
	case *ast.IndexExpr:
		switch g.Type(x.X).(type) {
		case *types.Pointer:
			return true
		case *types.Array:
			return g.isRemote(x.X)
		}
	}
	return false
}

// remoteAddr pushes the address of a remote expression.
func (g *gen) remoteAddr(e ast.Expr) (asm.Register, types.AddrSpace) {
	switch x := e.(type) {
	case *ast.FieldAccess:
		var r asm.Register
		space := types.AddrKernel
		if p, ok := g.Type(x.X).(*types.Pointer); ok {
			r = g.Expr(x.X)
			space = p.Space
		} else {
			r, space = g.remoteAddr(x.X)
		}
		if f := g.info.Fields[x]; f.Offset != 0 {
			g.Emit(asm.Add.Imm(r, int32(f.Offset)))
		}
		return r, space
	case *ast.Unary:
		r := g.Expr(x.X)
		return r, g.AddrSpace(x.X)
	case *ast.IndexExpr:
		var r asm.Register
		var elem types.Type
		space := types.AddrKernel
		switch t := g.Type(x.X).(type) {
		case *types.Pointer:
			r, elem, space = g.Expr(x.X), t.Elem, t.Space
		case *types.Array:
			r, space = g.remoteAddr(x.X)
			elem = t.Elem
		case *types.String: // a char[N] field, for &p->name[i]
			r, space = g.remoteAddr(x.X)
			elem = types.Int8
		}
		if imm, ok := g.smallImm(x.Index); ok {
			if off := int64(imm) * int64(elem.Size()); off != 0 {
				g.Emit(asm.Add.Imm(r, int32(off)))
			}
			return r, space
		}
		i := g.Expr(x.Index)
		g.Emit(asm.Mul.Imm(i, int32(elem.Size())), asm.Add.Reg(r, i))
		g.Pop()
		return r, space
	}
	g.fail("not an address: %T", e)
	return 0, 0
}

// remoteScalar reads an integer or pointer behind a pointer.
func (g *gen) remoteScalar(e ast.Expr) asm.Register {
	r, space := g.remoteAddr(e)
	t := g.Type(e)
	size := t.Size()
	if p, ok := t.(*types.Pointer); ok && p.Space == types.AddrNone {
		p.Space = space
	}
	tmp := g.Temp(8)
	g.Emit(asm.Mov.Reg(asm.R3, r))
	g.Addr(asm.R1, tmp)
	g.Emit(asm.Mov.Imm(asm.R2, int32(size)), readFn(space).Call())
	if fa, ok := e.(*ast.FieldAccess); ok {
		if f := g.info.Fields[fa]; f.BitWidth > 0 {
			g.LoadMem(r, tmp, sizeOf(size))
			if f.BitOff > 0 {
				g.Emit(asm.RSh.Imm(r, int32(f.BitOff)))
			}
			g.Emit(asm.And.Imm(r, int32(uint32(1)<<f.BitWidth-1)))
			return r
		}
	}
	g.loadScalar(r, tmp, t)
	return r
}

// remoteInto copies a struct, array or string behind a pointer into dst.
func (g *gen) remoteInto(e ast.Expr, dst stdlib.Loc, t types.Type) {
	r, space := g.remoteAddr(e)
	fn := readFn(space)
	if _, ok := t.(*types.String); ok {
		fn = readStrFn(space)
		if g.padStrings {
			g.Zero(dst, t.Size())
		}
	}
	g.Emit(asm.Mov.Reg(asm.R3, r))
	g.Pop()
	g.Addr(asm.R1, dst)
	g.Emit(asm.Mov.Imm(asm.R2, int32(t.Size())), fn.Call())
}
