package format

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

func lit(n uint64) *ast.IntLit { return &ast.IntLit{Value: n} }

func bin(op string, l, r ast.Expr) *ast.Binary { return &ast.Binary{Op: op, L: l, R: r} }

// TestExprParens checks that parentheses appear exactly where precedence
// and associativity need them.
func TestExprParens(t *testing.T) {
	x := &ast.Variable{Name: "x"}
	m := &ast.MapRef{Name: "m"}
	cases := []struct {
		e    ast.Expr
		want string
	}{
		{bin("+", lit(1), bin("*", lit(2), lit(3))), "1 + 2 * 3"},
		{bin("*", bin("+", lit(1), lit(2)), lit(3)), "(1 + 2) * 3"},
		{bin("-", bin("-", lit(1), lit(2)), lit(3)), "1 - 2 - 3"},
		{bin("-", lit(1), bin("-", lit(2), lit(3))), "1 - (2 - 3)"},
		{&ast.Unary{Op: "-", X: &ast.Unary{Op: "-", X: x}}, "- -$x"},
		{&ast.Unary{Op: "&", X: &ast.Unary{Op: "&", X: x}}, "& &$x"},
		{&ast.Unary{Op: "!", X: bin("&&", x, x)}, "!($x && $x)"},
		{&ast.Ternary{Cond: &ast.Ternary{Cond: x, Then: lit(1), Else: lit(2)}, Then: lit(3), Else: lit(4)}, "($x ? 1 : 2) ? 3 : 4"},
		{&ast.Ternary{Cond: x, Then: lit(1), Else: &ast.Ternary{Cond: x, Then: lit(2), Else: lit(3)}}, "$x ? 1 : $x ? 2 : 3"},
		{&ast.Cast{Type: &ast.TypeExpr{Name: "uint8"}, X: bin("+", x, lit(1))}, "(uint8)($x + 1)"},
		{&ast.Cast{Type: &ast.TypeExpr{Name: "foo"}, X: &ast.Unary{Op: "-", X: lit(1)}}, "(foo)(-1)"},
		{&ast.Cast{Type: &ast.TypeExpr{Name: "struct sk", Ptr: 1}, X: x}, "(struct sk *)$x"},
		{&ast.FieldAccess{X: &ast.Cast{Type: &ast.TypeExpr{Name: "struct sk", Ptr: 1}, X: x}, Name: "f", Arrow: true}, "((struct sk *)$x)->f"},
		{&ast.IndexExpr{X: m, Index: lit(0)}, "(@m)[0]"},
		{&ast.MapAccess{Map: m, Keys: []ast.Expr{lit(1), x}}, "@m[1, $x]"},
		{&ast.TupleIndex{X: &ast.TupleIndex{X: x, N: 0}, N: 1}, "$x.0.1"},
		{&ast.Tuple{Elems: []ast.Expr{lit(1)}}, "(1,)"},
		{&ast.Tuple{}, "()"},
		{&ast.Record{Fields: []*ast.RecordField{{Name: "a", Value: lit(1)}}}, "(a = 1)"},
		{&ast.IncDec{Op: "++", Post: true, X: x}, "$x++"},
		{&ast.Unary{Op: "-", X: &ast.IncDec{Op: "--", X: x}}, "- --$x"},
		{&ast.StringLit{Value: "a\"b\n\x01"}, `"a\"b\n\x01"`},
		{&ast.Call{Func: "m", Macro: true, Args: []ast.Expr{x}}, "m!($x)"},
		{&ast.Range{Lo: lit(0), Hi: bin("+", x, lit(1))}, "0..$x + 1"},
		{&ast.Sizeof{Type: &ast.TypeExpr{Name: "uint8", Dims: []int{4}}}, "sizeof(uint8[4])"},
		{&ast.Offsetof{Type: &ast.TypeExpr{Name: "struct s"}, Fields: []string{"a", "b"}}, "offsetof(struct s, a.b)"},
	}
	for _, c := range cases {
		if got := Expr(c.e); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

// TestProgramWithoutSource formats a tree built by hand (no File, no spans).
func TestProgramWithoutSource(t *testing.T) {
	p := &ast.Program{Decls: []ast.Decl{
		&ast.Preproc{Text: "#include <linux/sched.h>"},
		&ast.Probe{
			AttachPoints: []*ast.AttachPoint{{Raw: "kprobe:f"}, {Raw: "kprobe:g"}},
			Pred:         bin("==", &ast.Ident{Name: "pid"}, lit(1)),
			Body: &ast.Block{Stmts: []ast.Stmt{
				&ast.AssignStmt{Target: &ast.MapAccess{Map: &ast.MapRef{}, Keys: []ast.Expr{&ast.Ident{Name: "comm"}}}, Op: "=", Value: &ast.Call{Func: "count"}},
				&ast.ExprStmt{X: &ast.BlockExpr{Value: lit(1)}},
			}},
		},
	}}
	want := `#include <linux/sched.h>

kprobe:f,
kprobe:g /pid == 1/ {
  @[comm] = count();
  ({
    1
  });
}
`
	if got := Program(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
