package parser

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// binPrec is C's precedence for the binary operators bpftrace has; all are
// left-associative. Higher binds tighter.
var binPrec = [numKinds]int8{
	tLOr:  1,
	tLAnd: 2,
	tOr:   3,
	tXor:  4,
	tAnd:  5,
	tEq:   6, tNe: 6,
	tLt: 7, tLe: 7, tGt: 7, tGe: 7,
	tShl: 8, tShr: 8,
	tPlus: 9, tMinus: 9,
	tMul: 10, tDiv: 10, tMod: 10,
}

// parseExpr parses a full expression: the ternary and everything below.
func (p *parser) parseExpr() ast.Expr {
	p.enter()
	defer p.leave()
	start := p.tok.start
	cond := p.parseBinary(1)
	if p.tok.kind != tQues {
		return cond
	}
	p.next()
	then := p.parseExpr()
	p.expect(tColon)
	els := p.parseExpr()
	return &ast.Ternary{Base: ast.Base{Sp: p.sp(start)}, Cond: cond, Then: then, Else: els}
}

// parseBinary is precedence climbing over binPrec.
func (p *parser) parseBinary(minPrec int8) ast.Expr {
	start := p.tok.start
	x := p.parseUnary()
	for {
		k := p.tok.kind
		prec := binPrec[k]
		if prec < minPrec || prec == 0 {
			return x
		}
		if k == tDiv && p.inPred && p.atEndPred() {
			return x
		}
		op := k.String()
		p.next()
		y := p.parseBinary(prec + 1)
		x = &ast.Binary{Base: ast.Base{Sp: p.sp(start)}, Op: op, L: x, R: y}
	}
}

var unaryOps = map[kind]string{
	tNot: "!", tTilde: "~", tMinus: "-", tPlus: "+", tMul: "*", tAnd: "&",
}

func (p *parser) parseUnary() ast.Expr {
	p.enter()
	defer p.leave()
	t := p.tok
	if op, ok := unaryOps[t.kind]; ok {
		p.next()
		x := p.parseUnary()
		return &ast.Unary{Base: ast.Base{Sp: p.sp(t.start)}, Op: op, X: x}
	}
	switch t.kind {
	case tInc, tDec:
		p.next()
		operand := p.tok
		x := p.parseUnary()
		if _, ok := x.(*ast.Ident); ok {
			p.failAt(t.start, t.end, "The %s operator must be applied to a map or variable", t.kind)
		}
		if !isStorage(x) {
			p.failAt(operand.start, operand.end, "syntax error, unexpected %s", p.describe(operand))
		}
		return &ast.IncDec{Base: ast.Base{Sp: p.sp(t.start)}, Op: t.kind.String(), X: x}
	case tLParen:
		if c := p.tryCast(); c != nil {
			return c
		}
	}
	return p.parsePostfix(p.parsePrimary())
}

// isStorage reports whether x names something ++ and -- can update.
func isStorage(x ast.Expr) bool {
	switch x.(type) {
	case *ast.Variable, *ast.MapRef, *ast.MapAccess, *ast.FieldAccess, *ast.IndexExpr, *ast.TupleIndex:
		return true
	}
	return false
}

func (p *parser) parsePostfix(x ast.Expr) ast.Expr {
	start := int(x.Span().Start)
	for {
		switch p.tok.kind {
		case tDot:
			p.next()
			t := p.tok
			switch t.kind {
			case tInt:
				n, err := strconv.Atoi(p.text(t))
				if err != nil {
					p.failAt(t.start, t.end, "invalid tuple index: %s", p.text(t))
				}
				p.next()
				x = &ast.TupleIndex{Base: ast.Base{Sp: p.sp(start)}, X: x, N: n}
			case tIdent:
				p.next()
				x = &ast.FieldAccess{Base: ast.Base{Sp: p.sp(start)}, X: x, Name: p.text(t)}
			default:
				p.unexpected("identifier", "integer")
			}
		case tArrow:
			p.next()
			t := p.expect(tIdent)
			x = &ast.FieldAccess{Base: ast.Base{Sp: p.sp(start)}, X: x, Name: p.text(t), Arrow: true}
		case tLBracket:
			p.next()
			idx := p.parseExpr()
			p.expect(tRBracket)
			x = &ast.IndexExpr{Base: ast.Base{Sp: p.sp(start)}, X: x, Index: idx}
		case tInc, tDec:
			t := p.tok
			if _, ok := x.(*ast.Ident); ok {
				sp := x.Span()
				p.failAt(int(sp.Start), int(sp.End), "The %s operator must be applied to a map or variable", t.kind)
			}
			if !isStorage(x) {
				return x // "5++": the caller reports the unexpected "++"
			}
			p.next()
			x = &ast.IncDec{Base: ast.Base{Sp: p.sp(start)}, Op: t.kind.String(), Post: true, X: x}
		default:
			return x
		}
	}
}

