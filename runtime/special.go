package runtime

import (
	"fmt"
	"os"
	"os/signal"
	"sort"

	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// runPhase runs every program of phase ph once with BPF_PROG_TEST_RUN, in
// source order, as bpftrace runs begin and end blocks.
func (e *engine) runPhase(ph probe.Phase) error {
	var idx []int
	for i, p := range e.obj.Programs {
		if phaseOf(p) == ph {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return e.obj.Programs[idx[a]].ProbeIndex < e.obj.Programs[idx[b]].ProbeIndex
	})
	for _, i := range idx {
		if _, err := testRun(e.l.Programs[i].FD()); err != nil {
			return fmt.Errorf("running %s: %w", ProbeName(e.obj.Programs[i]), err)
		}
	}
	return nil
}

// hasPhase reports whether any program runs in phase ph.
func (e *engine) hasPhase(ph probe.Phase) bool {
	for _, p := range e.obj.Programs {
		if phaseOf(p) == ph {
			return true
		}
	}
	return false
}

// watchSignals runs the self:signal:SIG programs each time the process
// receives SIG, until stop is closed.
func (e *engine) watchSignals(stop <-chan struct{}) {
	bySig := map[os.Signal][]int{}
	for i, p := range e.obj.Programs {
		if phaseOf(p) != probe.PhaseSignal || p.Target == nil {
			continue
		}
		if s, ok := probe.SignalNumber(p.Target.Signal); ok {
			bySig[s] = append(bySig[s], i)
		}
	}
	if len(bySig) == 0 {
		return
	}
	ch := make(chan os.Signal, 8)
	for s := range bySig {
		signal.Notify(ch, s)
	}
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-stop:
				return
			case s := <-ch:
				for _, i := range bySig[s] {
					testRun(e.l.Programs[i].FD())
				}
			}
		}
	}()
}
