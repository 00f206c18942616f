// Package runtime runs a compiled program: it loads the BPF objects, runs the
// begin programs, attaches every other program through its provider, streams
// the ring buffer into an output.Writer, and on exit() / SIGINT / SIGTERM /
// the end of the -c child or -p process runs the end programs, prints the
// maps and detaches.
//
// It reads only codegen.Object (never the AST), so it can be tested with
// hand-built objects. The entry point is Run; StartChild prepares -c.
//
// The parts of a run are public for the REPL, which loads entries one by
// one against maps that outlive them: Load (LoadOptions.MapReplacements,
// Loaded.Disown), Attach (Links.Detach), Decoder (Value, ReadMap),
// ClearMap/ZeroMap/CountEntries, Dispatcher (messages onto an
// output.Writer) and LostCount.
// Files, one job each:
//
//	run.go        Run: the life cycle, in bpftrace's order
//	options.go    what the command line tells the runtime
//	load.go       Load: creating maps and loading programs (in parallel); verifier errors
//	attach.go     attaching through providers; detaching in bulk
//	closer.go     handing links and slow perf-event teardown to a helper process
//	special.go    begin/end/self:signal programs via BPF_PROG_TEST_RUN
//	source.go     where events come from: ring buffer or perf buffers
//	ringbuf.go    the zero-copy ring buffer reader
//	events.go     Dispatcher: messages (printf, print, clear, exit, cat, ...)
//	fastprintf.go compiled printf for the common formats
//	decode.go     bytes + lang/types → output.Value
//	maps.go       reading user maps (batch lookups), merging per-CPU values
//	mapstream.go  big maps decoded while the kernel copies the next batch
//	stacks.go     kstack/ustack values from stack maps
//	buffer.go     -B none|line|full output buffering
//	child.go      -c: the child, held after exec until everything is attached
//	procwatch.go  -p: noticing that the traced process exited
//	bpfsys.go     the few bpf(2) commands issued directly
package runtime
