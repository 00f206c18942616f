package parser

import (
	"sync"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang"
)

// TestCDeclColdStart times the first parse of a script with one struct
// definition, which builds the participle grammar. Run it alone to see the
// cold figure: go test -run CDeclColdStart -count=1 -v ./parser
func TestCDeclColdStart(t *testing.T) {
	cold := cParserVal == nil
	src := "struct S { int x; char name[16]; struct S *next; };\nBEGIN { print(1); }\n"
	start := time.Now()
	_, diags := Parse(lang.NewFile("stdin", src))
	first := time.Since(start)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	start = time.Now()
	Parse(lang.NewFile("stdin", src))
	warm := time.Since(start)
	t.Logf("first parse %v (grammar built: %v), next %v", first, cold, warm)
	if cold && first > 20*time.Millisecond {
		t.Errorf("cold parse with a C definition took %v", first)
	}
}

func BenchmarkCDeclBuild(b *testing.B) {
	for b.Loop() {
		cParserOnce = sync.Once{}
		cParser()
	}
}
