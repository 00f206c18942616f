package runtime

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// attachReverse lists the providers whose probes the kernel fires in the
// reverse order of attachment; bpftrace attaches them last-first so that
// action blocks run in the order they were written (attach_reverse in
// bpftrace's src/bpftrace.cpp).
var attachReverse = map[string]bool{
	"kprobe": true, "uprobe": true, "uretprobe": true, "usdt": true,
	"software": true, "fentry": true, "iter": true,
}

// links are the attached programs; close detaches them all at once.
type links struct {
	mu sync.Mutex
	ls []link.Link
	ts []*probe.Target // ts[i] is what ls[i] is attached to
}

func (a *links) add(l link.Link, t *probe.Target) {
	a.mu.Lock()
	a.ls = append(a.ls, l)
	a.ts = append(a.ts, t)
	a.mu.Unlock()
}

// detachWatchpoints closes the links of the watchpoints on addr
// (unwatch(addr)) and says how many there were.
func (a *links) detachWatchpoints(addr uint64) int {
	a.mu.Lock()
	var gone []link.Link
	keepL, keepT := a.ls[:0], a.ts[:0]
	for i, l := range a.ls {
		if t := a.ts[i]; t != nil && t.Provider == "watchpoint" && t.Addr == addr {
			gone = append(gone, l)
			continue
		}
		keepL, keepT = append(keepL, l), append(keepT, a.ts[i])
	}
	a.ls, a.ts = keepL, keepT
	a.mu.Unlock()
	for _, l := range gone {
		l.Close()
	}
	return len(gone)
}

// close detaches every link concurrently and returns the perf events that
// are still open.
//
// Detaching a BPF program from a perf event waits for an RCU tasks-trace
// grace period; concurrent closes share it. Closing the perf event of a
// tracepoint or uprobe then unregisters it under the kernel's event_mutex
// with a synchronous RCU wait each (~30-70 ms, one at a time: 8 tracepoints
// take half a second). By then no program runs on them any more, so close
// keeps a duplicate of each perf event fd and hands the slow part back to
// the caller, who may close them in the background (see closer.go).
func (a *links) close() (lingering []*os.File) {
	a.mu.Lock()
	ls := a.ls
	a.ls, a.ts = nil, nil
	a.mu.Unlock()
	var mu sync.Mutex
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
	return lingering
}

// handOver gives every link to the closer process (closer.go), which
// detaches them at once, concurrently, while this process goes on (reading
// the maps) and exits without waiting for the kernel: a link's detach waits
// for an RCU grace period (~20 ms), its tracepoint's teardown far longer.
// It returns false, with the links untouched, when that cannot be done.
func (a *links) handOver() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	var files []*os.File
	fail := func() bool {
		for _, f := range files {
			f.Close()
		}
		return false
	}
	for _, l := range a.ls {
		var f *os.File
		if fl, ok := l.(interface{ FD() int }); ok {
			fd, err := unix.FcntlInt(uintptr(fl.FD()), unix.F_DUPFD_CLOEXEC, 3)
			if err != nil {
				return fail()
			}
			f = os.NewFile(uintptr(fd), "bpf_link")
		} else if pe, ok := l.(link.PerfEvent); ok {
			// Attached by ioctl: the program goes with the perf event.
			var err error
			if f, err = pe.PerfEvent(); err != nil {
				return fail()
			}
		} else {
			return fail()
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return true
	}
	if handOff(files, len(files)) != nil {
		return fail()
	}
	// The closer holds the links now: closing ours only drops references.
	for _, l := range a.ls {
		l.Close()
	}
	a.ls, a.ts = nil, nil
	return true
}

// keepPerfEvent returns a duplicate of the perf event fd behind a BPF perf
// link (not behind an ioctl attachment, where the program stays attached to
// the perf event until the event itself goes away).
func keepPerfEvent(l link.Link) *os.File {
	pe, ok := l.(link.PerfEvent)
	if !ok {
		return nil
	}
	if _, err := l.Info(); err != nil {
		return nil
	}
	f, err := pe.PerfEvent()
	if err != nil {
		return nil
	}
	return f
}

// Links are attached probes (see Attach).
type Links struct {
	ls links
	// Attached are the indices (in the object's Programs) of the programs
	// attached, in attach order.
	Attached []int
}

