package repl

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// entry is one accepted probe entry: its programs, links and output.
type entry struct {
	s     *session
	id    int
	label string // the attach points, for .probes
	items []*item
	obj   *codegen.Object
	idx   []int // indices of the entry's programs in obj.Programs
	set   *loadedSet

	mu       sync.Mutex
	links    *runtime.Links
	attached []int // indices in obj.Programs of the attached programs
	ends     []*ebpf.Program

	rd       *runtime.EventSource
	done     chan struct{} // closed when the reader goroutine ends
	stopping atomic.Bool
	muted    atomic.Bool
	exited   atomic.Bool // the entry called exit(): detached, kept for .probes
	detached bool
	lostSeen uint64 // event-loss count already reported (reader goroutine only)
	// oneShot entries (statements) are drained once and never read in
	// the background.
	oneShot bool
}

// phaseOf says when a program runs (begin/end are run, the rest attached).
func phaseOf(p *codegen.Program) probe.Phase {
	if p.Target == nil {
		return probe.PhaseAttach
	}
	return probe.PhaseOf(p.Target)
}

// start runs the entry's begin programs, attaches the others and starts
// reading its output. On error everything it did is undone.
func (e *entry) start() error {
	if e.obj.RingBuf != "" {
		m := e.set.Maps[e.obj.RingBuf]
		if m == nil {
			return fmt.Errorf("no map %q for the output buffer", e.obj.RingBuf)
		}
		rd, err := runtime.OpenEventSource(m, e.obj.Config.PerfRbPages)
		if err != nil {
			return fmt.Errorf("opening the output buffer: %w", err)
		}
		e.rd = rd
	}
	order := append([]int(nil), e.idx...)
	sort.SliceStable(order, func(a, b int) bool {
		return e.obj.Programs[order[a]].ProbeIndex < e.obj.Programs[order[b]].ProbeIndex
	})
	for _, i := range order {
		p := e.obj.Programs[i]
		switch phaseOf(p) {
		case probe.PhaseBegin:
			if _, err := probe.RunProgram(e.set.Programs[i]); err != nil {
				e.close()
				return fmt.Errorf("running %s: %w", runtime.ProbeName(p), err)
			}
		case probe.PhaseEnd:
			e.ends = append(e.ends, e.set.Programs[i])
		}
	}
	if !e.drain() {
		e.exited.Store(true)
	}
	if !e.exited.Load() {
		ls, err := runtime.Attach(e.obj, e.set.Loaded, runtime.AttachOptions{Programs: e.idx, PID: e.s.opts.PID, Stderr: errWriter{e.s}})
		e.mu.Lock()
		e.links = ls
		e.mu.Unlock()
		if err != nil {
			e.close()
			return err
		}
		e.attached = ls.Attached
	}
	if e.rd != nil && !e.oneShot {
		e.done = make(chan struct{})
		go e.readLoop(e.rd)
	}
	return nil
}

// drain handles every message already in the ring buffer, synchronously
// (begin blocks and statements). It returns false when one was exit().
func (e *entry) drain() bool {
	if e.rd == nil {
		return true
	}
	out := e.s.newOutput(e)
	defer out.flush()
	d := e.s.dispatcher(e, out)
	e.rd.SetDeadline(time.Now())
	defer e.rd.SetDeadline(time.Time{})
	ok := true
	for {
		msg, err := e.rd.Next()
		if err != nil {
			return ok
		}
		if ok && !d.Handle(msg) {
			ok = false
		}
	}
}

// readLoop prints the entry's output as it comes, until stopReading.
func (e *entry) readLoop(rd *runtime.EventSource) {
	defer close(e.done)
	out := e.s.newOutput(e)
	d := e.s.dispatcher(e, out)
	for {
		msg, err := rd.Next()
		switch {
		case err == nil:
			if !e.exited.Load() && !d.Handle(msg) {
				// exit() in a probe ends that entry, not the session.
				e.exited.Store(true)
				go e.unlink()
				out.printf("[%d] exited; its maps stay (.detach %d to remove it from the session)\n", e.id, e.id)
			}
			if !rd.Pending() {
				e.reportLost(out)
				out.flush()
			}
		case errors.Is(err, runtime.ErrWoken):
			out.flush()
			if e.stopping.Load() {
				return
			}
		default:
			out.flush()
			return
		}
	}
}

