package parser

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
)

// Turning participle's errors into bpftrace's bison-style wording.
//
// participle says what it expected as the EBNF of the rest of the failed
// sequence ("CDeclarator (\",\" CDeclarator)* \";\""). The first set of that
// text, with productions named by cLabels rather than expanded, is the
// "expecting A or B" list.

// cLabels names grammar productions in "expecting" lists the way bison
// names nonterminal-ish tokens. An empty label leaves the production out.
var cLabels = map[string]string{
	"CDeclarator": "identifier",
	"CEnumValue":  "identifier",
	"CFuncPtr":    "",
	"CSpec":       "type",
	"CMember":     "type",
	"CRecordSpec": "type",
	"CBody":       "{",
	"CDim":        "[",
	"CParens":     "(",
	"cExprTokens": "expression",
	"cEnumSep":    "",
}

// cTokenLabels names lexer token references ("<ident>").
var cTokenLabels = map[string]string{
	"<ident>":  "identifier",
	"<int>":    "integer",
	"<string>": "string",
	"<qual>":   "",
	"<cword>":  "type",
}

// cSyntaxError converts a participle error into the offending token and
// what was expected there.
func cSyntaxError(err error) (tok token, expecting []string, ok bool) {
	var ute *participle.UnexpectedTokenError
	if errors.As(err, &ute) {
		tok = fromPlex(ute.Unexpected)
		msg := ute.Message()
		prefix := fmt.Sprintf("unexpected token %q (expected ", ute.Unexpected)
		if strings.HasPrefix(msg, prefix) && strings.HasSuffix(msg, ")") {
			expecting = firstSet(msg[len(prefix) : len(msg)-1])
		}
		return tok, expecting, true
	}
	var perr participle.Error
	if errors.As(err, &perr) {
		off := perr.Position().Offset
		return token{kind: tEOF, start: off, end: off}, nil, true
	}
	return token{}, nil, false
}

// firstSet computes the labels of the tokens that can start the EBNF
// expression s, in order and without duplicates.
func firstSet(s string) []string {
	e := &ebnfScanner{src: s}
	first, _ := e.alt()
	var out []string
	seen := map[string]bool{}
	for _, f := range first {
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// ebnfScanner is a small recursive-descent reader of participle's EBNF
// output, computing first sets and nullability as it goes.
type ebnfScanner struct {
	src string
	pos int
}

func (e *ebnfScanner) skip() {
	for e.pos < len(e.src) && e.src[e.pos] == ' ' {
		e.pos++
	}
}

func (e *ebnfScanner) peek() byte {
	e.skip()
	if e.pos < len(e.src) {
		return e.src[e.pos]
	}
	return 0
}

// alt reads "seq ('|' seq)*".
func (e *ebnfScanner) alt() (first []string, nullable bool) {
	for {
		f, n := e.seq()
		first = append(first, f...)
		nullable = nullable || n
		if e.peek() != '|' {
			return first, nullable
		}
		e.pos++
	}
}

// seq reads items up to ')' or '|' or the end.
func (e *ebnfScanner) seq() (first []string, nullable bool) {
	nullable = true
	for {
		switch e.peek() {
		case 0, ')', '|':
			return first, nullable
		}
		f, n := e.item()
		if nullable {
			first = append(first, f...)
		}
		nullable = nullable && n
	}
}

// item reads one atom with its repetition suffix.
func (e *ebnfScanner) item() (first []string, nullable bool) {
	first, nullable = e.atom()
	if e.pos < len(e.src) {
		switch e.src[e.pos] {
		case '?', '*':
			e.pos++
			nullable = true
		case '+', '!':
			e.pos++
		}
	}
	return first, nullable
}

func (e *ebnfScanner) atom() (first []string, nullable bool) {
	c := e.peek()
	switch {
	case c == '"':
		end := e.pos + 1
		for end < len(e.src) && e.src[end] != '"' {
			if e.src[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end+1, len(e.src))
		lit, err := strconv.Unquote(e.src[e.pos:end])
		e.pos = end
		if err != nil {
			return nil, false
		}
		return []string{lit}, false
	case c == '<':
		end := strings.IndexByte(e.src[e.pos:], '>')
		if end < 0 {
			e.pos = len(e.src)
			return nil, false
		}
		ref := e.src[e.pos : e.pos+end+1]
		e.pos += end + 1
		return []string{cTokenLabels[ref]}, false
	case c == '~':
		e.pos++
		e.atom()
		return nil, false // any token but some: no useful name
	case c == '(':
		look := strings.HasPrefix(e.src[e.pos:], "(?=") || strings.HasPrefix(e.src[e.pos:], "(?!")
		if look {
			e.pos += 3
		} else {
			e.pos++
		}
		first, nullable = e.alt()
		if e.peek() == ')' {
			e.pos++
		}
		if look {
			return nil, true // lookahead consumes nothing
		}
		return first, nullable
	case isIdentStart(c):
		start := e.pos
		for e.pos < len(e.src) && isIdentBody(e.src[e.pos]) {
			e.pos++
		}
		return []string{cLabels[e.src[start:e.pos]]}, false
	case c == 0:
		return nil, true
	}
	e.pos++ // unknown character: skip it
	return nil, true
}
