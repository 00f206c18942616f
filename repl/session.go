package repl

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/diag"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/parser"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// session is the state kept across entries.
type session struct {
	opts Options
	host *probe.RealHost
	term *terminal
	msgs io.Writer // errors and notices when not interactive (nil: term)
	dec  *runtime.Decoder

	items   []*item  // accepted top-level items, in entry order
	entries []*entry // probe entries, numbered from 1
	// maps are the kernel maps shared by entries (@maps, stack maps), by
	// spec name; they live as long as the session. Entries' readers look
	// them up while new entries add some: mapsMu guards the table.
	mapsMu sync.RWMutex
	maps   map[string]*ebpf.Map

	// mu guards what completion reads from readline's goroutine.
	mu       sync.Mutex
	userMaps map[string]*codegen.UserMap // by "@name", from the latest compile
	// printOnExit is the print_maps_on_exit config of the latest compile.
	printOnExit bool
	mapNames    []string // sorted

	stats io.Closer // bpf_stats run counts, nil if unavailable
	// exitPrints is set when a statement called exit(): the session ends
	// printing its maps, as a script does.
	exitPrints bool
}

func newSession(o Options, host *probe.RealHost, term *terminal) *session {
	s := &session{opts: o, host: host, term: term, maps: map[string]*ebpf.Map{}, userMaps: map[string]*codegen.UserMap{}, printOnExit: true}
	s.dec = runtime.NewDecoder(s.shared, "")
	if c, err := ebpf.EnableStats(0 /* BPF_STATS_RUN_TIME */); err == nil {
		s.stats = c
	}
	return s
}

func (s *session) shared(name string) *ebpf.Map {
	s.mapsMu.RLock()
	defer s.mapsMu.RUnlock()
	return s.maps[name]
}

func (s *session) setShared(name string, m *ebpf.Map) {
	s.mapsMu.Lock()
	s.maps[name] = m
	s.mapsMu.Unlock()
}

func (s *session) dropShared(name string) {
	s.mapsMu.Lock()
	if m := s.maps[name]; m != nil {
		m.Close()
		delete(s.maps, name)
	}
	s.mapsMu.Unlock()
}

// printf writes an answer (.probes, .maps, .list...) to the terminal.
func (s *session) printf(format string, args ...any) {
	fmt.Fprintf(s.term, format, args...)
}

// errorf writes an error or a notice ("[1] Attached 1 probe"): to the
// terminal in an interactive session, to Stderr when input is not a
// terminal (as bpftrace keeps those off stdout).
func (s *session) errorf(format string, args ...any) {
	w := io.Writer(s.term)
	if s.msgs != nil {
		w = s.msgs
	}
	fmt.Fprintf(w, format, args...)
}

// compiled is a checked and compiled session plus new items.
type compiled struct {
	c    *combined
	info *sema.Info
	obj  *codegen.Object
	idx  []int // the new items' programs
}

// compile checks and compiles the session with added appended. Errors and
// the warnings about the new items are printed; nil means it failed.
func (s *session) compile(added []*item) *compiled {
	all := usedDecls(append(append([]*item(nil), s.items...), added...))
	keep := map[*item]bool{}
	for _, it := range all {
		keep[it] = true
	}
	var old, adds []*item
	for _, it := range s.items {
		if keep[it] {
			old = append(old, it)
		}
	}
	for _, it := range added {
		if keep[it] {
			adds = append(adds, it)
		}
	}
	c := combine(old, adds)
	prog, diags := parser.Parse(c.file)
	if diags.HasErrors() {
		s.errorf("%s", c.render(onlyNew(c, diags, added)))
		return nil
	}
	info, cd := sema.Check(prog, sema.Options{Params: s.opts.Params, Env: s.opts.Env, Unsafe: s.opts.Unsafe, Host: s.host,
		Features: sema.Features{NoRingBuf: !runtime.HaveRingBuf()}})
	diags = append(diags, cd...)
	if shown := onlyNew(c, diags, added); len(shown) > 0 {
		s.errorf("%s", c.render(shown))
	}
	if diags.HasErrors() {
		if len(onlyNew(c, diags, added)) == 0 {
			// An error outside the new entry: show it anyway.
			s.errorf("%s", c.render(diags))
		}
		return nil
	}
	obj, err := codegen.Compile(prog, info)
	if err != nil {
		if dl, ok := err.(diag.List); ok {
			s.errorf("%s", c.render(dl))
		} else {
			s.errorf("ERROR: %v\n", err)
		}
		return nil
	}
	out := &compiled{c: c, info: info, obj: obj}
	for i, p := range obj.Programs {
		if p.ProbeIndex >= c.firstNew {
			out.idx = append(out.idx, i)
		}
	}
	return out
}

