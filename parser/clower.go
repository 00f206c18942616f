package parser

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// cLower turns the C preamble's concrete syntax tree (cgrammar.go) into
// lang/ast declarations. It also makes the checks the grammar leaves open
// (a member needs a name unless it is an inline record, typedef names are
// not keywords, ...) and parses enumerator values with the hand-written
// expression parser.
//
// After a syntax error it runs on participle's partial tree, to find any
// error the old left-to-right parse would have met first; every access is
// therefore nil-safe.
type cLower struct {
	p *parser
	t *cTokens
	// detect is where the last fatal error was found (the token the
	// parser was looking at), to order it against participle's error.
	detect int
}

// fail records a fatal syntax error found at offset detect and unwinds.
func (l *cLower) fail(detect, start, end int, format string, args ...any) {
	l.detect = detect
	l.p.failAt(start, end, format, args...)
}

// unexpectedAt reports "syntax error, unexpected X, expecting ..." at tok.
func (l *cLower) unexpectedAt(tok token, expecting ...string) {
	l.detect = tok.start
	if tok.kind != tIllegal { // else the lexer has reported it
		l.p.errAt(tok.start, tok.end, "%s", l.p.cSyntaxMessage(tok, expecting))
	}
	panic(bailout{})
}

func (l *cLower) decl(d *cDecl) ast.Decl {
	switch {
	case d == nil:
		return nil
	case d.Record != nil:
		return l.recordDecl(d.Record)
	case d.Enum != nil:
		return l.enum(d.Enum)
	case d.Typedef != nil:
		return l.typedef(d.Typedef)
	}
	return nil
}

func (l *cLower) recordDecl(r *cRecordDecl) *ast.CRecord {
	rec := &ast.CRecord{Union: r.Kind.Value == "union", Name: r.Name.Value}
	start, end := r.Kind.Pos.Offset, tokEnd(r.Name)
	if r.Body != nil {
		rec.Fields = l.body(r.Body)
		end = r.Body.Close.End
	}
	rec.Sp = span(start, max(start, end))
	return rec
}

// body lowers a record body; a body, even an empty one, has non-nil Fields
// (nil Fields mean a forward declaration).
func (l *cLower) body(b *cBody) []*ast.CField {
	fields := []*ast.CField{}
	for _, m := range b.Members {
		fields = append(fields, l.member(m)...)
	}
	return fields
}

// inlineRecord lowers an inline "struct [name] { ... }" in a member.
func (l *cLower) inlineRecord(r *cRecordSpec) *ast.CRecord {
	rec := &ast.CRecord{Union: r.Kind.Value == "union", Name: r.Name.Value}
	rec.Fields = l.body(r.Body)
	start := r.Kind.Pos.Offset
	rec.Sp = span(start, max(start, r.Body.Close.End))
	return rec
}

// member lowers one member declaration into its fields. Each field's span
// runs from the start of the member to the end of its own declarator.
func (l *cLower) member(m *cMember) []*ast.CField {
	if m == nil || m.Spec == nil {
		return nil
	}
	start := m.Pos.Offset
	var inline *ast.CRecord
	var base *ast.TypeExpr
	if r := m.Spec.Record; r != nil && r.Body != nil {
		inline = l.inlineRecord(r)
		// Declarators are lowered against a stand-in type so that
		// pointers and arrays of the inline record can be told apart.
		name := inline.Name
		if name == "" {
			name = "<anonymous>"
		}
		base = &ast.TypeExpr{Base: inline.Base, Name: r.Kind.Value + " " + name}
	} else {
		base = l.spec(m.Spec, m.Spec.Pos.Offset)
	}
	var fields []*ast.CField
	derived := false
	lastEnd := specEnd(m.Spec)
	var lastDecl *cDeclarator
	for _, d := range m.Decls {
		// A declarator participle stopped in is checked only if it got
		// as far as the bitfield, where the old parser checked the name.
		if d == nil || (d.Tokens == nil && d.Colon.Value == "") {
			return nil
		}
		typ := *base
		f := &ast.CField{Type: &typ}
		l.declarator(d, f)
		// Only a record defined in place may go unnamed, and only alone
		// ("struct { int a; };"), not after a ',' ("struct S {} *p, ;").
		if f.Name == "" && (inline == nil || f.Type.Ptr > 0 || len(f.Type.Dims) > 0 || len(m.Decls) > 1) {
			l.unexpectedAt(l.afterDeclarator(d), "identifier")
		}
		if d.Tokens == nil {
			return nil // participle's error stands
		}
		if f.Type.Ptr > 0 || len(f.Type.Dims) > 0 {
			derived = true
		}
		if d.Bits.Value != "" {
			f.Bits = int(l.p.intLit(fromPlex(d.Bits)).Value)
		}
		if len(d.Tokens) > 0 {
			lastEnd = max(lastEnd, declEnd(d))
		} else {
			lastEnd = max(lastEnd, l.t.endBefore(d.Pos.Offset)) // up to a ','
		}
		f.Sp = span(start, lastEnd)
		fields = append(fields, f)
		lastDecl = d
	}
	if inline != nil {
		switch {
		case derived && inline.Name != "":
			// "struct B { ... } *b;": like C, the named record is declared
			// at file scope, and the fields refer to it by name.
			l.p.hoisted = append(l.p.hoisted, inline)
		case derived:
			detect := m.Semi.Start
			if m.Semi.End == 0 { // participle stopped after the declarators
				detect = l.afterDeclarator(lastDecl).start
			}
			l.fail(detect, start, lastEnd, "pointers and arrays of anonymous inline records are not supported")
		default:
			for _, f := range fields {
				f.Type, f.Record = nil, inline
			}
		}
	}
	return fields
}

