package parser

import (
	"strings"

	plex "github.com/alecthomas/participle/v2/lexer"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
)

// The C preamble: struct/union/enum definitions and typedefs, parsed into
// declarations the checker can use without clang. Only what bpftrace
// scripts use is covered: fields with C types, pointers, arrays, nested
// records, bitfields, function pointers (kept as pointers).
//
// This part of the language is a plain context-free grammar, so it is
// parsed by participle (cgrammar.go) over the hand-written lexer's tokens
// (clexer.go) and lowered to lang/ast (clower.go); the rest of the parser
// hands over at a top-level "struct", "union", "enum" or "typedef" and
// takes over again after the declaration.

// parseCDecl parses the C declaration starting at the current token.
func (p *parser) parseCDecl() ast.Decl {
	start := p.tok.start
	toks := &cTokens{lx: lexer{src: p.src, pos: start}, stopAtBrace: !p.isKw("typedef")}
	toks.lx.errf = toks.lexError
	peeking, err := plex.Upgrade(toks)
	var cst *cDecl
	if err == nil {
		cst, err = cParser().ParseFromLexer(peeking)
	}

	// Lower even a partial tree: an error the lowering finds (an enum
	// value, a missing member name) may come before participle's.
	nd := len(p.diags)
	l := &cLower{p: p, t: toks, detect: -1}
	decl, failed := l.run(cst)

	if err != nil {
		tok, expecting, _ := cSyntaxError(err)
		if tok.kind == tEOF && tok.start < len(p.src) {
			tok = p.realToken(tok.start) // the synthetic end of the declaration
		}
		if !failed || l.detect > tok.start {
			// participle's error comes first: drop what the lowering
			// found at or after it.
			p.diags = keepBefore(p.diags, nd, tok.start, failed)
			p.flushLexErrors(toks, nd, tok.start)
			if tok.kind != tIllegal { // else the lexer has reported it
				p.errAt(tok.start, tok.end, "%s", p.cSyntaxMessage(tok, expecting))
			}
			l.detect = tok.start
		}
		failed = true
	}
	if failed {
		p.flushLexErrors(toks, nd, l.detect)
		if toks.closed {
			// The declaration's end is known: go on after it, rather
			// than skip a block that may be the next probe's.
			p.reset(toks.end)
			p.prevEnd, p.depth = toks.end, 0
			return nil
		}
		p.resumeAt(toks, l.detect)
		panic(bailout{})
	}
	p.flushLexErrors(toks, nd, len(p.src))
	p.reset(toks.end)
	p.prevEnd, p.depth = toks.end, 0
	return decl
}

// run lowers the tree, reporting whether it stopped at a syntax error.
func (l *cLower) run(cst *cDecl) (decl ast.Decl, failed bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			if l.detect < 0 {
				l.detect = l.p.tok.start
			}
			decl, failed = nil, true
		}
	}()
	return l.decl(cst), false
}

// keepBefore drops the diagnostics added since index nd that start at or
// after off, and the last one (the fatal error) if dropFatal.
func keepBefore(diags diag.List, nd, off int, dropFatal bool) diag.List {
	added := diags[nd:]
	if dropFatal && len(added) > 0 {
		added = added[:len(added)-1]
	}
	out := diags[:nd]
	for _, d := range added {
		if int(d.Span.Start) < off {
			out = append(out, d)
		}
	}
	return out
}

// flushLexErrors reports the lexical errors met in the declaration up to
// offset limit (the old parser stopped reading at the first syntax error),
// skipping any the expression parser has reported again.
func (p *parser) flushLexErrors(toks *cTokens, nd, limit int) {
	for _, e := range toks.lexErrs {
		if e.start > limit || p.quiet {
			continue
		}
		dup := false
		for _, d := range p.diags[nd:] {
			if int(d.Span.Start) == e.start && int(d.Span.End) == e.end && d.Msg == e.msg {
				dup = true
				break
			}
		}
		if !dup {
			p.errAt(e.start, e.end, "%s", e.msg)
		}
	}
}

// resumeAt puts the parser on the token at offset off, inside as many
// braces as the declaration had open there, for error recovery.
func (p *parser) resumeAt(toks *cTokens, off int) {
	p.quiet = true
	p.reset(off)
	p.quiet = false
	p.depth = toks.depthBefore(off)
	if end := toks.endBefore(off); end >= 0 {
		p.prevEnd = end
	}
}

// cSyntaxMessage is syntaxError, naming C type words and qualifiers by
// themselves ("unexpected int"), as C keywords.
func (p *parser) cSyntaxMessage(t token, expecting []string) string {
	msg := p.syntaxError(t, expecting)
	if w := p.text(t); t.kind == tIdent && (cWords[w] || qualifiers[w]) {
		msg = strings.Replace(msg, "unexpected identifier", "unexpected "+w, 1)
	}
	return msg
}

// realToken lexes, silently, the token at offset off.
func (p *parser) realToken(off int) token {
	lx := lexer{src: p.src, pos: off, errf: func(int, int, string, ...any) {}}
	return lx.next()
}