// onlyNew keeps the diagnostics that fall in the added items.
func onlyNew(c *combined, l diag.List, added []*item) diag.List {
	isNew := map[*item]bool{}
	for _, it := range added {
		isNew[it] = true
	}
	var out diag.List
	for _, d := range l {
		if p := c.at(d.Span.Start); p != nil && isNew[p.it] {
			out = append(out, d)
		}
	}
	return out
}

// remember records what a successful compile learned about maps and probes,
// for printing and completion.
func (s *session) remember(cp *compiled) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mapNames = s.mapNames[:0]
	for _, um := range cp.obj.UserMaps {
		s.userMaps[um.Name] = um
	}
	for name := range s.userMaps {
		s.mapNames = append(s.mapNames, name)
	}
	sort.Strings(s.mapNames)
	s.printOnExit = cp.obj.Config.PrintMapsOnExit
}

// printKnownMap prints "print(@m)" of a map the session knows without
// compiling anything (the bare "@m" shorthand becomes this); false when src
// is anything else, or the map is unknown (the compile reports it).
func (s *session) printKnownMap(src string) bool {
	m := printMapCall.FindStringSubmatch(src)
	if m == nil {
		return false
	}
	s.mu.Lock()
	um := s.userMaps[m[1]]
	s.mu.Unlock()
	if um == nil {
		return false
	}
	out := s.newOutput(nil)
	if km := s.shared(um.Spec); km != nil {
		om, err := s.dec.ReadMap(um, km)
		if err != nil {
			out.w.RuntimeError(err.Error(), nil)
		} else {
			out.w.Map(om, 0, 0)
		}
	}
	out.flush()
	return true
}

var printMapCall = regexp.MustCompile(`^print\((@\w*)\);?$`)

// addItems accepts probe blocks and other top-level items: compiled with
// the session, loaded, begin blocks run, probes attached.
func (s *session) addItems(items []*item) {
	cp := s.compile(items)
	if cp == nil {
		return
	}
	if len(cp.idx) == 0 {
		// Declarations only (macros, map declarations, config).
		s.items = append(s.items, items...)
		s.remember(cp)
		return
	}
	set, err := s.load(cp.obj, cp.idx)
	if err != nil {
		s.errorf("ERROR: %v\n", err)
		return
	}
	e := &entry{s: s, id: len(s.entries) + 1, label: labelOf(items), items: items, obj: cp.obj, idx: cp.idx, set: set}
	if err := e.start(); err != nil {
		e.close()
		s.forgetCreated(set)
		s.errorf("ERROR: %v\n", err)
		return
	}
	s.items = append(s.items, items...)
	s.remember(cp)
	if len(e.attached) == 0 && len(e.ends) == 0 {
		// Only begin blocks: they ran; nothing stays attached. Their
		// text stays in the session (and in .save).
		e.close()
		return
	}
	s.mu.Lock()
	s.entries = append(s.entries, e)
	s.mu.Unlock()
	if !s.opts.Quiet {
		n := len(e.attached)
		s.errorf("[%d] Attached %d probe%s\n", e.id, n, plural(n))
	}
}