func (p *parser) parsePrimary() ast.Expr {
	t := p.tok
	switch t.kind {
	case tInt:
		p.next()
		return p.intLit(t)
	case tString:
		p.next()
		return &ast.StringLit{Base: ast.Base{Sp: span(t.start, t.end)}, Value: p.unquote(t), Raw: p.text(t)}
	case tVar:
		p.next()
		return p.variable(t)
	case tParam:
		p.next()
		n, err := strconv.ParseInt(p.text(t)[1:], 10, 64)
		if err != nil || n == 0 {
			p.errAt(t.start, t.end, "param %s is out of integer range [1, 9223372036854775807]", p.text(t))
		}
		return &ast.PositionalParam{Base: ast.Base{Sp: span(t.start, t.end)}, N: int(n)}
	case tParamCount:
		p.next()
		return &ast.PositionalParam{Base: ast.Base{Sp: span(t.start, t.end)}, Count: true}
	case tMap:
		p.next()
		m := p.mapRef(t)
		if p.tok.kind != tLBracket {
			return m
		}
		p.next()
		keys := p.parseArgs(tRBracket)
		p.expect(tRBracket, "]", ",")
		return &ast.MapAccess{Base: ast.Base{Sp: p.sp(t.start)}, Map: m, Keys: keys}
	case tLParen:
		return p.parseParen()
	case tLBrace:
		return p.parseBlockExpr()
	case tIdent:
		return p.parseIdentExpr()
	}
	p.unexpected()
	return nil
}

func (p *parser) intLit(t token) *ast.IntLit {
	raw := p.text(t)
	lit := &ast.IntLit{Base: ast.Base{Sp: span(t.start, t.end)}, Raw: raw}
	if raw[0] == '\'' {
		s := p.unquote(t)
		if len(s) != 1 {
			p.errAt(t.start, t.end, "invalid character literal %s", raw)
			return lit
		}
		lit.Value = uint64(s[0])
		return lit
	}
	v, suffix, err := parseInt(raw)
	if err != nil {
		p.errAt(t.start, t.end, "%s", err.Error())
	}
	lit.Value, lit.Suffix = v, suffix
	return lit
}

func (p *parser) parseIdentExpr() ast.Expr {
	t := p.tok
	name := p.text(t)
	switch name {
	case "true", "false":
		p.next()
		return &ast.BoolLit{Base: ast.Base{Sp: span(t.start, t.end)}, Value: name == "true"}
	case "sizeof":
		return p.parseSizeof()
	case "if":
		return p.parseIfExpr()
	case "offsetof":
		return p.parseOffsetof()
	}
	if keywords[name] {
		p.unexpected()
	}
	p.next()
	macro := false
	if p.tok.kind == tNot && p.tok.start == t.end && p.peek(1).kind == tLParen {
		p.next() // name!(...)
		macro = true
	}
	if p.tok.kind != tLParen {
		return &ast.Ident{Base: ast.Base{Sp: span(t.start, t.end)}, Name: name}
	}
	p.next()
	args := p.parseArgs(tRParen)
	p.expect(tRParen, ")", ",")
	return &ast.Call{Base: ast.Base{Sp: p.sp(t.start)}, Func: name, Args: args, Macro: macro}
}

// parseArgs parses a comma-separated expression list up to close.
func (p *parser) parseArgs(close kind) []ast.Expr {
	var args []ast.Expr
	for p.tok.kind != close {
		args = append(args, p.parseExpr())
		if !p.got(tComma) {
			break
		}
	}
	return args
}

