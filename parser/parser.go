package parser

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
)

// Parse parses a whole program. It never panics: on errors it returns every
// diagnostic it could find and as much of the tree as it built.
func Parse(f *lang.File) (prog *ast.Program, diags diag.List) {
	p := newParser(f)
	prog = &ast.Program{Base: ast.Base{Sp: lang.Span{End: lang.Pos(len(f.Src))}}, File: f}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok && !catchInternal {
				panic(r)
			}
			p.diags.Errorf(lang.Span{Start: lang.Pos(p.tok.start), End: lang.Pos(p.tok.end)},
				"internal parser error: %v", r)
		}
		diags = p.diags
		diags.Sort()
	}()
	p.parseProgram(prog)
	return prog, p.diags
}

// ParseExpr parses a single expression, for tools and tests.
func ParseExpr(f *lang.File) (e ast.Expr, diags diag.List) {
	p := newParser(f)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok && !catchInternal {
				panic(r)
			}
			e = nil
		}
		diags = p.diags
	}()
	e = p.parseExpr()
	if p.tok.kind != tEOF {
		p.unexpected()
	}
	return e, p.diags
}

// catchInternal turns unexpected panics into diagnostics; tests switch it
// off so that bugs surface.
var catchInternal = true

// bailout unwinds the parser to the nearest recovery point after a syntax
// error has been recorded.
type bailout struct{}

type parser struct {
	f       *lang.File
	src     string
	lx      lexer
	tok     token      // current token
	ahead   []token    // tokens lexed past tok, for peeking
	prevEnd int        // end of the last consumed token
	depth   int        // open '{' consumed so far, for error recovery
	inPred  bool       // parsing a predicate: "/" may close it
	quiet   bool       // skipping after an error: no lexical errors
	nest    int        // recursion depth, bounded by maxNest
	hoisted []ast.Decl // named records defined inside other records
	diags   diag.List
}

func newParser(f *lang.File) *parser {
	p := &parser{f: f, src: f.Src}
	p.lx = lexer{src: f.Src, errf: p.lexError}
	p.tok = p.lx.next()
	return p
}

// maxErrors stops a hopeless parse (a binary file, say) early.
const maxErrors = 50

// maxNest bounds nesting so that hostile input cannot exhaust the stack.
const maxNest = 1000

func (p *parser) enter() {
	p.nest++
	if p.nest > maxNest {
		p.failAt(p.tok.start, p.tok.end, "nesting too deep")
	}
}

func (p *parser) leave() { p.nest-- }

func (p *parser) lexError(start, end int, format string, args ...any) {
	if p.quiet {
		return
	}
	p.diags.Errorf(span(start, end), format, args...)
}

func span(start, end int) lang.Span {
	return lang.Span{Start: lang.Pos(start), End: lang.Pos(end)}
}

func (p *parser) text(t token) string { return p.src[t.start:t.end] }

// next consumes the current token.
func (p *parser) next() {
	p.prevEnd = p.tok.end
	switch p.tok.kind {
	case tLBrace:
		p.depth++
	case tRBrace:
		if p.depth > 0 {
			p.depth--
		}
	}
	if len(p.ahead) > 0 {
		p.tok = p.ahead[0]
		p.ahead = p.ahead[1:]
		return
	}
	p.tok = p.lx.next()
}

// peek returns the n-th token after the current one (n >= 1).
func (p *parser) peek(n int) token {
	for len(p.ahead) < n {
		p.ahead = append(p.ahead, p.lx.next())
	}
	return p.ahead[n-1]
}

// reset restarts lexing at byte offset pos.
func (p *parser) reset(pos int) {
	p.ahead = p.ahead[:0]
	p.lx.pos = pos
	p.tok = p.lx.next()
}

func (p *parser) got(k kind) bool {
	if p.tok.kind == k {
		p.next()
		return true
	}
	return false
}

// expect consumes a token of kind k or fails with a syntax error.
func (p *parser) expect(k kind, alts ...string) token {
	t := p.tok
	if t.kind != k {
		if len(alts) == 0 {
			alts = []string{k.String()}
		}
		p.unexpected(alts...)
	}
	p.next()
	return t
}

func (p *parser) isKw(s string) bool {
	return p.tok.kind == tIdent && p.text(p.tok) == s
}

// sp is the span from start to the end of the last consumed token.
func (p *parser) sp(start int) lang.Span {
	end := p.prevEnd
	if end < start {
		end = start
	}
	return span(start, end)
}

