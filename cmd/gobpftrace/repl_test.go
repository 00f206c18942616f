package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestInteractiveFlag: -i starts the REPL, which reads entries from stdin
// when it is not a terminal, and prints the maps at the end of input.
func TestInteractiveFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("kernel test (-short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("the REPL loads programs: needs root")
	}
	cmd := exec.Command(binary(t), "-i")
	cmd.Stdin = strings.NewReader("@x = 5;\nprintf(\"hello %d\\n\", 1 + 2);\n")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gobpftrace -i: %v\nstderr:\n%s", err, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "hello 3\n") || !strings.Contains(out, "@x: 5\n") {
		t.Fatalf("output:\n%s\nstderr:\n%s", out, stderr.String())
	}
}

// TestInteractiveWithProgram: -i with a program is a usage error.
func TestInteractiveWithProgram(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run([]string{"-i", "-e", "begin {}"}, strings.NewReader(""), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "-i takes no program") {
		t.Fatalf("code %d, stderr:\n%s", code, stderr.String())
	}
}
