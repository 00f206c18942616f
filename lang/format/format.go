// Package format prints a syntax tree back as canonical bpftrace source, like
// `bpftrace --fmt`: two-space indentation, one statement per line, every
// simple statement ended by ';', single spaces around binary operators, and
// only the parentheses that precedence needs. Comments and single blank
// lines between statements are kept (see comments.go).
//
// Formatting is a fixed point: formatting the output again changes nothing,
// and parsing it gives the same tree (spans aside).
package format

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Program returns the canonical source of p.
func Program(p *ast.Program) string {
	pr := &printer{cm: newCommentSet(p)}
	if p.Shebang != "" {
		pr.line(p.Shebang)
	} else if len(p.Decls) > 0 {
		// A "#!" directive that is not a shebang must not land on line 1.
		if d, ok := p.Decls[0].(*ast.Preproc); ok && strings.HasPrefix(d.Text, "#!") {
			pr.b.WriteByte('\n')
		}
	}
	var prev ast.Decl
	cursor := 0
	for _, d := range p.Decls {
		if pr.b.Len() > 0 && !sameGroup(prev, d) {
			pr.b.WriteByte('\n')
		}
		wrote := false // the separator above is the blank line before comments
		pr.gap(&cursor, start(d), &wrote, true)
		pr.decl(d)
		prev, cursor = d, end(d)
	}
	if rest := pr.cm.before(1 << 62); len(rest) > 0 {
		if pr.b.Len() > 0 {
			pr.b.WriteByte('\n')
		}
		for _, c := range rest {
			pr.line(c.text)
		}
	}
	return pr.b.String()
}

// sameGroup reports whether d continues a run of one-line declarations of
// the same kind (#include lines, imports, map declarations, typedefs),
// which are not separated by blank lines.
func sameGroup(prev, d ast.Decl) bool {
	switch prev := prev.(type) {
	case *ast.Preproc:
		// A continuation backslash would swallow the next line.
		_, ok := d.(*ast.Preproc)
		return ok && !strings.HasSuffix(prev.Text, "\\")
	case *ast.Import:
		_, ok := d.(*ast.Import)
		return ok
	case *ast.MapDecl:
		_, ok := d.(*ast.MapDecl)
		return ok
	case *ast.CTypedef:
		_, ok := d.(*ast.CTypedef)
		return ok
	}
	return false
}

// Expr returns the canonical source of one expression.
func Expr(e ast.Expr) string {
	pr := &printer{}
	return pr.expr(e, 0)
}

type printer struct {
	b      strings.Builder
	indent int
	cm     *commentSet // nil when the source is unknown
}

func (pr *printer) pad() string { return strings.Repeat("  ", pr.indent) }

// line writes one indented line.
func (pr *printer) line(s string) {
	pr.b.WriteString(pr.pad())
	pr.b.WriteString(s)
	pr.b.WriteByte('\n')
}

// simple writes a one-line item: comments written inside it first, then the
// line with any trailing comment.
func (pr *printer) simple(n ast.Node, text string) {
	pr.leading(end(n))
	pr.line(text + pr.trail(end(n)))
}

func (pr *printer) decl(d ast.Decl) {
	switch d := d.(type) {
	case *ast.Preproc:
		pr.line(d.Text + pr.trail(end(d)))
	case *ast.CRecord:
		pr.cRecord(d, ";")
	case *ast.CEnum:
		head := "enum"
		if d.Name != "" {
			head += " " + d.Name
		}
		pr.openBrace(head, d, firstStart(len(d.Values), func(i int) ast.Node { return d.Values[i] }))
		for _, v := range d.Values {
			pr.leading(start(v))
			s := v.Name
			if v.Value != nil {
				s += " = " + pr.expr(v.Value, 0)
			}
			pr.simple(v, s+",")
		}
		pr.closeBrace(d, "};")
	case *ast.CTypedef:
		pr.simple(d, "typedef "+cDecl(d.Type, d.Name)+";")
	case *ast.Config:
		pr.openBrace("config =", d, firstStart(len(d.Entries), func(i int) ast.Node { return d.Entries[i] }))
		for _, e := range d.Entries {
			pr.leading(start(e))
			pr.simple(e, e.Name+" = "+pr.expr(e.Value, 0)+";")
		}
		pr.closeBrace(d, "}")
	case *ast.Import:
		pr.simple(d, "import "+quote(d.Path)+";")
	case *ast.MapDecl:
		pr.simple(d, "let "+mapName(d.Map)+" = "+d.Kind+"("+pr.exprList(d.Args)+");")
	case *ast.Macro:
		params := make([]string, len(d.Params))
		for i, p := range d.Params {
			params[i] = p.Sigil + p.Name
		}
		if d.Body != nil {
			pr.leading(start(d.Body))
		}
		pr.b.WriteString("macro " + d.Name + "(" + strings.Join(params, ", ") + ") ")
		pr.block(d.Body, true)
		pr.b.WriteString(pr.trail(end(d)) + "\n")
	case *ast.Probe:
		pr.probe(d)
	}
}

