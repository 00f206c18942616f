package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

func (g *gen) block(b *ast.Block) {
	if b == nil {
		return
	}
	for _, s := range b.Stmts {
		g.stmt(s)
	}
}

// stmt generates one statement; its temporaries die at its end.
func (g *gen) stmt(s ast.Stmt) {
	m := g.mark()
	defer g.release(m)
	depth := g.depth
	g.stmt1(s)
	if g.depth != depth {
		g.fail("internal error: %d temporaries left by a %T", g.depth-depth, s)
	}
}

func (g *gen) stmt1(s ast.Stmt) {
	if _, isBlock := s.(*ast.Block); !isBlock {
		g.source(s)
	}
	switch s := s.(type) {
	case *ast.Block:
		g.block(s)
	case *ast.ExprStmt:
		if s.Discard {
			g.discard(s.X)
		} else {
			g.exprStmt(s.X)
		}
	case *ast.AssignStmt:
		g.assign(s)
	case *ast.LetStmt:
		v := g.info.Vars[s.Var]
		if v == nil || v.Type == nil {
			return
		}
		if s.Value != nil {
			g.storeVar(v.Type, g.varLoc(v), s.Value)
		} else {
			g.Zero(g.varLoc(v), v.Type.Size())
		}
	case *ast.IfStmt:
		elseL := g.NewLabel()
		g.branch(s.Cond, elseL, false)
		g.block(s.Then)
		if s.Else != nil {
			end := g.NewLabel()
			g.jmp(end)
			g.Bind(elseL)
			g.stmt(s.Else)
			g.Bind(end)
		} else {
			g.Bind(elseL)
		}
	case *ast.WhileStmt:
		top, brk := g.NewLabel(), g.NewLabel()
		g.Bind(top)
		g.branch(s.Cond, brk, false)
		g.loops = append(g.loops, loopLabels{brk: brk, cont: top})
		g.block(s.Body)
		g.loops = g.loops[:len(g.loops)-1]
		g.jmp(top)
		g.Bind(brk)
	case *ast.UnrollStmt:
		n, _ := g.info.Consts[s.Count]
		count := n.Int
		if lit, ok := s.Count.(*ast.IntLit); ok {
			count = int64(lit.Value)
		}
		for i := int64(0); i < count; i++ {
			g.block(s.Body)
		}
	case *ast.ForStmt:
		g.forStmt(s)
	case *ast.JumpStmt:
		switch s.Kind {
		case "break":
			g.jmp(g.loops[len(g.loops)-1].brk)
		case "continue":
			g.jmp(g.loops[len(g.loops)-1].cont)
		default:
			g.ExitProgram()
		}
	default:
		g.fail("cannot generate statement %T", s)
	}
}

// maxUnrolledRange is the longest constant range a for loop is unrolled for.
const maxUnrolledRange = 16

func (g *gen) forStmt(s *ast.ForStmt) {
	if mr, ok := s.Iter.(*ast.MapRef); ok {
		g.forMap(s, mr)
		return
	}
	r, ok := s.Iter.(*ast.Range)
	if !ok {
		g.fail("for loops iterate over maps and ranges")
	}
	v := g.info.Vars[s.Var]
	loc := g.varLoc(v)
	lo, okLo := g.smallImm(r.Lo)
	hi, okHi := g.smallImm(r.Hi)
	if okLo && okHi && int64(hi)-int64(lo) <= maxUnrolledRange {
		// Constant bounds: unroll. Cheaper, and the verifier need not
		// track a loop (this kernel mishandles some loops in callbacks).
		brk := g.NewLabel()
		for i := lo; i < hi; i++ {
			cont := g.NewLabel()
			g.StoreImm(loc, int64(i), asm.DWord)
			g.loops = append(g.loops, loopLabels{brk: brk, cont: cont})
			g.block(s.Body)
			g.loops = g.loops[:len(g.loops)-1]
			g.Bind(cont)
		}
		g.Bind(brk)
		return
	}
	end := g.Temp(8)
	x := g.Expr(r.Lo)
	g.StoreReg(loc, x, asm.DWord)
	g.Pop()
	x = g.Expr(r.Hi)
	g.StoreReg(end, x, asm.DWord)
	g.Pop()
	top, cont, brk := g.NewLabel(), g.NewLabel(), g.NewLabel()
	cmp := asm.JGE
	if isSigned(v.Type) {
		cmp = asm.JSGE
	}
	g.Bind(top)
	g.LoadMem(asm.R1, loc, asm.DWord)
	g.LoadMem(asm.R2, end, asm.DWord)
	g.Emit(cmp.Reg(asm.R1, asm.R2, brk))
	g.loops = append(g.loops, loopLabels{brk: brk, cont: cont})
	g.block(s.Body)
	g.loops = g.loops[:len(g.loops)-1]
	g.Bind(cont)
	g.nextIteration(loc, asm.R1, top)
	g.Bind(brk)
}

