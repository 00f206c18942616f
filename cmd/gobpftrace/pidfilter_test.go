package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestPIDFilter: -p adds "pid == PID" to tracepoint probes (and keeps their
// own predicate), not to uprobes (bound to the process) or begin.
func TestPIDFilter(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	var stdout, stderr strings.Builder
	code := run([]string{"--emit", "ast", "-p", pid, "-e",
		"tracepoint:a:b /arg0/ { } uprobe:/bin/sh:main { } begin { }"}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if n := strings.Count(out, "Int "+pid); n != 1 {
		t.Fatalf("%d pid predicates, want 1 (the tracepoint's):\n%s", n, out)
	}
	if !strings.Contains(out, "Binary &&") || !strings.Contains(out, "Ident arg0") {
		t.Fatalf("the probe's own predicate is lost:\n%s", out)
	}
}
