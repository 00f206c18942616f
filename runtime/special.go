package runtime

import (
	"fmt"
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
		if _, err := testRun(e.l.progs[i].FD()); err != nil {
			return fmt.Errorf("running %s: %w", probeName(e.obj.Programs[i]), err)
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
