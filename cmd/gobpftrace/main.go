// Command gobpftrace runs bpftrace programs: it parses, checks and compiles
// them to eBPF in pure Go, then loads, attaches and prints their output the
// way bpftrace does. Its command line is bpftrace's.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime"
)

func main() {
	// The perf-event closer (see runtime/closer.go) must not do anything else.
	if runtime.IsCloser() {
		runtime.CloserMain()
	}
	// SIGINT and SIGTERM are caught from the start: one that arrives while
	// compiling or loading still ends the run in order (maps printed).
	// The event loop allocates little but fast; a lazier collector costs a
	// few MiB at most and saves most of the GC work at high event rates.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	signals = make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(profiled(func() int { return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr) }))
}

// signals receives SIGINT/SIGTERM caught since main started (nil in tests
// that call run directly: the runtime then catches them itself).
var signals chan os.Signal

// replHook starts the interactive mode (-i, or no arguments at a
// terminal); set in repl.go.
var replHook func(a *args, stdin io.Reader, stdout, stderr io.Writer) int

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	// A bug anywhere in the pipeline is reported as one line, not a Go
	// stack trace; GOBPFTRACE_DEBUG=1 keeps the trace for developers.
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("GOBPFTRACE_DEBUG") != "" {
				panic(r)
			}
			fmt.Fprintf(stderr, "ERROR: internal error: %v (run with GOBPFTRACE_DEBUG=1 for details)\n", r)
			code = 1
		}
	}()
	if len(argv) == 0 {
		if isTerminal(stdin) && replHook != nil {
			return replHook(&args{named: map[string]string{}}, stdin, stdout, stderr)
		}
		usage(stderr)
		return 1
	}
	a, err := parseArgs(argv)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		usage(stderr)
		return 1
	}
	switch {
	case a.help:
		usage(stdout)
		return 0
	case a.version:
		fmt.Fprintln(stdout, version)
		return 0
	case a.info:
		return info(a, stdout, stderr)
	case a.fmtWanted:
		return formatFile(a, stdin, stdout, stderr)
	case a.repl:
		if replHook == nil {
			fmt.Fprintln(stderr, "ERROR: interactive mode (-i) is not available yet")
			return 1
		}
		return replHook(a, stdin, stdout, stderr)
	}
	if a.listing && !a.hasProgram && (a.search == "" || !isFile(a.search)) {
		if strings.Contains(a.search, ".") && !strings.ContainsAny(a.search, ":*") {
			fmt.Fprintf(stderr, "WARNING: It appears that '%s' is a filename but the file does not exist. Treating '%s' as a search pattern.\n", a.search, a.search)
		}
		return listProbes(a, stdout, stderr)
	}
	if a.listing && !a.hasProgram {
		a.filename = a.search
	}
	if !a.hasProgram && a.filename == "" {
		fmt.Fprintln(stderr, "ERROR: USAGE: filename or -e 'program' required.")
		return 1
	}
	if a.pid != "" {
		// Validated before the script is read, as bpftrace does.
		if _, err := parsePID(a.pid); err != nil {
			fmt.Fprintf(stderr, "ERROR: Failed to parse pid: %v\n", err)
			return 1
		}
	}
	f, err := readProgram(a, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	return runProgram(a, f, stdout, stderr)
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// readProgram returns the script as a lang.File named as bpftrace names it:
// "stdin" for -e and "-", the path otherwise.
func readProgram(a *args, stdin io.Reader) (*lang.File, error) {
	if a.hasProgram {
		return lang.NewFile("stdin", a.program), nil
	}
	if a.filename == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, err
		}
		return lang.NewFile("stdin", string(b)), nil
	}
	b, err := os.ReadFile(a.filename)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("failed to open file '%s': %s", a.filename, capitalize(err.Error()))
	}
	return lang.NewFile(a.filename, string(b)), nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// runProgram compiles and (unless only emitting or listing) runs the script.