// describe names a token the way bison's verbose errors do.
func (p *parser) describe(t token) string {
	switch t.kind {
	case tIdent:
		s := p.text(t)
		if keywords[s] {
			return s
		}
		if isBuiltin(s) {
			return "builtin"
		}
		return "identifier"
	case tInt:
		return "integer"
	}
	return t.kind.String()
}

// unexpected records "syntax error, unexpected X[, expecting A or B]" at
// the current token and unwinds to the nearest recovery point.
func (p *parser) unexpected(expecting ...string) {
	if p.tok.kind == tIllegal {
		panic(bailout{}) // the lexer has reported it already
	}
	p.failAt(p.tok.start, p.tok.end, "%s", p.syntaxError(p.tok, expecting))
}

// syntaxError words an unexpected token t as bison's verbose errors do.
func (p *parser) syntaxError(t token, expecting []string) string {
	msg := "syntax error, unexpected " + bisonQuote(p.describe(t))
	if len(expecting) > 0 && len(expecting) <= 4 {
		quoted := make([]string, len(expecting))
		for i, e := range expecting {
			quoted[i] = bisonQuote(e)
		}
		msg += ", expecting " + strings.Join(quoted, " or ")
	}
	return msg
}

// bisonQuote spells a token name as bison's verbose errors do: they keep
// the double quotes of a name that contains a comma.
func bisonQuote(name string) string {
	if name == "," {
		return `","`
	}
	return name
}

// failAt records an error and unwinds.
func (p *parser) failAt(start, end int, format string, args ...any) {
	p.errAt(start, end, format, args...)
	panic(bailout{})
}

// errAt records an error and carries on.
func (p *parser) errAt(start, end int, format string, args ...any) {
	p.diags.Errorf(span(start, end), format, args...)
}

// recover skips what is left of the top-level item in which an error
// occurred: to the '}' closing the outermost open block, or, when no block
// was open yet, past the next complete block.
func (p *parser) recoverItem() {
	p.quiet = true
	defer func() { p.quiet = false }()
	p.ahead = p.ahead[:0]
	if p.depth == 0 {
		for p.tok.kind != tEOF && p.tok.kind != tLBrace {
			p.next()
		}
		if p.tok.kind == tEOF {
			return
		}
		p.next()
	}
	for p.depth > 0 && p.tok.kind != tEOF {
		p.next()
	}
}

// item runs one top-level parse function, recovering from syntax errors.
func (p *parser) item(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			p.recoverItem()
		}
	}()
	p.depth, p.nest = 0, 0
	fn()
}

func (p *parser) parseProgram(prog *ast.Program) {
	if p.tok.kind == tShebang {
		prog.Shebang = strings.TrimRight(p.text(p.tok), " \t\r")
		p.next()
	}
	for p.tok.kind != tEOF {
		if len(p.diags) >= maxErrors {
			p.errAt(p.tok.start, p.tok.end, "too many errors")
			return
		}
		p.item(func() {
			p.hoisted = p.hoisted[:0]
			if d := p.parseDecl(); d != nil {
				prog.Decls = append(prog.Decls, p.hoisted...)
				prog.Decls = append(prog.Decls, d)
			}
		})
	}
}

// parseDecl parses one top-level item.
func (p *parser) parseDecl() ast.Decl {
	t := p.tok
	switch t.kind {
	case tPreproc:
		p.next()
		return &ast.Preproc{Base: ast.Base{Sp: span(t.start, t.end)}, Text: strings.TrimRight(p.text(t), " \t\r\n")}
	case tSemi:
		p.next() // stray ';' between items
		return nil
	case tIdent:
		switch p.text(t) {
		case "struct", "union", "enum", "typedef":
			return p.parseCDecl()
		case "config":
			return p.parseConfig()
		case "import":
			return p.parseImport()
		case "macro":
			if p.peek(1).kind == tIdent {
				return p.parseMacro()
			}
		case "let":
			if p.peek(1).kind == tMap {
				return p.parseMapDecl()
			}
			p.failAt(t.start, t.end, "root-level let statements need to be map declarations, e.g. let @a = hash(2);")
		case "fn":
			if p.peek(1).kind == tIdent {
				p.failAt(t.start, t.end, "functions (fn) are not supported")
			}
		}
	}
	return p.parseProbe()
}

func (p *parser) unquote(t token) string {
	raw := p.text(t)
	return unquote(raw, func(off, n int, msg string) {
		if !p.quiet {
			p.errAt(t.start+1+off, t.start+1+off+n, "%s", msg)
		}
	})
}

func (p *parser) mapRef(t token) *ast.MapRef {
	return &ast.MapRef{Base: ast.Base{Sp: span(t.start, t.end)}, Name: p.text(t)[1:]}
}
