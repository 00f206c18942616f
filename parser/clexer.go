package parser

import (
	"fmt"
	"io"

	plex "github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar for the C preamble (cgrammar.go) reads the tokens
// of the hand-written lexer, so that both halves of the parser agree on
// what a token is, positions stay byte offsets into the one source text,
// and no second (regexp) lexer has to be built at start-up.

// cLexDef is the lexer.Definition the C grammar is built with. Its token
// types are the hand-written lexer's kinds; literals in the grammar
// ("struct", "{", "*") match on the token text.
type cLexDef struct{}

// Two token types exist only for the C grammar: identifiers that are type
// qualifiers ("const") and C base type words ("unsigned"). Matching them by
// type keeps the grammar short (and so quick to build) and stops them
// being taken for names.
const (
	cQualType  = plex.TokenType(numKinds) + iota // const, volatile, restrict
	cCWordType                                   // char, int, unsigned, ...
)

var cSymbols = func() map[string]plex.TokenType {
	m := map[string]plex.TokenType{"EOF": plex.EOF, "Qual": cQualType, "CWord": cCWordType}
	for k := kind(1); k < numKinds; k++ {
		m[cSymbolName(k)] = plex.TokenType(k)
	}
	return m
}()

// cSymbolName names a kind for grammar tags: tIdent is "Ident", tInt "Int".
func cSymbolName(k kind) string {
	switch k {
	case tIdent:
		return "Ident"
	case tInt:
		return "Int"
	case tString:
		return "String"
	}
	return "K" + k.String()
}

func (cLexDef) Symbols() map[string]plex.TokenType { return cSymbols }

// Lex lexes a whole text; Parse never uses it (see cTokens), but tools
// and tests driving the grammar directly can.
func (cLexDef) Lex(filename string, r io.Reader) (plex.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return cLexDef{}.LexString(filename, string(b))
}

func (cLexDef) LexString(_ string, src string) (plex.Lexer, error) {
	t := &cTokens{lx: lexer{src: src}}
	t.lx.errf = t.lexError
	return t, nil
}

// cTokens feeds one C declaration to participle, starting at a given offset
// and ending, with a synthetic EOF, after the ';' or '}' that closes the
// declaration at brace depth 0 (plus one ';' after such a '}'). So the rest
// of the script, whose attach points and predicates this context-free
// lexer cannot read correctly, is never lexed here.
type cTokens struct {
	lx lexer
	// stopAtBrace: a '}' at depth 0 ends the declaration (struct, union
	// and enum definitions; a typedef ends at its ';').
	stopAtBrace bool
	depth       int
	done        bool
	closed      bool    // done at the declaration's own ';' or '}', not at EOF
	nest        int     // open brackets of any kind, bounded by maxNest
	end         int     // offset just past the last token handed out
	toks        []token // every token handed out, in order
	lexErrs     []cLexErr
}

// cLexErr is a lexical error held back until the parse shows how far the
// old parser would have read (it reported only what it reached).
type cLexErr struct {
	start, end int
	msg        string
}

func (t *cTokens) lexError(start, end int, format string, args ...any) {
	t.lexErrs = append(t.lexErrs, cLexErr{start, end, fmt.Sprintf(format, args...)})
}

func (t *cTokens) Next() (plex.Token, error) {
	if t.done {
		return plex.EOFToken(plex.Position{Offset: t.end}), nil
	}
	tok := t.lx.next()
	if tok.kind == tEOF {
		t.done = true
		t.end = tok.start
		return plex.EOFToken(plex.Position{Offset: tok.start}), nil
	}
	switch tok.kind {
	case tLParen, tLBracket, tLBrace:
		// participle recurses once per level: bound it, as the rest of
		// the parser does, or a hostile input overflows the stack.
		if t.nest++; t.nest > maxNest {
			t.lexErrs = append(t.lexErrs, cLexErr{tok.start, tok.end, "nesting too deep"})
			t.done = true
			tok.kind = tIllegal
		}
	case tRParen, tRBracket, tRBrace:
		if t.nest > 0 {
			t.nest--
		}
	}
	t.toks = append(t.toks, tok)
	t.end = tok.end
	switch tok.kind {
	case tLBrace:
		t.depth++
	case tRBrace:
		if t.depth > 0 {
			t.depth--
			if t.depth == 0 && t.stopAtBrace {
				t.done = !t.semiFollows()
				t.closed = t.done
			}
		} else if t.stopAtBrace {
			t.done, t.closed = true, true
		}
	case tSemi:
		if t.depth == 0 {
			t.done, t.closed = true, true
		}
	}
	typ, text := plex.TokenType(tok.kind), t.lx.src[tok.start:tok.end]
	if tok.kind == tIllegal {
		text = "" // matches no literal of the grammar
	}
	if tok.kind == tIdent {
		switch {
		case qualifiers[text]:
			typ = cQualType
		case cWords[text]:
			typ = cCWordType
		}
	}
	return plex.Token{Type: typ, Value: text, Pos: plex.Position{Offset: tok.start}}, nil
}

// semiFollows reports whether the next token is ';', which then still
// belongs to the declaration (the closing '}' leaves depth 0, so the ';'
// ends it). It peeks with a silent copy of the lexer: whatever comes next
// is lexed again, and its errors reported, by the main parser.
func (t *cTokens) semiFollows() bool {
	peek := lexer{src: t.lx.src, pos: t.lx.pos, errf: func(int, int, string, ...any) {}}
	return peek.next().kind == tSemi
}

// depthBefore is the brace depth in front of the token at offset off.
func (t *cTokens) depthBefore(off int) int {
	d := 0
	for _, tok := range t.toks {
		if tok.start >= off {
			break
		}
		switch tok.kind {
		case tLBrace:
			d++
		case tRBrace:
			if d > 0 {
				d--
			}
		}
	}
	return d
}

// endBefore is the end of the last token in front of offset off.
func (t *cTokens) endBefore(off int) int {
	end := -1
	for _, tok := range t.toks {
		if tok.start >= off {
			break
		}
		end = tok.end
	}
	return end
}

// after is the first token starting after offset off.
func (t *cTokens) after(off int) token {
	for _, tok := range t.toks {
		if tok.start > off {
			return tok
		}
	}
	return token{kind: tEOF, start: t.end, end: t.end}
}

// at is the token starting at offset off (or the end of the stream).
func (t *cTokens) at(off int) token {
	for _, tok := range t.toks {
		if tok.start >= off {
			return tok
		}
	}
	return token{kind: tEOF, start: t.end, end: t.end}
}

// fromPlex turns a participle token back into a hand-written one.
func fromPlex(pt plex.Token) token {
	if pt.EOF() {
		return token{kind: tEOF, start: pt.Pos.Offset, end: pt.Pos.Offset}
	}
	k := kind(pt.Type)
	if pt.Type == cQualType || pt.Type == cCWordType {
		k = tIdent
	}
	return token{kind: k, start: pt.Pos.Offset, end: pt.Pos.Offset + len(pt.Value)}
}

// tokEnd is the end offset of a participle token.
func tokEnd(pt plex.Token) int { return pt.Pos.Offset + len(pt.Value) }
