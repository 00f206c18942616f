package format

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Precedence levels, loosest first; binary operators sit between
// precTernary and precUnary.
const (
	precTernary = 0
	precUnary   = 11
	precPostfix = 12
	precPrimary = 13
)

var binPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6,
	"<": 7, "<=": 7, ">": 7, ">=": 7,
	"<<": 8, ">>": 8,
	"+": 9, "-": 9,
	"*": 10, "/": 10, "%": 10,
}

func prec(e ast.Expr) int {
	switch e := e.(type) {
	case *ast.Ternary:
		return precTernary
	case *ast.Binary:
		return binPrec[e.Op]
	case *ast.Unary, *ast.Cast:
		return precUnary
	case *ast.IncDec:
		if e.Post {
			return precPostfix
		}
		return precUnary
	case *ast.FieldAccess, *ast.IndexExpr, *ast.TupleIndex:
		return precPostfix
	}
	return precPrimary
}

// expr renders e, in parentheses if it binds looser than min.
func (pr *printer) expr(e ast.Expr, min int) string {
	s := pr.bare(e)
	if prec(e) < min {
		return "(" + s + ")"
	}
	return s
}

func (pr *printer) exprList(es []ast.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = pr.expr(e, 0)
	}
	return strings.Join(parts, ", ")
}

func (pr *printer) bare(e ast.Expr) string {
	switch e := e.(type) {
	case nil:
		return ""
	case *ast.IntLit:
		if e.Raw != "" {
			return e.Raw
		}
		return strconv.FormatUint(e.Value, 10)
	case *ast.StringLit:
		if e.Raw != "" {
			return e.Raw
		}
		return quote(e.Value)
	case *ast.BoolLit:
		return strconv.FormatBool(e.Value)
	case *ast.Variable:
		return "$" + e.Name
	case *ast.PositionalParam:
		if e.Count {
			return "$#"
		}
		return "$" + strconv.Itoa(e.N)
	case *ast.MapRef:
		return mapName(e)
	case *ast.MapAccess:
		return mapName(e.Map) + "[" + pr.exprList(e.Keys) + "]"
	case *ast.Ident:
		return e.Name
	case *ast.Call:
		bang := ""
		if e.Macro {
			bang = "!"
		}
		return e.Func + bang + "(" + pr.exprList(e.Args) + ")"
	case *ast.Binary:
		p := binPrec[e.Op]
		r := pr.expr(e.R, p+1)
		if e.Op == "/" && strings.HasPrefix(r, "{") {
			r = "(" + r + ")" // "/ {" would close a predicate
		}
		return pr.expr(e.L, p) + " " + e.Op + " " + r
	case *ast.Unary:
		return joinOp(e.Op, pr.expr(e.X, precUnary))
	case *ast.IncDec:
		if e.Post {
			return pr.expr(e.X, precPostfix) + e.Op
		}
		return joinOp(e.Op, pr.expr(e.X, precUnary))
	case *ast.Ternary:
		if isIfExpr(e) {
			return pr.ifExpr(e)
		}
		return pr.expr(e.Cond, 1) + " ? " + pr.expr(e.Then, 0) + " : " + pr.expr(e.Else, 0)
	case *ast.Cast:
		x := pr.expr(e.X, precUnary)
		if ambiguousCast(e.Type) && x != "" && strings.IndexByte("-*&+{", x[0]) >= 0 {
			x = "(" + x + ")"
		}
		return "(" + pr.typ(e.Type) + ")" + x
	case *ast.FieldAccess:
		op := "."
		if e.Arrow {
			op = "->"
		}
		return pr.postfixBase(e.X) + op + e.Name
	case *ast.IndexExpr:
		base := pr.postfixBase(e.X)
		if _, ok := e.X.(*ast.MapRef); ok {
			base = "(" + base + ")" // "@m[i]" would be a map access
		}
		return base + "[" + pr.expr(e.Index, 0) + "]"
	case *ast.TupleIndex:
		return pr.postfixBase(e.X) + "." + strconv.Itoa(e.N)
	case *ast.Tuple:
		switch len(e.Elems) {
		case 0:
			return "()"
		case 1:
			return "(" + pr.expr(e.Elems[0], 0) + ",)"
		}
		return "(" + pr.exprList(e.Elems) + ")"
	case *ast.Record:
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.Name + " = " + pr.expr(f.Value, 0)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case *ast.Sizeof:
		if e.Type != nil {
			return "sizeof(" + pr.typ(e.Type) + ")"
		}
		return "sizeof(" + pr.expr(e.X, 0) + ")"
	case *ast.Offsetof:
		var base string
		if e.Type != nil {
			base = pr.typ(e.Type)
		} else {
			base = pr.expr(e.X, 0)
		}
		return "offsetof(" + base + ", " + strings.Join(e.Fields, ".") + ")"
	case *ast.Range:
		return pr.expr(e.Lo, 1) + ".." + pr.expr(e.Hi, 1)
	case *ast.BlockExpr:
		return pr.blockExpr(e)
	}
	return ""
}

