package probe

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// watchpointProvider is watchpoint:ADDR:LEN:MODE, a hardware breakpoint perf
// event firing when ADDR is read (r), written (w) or executed (x).
type watchpointProvider struct{}

func (watchpointProvider) Name() string      { return "watchpoint" }
func (watchpointProvider) Aliases() []string { return []string{"w"} }

func (p watchpointProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	if len(ap.Parts) != 3 {
		return nil, argCountError(ap, "watchpoint", 3)
	}
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = "watchpoint"
	addr, err := ParseUint(ap.Parts[0])
	if err != nil {
		return nil, apErrorf(ap, "Invalid function/address argument: %v", err)
	}
	if addr == 0 {
		return nil, apErrorf(ap, "watchpoint must be attached to a non-zero address")
	}
	n, err := ParseUint(ap.Parts[1])
	if err != nil {
		return nil, apErrorf(ap, "Invalid length argument: %v", err)
	}
	if n != 1 && n != 2 && n != 4 && n != 8 {
		return nil, apErrorf(ap, "watchpoint length must be one of (1,2,4,8)")
	}
	mode := []byte(ap.Parts[2])
	sort.Slice(mode, func(i, j int) bool { return mode[i] < mode[j] })
	if len(mode) == 0 {
		return nil, apErrorf(ap, "watchpoint mode must be combination of (r,w,x)")
	}
	for i, c := range mode {
		if c != 'r' && c != 'w' && c != 'x' {
			return nil, apErrorf(ap, "watchpoint mode must be combination of (r,w,x)")
		}
		if i > 0 && mode[i-1] == c {
			return nil, apErrorf(ap, "watchpoint modes may not be duplicated")
		}
	}
	// x86 breakpoints: read implies write ("rw"), exec stands alone.
	switch string(mode) {
	case "rw", "w", "x":
	default:
		return nil, apErrorf(ap, "invalid watchpoint mode: %s (supported modes: rw,w,x)", mode)
	}
	s.Addr, s.Period, s.Unit = addr, n, string(mode)
	return s, nil
}

func (p watchpointProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	t := s.Target
	t.Name = "watchpoint:" + strconv.FormatUint(t.Addr, 10) + ":" + strconv.FormatUint(t.Period, 10) + ":" + t.Unit
	return []*Target{&t}, nil
}

func (p watchpointProvider) Context(t *Target, h Host) (*Ctx, error) { return perfEventCtx(), nil }

// Attach opens a breakpoint event on every CPU, for opts.PID when set.
func (p watchpointProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	var bp uint32
	if strings.Contains(t.Unit, "r") {
		bp |= hwBreakpointR
	}
	if strings.Contains(t.Unit, "w") {
		bp |= hwBreakpointW
	}
	if strings.Contains(t.Unit, "x") {
		bp |= hwBreakpointX
	}
	attr := unix.PerfEventAttr{Type: unix.PERF_TYPE_BREAKPOINT, Sample: 1, Bp_type: bp}
	attr.Ext1 = t.Addr   // bp_addr
	attr.Ext2 = t.Period // bp_len
	if opts.PID > 0 {
		l, err := attachPerfEvent(prog, &attr, opts.PID, -1)
		if err != nil {
			return nil, fmt.Errorf("breakpoint at %#x: %w", t.Addr, err)
		}
		return l, nil
	}
	l, err := attachPerfEventAllCPUs(prog, &attr, opts.CPUs)
	if err != nil {
		return nil, fmt.Errorf("breakpoint at %#x: %w", t.Addr, err)
	}
	return l, nil
}

// Breakpoint types from uapi/linux/hw_breakpoint.h.
const (
	hwBreakpointR = 1
	hwBreakpointW = 2
	hwBreakpointX = 4
)

func init() { Register(watchpointProvider{}) }
