// Package sematest holds a fixture probe.Host for checker and codegen
// tests: tracepoint formats come from testdata/check/formats, so tests do
// not depend on the machine.
package sematest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Host reads tracepoint formats from files named "category:event.format".
type Host struct{ Dir string }

// NewHost returns the fixture host over the repository's testdata.
func NewHost() *Host {
	_, file, _, _ := runtime.Caller(0)
	return &Host{Dir: filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "check", "formats")}
}

func (h *Host) TracepointFormat(category, event string) (string, error) {
	b, err := os.ReadFile(filepath.Join(h.Dir, category+":"+event+".format"))
	if err != nil {
		return "", fmt.Errorf("tracepoint %s:%s not found", category, event)
	}
	return string(b), nil
}

func (h *Host) Tracepoints() ([]string, error) {
	ents, err := os.ReadDir(h.Dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".format"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}