// nextIteration ends a counted loop's body: the counter in memory at loc
// goes up by one (through r) and the loop goes back to top.
func (g *gen) nextIteration(loc stdlib.Loc, r asm.Register, top string) {
	g.LoadMem(r, loc, asm.DWord)
	g.Emit(asm.Add.Imm(r, 1))
	g.StoreReg(loc, r, asm.DWord)
	g.jmp(top)
}

func (g *gen) storeVar(t types.Type, loc stdlib.Loc, value ast.Expr) {
	saved := g.padStrings
	g.padStrings = true
	g.Store(value, loc, t)
	g.padStrings = saved
}

func (g *gen) exprStmt(x ast.Expr) {
	if sub, ok := g.info.Subst[x]; ok {
		g.exprStmt(sub)
		return
	}
	if b, ok := x.(*ast.BlockExpr); ok {
		for _, s := range b.Stmts {
			g.stmt(s)
		}
		if b.Value != nil {
			g.exprStmt(b.Value)
		}
		return
	}
	switch x := x.(type) {
	case *ast.IncDec:
		g.incdec(x, false)
		return
	case *ast.Call, *ast.Ident:
		ci := g.info.Calls[x]
		if ci != nil && ci.Entry.EmitDiscarded != nil {
			ci.Entry.EmitDiscarded(g, ci.Call)
			return
		}
		if ci != nil {
			t := g.Type(x)
			if _, void := t.(*types.Void); void || t == nil {
				ci.Entry.Emit(g, ci.Call, stdlib.Loc{})
				return
			}
		}
	}
	t := g.Type(x)
	if t == nil {
		return
	}
	if isMemory(t) {
		g.Store(x, g.Temp(t.Size()), t)
		return
	}
	g.Expr(x)
	g.Pop()
}

// discard is "_ = x": x is evaluated as a value and thrown away.
func (g *gen) discard(x ast.Expr) {
	t := g.Type(x)
	switch {
	case t == nil:
	case isMemory(t):
		g.Store(x, g.Temp(t.Size()), t)
	default:
		if _, void := t.(*types.Void); void {
			g.exprStmt(x)
			return
		}
		g.Expr(x)
		g.Pop()
	}
}

func (g *gen) assign(s *ast.AssignStmt) {
	if call, ok := s.Value.(*ast.Call); ok {
		if ci := g.info.Calls[call]; ci != nil && ci.Entry.Kind == stdlib.Agg {
			ci.Entry.EmitAgg(g, ci.Call, g.aggTarget(s.Target))
			return
		}
	}
	op := ""
	if s.Op != "=" {
		op = s.Op[:len(s.Op)-1]
	}
	switch t := s.Target.(type) {
	case *ast.Variable:
		v := g.info.Vars[t]
		loc := g.varLoc(v)
		if op == "" {
			g.storeVar(v.Type, loc, s.Value)
			return
		}
		r := g.Push()
		g.loadScalar(r, loc, v.Type)
		x := g.Expr(s.Value)
		if p, ok := v.Type.(*types.Pointer); ok && ptrStride(p) > 1 {
			g.Emit(asm.Mul.Imm(x, int32(ptrStride(p))))
		}
		g.aluReg(op, r, x, isSigned(v.Type))
		g.Pop()
		size, _ := scalarSize(v.Type)
		g.StoreReg(loc, r, size)
		g.Pop()
	case *ast.MapRef, *ast.MapAccess:
		if op == "" {
			g.mapAssign(t, s.Value)
			return
		}
		g.mapModify(t, op, s.Value, 0, false, false)
	default:
		g.fail("cannot assign to %T", s.Target)
	}
}

// incdec generates x++ / --x; with result it pushes the expression's value.
func (g *gen) incdec(e *ast.IncDec, result bool) asm.Register {
	delta := int32(1)
	if e.Op == "--" {
		delta = -1
	}
	switch x := e.X.(type) {
	case *ast.Variable:
		v := g.info.Vars[x]
		if p, ok := v.Type.(*types.Pointer); ok {
			delta *= int32(ptrStride(p))
		}
		loc := g.varLoc(v)
		r := g.Push()
		g.loadScalar(r, loc, v.Type)
		g.Emit(asm.Add.Imm(r, delta))
		size, _ := scalarSize(v.Type)
		g.StoreReg(loc, r, size)
		if !result {
			g.Pop()
			return 0
		}
		if e.Post {
			g.Emit(asm.Add.Imm(r, -delta))
		}
		return r
	case *ast.MapRef, *ast.MapAccess:
		g.mapModify(x, "+", nil, delta, result, e.Post)
		if result {
			return g.top()
		}
		return 0
	}
	g.fail("cannot increment %T", e.X)
	return 0
}
