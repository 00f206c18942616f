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
	Close   plex.Token `parser:"@'}'"`
}

// cMember is one member declaration: a type and its declarators.
type cMember struct {
	Pos   plex.Position
	Spec  *cSpec     `parser:"Qual* @@"`
	Decls *cDeclList `parser:"@@"`
}

// cDeclList is "DECLARATOR (, DECLARATOR)* ;", written recursively so that
// a bad token after a declarator is met by a choice, and the error says
// "expecting ; or ','".
type cDeclList struct {
	Decl *cDeclarator `parser:"@@"`
	Semi plex.Token   `parser:"( @';'"`
	Next *cDeclList   `parser:"| ',' @@ )"`
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
	Close  plex.Token    `parser:"@'}' ';'?"`
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