// firstStart is the start of the first of n children, or -1.
func firstStart(n int, child func(int) ast.Node) int {
	if n == 0 {
		return -1
	}
	return start(child(0))
}

// openBrace writes "head {" for a braced declaration, with a comment that
// follows the '{' on its line. first is where the first member starts.
func (pr *printer) openBrace(head string, n ast.Node, first int) {
	brace := -1
	if pr.cm != nil {
		to := end(n)
		if first >= 0 {
			to = first
		}
		brace = strings.IndexByte(pr.cm.src[start(n):to], '{')
	}
	if brace >= 0 {
		pos := start(n) + brace + 1
		pr.line(head + " {" + pr.trail(pos))
	} else {
		pr.line(head + " {")
	}
	pr.indent++
}

// closeBrace writes the comments left inside a braced declaration and its
// closing line.
func (pr *printer) closeBrace(n ast.Node, close string) {
	pr.leading(end(n) - 1)
	pr.indent--
	pr.line(close + pr.trail(end(n)))
}

func (pr *printer) cRecord(r *ast.CRecord, tail string) {
	head := "struct"
	if r.Union {
		head = "union"
	}
	if r.Name != "" {
		head += " " + r.Name
	}
	if r.Fields == nil {
		pr.simple(r, head+tail)
		return
	}
	pr.openBrace(head, r, firstStart(len(r.Fields), func(i int) ast.Node { return r.Fields[i] }))
	for _, f := range r.Fields {
		pr.leading(start(f))
		bits := ""
		if f.Bits != 0 {
			bits = " : " + itoa(f.Bits)
		}
		if f.Record != nil {
			name := ""
			if f.Name != "" {
				name = " " + f.Name
			}
			pr.cRecord(f.Record, name+bits+";")
			continue
		}
		pr.simple(f, cDecl(f.Type, f.Name)+bits+";")
	}
	pr.closeBrace(r, "}"+tail)
}

// cDecl writes a C declaration: "char name[16]", "struct sk *p".
func cDecl(t *ast.TypeExpr, name string) string {
	if t == nil {
		return name
	}
	s := t.Name
	if t.Typeof != nil {
		s = typeofText(t)
	}
	if t.Ptr > 0 {
		s += " " + strings.Repeat("*", t.Ptr) + name
	} else if name != "" {
		s += " " + name
	}
	return s + dims(t.Dims)
}

func (pr *printer) probe(p *ast.Probe) {
	head := ""
	if p.Label != "" {
		head += p.Label + "="
	}
	for i, ap := range p.AttachPoints {
		if i > 0 {
			head += ",\n" + pr.pad()
		}
		head += ap.Raw
	}
	if p.Pred != nil {
		head += " /" + pr.expr(p.Pred, 0) + "/"
	}
	if p.Body != nil {
		pr.leading(start(p.Body)) // comments within the header go above it
	}
	pr.b.WriteString(pr.pad() + head + " ")
	pr.block(p.Body, false)
	pr.b.WriteString(pr.trail(end(p)) + "\n")
}

// block writes "{ ... }" starting on the current line and leaves the
// cursor after '}'. valueLast prints a trailing expression statement without
// ';' (a macro's value).
func (pr *printer) block(b *ast.Block, valueLast bool) {
	if b == nil {
		pr.b.WriteString("{}")
		return
	}
	after := pr.trail(start(b) + 1)
	if len(b.Stmts) == 0 && after == "" && !pr.cm.any(start(b), end(b)) {
		pr.b.WriteString("{}")
		return
	}
	pr.b.WriteString("{" + after + "\n")
	pr.indent++
	cursor, wrote := start(b)+1, false
	for i, s := range b.Stmts {
		pr.gap(&cursor, start(s), &wrote, true)
		pr.stmt(s, valueLast && i == len(b.Stmts)-1)
		cursor, wrote = end(s), true
	}
	pr.gap(&cursor, end(b)-1, &wrote, false)
	pr.indent--
	pr.b.WriteString(pr.pad() + "}")
}

