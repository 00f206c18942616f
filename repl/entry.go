package repl

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gobpftrace/gobpftrace/codegen"
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
	links    []link.Link
	attached []int // positions in idx of the attached programs
	ends     []*ebpf.Program

	rd       *ringbuf.Reader
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
		m := e.set.private[e.obj.RingBuf]
		if m == nil || m.Type() != ebpf.RingBuf {
			return fmt.Errorf("the output buffer %q is not a ring buffer (perf-buffer output is not supported in the REPL)", e.obj.RingBuf)
		}
		rd, err := ringbuf.NewReader(m)
		if err != nil {
			return fmt.Errorf("opening the output buffer: %w", err)
		}
		e.rd = rd
	}
	order := make([]int, len(e.idx))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return e.obj.Programs[e.idx[order[a]]].ProbeIndex < e.obj.Programs[e.idx[order[b]]].ProbeIndex
	})
	for _, k := range order {
		p := e.obj.Programs[e.idx[k]]
		switch phaseOf(p) {
		case probe.PhaseBegin:
			if _, err := probe.RunProgram(e.set.progs[k]); err != nil {
				e.close()
				return fmt.Errorf("running %s: %w", progName(p), err)
			}
		case probe.PhaseEnd:
			e.ends = append(e.ends, e.set.progs[k])
		}
	}
	if !e.drain() {
		e.exited.Store(true)
	}
	for _, k := range order {
		p := e.obj.Programs[e.idx[k]]
		if phaseOf(p) != probe.PhaseAttach || e.exited.Load() {
			continue
		}
		if p.Provider == nil || p.Target == nil {
			e.close()
			return fmt.Errorf("no provider to attach %s", progName(p))
		}
		lk, err := p.Provider.Attach(e.set.progs[k], p.Target, probe.AttachOptions{PID: e.s.opts.PID})
		if err != nil {
			switch e.obj.Config.MissingProbes { // config missing_probes, as runtime
			case "ignore":
				continue
			case "warn":
				e.s.errorf("WARNING: Unable to attach probe: %s: %v\n", progName(p), err)
				continue
			}
			e.close()
			return fmt.Errorf("Unable to attach probe: %s: %w", progName(p), err)
		}
		if lk != nil {
			e.links = append(e.links, lk)
		}
		e.attached = append(e.attached, k)
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
	e.rd.SetDeadline(time.Now())
	defer e.rd.SetDeadline(time.Time{})
	var rec ringbuf.Record
	ok := true
	for {
		if err := e.rd.ReadInto(&rec); err != nil {
			return ok
		}
		if ok && !e.s.handle(e, out, rec.RawSample) {
			ok = false
		}
	}
}

// readLoop prints the entry's output as it comes, until stop.
func (e *entry) readLoop(rd *ringbuf.Reader) {
	defer close(e.done)
	out := e.s.newOutput(e)
	var rec ringbuf.Record
	for {
		err := rd.ReadInto(&rec)
		switch {
		case err == nil:
			if !e.exited.Load() && !e.s.handle(e, out, rec.RawSample) {
				// exit() in a probe ends that entry, not the session.
				e.exited.Store(true)
				go e.unlink()
				out.printf("[%d] exited; its maps stay (.detach %d to remove it from the session)\n", e.id, e.id)
			}
			if rd.AvailableBytes() == 0 {
				e.reportLost(out)
				out.flush()
			}
		case errors.Is(err, ringbuf.ErrFlushed):
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
	m := e.set.private[e.obj.EventLoss]
	if e.obj.EventLoss == "" || m == nil {
		return
	}
	raw, err := m.LookupBytes(uint32(0))
	if err != nil || raw == nil {
		return
	}
	var n uint64
	for i := 0; i+8 <= len(raw); i += 8 {
		n += le.Uint64(raw[i:])
	}
	if n > e.lostSeen {
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
	// As runtime/attach.go does: closing a tracepoint's perf event waits for
	// the kernel (tens of ms each, one at a time), but the program stops
	// running as soon as its BPF link is closed. So keep a duplicate of each
	// perf event, close the links, and close the duplicates in the background.
	var mu sync.Mutex
	var lingering []*os.File
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if f := keepPerfEvent(l); f != nil {
				mu.Lock()
				lingering = append(lingering, f)
				mu.Unlock()
			}
			l.Close()
		}()
	}
	wg.Wait()
	if len(lingering) > 0 {
		// Not waited for: a process exiting closes them the same way.
		go func() {
			for _, f := range lingering {
				f.Close()
			}
		}()
	}
}

// keepPerfEvent duplicates the perf event behind a BPF perf link.
func keepPerfEvent(l link.Link) *os.File {
	pe, ok := l.(link.PerfEvent)
	if !ok {
		return nil
	}
	if _, err := l.Info(); err != nil {
		return nil // not a BPF link: the program stays until the event closes
	}
	f, err := pe.PerfEvent()
	if err != nil {
		return nil
	}
	return f
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
		// Flush (not a deadline: SetDeadline waits for a blocked read)
		// makes the reader return once it has read what is queued.
		e.stopping.Store(true)
		e.rd.Flush()
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
		e.set.close()
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
		st, err := e.set.progs[k].Stats()
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
		st, err := e.set.progs[k].Stats()
		if err != nil {
			continue
		}
		out = append(out, probeCount{name: progName(e.obj.Programs[e.idx[k]]), n: st.RunCount})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].n > out[j].n })
	return out
}

// nlinks is how many probes are attached now.
func (e *entry) nlinks() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.links)
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