func runProgram(a *args, f *lang.File, stdout, stderr io.Writer) int {
	var child *runtime.Child
	pid, ok := pidOption(a, stderr)
	if !ok {
		return 1
	}
	if a.emit == "" && !a.listing && os.Geteuid() != 0 {
		fmt.Fprintln(stderr, "ERROR: bpftrace currently only supports running as the root user.")
		return 1
	}
	// The -c child exists before compiling so that cpid is a constant.
	if a.cmd != "" && a.emit == "" && !a.listing {
		var err error
		if child, err = runtime.StartChild(a.cmd); err != nil {
			fmt.Fprintf(stderr, "ERROR: Failed to fork child: %v\n", err)
			return 1
		}
		defer child.Terminate()
	}
	if len(a.includes) > 0 && !a.noWarnings {
		// bpftrace runs C headers through clang; types come from BTF here.
		fmt.Fprintln(stderr, "WARNING: -I/--include ignored: C headers are not read (struct types come from the kernel's BTF)")
	}
	c, code := compile(a, f, pid, child, stdout, stderr)
	if c == nil {
		return code
	}
	if a.listing {
		for _, p := range c.obj.Programs {
			if p.Target != nil {
				fmt.Fprintln(stdout, listedName(p.Target))
			}
		}
		return 0
	}

	out := stdout
	if a.outFile != "" {
		of, err := os.Create(a.outFile)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: Failed to open output file: \"%s\": %s\n", a.outFile, capitalize(errText(err)))
			return 1
		}
		defer of.Close()
		out = of
	}
	format := a.format
	if !validFormat(format, stderr) {
		return 1
	}
	opts := runtime.Options{
		Stdout:          out,
		Stderr:          stderr,
		Format:          format,
		Buffer:          bufferMode(a.buffer),
		Quiet:           a.quiet,
		Verbose:         a.verbose,
		DebugVerifier:   a.debugs("verifier"),
		DryRun:          a.dryRun,
		Unsafe:          a.unsafe,
		PID:             pid,
		Child:           child,
		NoFeatures:      a.noFeatures,
		File:            f,
		NotifyAttached:  os.Getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED") != "",
		BackgroundClose: true,
		Exiting:         true,
		MinRingBuffer:   ringBufferFloor(c.obj),
		StrTruncTrailer: os.Getenv("BPFTRACE_STR_TRUNC_TRAILER"),
		Signals:         signals,
	}
	code, err := runtime.Run(context.Background(), c.obj, opts)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	return code
}

// defaultRingBuffer is the output ring size unless the user chose one. The
// reader keeps up with printf from a task making syscalls at full speed
// (about 7M records/s, 280 MB/s); what it cannot help is being kept off the
// CPU for a time slice or two on a busy machine, and 4 MiB covers about
// 15 ms of that rate. The ring's pages count in this process's RSS only
// once output has passed through them.
const defaultRingBuffer = 4 << 20

// ringBufferFloor keeps the user's perf_rb_pages when they set one
// (environment or config block), and raises the default otherwise.
func ringBufferFloor(obj *codegen.Object) int {
	if os.Getenv("BPFTRACE_PERF_RB_PAGES") != "" || obj.Config.PerfRbPages != 64 {
		return 0
	}
	return defaultRingBuffer
}

// pidOption is -p as a number (0 when not given), checked as bpftrace
// checks it: a decimal number of a process that exists.
func pidOption(a *args, stderr io.Writer) (int, bool) {
	if a.pid == "" {
		return 0, true
	}
	n, err := parsePID(a.pid)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: Failed to parse pid: %v\n", err)
		return 0, false
	}
	if _, err := os.Stat("/proc/" + a.pid); err != nil {
		fmt.Fprintf(stderr, "ERROR: pid '%d' does not exist\n", n)
		return 0, false
	}
	return n, true
}

// maxPID is the kernel's largest pid (PID_MAX_LIMIT on 64-bit).
const maxPID = 4194304

// parsePID validates -p as bpftrace does.
func parsePID(s string) (int, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("pid '%s' is not a valid decimal number", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPID {
		return 0, fmt.Errorf("pid '%s' out of valid pid range [1,%d]", s, maxPID)
	}
	return n, nil
}

// validFormat checks -f, reporting a bad one as bpftrace does.
func validFormat(format string, stderr io.Writer) bool {
	switch format {
	case "", "text", "json":
		return true
	}
	fmt.Fprintf(stderr, "ERROR: Invalid output format \"%s\"\nValid formats: 'text', 'json'\n", format)
	return false
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func bufferMode(s string) runtime.BufferMode {
	switch s {
	case "none":
		return runtime.BufferNone
	case "full":
		return runtime.BufferFull
	}
	return runtime.BufferLine
}
