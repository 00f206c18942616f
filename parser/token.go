package parser

// kind is the lexical class of a token.
type kind uint8

const (
	tEOF kind = iota
	tIllegal
	tIdent      // foo, pid, if, struct (keywords are identifiers with a check)
	tInt        // 123, 0x10, 1_000, 1e6, 10ms, 'a'
	tString     // "..."
	tMap        // @ or @name
	tVar        // $name
	tParam      // $1
	tParamCount // $#
	tPreproc    // a whole "#..." line
	tShebang    // "#!..." on the first line

	// punctuation
	tLParen
	tRParen
	tLBrace
	tRBrace
	tLBracket
	tRBracket
	tComma
	tSemi
	tColon
	tQues
	tDot
	tDotDot
	tArrow
	tAssign
	tPlusAssign
	tMinusAssign
	tMulAssign
	tDivAssign
	tModAssign
	tAndAssign
	tOrAssign
	tXorAssign
	tShlAssign
	tShrAssign
	tEq
	tNe
	tLt
	tLe
	tGt
	tGe
	tShl
	tShr
	tLAnd
	tLOr
	tPlus
	tMinus
	tMul
	tDiv
	tMod
	tAnd
	tOr
	tXor
	tNot
	tTilde
	tInc
	tDec
	tEndPred // synthetic: a '/' that closes a predicate
	numKinds
)

// kindNames are the names bpftrace's bison grammar gives its tokens, so that
// "unexpected X, expecting Y" reads the same.
var kindNames = [numKinds]string{
	tEOF:         "end of file",
	tIllegal:     "invalid token",
	tIdent:       "identifier",
	tInt:         "integer",
	tString:      "string",
	tMap:         "map",
	tVar:         "variable",
	tParam:       "positional parameter",
	tParamCount:  "$#",
	tPreproc:     "preprocessor directive",
	tShebang:     "header",
	tLParen:      "(",
	tRParen:      ")",
	tLBrace:      "{",
	tRBrace:      "}",
	tLBracket:    "[",
	tRBracket:    "]",
	tComma:       ",",
	tSemi:        ";",
	tColon:       ":",
	tQues:        "?",
	tDot:         ".",
	tDotDot:      "..",
	tArrow:       "->",
	tAssign:      "=",
	tPlusAssign:  "+=",
	tMinusAssign: "-=",
	tMulAssign:   "*=",
	tDivAssign:   "/=",
	tModAssign:   "%=",
	tAndAssign:   "&=",
	tOrAssign:    "|=",
	tXorAssign:   "^=",
	tShlAssign:   "<<=",
	tShrAssign:   ">>=",
	tEq:          "==",
	tNe:          "!=",
	tLt:          "<",
	tLe:          "<=",
	tGt:          ">",
	tGe:          ">=",
	tShl:         "<<",
	tShr:         ">>",
	tLAnd:        "&&",
	tLOr:         "||",
	tPlus:        "+",
	tMinus:       "-",
	tMul:         "*",
	tDiv:         "/",
	tMod:         "%",
	tAnd:         "&",
	tOr:          "|",
	tXor:         "^",
	tNot:         "!",
	tTilde:       "~",
	tInc:         "++",
	tDec:         "--",
	tEndPred:     "end predicate",
}

func (k kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "token"
}

// token is one lexeme: its class and the byte range [start, end) in the source.
type token struct {
	kind       kind
	start, end int
}

// keywords cannot be used as plain identifiers in expressions (they can be
// field names after '.' and '->').
var keywords = map[string]bool{
	"if": true, "else": true, "while": true, "for": true, "unroll": true,
	"return": true, "break": true, "continue": true, "let": true,
	"config": true, "import": true, "macro": true, "sizeof": true,
	"offsetof": true, "typeof": true, "true": true, "false": true,
	"struct": true, "union": true, "enum": true,
}

// compoundOps maps compound assignment tokens to their operator text.
var compoundOps = map[kind]string{
	tAssign: "=", tPlusAssign: "+=", tMinusAssign: "-=", tMulAssign: "*=",
	tDivAssign: "/=", tModAssign: "%=", tAndAssign: "&=", tOrAssign: "|=",
	tXorAssign: "^=", tShlAssign: "<<=", tShrAssign: ">>=",
}
