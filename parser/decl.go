package parser

import "github.com/gobpftrace/gobpftrace/lang/ast"

// Top-level declarations other than probes and the C preamble: config
// blocks, imports, map declarations and macros.

func (p *parser) parseConfig() ast.Decl {
	start := p.tok.start
	p.next() // config
	p.expect(tAssign)
	p.expect(tLBrace)
	cfg := &ast.Config{}
	for p.tok.kind != tRBrace {
		if p.got(tSemi) {
			continue
		}
		nameTok := p.expect(tIdent, "}", "identifier")
		p.expect(tAssign)
		val := p.parseExpr()
		cfg.Entries = append(cfg.Entries, &ast.ConfigEntry{
			Base: ast.Base{Sp: p.sp(nameTok.start)}, Name: p.text(nameTok), Value: val,
		})
		if p.tok.kind != tRBrace {
			p.expect(tSemi, ";", "}")
		}
	}
	p.next()
	cfg.Sp = p.sp(start)
	p.got(tSemi)
	return cfg
}

func (p *parser) parseImport() ast.Decl {
	start := p.tok.start
	p.next()
	s := p.expect(tString)
	imp := &ast.Import{Path: p.unquote(s)}
	p.got(tSemi)
	imp.Sp = p.sp(start)
	return imp
}

func (p *parser) parseMapDecl() ast.Decl {
	start := p.tok.start
	p.next() // let
	m := p.mapRef(p.tok)
	p.next()
	p.expect(tAssign)
	kindTok := p.expect(tIdent)
	d := &ast.MapDecl{Map: m, Kind: p.text(kindTok)}
	p.expect(tLParen)
	d.Args = p.parseArgs(tRParen)
	p.expect(tRParen, ")", ",")
	d.Sp = p.sp(start)
	p.got(tSemi)
	return d
}

func (p *parser) parseMacro() ast.Decl {
	start := p.tok.start
	p.next() // macro
	name := p.expect(tIdent)
	m := &ast.Macro{Name: p.text(name)}
	p.expect(tLParen)
	for p.tok.kind != tRParen {
		t := p.tok
		prm := &ast.MacroParam{Base: ast.Base{Sp: span(t.start, t.end)}}
		switch t.kind {
		case tVar:
			prm.Sigil, prm.Name = "$", p.text(t)[1:]
		case tMap:
			prm.Sigil, prm.Name = "@", p.text(t)[1:]
		case tIdent:
			prm.Name = p.text(t)
		default:
			p.failAt(t.start, t.end, "expected macro argument ($var, @map, or identifier)")
		}
		p.next()
		m.Params = append(m.Params, prm)
		if p.tok.kind != tRParen {
			p.expect(tComma, ",", ")")
		}
	}
	p.next()
	m.Body = p.parseBlock()
	m.Sp = p.sp(start)
	return m
}
