package probe

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// perfEventDef is one software or hardware event name.
type perfEventDef struct {
	Name, Alias string
	Config      uint64
	Default     uint64 // sample period when the count is omitted
}

// The kernel's software events (perf_event_open(2)), with bpftrace's defaults.
var softwareEvents = []perfEventDef{
	{"alignment-faults", "", unix.PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	{"bpf-output", "", unix.PERF_COUNT_SW_BPF_OUTPUT, 1},
	{"context-switches", "cs", unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	{"cpu-clock", "cpu", unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	{"cpu-migrations", "", unix.PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	{"dummy", "", unix.PERF_COUNT_SW_DUMMY, 1},
	{"emulation-faults", "", unix.PERF_COUNT_SW_EMULATION_FAULTS, 1},
	{"major-faults", "", unix.PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	{"minor-faults", "", unix.PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	{"page-faults", "faults", unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	{"task-clock", "", unix.PERF_COUNT_SW_TASK_CLOCK, 1000000},
}

func findPerfEvent(list []perfEventDef, name string) (perfEventDef, bool) {
	for _, e := range list {
		if name == e.Name || (e.Alias != "" && name == e.Alias) {
			return e, true
		}
	}
	return perfEventDef{}, false
}

// perfEventProvider is software: and hardware:.
type perfEventProvider struct {
	name, alias string
	perfType    uint32
	events      []perfEventDef
}

func (p *perfEventProvider) Name() string      { return p.name }
func (p *perfEventProvider) Aliases() []string { return []string{p.alias} }

// Parse: PROVIDER:event[:count].
func (p *perfEventProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	if len(ap.Parts) != 1 && len(ap.Parts) != 2 {
		return nil, argCountError(ap, p.name, 1, 2)
	}
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = p.name
	s.Func = ap.Parts[0]
	if s.Func == "" {
		return nil, apErrorf(ap, "%s probe must have a %s event name", p.name, p.name)
	}
	if len(ap.Parts) == 2 && ap.Parts[1] != "*" && ap.Parts[1] != "" {
		n, err := ParseUint(ap.Parts[1])
		if err != nil {
			return nil, apErrorf(ap, "Invalid count for %s probe: %v", p.name, err)
		}
		s.Period = n
	}
	if HasWildcard(s.Func) {
		s.Wildcard = true
		return s, nil
	}
	if _, ok := findPerfEvent(p.events, s.Func); !ok {
		return nil, apErrorf(ap, "%s is not a %s probe", s.Func, p.name)
	}
	return s, nil
}

// Expand: events are fixed; wildcards are for listing only.
func (p *perfEventProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	if s.Wildcard {
		return nil, apErrorf(s.AP, "wildcards are not allowed for %s probe type", p.name)
	}
	t := s.Target
	t.Name = p.name + ":" + t.Func
	if t.Period != 0 {
		t.Name += ":" + strconv.FormatUint(t.Period, 10)
	}
	return []*Target{&t}, nil
}

// Context: a perf_event program; ctx starts with pt_regs.
func (p *perfEventProvider) Context(t *Target, h Host) (*Ctx, error) {
	return perfEventCtx(), nil
}

func perfEventCtx() *Ctx {
	return &Ctx{ProgType: ebpf.PerfEvent, HasRegs: true, Disallow: []string{"args", "retval", "func"}}
}

// Attach opens the event on every CPU (sampling every Period events).
func (p *perfEventProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	ev, ok := findPerfEvent(p.events, t.Func)
	if !ok {
		return nil, fmt.Errorf("unknown %s event %q", p.name, t.Func)
	}
	period := t.Period
	if period == 0 {
		period = ev.Default
	}
	attr := unix.PerfEventAttr{Type: p.perfType, Config: ev.Config, Sample: period}
	l, err := attachPerfEventAllCPUs(prog, &attr, opts.CPUs)
	if err != nil {
		if p.perfType == unix.PERF_TYPE_HARDWARE && (errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENODEV)) {
			return nil, fmt.Errorf("this machine has no hardware performance counters for %s (perf_event_open: %v); hardware probes need a CPU PMU, which virtual machines often lack", ev.Name, errors.Unwrap(err))
		}
		return nil, fmt.Errorf("%s event %s: %w", p.name, ev.Name, err)
	}
	return l, nil
}

// List implements Lister: "software:cpu-clock:" and aliases, as bpftrace lists them.
func (p *perfEventProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	var out []Listing
	for _, e := range p.events {
		for _, n := range []string{e.Name, e.Alias} {
			if n == "" {
				continue
			}
			if search == "" || Match(search, n+":") || Match(search, n) {
				out = append(out, Listing{Name: p.name + ":" + n + ":"})
			}
		}
	}
	return out, nil
}

func init() {
	Register(&perfEventProvider{name: "software", alias: "s", perfType: unix.PERF_TYPE_SOFTWARE, events: softwareEvents})
}

func featureKprobeMulti() error { return features.HaveBPFLinkKprobeMulti() }
