package parser

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// TestSpans checks that nodes cover exactly the text they were parsed from.
func TestSpans(t *testing.T) {
	src := `kprobe:f, uprobe:/bin/sh:main /pid == 1/ { @m[comm, 2] = count(); $x = (uint8)arg0 + 1; if ($x) { exit() } }`
	f := lang.NewFile("stdin", src)
	prog, diags := Parse(f)
	if len(diags) > 0 {
		t.Fatal(diags.Render(f))
	}
	want := map[string]bool{
		"kprobe:f":                  true,
		"uprobe:/bin/sh:main":       true,
		"pid == 1":                  true,
		"@m[comm, 2]":               true,
		"@m[comm, 2] = count()":     true,
		"count()":                   true,
		"(uint8)arg0 + 1":           true,
		"(uint8)arg0":               true,
		"uint8":                     true,
		"if ($x) { exit() }":        true,
		"{ exit() }":                true,
		"exit()":                    true,
		"$x = (uint8)arg0 + 1":      true,
		"comm":                      true,
		"2":                         true,
		"@m":                        true,
		"$x":                        true,
		"arg0":                      true,
		"1":                         true,
		"pid":                       true,
		"1 + 1":                     false, // never a node
		"kprobe:f, uprobe:/bin/sh:": false,
	}
	seen := map[string]bool{}
	ast.Walk(prog, func(n ast.Node) bool {
		sp := n.Span()
		if sp.Start < 0 || sp.End > lang.Pos(len(src)) || sp.Start > sp.End {
			t.Errorf("%s: bad span %v", ast.Label(n), sp)
			return true
		}
		seen[src[sp.Start:sp.End]] = true
		return true
	})
	for text, should := range want {
		if seen[text] != should {
			t.Errorf("span text %q seen=%v, want %v", text, seen[text], should)
		}
	}
	probe := prog.Probes()[0]
	if got := src[probe.Span().Start:probe.Span().End]; got != src {
		t.Errorf("probe span %q", got)
	}
}

func TestParseExpr(t *testing.T) {
	e, diags := ParseExpr(lang.NewFile("e", "1 + 2 * (3 - x)"))
	if len(diags) > 0 || e == nil {
		t.Fatalf("ParseExpr failed: %v", diags)
	}
	if got := ast.DumpNode(e); got != "Binary +\n  Int 1\n  Binary *\n    Int 2\n    Binary -\n      Int 3\n      Ident x\n" {
		t.Errorf("dump:\n%s", got)
	}
	if _, diags := ParseExpr(lang.NewFile("e", "1 +")); len(diags) == 0 {
		t.Error("ParseExpr accepted a truncated expression")
	}
	if _, diags := ParseExpr(lang.NewFile("e", "1 2")); len(diags) == 0 {
		t.Error("ParseExpr accepted trailing tokens")
	}
}

// TestRecovery checks that independent errors in separate items are all
// reported and the good items are still in the tree.
func TestRecovery(t *testing.T) {
	src := "BEGIN { $x = ; }\nkprobe:a { @a = 1 }\nkprobe:b { print(1 2); }\nEND { exit() }"
	prog, diags := Parse(lang.NewFile("stdin", src))
	if len(diags) != 2 {
		t.Fatalf("got %d diagnostics, want 2: %v", len(diags), diags)
	}
	var raws []string
	for _, p := range prog.Probes() {
		raws = append(raws, p.AttachPoints[0].Raw)
	}
	if len(raws) != 2 || raws[0] != "kprobe:a" || raws[1] != "END" {
		t.Errorf("probes kept: %v, want [kprobe:a END]", raws)
	}
}
