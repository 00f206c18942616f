package codegen

import (
	"math"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// Expr evaluates a scalar expression into a new temporary. Registers hold
// 64-bit values, sign- or zero-extended according to the expression's type.
func (g *gen) Expr(e ast.Expr) asm.Register {
	if sub, ok := g.info.Subst[e]; ok {
		return g.Expr(sub)
	}
	if ref, ok := g.info.Ctx[e]; ok {
		r := g.Push()
		g.ctxScalar(r, g.ctxLoc(ref))
		return r
	}
	if k, ok := g.info.Consts[e]; ok && !k.IsStr {
		r := g.Push()
		g.movImm(r, k.Int)
		return r
	}
	switch e := e.(type) {
	case *ast.IntLit:
		r := g.Push()
		g.movImm(r, int64(e.Value))
		return r
	case *ast.BoolLit:
		r := g.Push()
		v := int64(0)
		if e.Value {
			v = 1
		}
		g.movImm(r, v)
		return r
	case *ast.Variable:
		v := g.info.Vars[e]
		r := g.Push()
		g.loadScalar(r, g.varLoc(v), v.Type)
		return r
	case *ast.MapRef, *ast.MapAccess:
		return g.mapReadScalar(e)
	case *ast.Ident:
		return g.builtinScalar(e)
	case *ast.Call:
		return g.builtinScalar(e)
	case *ast.Binary:
		return g.binary(e)
	case *ast.Unary:
		return g.unary(e)
	case *ast.IncDec:
		return g.incdec(e, true)
	case *ast.Ternary:
		elseL, end := g.NewLabel(), g.NewLabel()
		g.branch(e.Cond, elseL, false)
		d := g.depth
		g.Expr(e.Then)
		g.jmp(end)
		g.Bind(elseL)
		g.depth = d
		r := g.Expr(e.Else)
		g.Bind(end)
		return r
	case *ast.Cast:
		switch xt := g.Type(e.X).(type) {
		case *types.String:
			// (bool)"s": a string is true unless it is empty.
			r := g.Push()
			g.loadScalar(r, g.inMemory(e.X, xt), types.Uint8)
			g.convert(r, g.Type(e))
			return r
		case *types.Array:
			// (uintN)array: the array's bytes read as one integer.
			r := g.Push()
			g.loadScalar(r, g.inMemory(e.X, xt), g.Type(e))
			return r
		}
		r := g.Expr(e.X)
		g.convert(r, g.Type(e))
		return r
	case *ast.IndexExpr:
		if g.isRemote(e) {
			return g.remoteScalar(e)
		}
		// An element of an array value: with a constant index, load it
		// from the array placed in memory. A string indexes like an array
		// of chars.
		xt := g.Type(e.X)
		at, ok := xt.(*types.Array)
		if st, isStr := xt.(*types.String); isStr {
			at, ok = &types.Array{Elem: types.Int8, Len: st.N}, true
		}
		idx, isConst := g.smallImm(e.Index)
		if !ok || !isConst || idx < 0 || int(idx) >= at.Len {
			g.fail("array index must be a constant within bounds here")
		}
		base, ok := g.locOf(e.X)
		if !ok {
			base = g.Temp(at.Size())
			g.Store(e.X, base, xt)
		}
		r := g.Push()
		g.loadScalar(r, base.At(int(idx)*at.Elem.Size()), at.Elem)
		return r
	case *ast.FieldAccess, *ast.TupleIndex:
		if g.isRemote(e) {
			return g.remoteScalar(e)
		}
		// A member of a memory value: evaluate the whole into a temp, load the member.
		loc, ft := g.memberLoc(e)
		r := g.Push()
		g.loadScalar(r, loc, ft)
		return r
	case *ast.BlockExpr:
		for _, s := range e.Stmts {
			g.stmt(s)
		}
		return g.Expr(e.Value)
	}
	g.fail("cannot generate %T as a value", e)
	return 0
}

func (g *gen) movImm(r asm.Register, v int64) {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		g.Emit(asm.Mov.Imm(r, int32(v)))
	} else {
		g.Emit(asm.LoadImm(r, v, asm.DWord))
	}
}

// loadScalar loads a scalar of type t from memory, extending it to 64 bits.
func (g *gen) loadScalar(r asm.Register, l stdlib.Loc, t types.Type) {
	size, sign := scalarSize(t)
	g.LoadMem(r, l, size)
	if sign {
		g.signExtend(r, size)
	}
}

