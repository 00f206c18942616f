package ast

import (
	"strings"
	"testing"
)

func sampleTree() *Program {
	x := &Variable{Name: "x"}
	return &Program{Decls: []Decl{
		&Probe{
			AttachPoints: []*AttachPoint{{Raw: "BEGIN", Provider: "BEGIN"}},
			Pred:         &Binary{Op: "==", L: &Ident{Name: "pid"}, R: &IntLit{Value: 1, Raw: "1"}},
			Body: &Block{Stmts: []Stmt{
				&AssignStmt{Target: x, Op: "=", Value: &Call{Func: "count"}},
				&IfStmt{Cond: x, Then: &Block{}, Else: &Block{Stmts: []Stmt{&JumpStmt{Kind: "return"}}}},
			}},
		},
	}}
}

func TestWalkPreOrder(t *testing.T) {
	var got []string
	Walk(sampleTree(), func(n Node) bool {
		got = append(got, strings.Fields(Label(n))[0])
		return true
	})
	want := "Program Probe AttachPoint Binary Ident Int Block Assign Var Call If Var Block Block Jump"
	if strings.Join(got, " ") != want {
		t.Errorf("walk order\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestWalkSkipsChildren(t *testing.T) {
	n := 0
	Walk(sampleTree(), func(node Node) bool {
		n++
		_, isIf := node.(*IfStmt)
		return !isIf
	})
	if n != 11 {
		t.Errorf("visited %d nodes, want 11 (the if's children skipped)", n)
	}
}

func TestWalkNilSafe(t *testing.T) {
	Walk(nil, func(Node) bool { t.Fatal("visited nil"); return true })
	var b *Block
	Walk(b, func(Node) bool { t.Fatal("visited typed nil"); return true })
	// A let without type or value has nil children.
	Walk(&LetStmt{Var: &Variable{Name: "a"}}, func(Node) bool { return true })
}

func TestDump(t *testing.T) {
	got := Dump(sampleTree())
	want := `Program
  Probe
    AttachPoint "BEGIN" provider="BEGIN" parts=[]
    Pred
      Binary ==
        Ident pid
        Int 1
    Block
      Assign =
        Var $x
        Call count
      If
        Var $x
        Block
        Else
          Block
            Jump return
`
	if got != want {
		t.Errorf("dump\n%s\nwant\n%s", got, want)
	}
}
