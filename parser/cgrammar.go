package parser

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	plex "github.com/alecthomas/participle/v2/lexer"
)

// The C preamble grammar (struct, union and enum definitions, typedefs) as
// participle grammar structs. This is the concrete syntax tree; clower.go
// turns it into lang/ast nodes. It is a plain context-free grammar, so it
// is written declaratively here rather than by hand; the tokens come from
// the hand-written lexer (clexer.go).
//
// The grammar is LL(1) and is built with UseLookahead(0): once a branch has
// consumed a token it is committed, so a syntax error is reported where it
// is, not where participle gave up backtracking.
//
// Fields typed plex.Token keep the token's offset for spans; an absent
// optional token has an empty Value.

// cDecl is one top-level C declaration.
type cDecl struct {
	Record  *cRecordDecl `parser:"  @@"`
	Enum    *cEnumDecl   `parser:"| @@"`
	Typedef *cTypedef    `parser:"| @@"`
}

// cRecordDecl is "struct|union NAME { ... } [;]" or "struct NAME;".
type cRecordDecl struct {
	Kind plex.Token `parser:"@('struct' | 'union')"`
	Name plex.Token `parser:"@Ident"`
	Body *cBody     `parser:"( @@ ';'? | ';' )"`
}

// cBody is a record's "{ members }"; stray ';' are allowed.
type cBody struct {
	Pos     plex.Position
	Members []*cMember `parser:"'{' ( ';' | @@ )*"`
	Close   cClose     `parser:"@@"`
}

// cMember is one member declaration: a type and its declarators.
type cMember struct {
	Pos   plex.Position
	Spec  *cSpec         `parser:"Qual* @@"`
	Decls []*cDeclarator `parser:"@@ ( ',' @@ )*"`
	Semi  cSemi          `parser:"@@"`
}

// cSpec is a base type: "struct x" (or an inline record definition),
// "enum e", C type words ("unsigned long") or a typedef name, with any
// qualifiers after it.
type cSpec struct {
	Pos    plex.Position
	Tokens []plex.Token
	Record *cRecordSpec `parser:"( @@"`
	Enum   plex.Token   `parser:"| 'enum' @Ident"`
	Words  []string     `parser:"| @CWord ( @CWord | Qual )*"`
	Name   plex.Token   `parser:"| @Ident ) Qual*"`
}

// cRecordSpec is "struct|union [NAME] [{ members }]": with a body it is an
// inline definition, without one a reference.
type cRecordSpec struct {
	Kind plex.Token `parser:"@('struct' | 'union')"`
	Name plex.Token `parser:"( @Ident"`
	Body *cBody     `parser:"  @@? | @@ )"`
}

// cDeclarator is "*... NAME [N]... [: BITS]" or a function pointer
// "*... (*NAME)(params)", which is kept as a plain pointer. Every part is
// optional in the grammar: a member without a name is allowed only for an
// inline record, which the lowering checks, as the old parser did.
type cDeclarator struct {
	Pos    plex.Position
	Tokens []plex.Token
	Stars  []string   `parser:"( @'*' | Qual )*"`
	Func   *cFuncPtr  `parser:"( @@"`
	Name   plex.Token `parser:"| @Ident )?"`
	Dims   []*cDim    `parser:"@@*"`
	Colon  plex.Token `parser:"( @':'"`
	Bits   plex.Token `parser:"  @Int )?"`
}

// cFuncPtr is "(*NAME)(params)"; the parameters are skipped.
type cFuncPtr struct {
	Stars  []string   `parser:"'(' @'*'+"`
	Name   plex.Token `parser:"@Ident ')'"`
	Params *cParens   `parser:"@@"`
}

// cParens is a balanced parenthesised token sequence.
type cParens struct {
	Inner []*cParens `parser:"'(' ( @@ | ~( '(' | ')' ) )* ')'"`
}

// cDim is "[N]" or "[]".
type cDim struct {
	Open plex.Token `parser:"@'['"`
	Size plex.Token `parser:"( @Int ']' | ']' )"`
}

// cEnumDecl is "enum [NAME] { A, B = expr, ... } [;]".
type cEnumDecl struct {
	Kw     plex.Token    `parser:"@'enum'"`
	Name   plex.Token    `parser:"@Ident?"`
	Values []*cEnumValue `parser:"'{' @@*"`
	Close  cEnumClose    `parser:"@@ ';'?"`
}

// cEnumValue is "NAME [= expr]" and the ',' after it (none before '}').
type cEnumValue struct {
	Name  plex.Token   `parser:"@Ident"`
	Value *cExprTokens `parser:"( '=' @@ )?"`
	Sep   cEnumSep     `parser:"@@"`
}

