package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/format"
	"github.com/gobpftrace/gobpftrace/parser"
)

// formatFile answers --fmt FILE: the script in canonical formatting.
func formatFile(a *args, stdin io.Reader, stdout, stderr io.Writer) int {
	var f *lang.File
	switch {
	case a.fmtFile == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: %v\n", err)
			return 1
		}
		f = lang.NewFile("stdin", string(b))
	case a.fmtFile == "" && a.hasProgram:
		f = lang.NewFile("stdin", a.program)
	default:
		b, err := os.ReadFile(a.fmtFile)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: failed to open file '%s': %s\n", a.fmtFile, capitalize(errText(err)))
			return 1
		}
		f = lang.NewFile(a.fmtFile, string(b))
	}
	prog, diags := parser.Parse(f)
	if diags.HasErrors() {
		io.WriteString(stderr, diags.Render(f))
		return 1
	}
	io.WriteString(stdout, format.Program(prog))
	return 0
}