// forgetCreated drops the shared maps a failed entry created.
func (s *session) forgetCreated(set *loadedSet) {
	for _, name := range set.created {
		s.dropShared(name)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// runStatement runs statements once, as a begin block compiled with the
// session. A statement that creates a new @map stays in the session (as a
// begin block that already ran) so that later entries know the map. It
// returns false when the statement called exit().
func (s *session) runStatement(p *parsed) bool {
	it := &item{text: stmtPrefix + p.file.Src + stmtSuffix, probe: true, src: p.file, off: -len(stmtPrefix)}
	cp := s.compile([]*item{it})
	if cp == nil {
		return true
	}
	set, err := s.load(cp.obj, cp.idx)
	if err != nil {
		s.errorf("ERROR: %v\n", err)
		return true
	}
	e := &entry{s: s, obj: cp.obj, idx: cp.idx, set: set, oneShot: true}
	defer e.close()
	if err := e.start(); err != nil {
		s.forgetCreated(set)
		s.errorf("ERROR: %v\n", err)
		return true
	}
	s.mu.Lock()
	isNew := false
	for _, um := range cp.obj.UserMaps {
		isNew = isNew || s.userMaps[um.Name] == nil
	}
	s.mu.Unlock()
	if isNew {
		s.items = append(s.items, it)
	}
	s.remember(cp)
	if e.exited.Load() {
		s.exitPrints = true
		return false
	}
	return true
}

// userMap returns a @map's description (from obj) and its kernel map.
func (s *session) userMap(obj *codegen.Object, name string) (*codegen.UserMap, *ebpf.Map) {
	for _, um := range obj.UserMaps {
		if um.Name == name {
			return um, s.shared(um.Spec)
		}
	}
	return nil, nil
}

// live lists the entries that are still attached or hold end blocks.
func (s *session) live() []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*entry
	for _, e := range s.entries {
		if !e.detached {
			out = append(out, e)
		}
	}
	return out
}

// finish ends the session: probes detached, end blocks run, and with
// printMaps every @map printed as a script prints them on exit.
func (s *session) finish(printMaps bool) {
	live := s.live()
	for _, e := range live {
		e.unlink()
	}
	for _, e := range live {
		e.runEnds()
		e.stopReading()
	}
	if printMaps && s.printOnExit {
		out := s.newOutput(nil)
		out.w.End()
		s.mu.Lock()
		names := append([]string(nil), s.mapNames...)
		ums := make([]*codegen.UserMap, len(names))
		for i, n := range names {
			ums[i] = s.userMaps[n]
		}
		s.mu.Unlock()
		for _, um := range ums {
			if m := s.shared(um.Spec); m != nil {
				if om, err := s.dec.ReadMap(um, m); err == nil {
					out.w.Map(om, 0, 0)
				} else {
					out.w.RuntimeError(err.Error(), nil)
				}
			}
		}
		out.flush()
	}
	for _, e := range live {
		e.close()
		e.detached = true
	}
	s.mapsMu.Lock()
	for name, m := range s.maps {
		m.Close()
		delete(s.maps, name)
	}
	s.mapsMu.Unlock()
	if s.stats != nil {
		s.stats.Close()
	}
}

// source is the session as a runnable script: declarations and the probes
// still attached (begin blocks that created maps included), formatted.
func (s *session) source() string {
	var items []*item
	detached := map[*item]bool{}
	for _, e := range s.entries {
		if e.detached {
			for _, it := range e.items {
				detached[it] = true
			}
		}
	}
	for _, it := range s.items {
		if !detached[it] {
			items = append(items, it)
		}
	}
	c := combine(items, nil)
	prog, diags := parser.Parse(c.file)
	if diags.HasErrors() {
		return c.file.Src + "\n"
	}
	return strings.TrimRight(formatProgram(prog), "\n") + "\n"
}
