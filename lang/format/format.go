// Package format prints a syntax tree back as canonical bpftrace source, like
// `bpftrace --fmt`: two-space indentation, one statement per line, every
// simple statement ended by ';', single spaces around binary operators, and
// only the parentheses that precedence needs.
//
// Formatting is a fixed point: formatting the output again changes nothing,
// and parsing it gives the same tree (spans aside). Comments are not kept in
// the tree, so they do not survive formatting.
package format

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Program returns the canonical source of p.
func Program(p *ast.Program) string {
	pr := &printer{}
	if p.Shebang != "" {
		pr.line(p.Shebang)
	} else if len(p.Decls) > 0 {
		// A "#!" directive that is not a shebang must not land on line 1.
		if d, ok := p.Decls[0].(*ast.Preproc); ok && strings.HasPrefix(d.Text, "#!") {
			pr.b.WriteByte('\n')
		}
	}
	var prev ast.Decl
	for i, d := range p.Decls {
		_, isPre := d.(*ast.Preproc)
		_, prevPre := prev.(*ast.Preproc)
		if i > 0 || p.Shebang != "" {
			if !(isPre && prevPre) || strings.HasSuffix(prev.(*ast.Preproc).Text, "\\") {
				pr.b.WriteByte('\n')
			}
		}
		pr.decl(d)
		prev = d
	}
	return pr.b.String()
}

// Expr returns the canonical source of one expression.
func Expr(e ast.Expr) string {
	pr := &printer{}
	return pr.expr(e, 0)
}

type printer struct {
	b      strings.Builder
	indent int
}

func (pr *printer) pad() string { return strings.Repeat("  ", pr.indent) }

// line writes one indented line.
func (pr *printer) line(s string) {
	pr.b.WriteString(pr.pad())
	pr.b.WriteString(s)
	pr.b.WriteByte('\n')
}

func (pr *printer) decl(d ast.Decl) {
	switch d := d.(type) {
	case *ast.Preproc:
		pr.line(d.Text)
	case *ast.CRecord:
		pr.cRecord(d, ";")
	case *ast.CEnum:
		head := "enum"
		if d.Name != "" {
			head += " " + d.Name
		}
		pr.line(head + " {")
		pr.indent++
		for _, v := range d.Values {
			s := v.Name
			if v.Value != nil {
				s += " = " + pr.expr(v.Value, 0)
			}
			pr.line(s + ",")
		}
		pr.indent--
		pr.line("};")
	case *ast.CTypedef:
		pr.line("typedef " + cDecl(d.Type, d.Name) + ";")
	case *ast.Config:
		pr.line("config = {")
		pr.indent++
		for _, e := range d.Entries {
			pr.line(e.Name + " = " + pr.expr(e.Value, 0) + ";")
		}
		pr.indent--
		pr.line("}")
	case *ast.Import:
		pr.line("import " + quote(d.Path) + ";")
	case *ast.MapDecl:
		pr.line("let " + mapName(d.Map) + " = " + d.Kind + "(" + pr.exprList(d.Args) + ");")
	case *ast.Macro:
		params := make([]string, len(d.Params))
		for i, p := range d.Params {
			params[i] = p.Sigil + p.Name
		}
		pr.b.WriteString("macro " + d.Name + "(" + strings.Join(params, ", ") + ") ")
		pr.block(d.Body, true)
		pr.b.WriteByte('\n')
	case *ast.Probe:
		pr.probe(d)
	}
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
		pr.line(head + tail)
		return
	}
	pr.line(head + " {")
	pr.indent++
	for _, f := range r.Fields {
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
		pr.line(cDecl(f.Type, f.Name) + bits + ";")
	}
	pr.indent--
	pr.line("}" + tail)
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
	head := pr.pad()
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
	pr.b.WriteString(head + " ")
	pr.block(p.Body, false)
	pr.b.WriteByte('\n')
}

// block writes "{ ... }" starting on the current line and leaves the
// cursor after '}'. valueLast prints a trailing expression statement without
// ';' (a macro's value).
func (pr *printer) block(b *ast.Block, valueLast bool) {
	if b == nil || len(b.Stmts) == 0 {
		pr.b.WriteString("{}")
		return
	}
	pr.b.WriteString("{\n")
	pr.indent++
	for i, s := range b.Stmts {
		pr.stmt(s, valueLast && i == len(b.Stmts)-1)
	}
	pr.indent--
	pr.b.WriteString(pr.pad() + "}")
}

// stmt writes one statement on its own lines.
func (pr *printer) stmt(s ast.Stmt, bare bool) {
	semi := ";"
	if bare {
		if _, ok := s.(*ast.ExprStmt); ok {
			semi = ""
		}
	}
	switch s := s.(type) {
	case *ast.ExprStmt:
		pr.line(pr.stmtExpr(s.X) + semi)
	case *ast.AssignStmt:
		pr.line(pr.stmtExpr(s.Target) + " " + s.Op + " " + pr.expr(s.Value, 0) + ";")
	case *ast.LetStmt:
		l := "let " + pr.expr(s.Var, 0)
		if s.Type != nil {
			l += ": " + pr.typ(s.Type)
		}
		if s.Value != nil {
			l += " = " + pr.expr(s.Value, 0)
		}
		pr.line(l + ";")
	case *ast.JumpStmt:
		if s.Value != nil {
			pr.line(s.Kind + " " + pr.expr(s.Value, 0) + ";")
		} else {
			pr.line(s.Kind + ";")
		}
	case *ast.Block:
		pr.b.WriteString(pr.pad())
		pr.block(s, false)
		pr.b.WriteByte('\n')
	case *ast.IfStmt:
		pr.b.WriteString(pr.pad())
		pr.ifChain(s)
		pr.b.WriteByte('\n')
	case *ast.WhileStmt:
		pr.b.WriteString(pr.pad() + "while (" + pr.expr(s.Cond, 0) + ") ")
		pr.block(s.Body, false)
		pr.b.WriteByte('\n')
	case *ast.ForStmt:
		pr.b.WriteString(pr.pad() + "for (" + pr.expr(s.Var, 0) + " : " + pr.expr(s.Iter, 0) + ") ")
		pr.block(s.Body, false)
		pr.b.WriteByte('\n')
	case *ast.UnrollStmt:
		pr.b.WriteString(pr.pad() + "unroll (" + pr.expr(s.Count, 0) + ") ")
		pr.block(s.Body, false)
		pr.b.WriteByte('\n')
	}
}

// stmtExpr renders an expression at the start of a statement, where a
// leading '{' would read as a block statement.
func (pr *printer) stmtExpr(e ast.Expr) string {
	x := pr.expr(e, 0)
	if strings.HasPrefix(x, "{") {
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