// cTypedef is "typedef TYPE DECLARATOR;".
type cTypedef struct {
	Kw   plex.Token   `parser:"@'typedef' Qual*"`
	Spec *cSpec       `parser:"@@"`
	Decl *cDeclarator `parser:"@@"`
	Semi plex.Token   `parser:"@';'"`
}

// cExprTokens captures an enumerator's value: the tokens up to the ','
// or '}' that ends it, outside brackets. The hand-written expression parser
// reads them during lowering, as bpftrace expressions.
type cExprTokens struct {
	Start, End int // byte range of the tokens (Start == End when none)
	Next       int // offset of the token after them
}

func (x *cExprTokens) Parse(lex *plex.PeekingLexer) error {
	x.Start, x.End = -1, -1
	depth := 0
	for {
		t := lex.Peek()
		if t.EOF() {
			break
		}
		switch kind(t.Type) {
		case tLParen, tLBracket, tLBrace:
			depth++
		case tRParen, tRBracket, tRBrace:
			depth--
		case tComma, tSemi:
			if depth == 0 {
				depth = -1
			}
		}
		if depth < 0 {
			break
		}
		if x.Start < 0 {
			x.Start = t.Pos.Offset
		}
		x.End = tokEnd(*t)
		lex.Next()
	}
	x.Next = lex.Peek().Pos.Offset
	if x.Start < 0 {
		x.Start, x.End = x.Next, x.Next
	}
	return nil
}

// cEnumSep is the ',' after an enumerator, or nothing before the '}'.
// (A grammar alternative that matches nothing is not allowed in
// participle, hence the custom node.)
type cEnumSep struct{}

func (*cEnumSep) Parse(lex *plex.PeekingLexer) error {
	t := lex.Peek()
	switch {
	case t.Type == plex.TokenType(tComma):
		lex.Next()
		return nil
	case t.Type == plex.TokenType(tRBrace):
		return nil
	}
	return &participle.UnexpectedTokenError{Unexpected: *t, Expect: `"}" | ","`}
}

// The custom nodes below each end a list. A grammar element that fails
// without consuming anything reports only itself as expected, so a bad
// token after a list would read "expecting ;" although "," could have
// continued the list; these nodes name the whole choice, as bison does.

// cTokenEnd is where a list-ending token was: its byte range.
type cTokenEnd struct{ Start, End int }

// expectToken consumes the token of kind k into e, or fails saying what
// else could have come there.
func (e *cTokenEnd) expectToken(lex *plex.PeekingLexer, k kind, expect string) error {
	t := lex.Peek()
	if t.Type != plex.TokenType(k) {
		return &participle.UnexpectedTokenError{Unexpected: *t, Expect: expect}
	}
	e.Start, e.End = t.Pos.Offset, tokEnd(*t)
	lex.Next()
	return nil
}

// cClose is the '}' of a record body; a member could have come instead
// (except at the end of the input, where bison says only "expecting }").
type cClose struct{ cTokenEnd }

func (c *cClose) Parse(lex *plex.PeekingLexer) error {
	expect := `"}" | CSpec`
	if lex.Peek().EOF() {
		expect = `"}"`
	}
	return c.expectToken(lex, tRBrace, expect)
}

// cSemi is the ';' after a member's declarators, or a ',' continuing them.
type cSemi struct{ cTokenEnd }

func (c *cSemi) Parse(lex *plex.PeekingLexer) error {
	if t := lex.Peek(); t.Type == plex.TokenType(tRBrace) {
		// The last member's ';' may be left out before the '}', as clang
		// accepts (with a warning) and bpftrace's own tests write it.
		c.Start, c.End = t.Pos.Offset, t.Pos.Offset
		return nil
	}
	return c.expectToken(lex, tSemi, `";" | ","`)
}

// cEnumClose is the '}' of an enum, or another enumerator.
type cEnumClose struct{ cTokenEnd }

func (c *cEnumClose) Parse(lex *plex.PeekingLexer) error {
	return c.expectToken(lex, tRBrace, `<ident> | "}"`)
}

var (
	cParserOnce sync.Once
	cParserVal  *participle.Parser[cDecl]
)

// cParser builds the grammar on first use, so that scripts without a C
// preamble do not pay for it at start-up.
func cParser() *participle.Parser[cDecl] {
	cParserOnce.Do(func() {
		cParserVal = participle.MustBuild[cDecl](
			participle.Lexer(cLexDef{}),
			participle.UseLookahead(0),
		)
	})
	return cParserVal
}