// stmt writes one statement on its own lines, with the comments written
// inside it above it and a comment that follows it on its line.
func (pr *printer) stmt(s ast.Stmt, bare bool) {
	semi := ";"
	if bare {
		if _, ok := s.(*ast.ExprStmt); ok {
			semi = ""
		}
	}
	text := ""
	switch s := s.(type) {
	case *ast.ExprStmt:
		text = pr.stmtExpr(s.X) + semi
		if s.Discard {
			text = "_ = " + pr.expr(s.X, 0) + semi
		}
	case *ast.AssignStmt:
		text = pr.stmtExpr(s.Target) + " " + s.Op + " " + pr.expr(s.Value, 0) + ";"
	case *ast.LetStmt:
		text = "let " + pr.expr(s.Var, 0)
		if s.Type != nil {
			text += ": " + pr.typ(s.Type)
		}
		if s.Value != nil {
			text += " = " + pr.expr(s.Value, 0)
		}
		text += ";"
	case *ast.JumpStmt:
		text = s.Kind + ";"
		if s.Value != nil {
			text = s.Kind + " " + pr.expr(s.Value, 0) + ";"
		}
	default:
		pr.compound(s)
		pr.b.WriteString(pr.trail(end(s)) + "\n")
		return
	}
	pr.simple(s, text)
}

// compound writes a statement with blocks. Comments in its header (or
// between "}" and "else") go above it.
func (pr *printer) compound(s ast.Stmt) {
	for _, g := range headerGaps(s) {
		for _, c := range pr.cm.inRange(g[0], g[1]) {
			pr.line(c.text)
		}
	}
	pr.b.WriteString(pr.pad())
	switch s := s.(type) {
	case *ast.Block:
		pr.block(s, false)
	case *ast.IfStmt:
		pr.ifChain(s)
	case *ast.WhileStmt:
		pr.b.WriteString("while (" + pr.expr(s.Cond, 0) + ") ")
		pr.block(s.Body, false)
	case *ast.ForStmt:
		pr.b.WriteString("for (" + pr.expr(s.Var, 0) + " : " + pr.expr(s.Iter, 0) + ") ")
		pr.block(s.Body, false)
	case *ast.UnrollStmt:
		pr.b.WriteString("unroll (" + pr.expr(s.Count, 0) + ") ")
		pr.block(s.Body, false)
	}
}

// headerGaps are the source ranges of a compound statement outside its
// blocks: its header, and the "else" between blocks.
func headerGaps(s ast.Stmt) [][2]int {
	switch s := s.(type) {
	case *ast.IfStmt:
		gaps := [][2]int{{start(s), start(s.Then)}}
		if s.Else != nil {
			gaps = append(gaps, [2]int{end(s.Then), start(s.Else)})
			if e, ok := s.Else.(*ast.IfStmt); ok {
				gaps = append(gaps, headerGaps(e)...)
			}
		}
		return gaps
	case *ast.WhileStmt:
		return [][2]int{{start(s), start(s.Body)}}
	case *ast.ForStmt:
		return [][2]int{{start(s), start(s.Body)}}
	case *ast.UnrollStmt:
		return [][2]int{{start(s), start(s.Body)}}
	}
	return nil
}

// stmtExpr renders an expression at the start of a statement, where a
// leading '{' would read as a block statement.
func (pr *printer) stmtExpr(e ast.Expr) string {
	x := pr.expr(e, 0)
	if strings.HasPrefix(x, "{") || strings.HasPrefix(x, "if ") {
		return "(" + x + ")"
	}
	return x
}

func (pr *printer) ifChain(s *ast.IfStmt) {
	pr.b.WriteString("if (" + pr.expr(s.Cond, 0) + ") ")
	pr.block(s.Then, false)
	switch e := s.Else.(type) {
	case *ast.IfStmt:
		pr.b.WriteString(" else ")
		pr.ifChain(e)
	case *ast.Block:
		pr.b.WriteString(" else ")
		pr.block(e, false)
	}
}
