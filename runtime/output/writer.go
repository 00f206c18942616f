package output

// Writer prints bpftrace's output in one format. See the package doc.
type Writer interface {
	// Map prints print(@m[, top[, div]]) and the maps printed on exit.
	// top 0 prints every entry; div 0 or 1 divides nothing.
	Map(m *Map, top, div int)
	// Value prints print(expr) of a non-map value.
	Value(v Value)
	// Printf prints printf() output, already formatted by Sprintf.
	Printf(s string)
	// Errorf and Warnf print errorf()/warnf() messages; locs[0] is the
	// call, later entries the macro expansions it came from.
	Errorf(msg string, locs []Location)
	Warnf(msg string, locs []Location)
	// RuntimeError reports a runtime error other than a failed helper.
	RuntimeError(msg string, locs []Location)
	// HelperError reports a failed BPF helper call: helper is its name
	// without the bpf_ prefix ("probe_read", "map_update_elem"), retcode
	// the negative errno it returned.
	HelperError(helper string, retcode int, locs []Location)
	// Time prints time(fmt) output, already formatted by Strftime.
	Time(s string)
	// Cat, Join and Syscall print cat(), join() and system() output.
	Cat(s string)
	Join(s string)
	Syscall(s string)
	// LostEvents reports ring-buffer events the kernel dropped.
	LostEvents(n uint64)
	// AttachedProbes reports "Attached N probes".
	AttachedProbes(n int)
	// End is called once when the program stops, before the maps are
	// printed on exit (text: two blank lines; JSON: nothing).
	End()
}

// Location is a place in the script, for errorf/warnf and runtime errors.
type Location struct {
	Filename  string   // "stdin" for -e
	Line, Col int      // 1-based
	Pos       string   // rendered position, e.g. "stdin:1:9-30"
	Context   []string // the source line and the ~~~ line under it
}
