package codegen_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/parser"
)

// TestLoadParseCorpus loads every parser test program that checks cleanly on
// this machine: whatever compiles must pass the verifier.
func TestLoadParseCorpus(t *testing.T) {
	needRoot(t)
	h := realHost(t)
	files, _ := filepath.Glob("../testdata/parse/*.bt")
	loaded := 0
	for _, file := range files {
		src, _ := os.ReadFile(file)
		f := lang.NewFile(filepath.Base(file), string(src))
		prog, diags := parser.Parse(f)
		if diags.HasErrors() {
			continue
		}
		info, diags := sema.Check(prog, sema.Options{Host: h, Unsafe: true})
		if diags.HasErrors() {
			if os.Getenv("SHOW_SEMA") != "" {
				t.Logf("%s", diags.Render(f))
			}
			continue
		}
		targets := 0
		for _, pi := range info.Probes {
			targets += len(pi.Targets)
		}
		if targets > 20 {
			continue // wildcards over the whole kernel: too many programs for one test
		}
		obj, err := codegen.Compile(prog, info)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		spec := &ebpf.CollectionSpec{Maps: obj.Maps, Programs: map[string]*ebpf.ProgramSpec{}}
		for i, p := range obj.Programs {
			spec.Programs[string(rune('a'+i%26))+p.Spec.Name] = p.Spec
		}
		coll, err := ebpf.NewCollection(spec)
		if err != nil {
			var ve *ebpf.VerifierError
			if errors.As(err, &ve) {
				t.Errorf("%s: verifier: %+v\n%s", file, ve, codegen.Dump(obj))
			} else {
				t.Errorf("%s: %v", file, err)
			}
			continue
		}
		coll.Close()
		loaded++
	}
	t.Logf("loaded %d of %d parser corpus programs", loaded, len(files)/2)
}
