package probe

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// Perf events for interval, profile, software, hardware and watchpoint:
// perf_event_open on each CPU, a program attached to each, and links that
// close them together.

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
