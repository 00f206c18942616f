// Package repl is gobpftrace's interactive mode: a readline prompt where each
// entry is a probe block (attached at once and kept attached), a top-level
// item (map declaration, macro, config), a statement run once like a begin
// block, or a dot command (.probes, .detach, .maps, .save...).
//
// The session keeps its source as a growing program: every accepted item is
// appended, and each new entry is parsed, checked and compiled together with
// the session so far, so that map types stay fixed across entries. Only the
// programs of the new entry are loaded; the @maps (and stack maps) they use
// are the kernel maps created by earlier entries, so maps persist and keep
// filling. Each entry has its own ring buffer, read by its own goroutine,
// and its output is written through readline so that the line being typed
// is redrawn below it.
//
// The command line starts it with no program or with -i:
//
//	code := repl.Run(repl.Options{Stdin: os.Stdin, Stdout: os.Stdout,
//		Stderr: os.Stderr, Params: params, Env: bpftraceEnv,
//		Unsafe: unsafe, NoFeatures: noFeatures, Format: format, Quiet: quiet})
//
// Input that is not a terminal (gobpftrace -i < file) is read line by line;
// errors and notices then go to Stderr.
//
// Not handled yet: -c, the end of the session when the -p process exits,
// and test:, bench: and self: probes (loaded, never run).
//
// The engine parts come from runtime, shared with script runs: runtime.Load
// (an entry's programs, with the session's maps as MapReplacements),
// runtime.Attach / Links.Detach, runtime.EventSource (the entry's ring
// buffer, or perf buffers), runtime.Decoder (values, ReadMap) and
// runtime.Dispatcher (event dispatch onto an output.Writer).
//
// Files, one job each:
//
//	repl.go      Run: the prompt loop, Ctrl-C / Ctrl-D
//	input.go     reading one entry: multi-line until complete, classifying it
//	source.go    the session's items and the combined program; diagnostics per entry
//	session.go   compiling an entry with the session and starting it
//	load.go      loading an entry against the session's shared maps
//	entry.go     one running entry: links, begin/end runs, ring-buffer reading, counts
//	events.go    the terminal, per-entry output, the entry's Dispatcher
//	commands.go  the dot commands
//	complete.go  tab completion (probe names, builtins, maps, types)
//	fields.go    struct field completion after -> and .
//	term.go      readline configuration for a terminal given as a file
package repl