func (g *gen) signExtend(r asm.Register, size asm.Size) {
	if size == asm.DWord {
		return
	}
	sh := int32(64 - 8*size.Sizeof())
	g.Emit(asm.LSh.Imm(r, sh), asm.ArSh.Imm(r, sh))
}

// scalarSize is the memory size and signedness of a scalar type.
func scalarSize(t types.Type) (asm.Size, bool) {
	switch t := t.(type) {
	case *types.Int:
		return sizeOf(t.Size()), t.Signed
	case *types.Bool:
		return asm.Byte, false
	case *types.Enum:
		return sizeOf(t.Size()), false
	}
	return asm.DWord, false
}

func sizeOf(n int) asm.Size {
	switch n {
	case 1:
		return asm.Byte
	case 2:
		return asm.Half
	case 4:
		return asm.Word
	}
	return asm.DWord
}

// convert truncates and re-extends r to type t (casts).
func (g *gen) convert(r asm.Register, t types.Type) {
	switch t := t.(type) {
	case *types.Int:
		switch {
		case t.Bits == 64:
		case t.Signed:
			sh := int32(64 - t.Bits)
			g.Emit(asm.LSh.Imm(r, sh), asm.ArSh.Imm(r, sh))
		case t.Bits == 32:
			g.Emit(asm.Mov.Reg32(r, r))
		default:
			g.Emit(asm.And.Imm(r, int32(1)<<t.Bits-1))
		}
	case *types.Bool:
		g.Emit(asm.JEq.Imm(r, 0, "").WithReference(""), asm.Mov.Imm(r, 1))
		g.insns[len(g.insns)-2].Offset = 1
	}
}

func isSigned(t types.Type) bool {
	it, ok := t.(*types.Int)
	return ok && it.Signed
}

// cmpSigned: a comparison is signed when both sides are (a literal takes the other side's sign).
func (g *gen) cmpSigned(l, r ast.Expr) bool {
	_, llit := l.(*ast.IntLit)
	_, rlit := r.(*ast.IntLit)
	ls, rs := isSigned(g.Type(l)), isSigned(g.Type(r))
	switch {
	case llit && !rlit:
		return rs
	case rlit && !llit:
		return ls
	}
	return ls && rs
}

