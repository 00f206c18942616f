package parser

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// builtinTypes are bpftrace's own type names; with the C base type words
// and the type keywords they start a type unambiguously.
var builtinTypes = map[string]bool{
	"bool": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"string": true, "inet": true, "buffer": true, "void": true,
	"min_t": true, "max_t": true, "sum_t": true, "count_t": true, "avg_t": true, "stats_t": true,
	"umin_t": true, "umax_t": true, "usum_t": true, "ucount_t": true, "uavg_t": true, "ustats_t": true,
	"timestamp": true, "macaddr_t": true, "cgroup_path_t": true, "strerror_t": true,
	"usym_t": true, "ksym_t": true,
}

// cWords are C's multi-word base type specifiers ("unsigned long long").
var cWords = map[string]bool{
	"char": true, "short": true, "int": true, "long": true, "unsigned": true,
	"signed": true, "float": true, "double": true, "_Bool": true,
}

var qualifiers = map[string]bool{
	"const": true, "volatile": true, "restrict": true, "__restrict": true,
}

func isTypeWord(s string) bool {
	switch s {
	case "struct", "union", "enum", "typeof":
		return true
	}
	return builtinTypes[s] || cWords[s] || qualifiers[s]
}

// startsType reports whether the token n places ahead (0 = current) starts
// a type without any doubt.
func (p *parser) startsType(n int) bool {
	t := p.tok
	if n > 0 {
		t = p.peek(n)
	}
	return t.kind == tIdent && isTypeWord(p.text(t))
}

// parseType parses a type as written in casts, let, sizeof and offsetof:
// "uint8", "string[16]", "struct task_struct *", "unsigned long", "int8[4]",
// "typeof($x)", a typedef name.
func (p *parser) parseType() *ast.TypeExpr {
	start := p.tok.start
	te := &ast.TypeExpr{}
	for p.tok.kind == tIdent && qualifiers[p.text(p.tok)] {
		p.next()
	}
	if p.tok.kind != tIdent {
		p.unexpected("type")
	}
	name := p.text(p.tok)
	switch {
	case name == "struct" || name == "union" || name == "enum":
		p.next()
		id := p.expect(tIdent)
		te.Name = name + " " + p.text(id)
	case name == "typeof":
		p.next()
		p.expect(tLParen)
		if p.startsType(0) {
			te.Typeof = p.parseType()
		} else {
			te.Typeof = p.parseExpr()
		}
		p.expect(tRParen)
	case cWords[name]:
		var words []string
		for p.tok.kind == tIdent && (cWords[p.text(p.tok)] || qualifiers[p.text(p.tok)]) {
			if w := p.text(p.tok); cWords[w] {
				words = append(words, w)
			}
			p.next()
		}
		te.Name = strings.Join(words, " ")
	default:
		if keywords[name] {
			p.unexpected("type")
		}
		p.next()
		te.Name = name
	}
	p.typeSuffix(te)
	te.Sp = p.sp(start)
	return te
}

// typeSuffix parses the '*' and '[N]' derivations after a base type.
func (p *parser) typeSuffix(te *ast.TypeExpr) {
	for {
		switch {
		case p.tok.kind == tMul:
			p.next()
			te.Ptr++
		case p.tok.kind == tLBracket:
			p.next()
			if p.got(tRBracket) {
				te.Dims = append(te.Dims, -1)
				continue
			}
			n := p.expect(tInt, "integer", "]")
			lit := p.intLit(n)
			p.expect(tRBracket)
			te.Dims = append(te.Dims, int(lit.Value))
		case p.tok.kind == tIdent && qualifiers[p.text(p.tok)]:
			p.next()
		default:
			return
		}
	}
}

// tryCast parses "(type) operand" if the parenthesis at the current token
// opens a cast, and returns nil (consuming nothing) otherwise.
//
// "(uint8)", "(struct x *)", "(foo *)" and "(foo[4])" are casts. A plain
// "(foo)" is a cast when an operand follows it; when a '-', '*', '&' or '+'
// follows, it is a cast only if foo looks like a type (a "_t" name), as
// bpftrace cannot know either without type information.
func (p *parser) tryCast() ast.Expr {
	t1 := p.peek(1)
	if t1.kind != tIdent {
		return nil
	}
	name := p.text(t1)
	if !isTypeWord(name) {
		if keywords[name] || isBuiltin(name) {
			return nil
		}
		n := 2
		derived := false
		for p.peek(n).kind == tMul {
			n++
			derived = true
		}
		for p.peek(n).kind == tLBracket {
			switch {
			case p.peek(n+1).kind == tRBracket:
				n += 2
			case p.peek(n+1).kind == tInt && p.peek(n+2).kind == tRBracket:
				n += 3
			default:
				return nil
			}
			derived = true
		}
		if p.peek(n).kind != tRParen {
			return nil
		}
		if !derived {
			after := p.peek(n + 1)
			switch {
			case startsOperand(after.kind):
			case after.kind == tMinus || after.kind == tMul || after.kind == tAnd || after.kind == tPlus:
				if !strings.HasSuffix(name, "_t") {
					return nil
				}
			default:
				return nil
			}
		}
	}
	start := p.tok.start
	p.next() // (
	typ := p.parseType()
	p.expect(tRParen)
	x := p.parseUnary()
	return &ast.Cast{Base: ast.Base{Sp: p.sp(start)}, Type: typ, X: x}
}

// startsOperand reports whether a token can only begin an operand (never
// continue an expression), which makes a preceding "(name)" a cast.
func startsOperand(k kind) bool {
	switch k {
	case tInt, tString, tVar, tParam, tParamCount, tMap, tIdent, tLParen, tNot, tTilde, tInc, tDec:
		return true
	}
	return false
}
