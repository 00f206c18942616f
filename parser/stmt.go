package parser

import "github.com/gobpftrace/gobpftrace/lang/ast"

// parseBlock parses "{ stmts }". Statements are separated by ';'; the last
// one may omit it, and block statements (if, while, for, unroll, { }) need none.
func (p *parser) parseBlock() *ast.Block {
	start := p.tok.start
	p.expect(tLBrace)
	stmts, _ := p.parseStmts()
	p.expect(tRBrace)
	return &ast.Block{Base: ast.Base{Sp: p.sp(start)}, Stmts: stmts}
}

// parseStmts parses statements up to (not including) '}'. open reports
// whether the last statement is an expression not followed by ';', which
// makes it the value of a block expression.
func (p *parser) parseStmts() (stmts []ast.Stmt, open bool) {
	p.enter()
	defer p.leave()
	for p.tok.kind != tRBrace {
		if p.tok.kind == tEOF {
			p.unexpected("}")
		}
		if p.got(tSemi) {
			open = false
			continue
		}
		s, needSemi := p.parseStmt()
		stmts = append(stmts, s)
		open = false
		if !needSemi {
			continue
		}
		if p.got(tSemi) {
			continue
		}
		if p.tok.kind != tRBrace {
			p.unexpected(";", "}")
		}
		_, open = s.(*ast.ExprStmt)
	}
	return stmts, open
}

// parseStmt parses one statement and says whether it must be followed by ';'
// (or the closing '}').
func (p *parser) parseStmt() (ast.Stmt, bool) {
	t := p.tok
	if t.kind == tLBrace {
		return p.parseBlock(), false
	}
	if t.kind == tIdent {
		switch p.text(t) {
		case "if":
			return p.parseIf(), false
		case "while":
			p.next()
			w := &ast.WhileStmt{Cond: p.parseExpr()}
			w.Body = p.parseBlock()
			w.Sp = p.sp(t.start)
			return w, false
		case "unroll":
			p.next()
			u := &ast.UnrollStmt{Count: p.parseExpr()}
			u.Body = p.parseBlock()
			u.Sp = p.sp(t.start)
			return u, false
		case "for":
			return p.parseFor(), false
		case "return":
			p.next()
			j := &ast.JumpStmt{Kind: "return"}
			if p.tok.kind != tSemi && p.tok.kind != tRBrace {
				j.Value = p.parseExpr()
			}
			j.Sp = p.sp(t.start)
			return j, true
		case "break", "continue":
			p.next()
			return &ast.JumpStmt{Base: ast.Base{Sp: p.sp(t.start)}, Kind: p.text(t)}, true
		case "let":
			return p.parseLet(), true
		}
	}
	x := p.parseExpr()
	if id, ok := x.(*ast.Ident); ok && id.Name == "_" && p.tok.kind == tAssign {
		// "_ = expr": the discard expression, an expression statement.
		p.next()
		val := p.parseExpr()
		return &ast.ExprStmt{Base: ast.Base{Sp: p.sp(t.start)}, X: val, Discard: true}, true
	}
	if op, ok := compoundOps[p.tok.kind]; ok {
		p.checkTarget(x)
		p.next()
		val := p.parseExpr()
		if _, ok := x.(*ast.TupleIndex); ok {
			p.failAt(t.start, p.prevEnd, "Tuples are immutable once created. Consider creating a new tuple and assigning it instead.")
		}
		return &ast.AssignStmt{Base: ast.Base{Sp: p.sp(t.start)}, Target: x, Op: op, Value: val}, true
	}
	return &ast.ExprStmt{Base: ast.Base{Sp: p.sp(t.start)}, X: x}, true
}

// checkTarget rejects assignments to things that cannot hold a value.
func (p *parser) checkTarget(x ast.Expr) {
	switch x := x.(type) {
	case *ast.Variable, *ast.MapRef, *ast.MapAccess, *ast.FieldAccess, *ast.IndexExpr, *ast.TupleIndex:
		return
	case *ast.Ident:
		if x.Name == "_" { // discard: "_ = expr"
			return
		}
	}
	p.unexpected()
}

func (p *parser) parseIf() *ast.IfStmt {
	start := p.tok.start
	p.next() // if
	s := &ast.IfStmt{Cond: p.parseExpr()}
	s.Then = p.parseBlock()
	if p.isKw("else") {
		p.next()
		if p.isKw("if") {
			s.Else = p.parseIf()
		} else {
			s.Else = p.parseBlock()
		}
	}
	s.Sp = p.sp(start)
	return s
}

func (p *parser) parseFor() *ast.ForStmt {
	start := p.tok.start
	p.next() // for
	paren := p.got(tLParen)
	vt := p.expect(tVar)
	f := &ast.ForStmt{Var: p.variable(vt)}
	p.expect(tColon)
	iterStart := p.tok.start
	iter := p.parseExpr()
	if p.got(tDotDot) {
		hi := p.parseExpr()
		iter = &ast.Range{Base: ast.Base{Sp: p.sp(iterStart)}, Lo: iter, Hi: hi}
	}
	f.Iter = iter
	if paren {
		p.expect(tRParen)
	}
	f.Body = p.parseBlock()
	f.Sp = p.sp(start)
	return f
}

func (p *parser) parseLet() ast.Stmt {
	start := p.tok.start
	p.next() // let
	vt := p.expect(tVar)
	l := &ast.LetStmt{Var: p.variable(vt)}
	if p.got(tColon) {
		l.Type = p.parseType()
	}
	if p.got(tAssign) {
		l.Value = p.parseExpr()
	}
	l.Sp = p.sp(start)
	return l
}

func (p *parser) variable(t token) *ast.Variable {
	return &ast.Variable{Base: ast.Base{Sp: span(t.start, t.end)}, Name: p.text(t)[1:]}
}
