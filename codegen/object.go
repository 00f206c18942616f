// Package codegen lowers a checked program to eBPF instructions.
package codegen

import (
	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// Object is everything the runtime needs to run a compiled program, as plain
// data: the runtime never reads the AST. This file is the contract between
// codegen and runtime; extend it, don't break it.
type Object struct {
	Programs []*Program
	// Maps are the BPF maps by spec name (user maps "AT_x", the ring buffer,
	// stack maps, scratch maps...). Programs reference them by name.
	Maps map[string]*ebpf.MapSpec
	// UserMaps are the script's @maps, in order of first appearance: what the
	// runtime prints on exit and what print()/clear()/zero() act on.
	UserMaps []*UserMap
	// Events are the messages programs send through the ring buffer, indexed by ID.
	Events []*Event
	// RingBuf is the spec name of the output ring buffer map ("" if unused).
	RingBuf string
	Config  Config

	// EventLoss is the spec name of a one-entry array map (key uint32 0,
	// value uint64) that programs increment when the ring buffer is full;
	// the runtime reports increases as "Lost N events". "" if unused.
	// (A RingBuf map of type PerfEventArray is the perf-buffer fallback:
	// the runtime reads it per CPU and counts losses itself.)
	EventLoss string
}

// Program is one BPF program for one attach target.
type Program struct {
	Spec   *ebpf.ProgramSpec
	Target *probe.Target
	// Provider attaches it; nil for begin/end/test programs that the runtime runs itself.
	Provider probe.Provider
	// ProbeIndex is the index of the action block in the source, for ordering.
	ProbeIndex int
	// Notice is the target's probe.Ctx.Notice (e.g. a kprobe attached as
	// fentry); the runtime prints each distinct notice once, before
	// attaching. "" when there is nothing to say.
	Notice string
}

// UserMap describes one @map as the script sees it.
//
// BPF layouts (shared by codegen, which writes them, and the runtime, which reads them):
//   - a map with no key uses the 8-byte key uint64(0), except a scalar count
//     or sum: a one-element per-CPU array (key uint32(0)), whose lookup the
//     verifier inlines and whose slot always exists (it reads 0 until
//     counted, as bpftrace prints it);
//   - keys are laid out as the Key type (tuples with C alignment), padding zeroed;
//     strings are fixed-size, NUL-padded;
//   - plain values are laid out as the Value type;
//   - aggregations use per-CPU hash maps, merged by the runtime:
//     count, sum: one 8-byte integer;
//     min, max: {int64 value; uint64 set}, set != 0 once written (16 bytes);
//     avg, stats: {int64 total; uint64 count} (16 bytes);
//     hist, lhist: the BPF key is the user key (padded to 8) followed by a uint64
//     bucket index (types.HistIndex / types.LhistIndex), the value a uint64 count;
//     tseries: the same key layout with the bucket epoch % num_intervals, the value
//     {int64 value; uint64 meta; uint64 epoch} (stdlib.TseriesValueSize bytes).
type UserMap struct {
	Name   string     // "@x", "@" for the anonymous map
	Spec   string     // key into Object.Maps
	Key    types.Type // nil for a map with no key (scalar map)
	Value  types.Type // *types.Agg for aggregation maps
	PerCPU bool       // values are per-CPU and merged in user space
	// ValueSize is the BPF value size; for aggregations it may differ from Value.Size().
	ValueSize int
}

// StackMapName is the spec name of the stack trace map that holds stacks of type t.
// A Stack value in a key, value or event is {int64 stackid; uint64 pid_tgid}.
func StackMapName(t *types.Stack) string {
	if t.User {
		return "ustack_" + itoa(t.Limit)
	}
	return "kstack_" + itoa(t.Limit)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// EventKind is what a ring buffer message asks the runtime to do.
type EventKind int

const (
	EvPrintf      EventKind = iota // format Fmt with Args
	EvPrint                        // print(value) / print(@m): Args[0] or Map
	EvPrintMap                     // print(@m[, top[, div]])
	EvClear                        // clear(@m)
	EvZero                         // zero(@m)
	EvExit                         // exit([code])
	EvTime                         // time(fmt)
	EvCat                          // cat(fmt, args)
	EvSystem                       // system(fmt, args)
	EvJoin                         // join(array[, sep])
	EvErrorf                       // errorf(fmt, args)
	EvWarnf                        // warnf(fmt, args)
	EvSignal                       // signal() fallback
	EvPrintNonMap                  // print(non-map expression)
	EvHelperError                  // -k: a BPF helper failed (Fmt: the helper's name)
	EvUnwatch                      // unwatch(addr): detach the watchpoints on addr
)

// Event describes one message layout. A message in the ring buffer starts with
// a uint64 event ID (the index in Object.Events), then the Args laid out as
// the fields of ArgsType (a *types.Tuple; nil when there are no args).
type Event struct {
	ID       int
	Kind     EventKind
	Fmt      string       // printf-style format, time format, join separator...
	ArgsType *types.Tuple // layout of the payload after the 8-byte ID
	Map      string       // EvPrintMap/EvClear/EvZero: the UserMap name
	// Location of the call in the script, for runtime warnings.
	Loc string
	// Span is the call in the script (errorf/warnf and runtime errors are
	// printed with a caret under it); the zero Span when unknown.
	Span lang.Span
}

// Payloads the runtime expects after the 8-byte event ID, per Kind (fields of
// ArgsType in order; "(none)" means ArgsType may be nil):
//
//	EvPrintf, EvErrorf, EvWarnf, EvCat, EvSystem:
//	               the format arguments, in order (Fmt holds the format)
//	EvPrint:       (none): print(@m) of Map with no top/div
//	EvPrintMap:    top, div as integers (either may be absent: 0)
//	EvClear, EvZero: (none): the map is Map
//	EvExit:        the exit code as an integer (absent: 0)
//	EvHelperError: the helper's number and its negative return code, as
//	               integers; Fmt is the helper's name ("probe_read_kernel"),
//	               Loc/Span the statement that called it
//	EvTime:        (none): Fmt is the strftime format ("" for bpftrace's default)
//	EvJoin:        one *types.Array of *types.String (unused slots empty);
//	               Fmt is the separator
//	EvSignal:      signal number, then the pid to send it to (absent: the
//	               traced process, i.e. -p/-c)
//	EvPrintNonMap: the value to print

// Config is the resolved config block and BPFTRACE_* environment.
type Config struct {
	MaxStrlen       int
	MaxMapKeys      int
	PrintMapsOnExit bool
	PerfRbPages     int
	MissingProbes   string // "error", "warn", "ignore"
	CppDemangle     bool
	StackMode       types.StackMode
	MaxCatBytes     int
	LogSize         int
	Unsafe          bool
	Unstable        map[string]string // unstable_* settings (sema.Config)
}
