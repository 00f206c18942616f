// Package output turns decoded values into bpftrace's exact text and JSON
// output. It knows nothing about BPF: the runtime reads maps and ring-buffer
// events, decodes them into Values (using lang/types layouts), and drives a
// Writer. Everything here is pure Go and golden-tested.
//
// # Values
//
// Value is a closed set of Go types, one per kind bpftrace prints:
//
//	Int(-3), Uint(5)              integers (signed / unsigned)
//	Bool(true)                    "true" / "false"
//	String("abc")                 printed as is (no quotes in text)
//	Buffer([]byte)                buf(): printable bytes as is, others as \xNN
//	Tuple{v1, v2}                 (1, abc)
//	Record{{Name: "a", Val: v}}   { .a = 1, .b = abc }  (records and structs)
//	Array{v1, v2}                 [1,2,3]
//	Pointer{Addr: 0x10}           0x10
//	Symbol{Name: "f", Addr: a}    ksym/usym/kfunc/enum names/inet/macaddr...:
//	                              the already-resolved text, plus the number
//	Stack{Frames, Mode, User}     kstack/ustack with frames already symbolized
//	Timestamp(time.Time)          a point in time
//	None{}                        no value ("null" in JSON)
//
// Aggregation values (Map entries only, never inside a Tuple):
//
//	Avg{Total, Count}             avg(): prints Total/Count
//	Stats{Total, Count}           stats(): { .count = C, .average = A, .total = T }
//	Hist{Counts}                  hist()/lhist(): bucket index -> count, with the
//	                              parameters taken from Map.Agg
//
// count/sum/min/max entries are plain Int or Uint.
//
// # Maps
//
// Map is one @map to print: its name, its aggregation type (Map.Agg, nil for
// a plain map; *types.Agg carries the hist Bits and lhist Min/Max/Step) and its
// entries in any order (the Writer sorts them as bpftrace does). A map with
// no key has one entry whose Key is nil.
//
// # Writers
//
// NewText(out, errOut) and NewJSON(w) return a Writer. Text mode writes
// "Attached N probes", "Lost N events", errorf/warnf and runtime errors to
// errOut, like bpftrace; JSON mode writes everything to w, one object per
// line. The runtime calls:
//
//	Map(m, top, div)    print(@m[, top[, div]]) and the maps printed on exit
//	                    (top 0 = all entries; div 0 or 1 = no division)
//	Value(v)            print(expr) of a non-map value
//	Printf(s)           printf output, already formatted with Sprintf
//	Errorf/Warnf(msg, locs)  errorf()/warnf() messages
//	RuntimeError(msg, locs)  failed helper calls and other runtime errors
//	Time(s)             time(fmt) output, already formatted with Strftime
//	Cat(s), Join(s), Syscall(s)  output of cat(), join(), system()
//	LostEvents(n)       "Lost N events"
//	AttachedProbes(n)   "Attached N probes"
//	End()               once when the program stops, before the exit-time
//	                    map dump (text: two newlines, as bpftrace)
//
// Helpers the runtime uses to build strings:
//
//	Sprintf(format, args []Value) string     bpftrace's printf conversions
//	Strftime(format, t time.Time) string     strftime plus bpftrace's %f (µs)
//	types.HistIndex / types.LhistIndex       bucket index of a value (and the
//	types.HistBounds / types.LhistBounds     label bounds of a bucket index)
package output
