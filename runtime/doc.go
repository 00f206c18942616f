// Package runtime runs a compiled program: it loads the BPF objects, runs the
// begin programs, attaches every other program through its provider, streams
// the ring buffer into an output.Writer, and on exit() / SIGINT / SIGTERM /
// the end of the -c child runs the end programs, prints the maps and detaches.
//
// It reads only codegen.Object (never the AST), so it can be tested with
// hand-built objects. Files, one job each:
//
//	run.go        Run: the life cycle, in bpftrace's order
//	load.go       loading the collection; verifier errors
//	attach.go     attaching through providers, detaching in bulk
//	special.go    begin/end/signal programs via BPF_PROG_TEST_RUN
//	events.go     reading the ring buffer and dispatching messages
//	perfbuf.go    the perf-buffer fallback reader
//	decode.go     bytes + lang/types → output.Value
//	maps.go       reading user maps fast (batch lookups), merging per-CPU values
//	stacks.go     kstack/ustack values from stack maps
//	buffer.go     -B none|line|full output buffering
//	child.go      -c: the child process, held before exec until attached
//	procwatch.go  -p: noticing that the traced process exited
package runtime
