package probe

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

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

// ---------------------------------------------------------------- perf events

const perfAttrSize = unsafe.Sizeof(unix.PerfEventAttr{})

// onlineCPUs parses /sys/devices/system/cpu/online ("0-3,5").
func onlineCPUs() ([]int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, found := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("bad online cpu list %q", b)
		}
		z := a
		if found {
			if z, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("bad online cpu list %q", b)
			}
		}
		for c := a; c <= z; c++ {
			out = append(out, c)
		}
	}
	return out, nil
}

// attachPerfEventAllCPUs opens attr on each CPU (all online CPUs if cpus is
// nil) for every process, and attaches prog to each.
func attachPerfEventAllCPUs(prog *ebpf.Program, attr *unix.PerfEventAttr, cpus []int) (link.Link, error) {
	if cpus == nil {
		var err error
		if cpus, err = onlineCPUs(); err != nil {
			return nil, err
		}
	}
	ml := &multiLink{}
	for _, cpu := range cpus {
		l, err := attachPerfEvent(prog, attr, -1, cpu)
		if err != nil {
			ml.Close()
			return nil, err
		}
		ml.add(l)
	}
	return ml, nil
}

// attachPerfEvent opens one perf event and attaches prog to it with a BPF
// link (kernel >= 5.15), or with PERF_EVENT_IOC_SET_BPF on older kernels.
func attachPerfEvent(prog *ebpf.Program, attr *unix.PerfEventAttr, pid, cpu int) (link.Link, error) {
	a := *attr
	a.Size = uint32(perfAttrSize)
	a.Bits |= unix.PerfBitDisabled
	fd, err := unix.PerfEventOpen(&a, pid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("perf_event_open on cpu %d: %w", cpu, err)
	}
	// The event is opened disabled and enabled once the program is on it,
	// so that no sample is taken without a program.
	raw, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
	if err == nil {
		if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
			raw.Close()
			unix.Close(fd)
			return nil, fmt.Errorf("enabling perf event: %w", err)
		}
		return &perfLink{Link: raw, fd: fd}, nil
	}
	// No perf links: the old ioctl interface.
	if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_SET_BPF, prog.FD()); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("attaching to perf event: %w", err)
	}
	if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("enabling perf event: %w", err)
	}
	return &perfLink{fd: fd}, nil
}

// perfLink owns a perf event fd and, when the kernel has them, the BPF link
// attaching the program to it. The embedded link.Link (possibly nil) only
// makes the type a link.Link; every method is overridden.
type perfLink struct {
	link.Link
	fd int
}

func (l *perfLink) Close() error {
	var err error
	if l.Link != nil {
		err = l.Link.Close()
	}
	if l.fd >= 0 {
		if e := unix.Close(l.fd); err == nil {
			err = e
		}
		l.fd = -1
	}
	return err
}
func (l *perfLink) Update(*ebpf.Program) error {
	return fmt.Errorf("perf event: %w", link.ErrNotSupported)
}
func (l *perfLink) Pin(string) error { return fmt.Errorf("perf event: %w", link.ErrNotSupported) }
func (l *perfLink) Unpin() error     { return fmt.Errorf("perf event: %w", link.ErrNotSupported) }
func (l *perfLink) Detach() error    { return l.Close() }
func (l *perfLink) Info() (*link.Info, error) {
	if l.Link != nil {
		return l.Link.Info()
	}
	return nil, fmt.Errorf("perf event: %w", link.ErrNotSupported)
}

// multiLink is several links closed together (one per CPU, or per target).
type multiLink struct {
	link.Link // the first link, so that the type is a link.Link
	rest      []link.Link
}

func (m *multiLink) add(l link.Link) {
	if m.Link == nil {
		m.Link = l
	} else {
		m.rest = append(m.rest, l)
	}
}

// Links returns every link held.
func (m *multiLink) Links() []link.Link {
	if m.Link == nil {
		return nil
	}
	return append([]link.Link{m.Link}, m.rest...)
}

func (m *multiLink) Close() error {
	var first error
	for _, l := range m.Links() {
		if err := l.Close(); err != nil && first == nil {
			first = err
		}
	}
	m.Link, m.rest = nil, nil
	return first
}
func (m *multiLink) Update(*ebpf.Program) error {
	return fmt.Errorf("multi link: %w", link.ErrNotSupported)
}
func (m *multiLink) Pin(string) error { return fmt.Errorf("multi link: %w", link.ErrNotSupported) }
func (m *multiLink) Unpin() error     { return fmt.Errorf("multi link: %w", link.ErrNotSupported) }
func (m *multiLink) Detach() error    { return m.Close() }
func (m *multiLink) Info() (*link.Info, error) {
	if m.Link == nil {
		return nil, fmt.Errorf("multi link: %w", link.ErrNotSupported)
	}
	return m.Link.Info()
}

func featureKprobeMulti() error { return features.HaveBPFLinkKprobeMulti() }
