package parser

import "github.com/gobpftrace/gobpftrace/lang/ast"

// Probes: attach points (scanned raw, see attach.go), an optional
// predicate, and the action block.

func (p *parser) parseProbe() ast.Decl {
	pr := &ast.Probe{}
	start := p.tok.start
	pos := start
	for {
		end := scanAttachPoint(p.src, pos)
		if end == pos {
			// Nothing that looks like an attach point: report the token there.
			p.reset(pos)
			if len(pr.AttachPoints) == 0 {
				p.unexpected()
			}
			p.unexpected("{")
		}
		raw := p.src[pos:end]
		if len(pr.AttachPoints) == 0 {
			if label, off := splitLabel(raw); label != "" {
				pr.Label = label
				raw = raw[off:]
				pos += off
			}
		}
		pr.AttachPoints = append(pr.AttachPoints, newAttachPoint(raw, span(pos, end)))
		p.prevEnd = end
		p.lx.pos = end
		p.lx.skipSpace()
		if p.lx.pos < len(p.src) && p.src[p.lx.pos] == ',' {
			p.lx.pos++
			p.lx.skipSpace()
			pos = p.lx.pos
			if pos < len(p.src) && (p.src[pos] == '{' || p.src[pos] == '/') {
				break // trailing comma
			}
			if pos >= len(p.src) {
				break
			}
			continue
		}
		break
	}
	p.reset(p.lx.pos)
	if p.tok.kind == tDiv {
		p.next()
		p.inPred = true
		pr.Pred = p.parseExpr()
		p.inPred = false
		if !p.atEndPred() {
			p.unexpected("end predicate")
		}
		p.next()
	}
	if p.tok.kind != tLBrace {
		p.unexpected("{")
	}
	pr.Body = p.parseBlock()
	pr.Sp = p.sp(start)
	return pr
}

// atEndPred reports whether the current '/' closes a predicate: bpftrace's
// rule is a '/' followed (after blanks) by '{' or '/'.
func (p *parser) atEndPred() bool {
	if p.tok.kind != tDiv {
		return false
	}
	q := p.tok.end
	for q < len(p.src) && isSpace(p.src[q]) {
		q++
	}
	if q >= len(p.src) || p.src[q] == '{' || p.src[q] == '/' {
		return true
	}
	// Allow a block comment between the predicate and the body.
	l := lexer{src: p.src, pos: q, errf: func(int, int, string, ...any) {}}
	l.skipSpace()
	return l.pos >= len(p.src) || p.src[l.pos] == '{'
}
