package ast

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump renders the tree as stable indented text, one node per line, two
// spaces per level. Spans are left out, so two parses of equivalent source
// dump the same; this is what `gobpftrace --emit ast` prints.
func Dump(p *Program) string {
	var b strings.Builder
	dumpNode(&b, p, 0)
	return b.String()
}

// DumpNode renders any subtree the way Dump does.
func DumpNode(n Node) string {
	var b strings.Builder
	dumpNode(&b, n, 0)
	return b.String()
}

func dumpNode(b *strings.Builder, n Node, depth int) {
	if isNil(n) {
		return
	}
	line(b, depth, Label(n))
	switch n := n.(type) {
	case *Program:
		if n.Shebang != "" {
			line(b, depth+1, "Shebang "+strconv.Quote(n.Shebang))
		}
	case *Probe:
		for _, ap := range n.AttachPoints {
			dumpNode(b, ap, depth+1)
		}
		if n.Pred != nil {
			line(b, depth+1, "Pred")
			dumpNode(b, n.Pred, depth+2)
		}
		dumpNode(b, n.Body, depth+1)
		return
	case *IfStmt:
		dumpNode(b, n.Cond, depth+1)
		dumpNode(b, n.Then, depth+1)
		if n.Else != nil {
			line(b, depth+1, "Else")
			dumpNode(b, n.Else, depth+2)
		}
		return
	case *BlockExpr:
		for _, s := range n.Stmts {
			dumpNode(b, s, depth+1)
		}
		line(b, depth+1, "Value")
		dumpNode(b, n.Value, depth+2)
		return
	}
	for _, c := range Children(n) {
		dumpNode(b, c, depth+1)
	}
}

func line(b *strings.Builder, depth int, s string) {
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
	b.WriteString(s)
	b.WriteByte('\n')
}

// Label is the one-line description of a node, without its children.
func Label(n Node) string {
	switch n := n.(type) {
	case *Program:
		return "Program"
	case *Preproc:
		return "Preproc " + strconv.Quote(n.Text)
	case *CRecord:
		kw := "CStruct"
		if n.Union {
			kw = "CUnion"
		}
		if n.Name == "" {
			return kw
		}
		return kw + " " + n.Name
	case *CField:
		s := "CField"
		if n.Name != "" {
			s += " " + n.Name
		}
		if n.Bits != 0 {
			s += fmt.Sprintf(" bits=%d", n.Bits)
		}
		return s
	case *CEnum:
		if n.Name == "" {
			return "CEnum"
		}
		return "CEnum " + n.Name
	case *CEnumValue:
		return "CEnumValue " + n.Name
	case *CTypedef:
		return "CTypedef " + n.Name
	case *Config:
		return "Config"
	case *ConfigEntry:
		return "ConfigEntry " + n.Name
	case *Import:
		return "Import " + strconv.Quote(n.Path)
	case *MapDecl:
		return "MapDecl " + n.Kind
	case *Macro:
		return "Macro " + n.Name
	case *MacroParam:
		return "MacroParam " + n.Sigil + n.Name
	case *Probe:
		if n.Label != "" {
			return "Probe label=" + n.Label
		}
		return "Probe"
	case *AttachPoint:
		parts := make([]string, len(n.Parts))
		for i, p := range n.Parts {
			parts[i] = strconv.Quote(p)
		}
		return fmt.Sprintf("AttachPoint %s provider=%s parts=[%s]",
			strconv.Quote(n.Raw), strconv.Quote(n.Provider), strings.Join(parts, " "))
	case *TypeExpr:
		s := "Type"
		if n.Typeof != nil {
			s += " typeof"
		} else {
			s += " " + strconv.Quote(n.Name)
		}
		if n.Ptr > 0 {
			s += " " + strings.Repeat("*", n.Ptr)
		}
		for _, d := range n.Dims {
			if d < 0 {
				s += "[]"
			} else {
				s += fmt.Sprintf("[%d]", d)
			}
		}
		return s
	case *Block:
		return "Block"
	case *ExprStmt:
		if n.Discard {
			return "ExprStmt discard"
		}
		return "ExprStmt"
	case *AssignStmt:
		return "Assign " + n.Op
	case *LetStmt:
		return "Let"
	case *IfStmt:
		return "If"
	case *WhileStmt:
		return "While"
	case *ForStmt:
		return "For"
	case *UnrollStmt:
		return "Unroll"
	case *JumpStmt:
		return "Jump " + n.Kind
	case *IntLit:
		s := "Int " + strconv.FormatUint(n.Value, 10)
		if n.Raw != "" && n.Raw != strconv.FormatUint(n.Value, 10) {
			s += " raw=" + n.Raw
		}
		if n.Suffix != "" {
			s += " suffix=" + n.Suffix
		}
		return s
	case *StringLit:
		return "String " + strconv.Quote(n.Value)
	case *BoolLit:
		return "Bool " + strconv.FormatBool(n.Value)
	case *Variable:
		return "Var $" + n.Name
	case *PositionalParam:
		if n.Count {
			return "Param $#"
		}
		return "Param $" + strconv.Itoa(n.N)
	case *MapRef:
		return "Map @" + n.Name
	case *MapAccess:
		return "MapAccess"
	case *Ident:
		return "Ident " + n.Name
	case *Call:
		if n.Macro {
			return "Call " + n.Func + "!"
		}
		return "Call " + n.Func
	case *Binary:
		return "Binary " + n.Op
	case *Unary:
		return "Unary " + n.Op
	case *IncDec:
		if n.Post {
			return "IncDec post" + n.Op
		}
		return "IncDec pre" + n.Op
	case *Ternary:
		return "Ternary"
	case *Cast:
		return "Cast"
	case *FieldAccess:
		if n.Arrow {
			return "Field ->" + n.Name
		}
		return "Field ." + n.Name
	case *IndexExpr:
		return "Index"
	case *TupleIndex:
		return "TupleIndex ." + strconv.Itoa(n.N)
	case *Tuple:
		return "Tuple"
	case *Record:
		return "Record"
	case *RecordField:
		return "RecordField " + n.Name
	case *Sizeof:
		return "Sizeof"
	case *Offsetof:
		return "Offsetof " + strings.Join(n.Fields, ".")
	case *Range:
		return "Range"
	case *BlockExpr:
		return "BlockExpr"
	}
	return fmt.Sprintf("%T", n)
}