// Len is how many links are still attached.
func (l *Links) Len() int {
	l.ls.mu.Lock()
	defer l.ls.mu.Unlock()
	return len(l.ls.ls)
}

// DetachWatchpoints detaches the watchpoints on addr (unwatch(addr)) and
// says how many there were.
func (l *Links) DetachWatchpoints(addr uint64) int { return l.ls.detachWatchpoints(addr) }

// Detach detaches every probe: once it returns, no program runs on them
// any more. The perf events behind them are closed in the background.
func (l *Links) Detach() { releaseLater(l.ls.close(), false) }

// AttachOptions say how Attach attaches.
type AttachOptions struct {
	// Programs are the loaded programs' indices to consider (nil: all);
	// only those of PhaseAttach are attached.
	Programs []int
	// PID binds uprobes and USDT probes to a process (-p, -c).
	PID int
	// Verbose prints "Attaching PROBE" on Stderr; missing_probes=warn
	// prints its warnings there (nil: os.Stderr).
	Verbose bool
	Stderr  io.Writer
	// Stop is polled between probes: a Ctrl-C during a long attach is
	// honoured (the error is then ErrStopped).
	Stop func() bool
}

// ErrStopped is Attach's error when Stop said so.
var ErrStopped = errStopped

// Attach attaches the programs of PhaseAttach in bpftrace's order (some
// providers last-first), applying the object's missing_probes config. On
// error, what was attached is in the returned Links (Detach it).
func Attach(obj *codegen.Object, l *Loaded, o AttachOptions) (*Links, error) {
	out := &Links{}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Stop == nil {
		o.Stop = func() bool { return false }
	}
	_, err := attachAll(obj, l, &o, &out.ls, &out.Attached)
	return out, err
}

// attachAll attaches every program of PhaseAttach in bpftrace's order, and
// returns how many probes count as attached (begin/end included, as bpftrace
// counts them).
func attachAll(obj *codegen.Object, l *Loaded, o *AttachOptions, out *links, attached *[]int) (int, error) {
	var fwd, rev []int
	n := 0
	idx := o.Programs
	if idx == nil {
		idx = make([]int, len(obj.Programs))
		for i := range idx {
			idx[i] = i
		}
	}
	for _, i := range idx {
		p := obj.Programs[i]
		switch phaseOf(p) {
		case probe.PhaseAttach:
		case probe.PhaseBegin, probe.PhaseEnd:
			n++
			continue
		default:
			continue
		}
		name := ""
		if p.Target != nil {
			name = p.Target.Provider
		}
		if attachReverse[name] {
			rev = append(rev, i)
		} else {
			fwd = append(fwd, i)
		}
	}
	order := fwd
	for i := len(rev) - 1; i >= 0; i-- {
		order = append(order, rev[i])
	}
	mode := obj.Config.MissingProbes
	for _, i := range order {
		if o.Stop() {
			return n, errStopped
		}
		p := obj.Programs[i]
		if p.Provider == nil || p.Target == nil {
			return n, fmt.Errorf("no provider to attach %s", ProbeName(p))
		}
		if o.Verbose {
			fmt.Fprintf(o.Stderr, "Attaching %s\n", ProbeName(p))
		}
		lk, err := p.Provider.Attach(l.Programs[i], p.Target, probe.AttachOptions{PID: o.PID})
		if err != nil {
			switch mode {
			case "ignore":
				continue
			case "warn":
				fmt.Fprintf(o.Stderr, "WARNING: Unable to attach probe: %s: %v\n", ProbeName(p), err)
				continue
			}
			return n, fmt.Errorf("Unable to attach probe: %s: %w", ProbeName(p), err)
		}
		if lk != nil {
			out.add(lk, p.Target)
		}
		if attached != nil {
			*attached = append(*attached, i)
		}
		n++
	}
	return n, nil
}

// phaseOf says when a program runs. Objects built by hand in tests may name
// begin/end providers that are not registered; the names decide then.
func phaseOf(p *codegen.Program) probe.Phase {
	if p.Target == nil {
		return probe.PhaseAttach
	}
	if _, ok := probe.Lookup(p.Target.Provider); ok {
		return probe.PhaseOf(p.Target)
	}
	switch p.Target.Provider {
	case "begin", "BEGIN":
		return probe.PhaseBegin
	case "end", "END":
		return probe.PhaseEnd
	}
	return probe.PhaseAttach
}