// isIfExpr reports whether a ternary reads best as bpftrace's
// "if c { a } else { b }" expression: both arms are blocks (or, for the
// else arm, another such if).
func isIfExpr(e *ast.Ternary) bool {
	if _, ok := e.Then.(*ast.BlockExpr); !ok {
		return false
	}
	switch els := e.Else.(type) {
	case *ast.BlockExpr:
		return true
	case *ast.Ternary:
		return isIfExpr(els)
	}
	return false
}

func (pr *printer) ifExpr(e *ast.Ternary) string {
	cond := pr.expr(e.Cond, 1)
	if strings.HasPrefix(cond, "{") || strings.HasPrefix(cond, "if ") {
		cond = "(" + cond + ")"
	}
	s := "if " + cond + " " + pr.bare(e.Then) + " else "
	if els, ok := e.Else.(*ast.Ternary); ok {
		return s + pr.ifExpr(els)
	}
	return s + pr.bare(e.Else)
}

// postfixBase renders the operand of '.', '->' and '[]'.
func (pr *printer) postfixBase(x ast.Expr) string {
	return pr.expr(x, precPostfix)
}

// joinOp prefixes a unary operator, with a space where the two would lex
// as one token ("- -x", "& &x").
func joinOp(op, x string) string {
	if x != "" && (x[0] == op[len(op)-1] && strings.Contains("-+&", x[:1]) || x[0] == '=') {
		return op + " " + x
	}
	return op + x
}

// ambiguousCast reports whether "(T)" could read as a parenthesised name
// when followed by an operator, so the operand needs parentheses.
func ambiguousCast(t *ast.TypeExpr) bool {
	if t == nil || t.Typeof != nil || t.Ptr > 0 || len(t.Dims) > 0 {
		return false
	}
	return !strings.Contains(t.Name, " ") && !isKnownType(t.Name)
}

func isKnownType(name string) bool {
	switch name {
	case "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
		"string", "inet", "buffer", "void", "char", "short", "int", "long", "unsigned", "signed":
		return true
	}
	return false
}

func (pr *printer) blockExpr(e *ast.BlockExpr) string {
	sub := &printer{indent: pr.indent + 1, cm: pr.cm}
	after := sub.trail(start(e) + 1)
	cursor, wrote := start(e)+1, false
	for _, s := range e.Stmts {
		sub.gap(&cursor, start(s), &wrote, true)
		sub.stmt(s, false)
		cursor, wrote = end(s), true
	}
	if e.Value != nil {
		sub.gap(&cursor, start(e.Value), &wrote, true)
		sub.simple(e.Value, sub.stmtExpr(e.Value)) // a leading block or if would read as a statement
		cursor, wrote = end(e.Value), true
	}
	sub.gap(&cursor, end(e)-1, &wrote, false)
	return "{" + after + "\n" + sub.b.String() + pr.pad() + "}"
}

func (pr *printer) typ(t *ast.TypeExpr) string {
	if t == nil {
		return ""
	}
	s := t.Name
	if t.Typeof != nil {
		s = typeofText(t)
	}
	if t.Ptr > 0 {
		s += " " + strings.Repeat("*", t.Ptr)
	}
	return s + dims(t.Dims)
}

func typeofText(t *ast.TypeExpr) string {
	pr := &printer{}
	switch x := t.Typeof.(type) {
	case *ast.TypeExpr:
		return "typeof(" + pr.typ(x) + ")"
	case ast.Expr:
		return "typeof(" + pr.expr(x, 0) + ")"
	}
	return "typeof()"
}

func dims(ds []int) string {
	s := ""
	for _, d := range ds {
		if d < 0 {
			s += "[]"
		} else {
			s += "[" + strconv.Itoa(d) + "]"
		}
	}
	return s
}

func mapName(m *ast.MapRef) string {
	if m == nil {
		return "@"
	}
	return "@" + m.Name
}

func itoa(n int) string { return strconv.Itoa(n) }

// quote writes s as a bpftrace string literal with C escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\x`)
				b.WriteString(strconv.FormatUint(uint64(c)>>4, 16))
				b.WriteString(strconv.FormatUint(uint64(c)&15, 16))
				continue
			}
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
