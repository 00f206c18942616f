package parser

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/format"
)

var update = flag.Bool("update", false, "rewrite testdata/parse goldens")

const goldenDir = "../testdata/parse"

func init() { catchInternal = false }

// TestGolden parses every testdata/parse/NAME.bt and compares the AST dump
// with NAME.ast and the formatted source with NAME.fmt, or, when the input
// has errors, the rendered diagnostics with NAME.err.
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join(goldenDir, "*.bt"))
	if len(inputs) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".bt")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			f := lang.NewFile("stdin", string(src))
			prog, diags := Parse(f)
			base := strings.TrimSuffix(in, ".bt")
			got, ext := ast.Dump(prog), ".ast"
			if len(diags) > 0 {
				got, ext = diags.Render(f), ".err"
			}
			if _, err := os.Stat(base + ".err"); err == nil && ext == ".ast" {
				t.Errorf("expected errors (%s.err exists), got none", name)
			}
			checkGolden(t, base+ext, got)
			if ext == ".ast" {
				// NAME.fmt shows the canonical formatting of the input.
				checkGolden(t, base+".fmt", format.Program(prog))
			}
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./parser -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s mismatch\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestRoundTrip checks, for every golden input that parses, that formatting
// is a fixed point and that the formatted text parses to the same tree.
func TestRoundTrip(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join(goldenDir, "*.bt"))
	if dir := os.Getenv("GOBPFTRACE_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "*.bt"))
		inputs = append(inputs, more...)
	}
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(in), func(t *testing.T) { checkRoundTrip(t, string(src)) })
	}
}

func checkRoundTrip(t *testing.T, src string) {
	t.Helper()
	prog, diags := Parse(lang.NewFile("stdin", src))
	if len(diags) > 0 {
		return
	}
	want := ast.Dump(prog)
	out := format.Program(prog)
	f2 := lang.NewFile("fmt", out)
	prog2, diags2 := Parse(f2)
	if len(diags2) > 0 {
		t.Fatalf("formatted output does not parse:\n%s\n%s", diags2.Render(f2), out)
	}
	if got := ast.Dump(prog2); got != want {
		t.Fatalf("tree changed by formatting\n--- formatted\n%s--- before\n%s--- after\n%s", out, want, got)
	}
	if again := format.Program(prog2); again != out {
		t.Fatalf("format is not idempotent\n--- first\n%s--- second\n%s", out, again)
	}
}