// parseParen parses "(e)", a tuple "(a, b)", "(a,)", "()" or a record "(a = 1, b = 2)".
func (p *parser) parseParen() ast.Expr {
	start := p.tok.start
	p.next() // (
	if p.got(tRParen) {
		return &ast.Tuple{Base: ast.Base{Sp: p.sp(start)}}
	}
	if p.tok.kind == tIdent && p.peek(1).kind == tAssign {
		return p.parseRecord(start)
	}
	x := p.parseExpr()
	if p.got(tRParen) {
		return x
	}
	if p.tok.kind != tComma {
		p.unexpected(")", ",")
	}
	elems := []ast.Expr{x}
	for p.got(tComma) {
		if p.tok.kind == tRParen {
			break
		}
		elems = append(elems, p.parseExpr())
	}
	p.expect(tRParen, ")", ",")
	return &ast.Tuple{Base: ast.Base{Sp: p.sp(start)}, Elems: elems}
}

func (p *parser) parseRecord(start int) ast.Expr {
	r := &ast.Record{}
	for p.tok.kind != tRParen {
		nt := p.expect(tIdent)
		p.expect(tAssign)
		v := p.parseExpr()
		r.Fields = append(r.Fields, &ast.RecordField{Base: ast.Base{Sp: p.sp(nt.start)}, Name: p.text(nt), Value: v})
		if !p.got(tComma) {
			break
		}
	}
	p.expect(tRParen, ")", ",")
	r.Sp = p.sp(start)
	return r
}

// parseBlockExpr parses "{ stmts; value }" in expression position.
func (p *parser) parseBlockExpr() ast.Expr {
	start := p.tok.start
	p.expect(tLBrace)
	stmts, open := p.parseStmts()
	if !open {
		p.unexpected()
	}
	last := stmts[len(stmts)-1].(*ast.ExprStmt)
	p.expect(tRBrace)
	return &ast.BlockExpr{Base: ast.Base{Sp: p.sp(start)}, Stmts: stmts[:len(stmts)-1], Value: last.X}
}

// parseIfExpr parses bpftrace's expression form
// "if cond { ...; a } else { ...; b }" (else may chain another if). The
// tree has no node of its own for it: it becomes a ternary whose arms are
// block expressions, which means the same.
func (p *parser) parseIfExpr() ast.Expr {
	start := p.tok.start
	p.next() // if
	cond := p.parseExpr()
	if p.tok.kind != tLBrace {
		p.unexpected("{")
	}
	then := p.parseBlockExpr()
	if !p.isKw("else") {
		p.unexpected("else")
	}
	p.next()
	var els ast.Expr
	if p.isKw("if") {
		els = p.parseIfExpr()
	} else {
		if p.tok.kind != tLBrace {
			p.unexpected("{", "if")
		}
		els = p.parseBlockExpr()
	}
	return &ast.Ternary{Base: ast.Base{Sp: p.sp(start)}, Cond: cond, Then: then, Else: els}
}

func (p *parser) parseSizeof() ast.Expr {
	start := p.tok.start
	p.next()
	p.expect(tLParen)
	s := &ast.Sizeof{}
	if p.startsType(0) {
		s.Type = p.parseType()
	} else {
		s.X = p.parseExpr()
	}
	p.expect(tRParen)
	s.Sp = p.sp(start)
	return s
}

func (p *parser) parseOffsetof() ast.Expr {
	start := p.tok.start
	p.next()
	p.expect(tLParen)
	o := &ast.Offsetof{}
	if p.startsType(0) || (p.tok.kind == tIdent && p.peek(1).kind == tComma && !isBuiltin(p.text(p.tok))) {
		o.Type = p.parseType()
	} else {
		o.X = p.parseExpr()
	}
	p.expect(tComma)
	for {
		t := p.expect(tIdent)
		o.Fields = append(o.Fields, p.text(t))
		if !p.got(tDot) {
			break
		}
	}
	p.expect(tRParen, ")", ".")
	o.Sp = p.sp(start)
	return o
}

// isBuiltin reports whether name is one of bpftrace's builtin variables.
func isBuiltin(name string) bool {
	switch name {
	case "pid", "tid", "uid", "gid", "nsecs", "elapsed", "numaid", "cpu", "ncpus",
		"curtask", "rand", "ctx", "comm", "kstack", "ustack", "func", "probe",
		"username", "cgroup", "cpid", "retval", "args", "jiffies", "usermode", "__probe":
		return true
	}
	if strings.HasPrefix(name, "__builtin_") {
		return true
	}
	for _, pre := range []string{"arg", "sarg"} {
		if rest, ok := strings.CutPrefix(name, pre); ok && rest != "" {
			if _, err := strconv.Atoi(rest); err == nil {
				return true
			}
		}
	}
	return false
}
