// Package output turns decoded values into bpftrace's exact text and JSON
// output. It knows nothing about BPF: the runtime reads maps and ring-buffer
// events, decodes them into Values (using lang/types layouts), and drives a
// Writer. Everything here is pure Go and golden-tested (testdata/output).
//
// # Values
//
// Value is a closed set of Go types, one per kind bpftrace prints:
//
//	Int(-3), Uint(5)              integers (signed / unsigned)
//	Bool(true)                    "true" / "false"
//	String("abc")                 printed as is (no quotes in text); the
//	                              runtime appends bpftrace's truncation
//	                              trailer ("...") itself when a string fills
//	                              its buffer
//	Buffer([]byte)                buf(): printable bytes as is, others \xNN
//	Tuple{v1, v2}                 (1, abc)
//	Record{{Name: "a", Val: v}}   { .a = 1, .b = abc }  (records and structs)
//	Array{v1, v2}                 [1,2,3]
//	Pointer{Addr: 0x10}           0x10 (JSON: the number)
//	Symbol{Name, Addr, Numeric}   resolved text: ksym, usym, inet, username,
//	                              macaddr, strerror, cgroup_path... JSON
//	                              prints Name as a string; set Numeric for
//	                              enums, whose JSON is the number Addr, which
//	                              also makes maps of enums sort by value and
//	                              printf's %d print the number
//	Stack{Frames, Mode, User}     kstack/ustack, frames already symbolized:
//	                              Frame{Addr, Sym ("" if unknown), Off,
//	                              Module (perf mode prints " (Module)")}
//	Timestamp(time.Time)          a point in time
//	None{}                        no value ("null")
//
// Aggregation values (Map entries only):
//
//	Avg{Total, Count, Signed}     avg(): prints Total/Count
//	Stats{Total, Count, Signed}   stats(): { .count = C, .average = A, .total = T }
//	Hist{Counts}                  hist()/lhist(): bucket index -> count, with
//	                              the parameters taken from Map.Agg
//
// count/sum/min/max entries are plain Int or Uint.
//
// # Maps
//
// Map is one @map to print: its name, its aggregation type (Map.Agg, nil for
// a plain map; *types.Agg carries the hist Bits and lhist Min/Max/Step) and its
// entries in any order. The Writer sorts them as bpftrace does (by value for
// integers and aggregations, by total count for histograms, by key
// otherwise; ties by key), keeps the top N and divides by div. A map with no
// key has one entry whose Key is nil. A map with no entries prints nothing
// (JSON prints {} for avg/stats maps, as bpftrace).
//
// # Writers
//
// NewText(out, errOut) and NewJSON(w) return a Writer. Text mode writes
// "Attached N probes", "Lost N events", errorf/warnf and runtime errors to
// errOut (nil: out), like bpftrace; JSON mode writes everything to w, one
// object per line. The runtime calls:
//
//	Map(m, top, div)    print(@m[, top[, div]]) and the maps printed on exit
//	                    (top 0 = all entries; div 0 or 1 = no division)
//	Value(v)            print(expr) of a non-map value
//	Printf(s)           printf output, already formatted with Sprintf
//	Errorf/Warnf(msg, locs)  errorf()/warnf() messages
//	HelperError(helper, retcode, locs)  a failed BPF helper call
//	RuntimeError(msg, locs)  other runtime errors
//	Time(s)             time(fmt) output, formatted with CStrftime
//	Cat(s), Join(s), Syscall(s)  output of cat(), join(), system()
//	LostEvents(n)       "Lost N events"
//	AttachedProbes(n)   "Attached N probes"
//	End()               once when the program stops, before the exit-time
//	                    map dump (text: two newlines, as bpftrace)
//
// Helpers:
//
//	Sprintf(format, args []Value) string   bpftrace's printf conversions
//	Strftime(format, t) string             strftime() with %f (µs), %k (ns), %l (ms)
//	CStrftime(format, t) string            plain strftime(3), for time()
//	Strerror(errno) string                 glibc's message ("Bad address")
//	FormatValue(v), FormatValueJSON(v)     one value as text / JSON
//	FormatMapText(m, top, div), FormatMapJSON(m, top, div)
//	types.HistIndex / types.LhistIndex     bucket index of a value, and
//	types.HistBounds / types.LhistBounds   the bounds of a bucket index
package output