// smallImm reports whether e is a literal that fits an instruction's imm field.
func (g *gen) smallImm(e ast.Expr) (int32, bool) {
	var v int64
	switch x := e.(type) {
	case *ast.IntLit:
		v = int64(x.Value)
		if x.Value > math.MaxInt64 {
			return 0, false
		}
	default:
		k, ok := g.info.Consts[e]
		if !ok || k.IsStr {
			return 0, false
		}
		v = k.Int
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	return int32(v), true
}

var aluOps = map[string]asm.ALUOp{
	"+": asm.Add, "-": asm.Sub, "*": asm.Mul, "&": asm.And, "|": asm.Or, "^": asm.Xor,
	"<<": asm.LSh,
}

func (g *gen) binary(e *ast.Binary) asm.Register {
	switch e.Op {
	case "&&", "||", "==", "!=", "<", "<=", ">", ">=":
		if e.Op == "==" || e.Op == "!=" {
			if _, ok := g.Type(e.L).(*types.String); ok {
				return g.strEqual(e)
			}
		}
		// r0 = 1; if !cond goto f; ... materialise the condition.
		f, end := g.NewLabel(), g.NewLabel()
		r := g.Push()
		g.Emit(asm.Mov.Imm(r, 1))
		g.branch(e, f, false)
		g.jmp(end)
		g.Bind(f)
		g.Emit(asm.Mov.Imm(r, 0))
		g.Bind(end)
		return r
	}
	sign := isSigned(g.Type(e))
	l := g.Expr(e.L)
	// ptr ± n moves by n elements, as in C.
	scale := 1
	if p, ok := g.Type(e.L).(*types.Pointer); ok && (e.Op == "+" || e.Op == "-") {
		scale = ptrStride(p)
	}
	if imm, ok := g.smallImm(e.R); ok && e.Op != "/" && e.Op != "%" && int64(imm)*int64(scale) == int64(int32(int64(imm)*int64(scale))) {
		g.aluImm(e.Op, l, imm*int32(scale), sign)
		return l
	}
	r := g.Expr(e.R)
	if scale > 1 {
		g.Emit(asm.Mul.Imm(r, int32(scale)))
	}
	g.aluReg(e.Op, l, r, sign)
	g.Pop()
	return l
}

func (g *gen) aluImm(op string, l asm.Register, imm int32, sign bool) {
	if alu, ok := aluOps[op]; ok {
		g.Emit(alu.Imm(l, imm))
		return
	}
	switch op {
	case ">>":
		if sign {
			g.Emit(asm.ArSh.Imm(l, imm))
		} else {
			g.Emit(asm.RSh.Imm(l, imm))
		}
		return
	}
	g.Emit(asm.Mov.Imm(asm.R2, imm))
	g.aluReg(op, l, asm.R2, sign)
}

func (g *gen) aluReg(op string, l, r asm.Register, sign bool) {
	if alu, ok := aluOps[op]; ok {
		g.Emit(alu.Reg(l, r))
		return
	}
	switch op {
	case ">>":
		if sign {
			g.Emit(asm.ArSh.Reg(l, r))
		} else {
			g.Emit(asm.RSh.Reg(l, r))
		}
	case "/", "%":
		alu := asm.Div
		if op == "%" {
			alu = asm.Mod
		}
		if !sign {
			g.Emit(alu.Reg(l, r))
			return
		}
		if r >= asm.R1 && r <= asm.R3 {
			g.Emit(asm.Mov.Reg(asm.R4, r)) // the sequence below uses r1-r3
			r = asm.R4
		}
		// Signed division on any kernel: divide magnitudes, then fix the
		// sign (the quotient's from both signs, the remainder's from the
		// dividend's), as C truncating division does.
		g.Emit(
			asm.Mov.Reg(asm.R1, l), asm.ArSh.Imm(asm.R1, 63),
			asm.Mov.Reg(asm.R2, r), asm.ArSh.Imm(asm.R2, 63),
			asm.Mov.Reg(asm.R3, r), asm.Xor.Reg(asm.R3, asm.R2), asm.Sub.Reg(asm.R3, asm.R2),
			asm.Xor.Reg(l, asm.R1), asm.Sub.Reg(l, asm.R1),
			alu.Reg(l, asm.R3),
		)
		if op == "/" {
			g.Emit(asm.Xor.Reg(asm.R1, asm.R2))
		}
		g.Emit(asm.Xor.Reg(l, asm.R1), asm.Sub.Reg(l, asm.R1))
	default:
		g.fail("unknown operator %s", op)
	}
}

func (g *gen) unary(e *ast.Unary) asm.Register {
	switch e.Op {
	case "!":
		r := g.Expr(e.X)
		g.Emit(asm.JEq.Imm(r, 0, ""), asm.Mov.Imm(r, 0), asm.Ja.Label(""), asm.Mov.Imm(r, 1))
		n := len(g.insns)
		g.insns[n-4] = g.insns[n-4].WithReference("")
		g.insns[n-4].Offset = 2
		g.insns[n-2] = g.insns[n-2].WithReference("")
		g.insns[n-2].Offset = 1
		return r
	case "-":
		r := g.Expr(e.X)
		g.Emit(asm.Neg.Imm(r, 0))
		return r
	case "~":
		r := g.Expr(e.X)
		g.Emit(asm.Xor.Imm(r, -1))
		return r
	case "&": // sema allows it on memory behind a pointer only
		r, _ := g.remoteAddr(e.X)
		return r
	case "+":
		return g.Expr(e.X)
	case "*":
		return g.remoteScalar(e)
	}
	g.fail("unsupported unary operator %s", e.Op)
	return 0
}

var jumpOps = map[string][2]asm.JumpOp{ // unsigned, signed
	"==": {asm.JEq, asm.JEq}, "!=": {asm.JNE, asm.JNE},
	"<": {asm.JLT, asm.JSLT}, "<=": {asm.JLE, asm.JSLE},
	">": {asm.JGT, asm.JSGT}, ">=": {asm.JGE, asm.JSGE},
}

var negate = map[string]string{"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}

// branch jumps to label when e's truth equals when; otherwise falls through.
func (g *gen) branch(e ast.Expr, label string, when bool) {
	switch x := e.(type) {
	case *ast.Binary:
		switch x.Op {
		case "&&", "||":
			// (a && b) false-jump: !a -> label, !b -> label.
			// (a || b) true-jump: a -> label, b -> label.
			if (x.Op == "&&") != when {
				g.branch(x.L, label, when)
				g.branch(x.R, label, when)
				return
			}
			skip := g.NewLabel()
			g.branch(x.L, skip, !when)
			g.branch(x.R, label, when)
			g.Bind(skip)
			return
		case "==", "!=", "<", "<=", ">", ">=":
			if _, ok := g.Type(x.L).(*types.String); ok {
				break
			}
			op := x.Op
			if !when {
				op = negate[op]
			}
			sign := 0
			if g.cmpSigned(x.L, x.R) {
				sign = 1
			}
			jop := jumpOps[op][sign]
			if g.depth+2 > 4 {
				// Pops would reload spilled temporaries after the jump:
				// compute the outcome into r0 first, then branch on it.
				l := g.Expr(x.L)
				r := g.Expr(x.R)
				g.Emit(asm.Mov.Imm(asm.R0, 1), jop.Reg(l, r, "").WithReference(""), asm.Mov.Imm(asm.R0, 0))
				g.insns[len(g.insns)-2].Offset = 1
				g.Pop()
				g.Pop()
				g.Emit(asm.JNE.Imm(asm.R0, 0, label))
				return
			}
			l := g.Expr(x.L)
			if imm, ok := g.smallImm(x.R); ok {
				g.Emit(jop.Imm(l, imm, label))
			} else {
				r := g.Expr(x.R)
				g.Emit(jop.Reg(l, r, label))
				g.Pop()
			}
			g.Pop()
			return
		}
	case *ast.Unary:
		if x.Op == "!" {
			g.branch(x.X, label, !when)
			return
		}
	case *ast.BoolLit:
		if x.Value == when {
			g.jmp(label)
		}
		return
	}
	r := g.Expr(e)
	if g.depth > 4 {
		g.Emit(asm.Mov.Reg(asm.R0, r))
		g.Pop()
		r = asm.R0
	} else {
		g.Pop()
	}
	if when {
		g.Emit(asm.JNE.Imm(r, 0, label))
	} else {
		g.Emit(asm.JEq.Imm(r, 0, label))
	}
}

// ctxLoc finds how the current target reads an args/argN/retval reference.
func (g *gen) ctxLoc(ref ctxRef) probe.Loc {
	ctx := g.t.Ctx
	switch {
	case ref.Retval:
		return *ctx.Retval
	case ref.Arg != "":
		for _, a := range ctx.Args {
			if a.Name == ref.Arg {
				return a.Loc
			}
		}
		g.fail("probe %s has no argument %s", g.t.Target.Name, ref.Arg)
	default:
		if ref.ArgN < len(ctx.ArgN) {
			return ctx.ArgN[ref.ArgN]
		}
		g.fail("probe %s has no arg%d", g.t.Target.Name, ref.ArgN)
	}
	return probe.Loc{}
}

// ctxScalar loads an integer argument into r.
func (g *gen) ctxScalar(r asm.Register, l probe.Loc) {
	switch l.Kind {
	case probe.LocConst:
		g.movImm(r, l.Const)
		return
	case probe.LocCtx:
		g.LoadCtx(r)
		size := sizeOf(l.Size)
		g.Emit(asm.LoadMem(r, r, int16(l.Offset), size))
		if l.Signed {
			g.signExtend(r, size)
		}
	case probe.LocDeref:
		g.LoadCtx(r)
		if l.Scale != 0 {
			// base + index*scale: both registers come from the context
			g.Emit(asm.LoadMem(asm.R1, r, int16(l.Index), asm.DWord), asm.Mul.Imm(asm.R1, int32(l.Scale)))
			g.Emit(asm.LoadMem(r, r, int16(l.Offset), asm.DWord), asm.Add.Reg(r, asm.R1))
		} else {
			g.Emit(asm.LoadMem(r, r, int16(l.Offset), asm.DWord))
		}
		if l.Disp != 0 {
			g.Emit(asm.Add.Imm(r, int32(l.Disp)))
		}
		tmp := g.Temp(8)
		g.Emit(asm.Mov.Reg(asm.R3, r))
		g.Addr(asm.R1, tmp)
		g.Emit(asm.Mov.Imm(asm.R2, int32(l.Size)), readFn(l.Space).Call())
		size := sizeOf(l.Size)
		g.LoadMem(r, tmp, size)
		if l.Signed {
			g.signExtend(r, size)
		}
	default:
		g.fail("argument location kind %d is not a scalar", l.Kind)
	}
}

func readFn(s types.AddrSpace) asm.BuiltinFunc {
	if s == types.AddrUser {
		return asm.FnProbeReadUser
	}
	return asm.FnProbeReadKernel
}

func readStrFn(s types.AddrSpace) asm.BuiltinFunc {
	if s == types.AddrUser {
		return asm.FnProbeReadUserStr
	}
	return asm.FnProbeReadKernelStr
}

// ptrStride is how many bytes one step of pointer arithmetic on p moves:
// the size of what it points to (1 for void and unsized types).
func ptrStride(p *types.Pointer) int {
	if p.Elem == nil {
		return 1
	}
	if n := p.Elem.Size(); n > 0 {
		return n
	}
	return 1
}