// spec lowers a base type; its span starts at start and ends after any
// trailing qualifiers.
func (l *cLower) spec(s *cSpec, start int) *ast.TypeExpr {
	te := &ast.TypeExpr{}
	switch {
	case s.Record != nil:
		te.Name = s.Record.Kind.Value + " " + s.Record.Name.Value
	case s.Enum.Value != "":
		te.Name = "enum " + s.Enum.Value
	case len(s.Words) > 0:
		te.Name = strings.Join(s.Words, " ")
	case s.Name.Value != "":
		if keywords[s.Name.Value] {
			l.unexpectedAt(fromPlex(s.Name), "type")
		}
		te.Name = s.Name.Value
	}
	te.Sp = span(start, max(start, specEnd(s)))
	return te
}

// afterDeclarator is the token after a declarator's name and dimensions,
// where the old parser noticed a missing name.
func (l *cLower) afterDeclarator(d *cDeclarator) token {
	switch {
	case d.Colon.Value != "":
		return fromPlex(d.Colon)
	case len(d.Tokens) > 0:
		return l.t.after(d.Tokens[len(d.Tokens)-1].Pos.Offset)
	}
	return l.t.at(d.Pos.Offset)
}

func specEnd(s *cSpec) int {
	if len(s.Tokens) == 0 {
		return s.Pos.Offset
	}
	return tokEnd(s.Tokens[len(s.Tokens)-1])
}

func declEnd(d *cDeclarator) int {
	if len(d.Tokens) == 0 {
		return 0
	}
	return tokEnd(d.Tokens[len(d.Tokens)-1])
}

// declarator applies a declarator's name, pointers and dimensions to f.
func (l *cLower) declarator(d *cDeclarator, f *ast.CField) {
	ptr := len(d.Stars)
	if d.Func != nil {
		ptr += len(d.Func.Stars)
		f.Name = d.Func.Name.Value
	} else {
		f.Name = d.Name.Value
	}
	f.Type.Ptr += ptr
	for _, dim := range d.Dims {
		if dim.Size.Value == "" {
			f.Type.Dims = append(f.Type.Dims, -1)
			continue
		}
		f.Type.Dims = append(f.Type.Dims, int(l.p.intLit(fromPlex(dim.Size)).Value))
	}
}

func (l *cLower) enum(e *cEnumDecl) *ast.CEnum {
	out := &ast.CEnum{Name: e.Name.Value}
	for _, v := range e.Values {
		ev := &ast.CEnumValue{Name: v.Name.Value}
		end := tokEnd(v.Name)
		if v.Value != nil {
			ev.Value = l.expr(v.Value)
			end = max(end, v.Value.End)
		}
		ev.Sp = span(v.Name.Pos.Offset, end)
		out.Values = append(out.Values, ev)
	}
	start := e.Kw.Pos.Offset
	out.Sp = span(start, max(start, e.Close.End))
	return out
}

// expr parses an enumerator's value with the expression parser; it must
// use up exactly the tokens the grammar set aside for it.
func (l *cLower) expr(x *cExprTokens) ast.Expr {
	p := l.p
	p.reset(x.Start)
	p.depth = l.t.depthBefore(x.Start)
	p.nest = 0
	e := p.parseExpr()
	if p.tok.start != x.Next {
		l.unexpectedAt(p.tok, "}", ",")
	}
	return e
}

func (l *cLower) typedef(td *cTypedef) *ast.CTypedef {
	if td.Spec == nil || td.Decl == nil {
		return nil
	}
	var rec *ast.CRecord
	if r := td.Spec.Record; r != nil && r.Body != nil {
		rec = l.inlineRecord(r)
	}
	// The type's span starts right after "typedef", qualifiers included.
	typeStart := l.t.after(td.Kw.Pos.Offset).start
	f := &ast.CField{Type: l.spec(td.Spec, typeStart)}
	if td.Decl.Tokens == nil && td.Decl.Colon.Value == "" {
		return nil
	}
	l.declarator(td.Decl, f)
	if f.Name == "" {
		l.unexpectedAt(l.afterDeclarator(td.Decl), "identifier")
	}
	if td.Decl.Colon.Value != "" {
		l.unexpectedAt(fromPlex(td.Decl.Colon), ";")
	}
	if td.Semi.Value == "" {
		return nil
	}
	if rec != nil {
		// "typedef struct [tag] { ... } name;": the record is declared
		// before the typedef, as a named nested record is; an anonymous
		// one takes the typedef's name as its tag.
		if rec.Name == "" {
			rec.Name = f.Name
		}
		f.Type.Name = td.Spec.Record.Kind.Value + " " + rec.Name
		l.p.hoisted = append(l.p.hoisted, rec)
	}
	start := td.Kw.Pos.Offset
	return &ast.CTypedef{Base: ast.Base{Sp: span(start, tokEnd(td.Semi))}, Type: f.Type, Name: f.Name}
}
