package codegen_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/sema/sematest"
)

var update = flag.Bool("update", false, "rewrite testdata/codegen/*.asm")

// TestGolden compiles testdata/codegen/*.bt with the fixture host and
// compares the --emit asm dump with the .asm file next to it.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../testdata/codegen/*.bt")
	if len(files) == 0 {
		t.Fatal("no testdata/codegen/*.bt")
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		obj, _ := build(t, string(src), sema.Options{Host: sematest.NewHost(), NCPUs: 2})
		got := codegen.Dump(obj)
		golden := strings.TrimSuffix(file, ".bt") + ".asm"
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s: dump differs from %s (run with -update to accept):\n%s", file, golden, got)
		}
	}
}
