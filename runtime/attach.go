package runtime

import (
	"fmt"
	"sync"

	"github.com/cilium/ebpf/link"

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
}

func (a *links) add(l link.Link) {
	a.mu.Lock()
	a.ls = append(a.ls, l)
	a.mu.Unlock()
}

// close detaches every link concurrently: detaching a tracepoint waits for an
// RCU grace period (~70 ms each when done one by one), and concurrent closes
// share those waits.
func (a *links) close() {
	a.mu.Lock()
	ls := a.ls
	a.ls = nil
	a.mu.Unlock()
	if len(ls) == 1 {
		ls[0].Close()
		return
	}
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Close()
		}()
	}
	wg.Wait()
}

// attachAll attaches every program of PhaseAttach in bpftrace's order, and
// returns how many probes count as attached (begin/end included, as bpftrace
// counts them). stop is polled between probes so that a Ctrl-C during a long
// attach is honoured.
func attachAll(obj *codegen.Object, l *loaded, o *Options, pid int, out *links, stop func() bool) (int, error) {
	var fwd, rev []int
	n := 0
	for i, p := range obj.Programs {
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
		if stop() {
			return n, errStopped
		}
		p := obj.Programs[i]
		if p.Provider == nil || p.Target == nil {
			return n, fmt.Errorf("no provider to attach %s", probeName(p))
		}
		lk, err := p.Provider.Attach(l.progs[i], p.Target, probe.AttachOptions{PID: pid})
		if err != nil {
			switch mode {
			case "ignore":
				continue
			case "warn":
				fmt.Fprintf(o.Stderr, "WARNING: Unable to attach probe: %s: %v\n", probeName(p), err)
				continue
			}
			return n, fmt.Errorf("Unable to attach probe: %s: %w", probeName(p), err)
		}
		if lk != nil {
			out.add(lk)
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
