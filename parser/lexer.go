package parser

import "fmt"

// lexer scans tokens on demand. It is context-free except for the raw
// scanners the parser calls explicitly (attach points, see attach.go).
type lexer struct {
	src string
	pos int
	// errf reports a lexical error over [start, end).
	errf func(start, end int, format string, args ...any)
}

func isIdentStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isIdentBody(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// skipSpace skips whitespace and comments starting at l.pos.
func (l *lexer) skipSpace() {
	src := l.src
	for l.pos < len(src) {
		c := src[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '/' && l.pos+1 < len(src) && src[l.pos+1] == '/':
			for l.pos < len(src) && src[l.pos] != '\n' {
				l.pos++
			}
		case c == '/' && l.pos+1 < len(src) && src[l.pos+1] == '*':
			start := l.pos
			l.pos += 2
			for {
				if l.pos+1 >= len(src) {
					l.pos = len(src)
					l.errf(start, len(src), "end of file during comment")
					return
				}
				if src[l.pos] == '*' && src[l.pos+1] == '/' {
					l.pos += 2
					break
				}
				l.pos++
			}
		default:
			return
		}
	}
}

// next returns the next token after whitespace and comments.
func (l *lexer) next() token {
	l.skipSpace()
	src := l.src
	start := l.pos
	if start >= len(src) {
		return token{kind: tEOF, start: len(src), end: len(src)}
	}
	c := src[start]
	tok := func(k kind, n int) token {
		l.pos = start + n
		return token{kind: k, start: start, end: l.pos}
	}
	at := func(i int) byte {
		if start+i < len(src) {
			return src[start+i]
		}
		return 0
	}
	switch {
	case isIdentStart(c):
		p := start + 1
		for p < len(src) && isIdentBody(src[p]) {
			p++
		}
		return tok(tIdent, p-start)
	case isDigit(c):
		p := start + 1
		for p < len(src) && isIdentBody(src[p]) {
			p++
		}
		return tok(tInt, p-start)
	}
	switch c {
	case '"':
		return tok(tString, l.scanQuoted(start, '"')-start)
	case '\'':
		return tok(tInt, l.scanQuoted(start, '\'')-start)
	case '@':
		p := start + 1
		if p < len(src) && isIdentStart(src[p]) {
			for p < len(src) && isIdentBody(src[p]) {
				p++
			}
		}
		return tok(tMap, p-start)
	case '$':
		p := start + 1
		switch {
		case at(1) == '#':
			return tok(tParamCount, 2)
		case isDigit(at(1)):
			for p < len(src) && isDigit(src[p]) {
				p++
			}
			return tok(tParam, p-start)
		case isIdentStart(at(1)):
			for p < len(src) && isIdentBody(src[p]) {
				p++
			}
			return tok(tVar, p-start)
		}
		l.errf(start, start+1, "invalid character '$'")
		return tok(tIllegal, 1)
	case '#':
		if start == 0 && at(1) == '!' {
			return tok(tShebang, lineEnd(src, start)-start)
		}
		return tok(tPreproc, preprocEnd(src, start)-start)
	case '(':
		return tok(tLParen, 1)
	case ')':
		return tok(tRParen, 1)
	case '{':
		return tok(tLBrace, 1)
	case '}':
		return tok(tRBrace, 1)
	case '[':
		return tok(tLBracket, 1)
	case ']':
		return tok(tRBracket, 1)
	case ',':
		return tok(tComma, 1)
	case ';':
		return tok(tSemi, 1)
	case ':':
		return tok(tColon, 1)
	case '?':
		return tok(tQues, 1)
	case '~':
		return tok(tTilde, 1)
	case '.':
		if at(1) == '.' {
			return tok(tDotDot, 2)
		}
		return tok(tDot, 1)
	case '=':
		if at(1) == '=' {
			return tok(tEq, 2)
		}
		return tok(tAssign, 1)
	case '!':
		if at(1) == '=' {
			return tok(tNe, 2)
		}
		return tok(tNot, 1)
	case '<':
		if at(1) == '<' {
			if at(2) == '=' {
				return tok(tShlAssign, 3)
			}
			return tok(tShl, 2)
		}
		if at(1) == '=' {
			return tok(tLe, 2)
		}
		return tok(tLt, 1)
	case '>':
		if at(1) == '>' {
			if at(2) == '=' {
				return tok(tShrAssign, 3)
			}
			return tok(tShr, 2)
		}
		if at(1) == '=' {
			return tok(tGe, 2)
		}
		return tok(tGt, 1)
	case '&':
		switch at(1) {
		case '&':
			return tok(tLAnd, 2)
		case '=':
			return tok(tAndAssign, 2)
		}
		return tok(tAnd, 1)
	case '|':
		switch at(1) {
		case '|':
			return tok(tLOr, 2)
		case '=':
			return tok(tOrAssign, 2)
		}
		return tok(tOr, 1)
	case '^':
		if at(1) == '=' {
			return tok(tXorAssign, 2)
		}
		return tok(tXor, 1)
	case '+':
		switch at(1) {
		case '+':
			return tok(tInc, 2)
		case '=':
			return tok(tPlusAssign, 2)
		}
		return tok(tPlus, 1)
	case '-':
		switch at(1) {
		case '-':
			return tok(tDec, 2)
		case '=':
			return tok(tMinusAssign, 2)
		case '>':
			return tok(tArrow, 2)
		}
		return tok(tMinus, 1)
	case '*':
		if at(1) == '=' {
			return tok(tMulAssign, 2)
		}
		return tok(tMul, 1)
	case '/':
		if at(1) == '=' {
			return tok(tDivAssign, 2)
		}
		return tok(tDiv, 1)
	case '%':
		if at(1) == '=' {
			return tok(tModAssign, 2)
		}
		return tok(tMod, 1)
	}
	l.errf(start, start+1, "invalid character '%s'", printable(c))
	return tok(tIllegal, 1)
}

func printable(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return string(rune(c))
	}
	return fmt.Sprintf("\\x%02x", c)
}

// scanQuoted returns the end of the quoted literal opening at start. An
// unterminated literal ends before the newline (or at EOF) and is reported.
func (l *lexer) scanQuoted(start int, quote byte) int {
	src := l.src
	p := start + 1
	for p < len(src) {
		switch src[p] {
		case quote:
			return p + 1
		case '\\':
			p += 2
			continue
		case '\n':
			l.errf(start, p, "unterminated %s", quoteName(quote))
			return p
		}
		p++
	}
	if p > len(src) {
		p = len(src)
	}
	l.errf(start, p, "unterminated %s", quoteName(quote))
	return p
}

func quoteName(q byte) string {
	if q == '\'' {
		return "character literal"
	}
	return "string"
}

func lineEnd(src string, p int) int {
	for p < len(src) && src[p] != '\n' {
		p++
	}
	return p
}

// preprocEnd finds the end of a preprocessor line, following backslash
// continuations as cpp does.
func preprocEnd(src string, p int) int {
	for {
		e := lineEnd(src, p)
		q := e
		if q > p && q <= len(src) && q-1 >= 0 && src[q-1] == '\r' {
			q--
		}
		if q > p && src[q-1] == '\\' && e < len(src) {
			p = e + 1
			continue
		}
		return e
	}
}
