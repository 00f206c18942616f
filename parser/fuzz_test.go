package parser

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the parser panic, and that whatever
// parses cleanly survives format -> parse unchanged.
func FuzzParse(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join(goldenDir, "*.bt"))
	for _, in := range inputs {
		if src, err := os.ReadFile(in); err == nil {
			f.Add(string(src))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkRoundTrip(t, src)
	})
}
