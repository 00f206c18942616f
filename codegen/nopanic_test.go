package codegen_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/sema/sematest"
	"github.com/gobpftrace/gobpftrace/parser"
)

// TestNoPanic runs the checker and the code generator over every parser
// test input: whatever they think of a program, they must not panic.
func TestNoPanic(t *testing.T) {
	files, _ := filepath.Glob("../testdata/parse/*.bt")
	more, _ := filepath.Glob("../testdata/check/*.bt")
	files = append(files, more...)
	host := sematest.NewHost()
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", file, r)
				}
			}()
			f := lang.NewFile(filepath.Base(file), string(src))
			prog, diags := parser.Parse(f)
			if diags.HasErrors() {
				return
			}
			info, diags := sema.Check(prog, sema.Options{Host: host})
			if diags.HasErrors() {
				return
			}
			codegen.Compile(prog, info)
		}()
	}
}

// FuzzCompile checks that no program makes the checker or the code
// generator panic.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("../testdata/parse/*.bt")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(string(src))
		}
	}
	for _, src := range oneLiners {
		f.Add(src)
	}
	for _, c := range beginCases {
		f.Add(c.src)
	}
	host := sematest.NewHost()
	f.Fuzz(func(t *testing.T, src string) {
		file := lang.NewFile("fuzz", src)
		prog, diags := parser.Parse(file)
		if diags.HasErrors() {
			return
		}
		info, diags := sema.Check(prog, sema.Options{Host: host})
		if diags.HasErrors() {
			return
		}
		codegen.Compile(prog, info)
	})
}
