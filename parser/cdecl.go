package parser

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// The C preamble: struct/union/enum definitions and typedefs, parsed into
// declarations the checker can use without clang. Only what bpftrace
// scripts use is covered: fields with C types, pointers, arrays, nested
// records, bitfields, function pointers (kept as pointers).

// parseCRecordDecl parses "struct|union [name] { fields } [;]" at top level.
func (p *parser) parseCRecordDecl() ast.Decl {
	if p.peek(1).kind != tIdent {
		p.next()
		p.unexpected("identifier")
	}
	rec := p.parseCRecord()
	p.got(tSemi)
	return rec
}

func (p *parser) parseCRecord() *ast.CRecord {
	start := p.tok.start
	rec := &ast.CRecord{Union: p.text(p.tok) == "union"}
	p.next() // struct/union
	if p.tok.kind == tIdent {
		rec.Name = p.text(p.tok)
		p.next()
	}
	if p.tok.kind != tLBrace {
		if rec.Name != "" && p.tok.kind == tSemi {
			rec.Sp = p.sp(start) // forward declaration
			return rec
		}
		p.unexpected("{")
	}
	p.next()
	rec.Fields = []*ast.CField{}
	for !p.got(tRBrace) {
		if p.tok.kind == tEOF {
			p.unexpected("}")
		}
		if p.got(tSemi) {
			continue
		}
		rec.Fields = append(rec.Fields, p.parseCFields()...)
	}
	rec.Sp = p.sp(start)
	return rec
}

// parseCFields parses one member declaration, which may declare several
// fields ("int a, *b;") or an inline record.
func (p *parser) parseCFields() []*ast.CField {
	start := p.tok.start
	for p.tok.kind == tIdent && qualifiers[p.text(p.tok)] {
		p.next()
	}
	var inline *ast.CRecord
	var base *ast.TypeExpr
	kw := p.text(p.tok)
	if p.tok.kind == tIdent && (kw == "struct" || kw == "union") &&
		(p.peek(1).kind == tLBrace || (p.peek(1).kind == tIdent && p.peek(2).kind == tLBrace)) {
		inline = p.parseCRecord()
		// Declarators are parsed against a stand-in type so that pointers
		// and arrays of the inline record can be recognised below.
		name := inline.Name
		if name == "" {
			name = "<anonymous>"
		}
		base = &ast.TypeExpr{Base: inline.Base, Name: kw + " " + name}
	} else {
		base = p.parseCBaseType()
	}
	var fields []*ast.CField
	derived := false
	for {
		typ := *base
		f := &ast.CField{Type: &typ}
		p.parseDeclarator(f)
		if f.Name == "" && (inline == nil || f.Type.Ptr > 0 || len(f.Type.Dims) > 0) {
			p.unexpected("identifier")
		}
		if f.Type.Ptr > 0 || len(f.Type.Dims) > 0 {
			derived = true
		}
		if p.got(tColon) {
			n := p.expect(tInt)
			f.Bits = int(p.intLit(n).Value)
		}
		f.Sp = p.sp(start)
		fields = append(fields, f)
		if !p.got(tComma) {
			break
		}
	}
	if inline != nil {
		switch {
		case derived && inline.Name != "":
			// "struct B { ... } *b;": like C, the named record is declared
			// at file scope, and the fields refer to it by name.
			p.hoisted = append(p.hoisted, inline)
		case derived:
			p.failAt(start, p.prevEnd, "pointers and arrays of anonymous inline records are not supported")
		default:
			for _, f := range fields {
				f.Type, f.Record = nil, inline
			}
		}
	}
	p.expect(tSemi, ";", ",")
	return fields
}

// parseCBaseType parses a C declaration's base type: qualifiers, C words
// ("unsigned long"), "struct x", "enum e" or a typedef name.
func (p *parser) parseCBaseType() *ast.TypeExpr {
	start := p.tok.start
	te := &ast.TypeExpr{}
	var words []string
	for p.tok.kind == tIdent {
		w := p.text(p.tok)
		switch {
		case qualifiers[w]:
			p.next()
			continue
		case cWords[w]:
			words = append(words, w)
			p.next()
			continue
		case len(words) == 0 && (w == "struct" || w == "union" || w == "enum"):
			p.next()
			id := p.expect(tIdent)
			words = append(words, w+" "+p.text(id))
			continue
		case len(words) == 0 && !keywords[w]:
			words = append(words, w)
			p.next()
			continue
		}
		break
	}
	if len(words) == 0 {
		p.unexpected("type")
	}
	te.Name = strings.Join(words, " ")
	te.Sp = p.sp(start)
	return te
}

// parseDeclarator parses "*... name [N]..." or a function pointer
// "(*name)(params)" into f. The name is optional (anonymous members).
func (p *parser) parseDeclarator(f *ast.CField) {
	ptr := 0
	for {
		if p.got(tMul) {
			ptr++
			continue
		}
		if p.tok.kind == tIdent && qualifiers[p.text(p.tok)] {
			p.next()
			continue
		}
		break
	}
	if p.tok.kind == tLParen && p.peek(1).kind == tMul {
		p.next() // (
		for p.got(tMul) {
			ptr++
		}
		f.Name = p.text(p.expect(tIdent))
		p.expect(tRParen)
		p.skipBalanced(tLParen, tRParen)
	} else if p.tok.kind == tIdent {
		f.Name = p.text(p.tok)
		p.next()
	}
	if f.Type != nil {
		f.Type.Ptr += ptr
		for p.got(tLBracket) {
			if p.got(tRBracket) {
				f.Type.Dims = append(f.Type.Dims, -1)
				continue
			}
			n := p.expect(tInt, "integer", "]")
			f.Type.Dims = append(f.Type.Dims, int(p.intLit(n).Value))
			p.expect(tRBracket)
		}
	} else if ptr > 0 {
		p.unexpected("identifier")
	}
}

// skipBalanced skips a parenthesised group starting at the current token.
func (p *parser) skipBalanced(open, close kind) {
	p.expect(open)
	depth := 1
	for depth > 0 {
		switch p.tok.kind {
		case tEOF:
			p.unexpected(close.String())
		case open:
			depth++
		case close:
			depth--
		}
		p.next()
	}
}

// parseCEnumDecl parses "enum [name] { A, B = 2, ... } [;]".
func (p *parser) parseCEnumDecl() ast.Decl {
	start := p.tok.start
	p.next() // enum
	e := &ast.CEnum{}
	if p.tok.kind == tIdent {
		e.Name = p.text(p.tok)
		p.next()
	}
	p.expect(tLBrace)
	for p.tok.kind != tRBrace {
		nt := p.expect(tIdent, "identifier", "}")
		v := &ast.CEnumValue{Name: p.text(nt)}
		if p.got(tAssign) {
			v.Value = p.parseExpr()
		}
		v.Sp = p.sp(nt.start)
		e.Values = append(e.Values, v)
		if !p.got(tComma) {
			break
		}
	}
	p.expect(tRBrace, "}", ",")
	e.Sp = p.sp(start)
	p.got(tSemi)
	return e
}

// parseTypedef parses "typedef TYPE NAME;". An inline record definition
// ("typedef struct { ... } name;") is not supported.
func (p *parser) parseTypedef() ast.Decl {
	start := p.tok.start
	p.next() // typedef
	f := &ast.CField{Type: p.parseCBaseType()}
	p.parseDeclarator(f)
	if f.Name == "" {
		p.unexpected("identifier")
	}
	p.expect(tSemi)
	return &ast.CTypedef{Base: ast.Base{Sp: p.sp(start)}, Type: f.Type, Name: f.Name}
}
