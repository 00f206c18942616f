package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/repl"
)

func init() { replHook = startREPL }

// startREPL runs the interactive mode (-i, or no program at a terminal)
// with the command line's settings.
func startREPL(a *args, stdin io.Reader, stdout, stderr io.Writer) int {
	if a.hasProgram || a.filename != "" {
		fmt.Fprintln(stderr, "ERROR: USAGE: -i takes no program")
		return 1
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(stderr, "ERROR: bpftrace currently only supports running as the root user.")
		return 1
	}
	in, isFile := stdin.(*os.File)
	if !isFile {
		in = os.Stdin
	}
	pid, ok := pidOption(a, stderr)
	if !ok {
		return 1
	}
	format := a.format
	if !validFormat(format, stderr) {
		return 1
	}
	return repl.Run(repl.Options{
		Stdin:      in,
		Stdout:     stdout,
		Stderr:     stderr,
		Params:     a.params,
		Env:        bpftraceEnv(),
		Unsafe:     a.unsafe,
		NoFeatures: a.noFeatures,
		PID:        pid,
		Format:     format,
		Quiet:      a.quiet,
	})
}

// isTerminal reports whether r is a terminal: with no arguments at all,
// gobpftrace at a terminal is interactive; otherwise it prints its usage.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
