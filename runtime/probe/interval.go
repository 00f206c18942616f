package probe

import (
	"fmt"
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// timeUnits are the units interval: and profile: accept.
var timeUnits = []string{"hz", "ms", "s", "us"}

// timedProvider is interval: (one CPU) and profile: (every CPU); both are
// cpu-clock perf events firing on a period or at a frequency.
type timedProvider struct {
	name, alias string
	allCPUs     bool
}

func (p *timedProvider) Name() string      { return p.name }
func (p *timedProvider) Aliases() []string { return []string{p.alias} }

// Parse accepts PROVIDER:UNIT:N and PROVIDER:N, where N may carry a time
// suffix ("1s", "100ms") and is otherwise nanoseconds; like bpftrace the
// one-field form becomes microseconds (interval:1s is interval:us:1000000).
func (p *timedProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = p.name
	switch len(ap.Parts) {
	case 1:
		if HasWildcard(ap.Parts[0]) { // listing
			s.Unit, s.Wildcard = ap.Parts[0], true
			return s, nil
		}
		ns, err := ParseUint(ap.Parts[0])
		if err != nil {
			return nil, apErrorf(ap, "Invalid rate of %s probe: %v", p.name, err)
		}
		if ns < 1000 {
			return nil, apErrorf(ap, "Invalid rate of %s probe. Minimum is 1000 or 1us. Found: %d nanoseconds", p.name, ns)
		}
		s.Unit, s.Period = "us", ns/1000
	case 2:
		s.Unit = ap.Parts[0]
		if s.Unit == "" {
			return nil, apErrorf(ap, "%s probe must have unit of time", p.name)
		}
		if HasWildcard(s.Unit) || HasWildcard(ap.Parts[1]) {
			s.Wildcard = true
			return s, nil
		}
		if !isTimeUnit(s.Unit) {
			return nil, apErrorf(ap, "%s is not an accepted unit of time", s.Unit)
		}
		n, err := ParseUint(ap.Parts[1])
		if err != nil {
			return nil, apErrorf(ap, "Invalid rate of %s probe: %v", p.name, err)
		}
		s.Period = n
	default:
		return nil, argCountError(ap, p.name, 1, 2)
	}
	if s.Period == 0 {
		return nil, apErrorf(ap, "%s frequency should be a positive integer", p.name)
	}
	return s, nil
}

func isTimeUnit(u string) bool {
	for _, t := range timeUnits {
		if u == t {
			return true
		}
	}
	return false
}

// Expand gives the one target; the name is bpftrace's PROVIDER:UNIT:N.
func (p *timedProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	if s.Wildcard {
		return nil, apErrorf(s.AP, "wildcards are not allowed for %s probe type", p.name)
	}
	t := s.Target
	t.Name = p.name + ":" + t.Unit + ":" + strconv.FormatUint(t.Period, 10)
	return []*Target{&t}, nil
}

func (p *timedProvider) Context(t *Target, h Host) (*Ctx, error) { return perfEventCtx(), nil }

// clockAttr is a cpu-clock sampling event for the target's period.
func clockAttr(t *Target) (*unix.PerfEventAttr, error) {
	attr := &unix.PerfEventAttr{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_CPU_CLOCK}
	switch t.Unit {
	case "s":
		attr.Sample = t.Period * 1e9
	case "ms":
		attr.Sample = t.Period * 1e6
	case "us":
		attr.Sample = t.Period * 1e3
	case "hz":
		attr.Sample = t.Period
		attr.Bits |= unix.PerfBitFreq
	default:
		return nil, fmt.Errorf("unknown time unit %q", t.Unit)
	}
	return attr, nil
}

// Attach: interval fires on one CPU (the first allowed one), profile on all.
func (p *timedProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	attr, err := clockAttr(t)
	if err != nil {
		return nil, err
	}
	if p.allCPUs {
		l, err := attachPerfEventAllCPUs(prog, attr, opts.CPUs)
		if err != nil {
			return nil, fmt.Errorf("cpu-clock event: %w", err)
		}
		return l, nil
	}
	cpus := opts.CPUs
	if len(cpus) == 0 {
		var err error
		if cpus, err = onlineCPUs(); err != nil || len(cpus) == 0 {
			cpus = []int{0}
		}
	}
	cpu := cpus[0]
	l, err := attachPerfEvent(prog, attr, -1, cpu)
	if err != nil {
		return nil, fmt.Errorf("cpu-clock event: %w", err)
	}
	return l, nil
}

// List implements Lister: the units, as "interval:s:" lines. bpftrace leaves
// interval and profile out of a plain -l; they show when asked for by name.
func (p *timedProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	var out []Listing
	for _, u := range timeUnits {
		if search == "" || Match(search, u+":") || Match(search, u) {
			out = append(out, Listing{Name: p.name + ":" + u + ":"})
		}
	}
	return out, nil
}

func init() {
	Register(&timedProvider{name: "interval", alias: "i"})
}