// reportLost prints "Lost N events" when the entry's programs found the
// ring buffer full since the last check.
func (e *entry) reportLost(out *entryOutput) {
	if dropped := e.rd.Lost(); dropped > 0 { // perf buffers
		out.w.LostEvents(dropped)
	}
	if e.obj.EventLoss == "" {
		return
	}
	if n := runtime.LostCount(e.set.Maps[e.obj.EventLoss]); n > e.lostSeen {
		out.w.LostEvents(n - e.lostSeen)
		e.lostSeen = n
	}
}

// unlink detaches the entry's probes (its programs stop running).
func (e *entry) unlink() {
	e.mu.Lock()
	ls := e.links
	e.links = nil
	e.mu.Unlock()
	if ls != nil {
		ls.Detach()
	}
}

// runEnds runs the entry's end programs (once).
func (e *entry) runEnds() {
	e.mu.Lock()
	ends := e.ends
	e.ends = nil
	e.mu.Unlock()
	for _, p := range ends {
		if _, err := probe.RunProgram(p); err != nil {
			e.s.errorf("[%d] running end: %v\n", e.id, err)
		}
	}
}

// stopReading waits until the reader has printed what is queued and ends it.
func (e *entry) stopReading() {
	if e.rd == nil {
		return
	}
	if e.done != nil {
		// Wake (not a deadline, which only the reader may set) makes the
		// reader return once it has read what is queued.
		e.stopping.Store(true)
		e.rd.Wake()
		<-e.done
	}
	e.rd.Close()
	e.rd = nil
}

// detach removes the entry: probes detached, end blocks run, output drained,
// programs and private maps closed. Shared maps stay.
func (e *entry) detach() {
	if e.detached {
		return
	}
	e.unlink()
	e.runEnds()
	e.stopReading()
	e.close()
	e.detached = true
}

// close releases programs and private maps.
func (e *entry) close() {
	e.unlink()
	e.stopReading()
	if e.set != nil {
		e.set.Close()
		e.set = nil
	}
}

// count is how often the entry's attached programs ran (the kernel's
// bpf_stats run_cnt), or -1 when the kernel does not say.
func (e *entry) count() int64 {
	if e.set == nil {
		return -1
	}
	var n int64
	for _, k := range e.attached {
		st, err := e.set.Programs[k].Stats()
		if err != nil {
			return -1
		}
		n += int64(st.RunCount)
	}
	return n
}

type probeCount struct {
	name string
	n    uint64
}

// counts is how often each attached program ran, busiest first.
func (e *entry) counts() []probeCount {
	if e.set == nil {
		return nil
	}
	var out []probeCount
	for _, k := range e.attached {
		st, err := e.set.Programs[k].Stats()
		if err != nil {
			continue
		}
		out = append(out, probeCount{name: runtime.ProbeName(e.obj.Programs[k]), n: st.RunCount})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].n > out[j].n })
	return out
}

// nlinks is how many probes are attached now.
func (e *entry) nlinks() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.links == nil {
		return 0
	}
	return e.links.Len()
}

// labelOf lists an entry's attach points as written.
func labelOf(items []*item) string {
	var parts []string
	for _, it := range items {
		if !it.probe {
			continue
		}
		head := it.text
		if i := strings.IndexAny(head, "{/"); i >= 0 && !strings.HasPrefix(strings.TrimSpace(head), "uprobe:/") {
			head = head[:i]
		} else if i := strings.IndexByte(head, '{'); i >= 0 {
			head = head[:i]
		}
		parts = append(parts, strings.Join(strings.Fields(head), " "))
	}
	return strings.Join(parts, ", ")
}

// errWriter writes the runtime's warnings (missing_probes=warn) where the
// session writes its errors.
type errWriter struct{ s *session }

func (w errWriter) Write(b []byte) (int, error) {
	w.s.errorf("%s", b)
	return len(b), nil
}
