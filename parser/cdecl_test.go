package parser

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// TestCDeclNesting checks that deeply nested C declarations give an error,
// not a stack overflow in participle's recursion.
func TestCDeclNesting(t *testing.T) {
	for _, src := range []string{
		"struct S {" + strings.Repeat("struct{", 5000),
		"struct S { int (*f)" + strings.Repeat("(", 5000) + "; };",
	} {
		_, diags := Parse(lang.NewFile("stdin", src))
		if len(diags) == 0 || diags[0].Msg != "nesting too deep" {
			t.Errorf("%.30s...: got %v, want nesting too deep", src, diags)
		}
	}
}

// TestCDeclSpans checks the spans of C declarations: records up to their
// '}', fields from the start of the member to the end of their declarator,
// types over their base type words.
func TestCDeclSpans(t *testing.T) {
	src := "struct S { const int *a, b[2] : 3; struct { int x; } in; };\ntypedef const char *str;\nenum E { A = 1 + 2, B };"
	f := lang.NewFile("stdin", src)
	prog, diags := Parse(f)
	if len(diags) > 0 {
		t.Fatal(diags.Render(f))
	}
	var got []string
	ast.Walk(prog, func(n ast.Node) bool {
		if _, ok := n.(*ast.Program); !ok {
			sp := n.Span()
			got = append(got, ast.Label(n)+": "+src[sp.Start:sp.End])
		}
		return true
	})
	want := []string{
		`CStruct S: struct S { const int *a, b[2] : 3; struct { int x; } in; }`,
		`CField a: const int *a`,
		`Type "int" *: int`,
		`CField b bits=3: const int *a, b[2] : 3`,
		`Type "int"[2]: int`,
		`CField in: struct { int x; } in`,
		`CStruct: struct { int x; }`,
		`CField x: int x`,
		`Type "int": int`,
		`CTypedef str: typedef const char *str;`,
		`Type "char" *: const char`,
		`CEnum E: enum E { A = 1 + 2, B }`,
		`CEnumValue A: A = 1 + 2`,
		`Binary +: 1 + 2`,
		`Int 1: 1`,
		`Int 2: 2`,
		`CEnumValue B: B`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
