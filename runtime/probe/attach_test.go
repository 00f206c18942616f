package probe

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// attachPoint builds the AST node the parser would: "t:sched:*" -> provider "t", parts.
func attachPoint(raw string) *ast.AttachPoint {
	fields := strings.Split(raw, ":")
	return &ast.AttachPoint{Raw: raw, Provider: fields[0], Parts: fields[1:]}
}

// resolve runs Lookup, Parse and Expand on the real host.
func resolve(t *testing.T, h Host, raw string) (Provider, []*Target) {
	t.Helper()
	ap := attachPoint(raw)
	p, ok := Lookup(ap.Provider)
	if !ok {
		t.Fatalf("%s: no provider", raw)
	}
	s, err := p.Parse(ap)
	if err != nil {
		t.Fatalf("%s: parse: %v", raw, err)
	}
	ts, err := p.Expand(s, h)
	if err != nil {
		t.Fatalf("%s: expand: %v", raw, err)
	}
	return p, ts
}

// counterProg is the smallest useful probe: counter[0]++.
func counterProg(t *testing.T, pt ebpf.ProgramType) (*ebpf.Program, *ebpf.Map) {
	t.Helper()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    pt,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
			asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return prog, m
}

func count(t *testing.T, m *ebpf.Map) uint64 {
	t.Helper()
	var v uint64
	if err := m.Lookup(uint32(0), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// attachAll attaches prog to every target and returns a closer.
func attachAll(t *testing.T, p Provider, prog *ebpf.Program, ts []*Target) {
	t.Helper()
	var links []link.Link
	for _, tg := range ts {
		l, err := p.Attach(prog, tg, AttachOptions{})
		if err != nil {
			t.Fatalf("attach %s: %v", tg.Name, err)
		}
		links = append(links, l)
	}
	t.Cleanup(func() {
		for _, l := range links {
			if err := l.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		}
	})
}

func newHost(t *testing.T) *RealHost {
	h, err := NewHost(HostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// runAttach is the common shape: resolve, check the program type, attach,
// trigger, and see the counter move.
func runAttach(t *testing.T, raw string, minTargets int, trigger func()) []*Target {
	requireRoot(t)
	h := newHost(t)
	p, ts := resolve(t, h, raw)
	if len(ts) < minTargets {
		t.Fatalf("%s: %d targets, want >= %d", raw, len(ts), minTargets)
	}
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	prog, m := counterProg(t, ctx.ProgType)
	attachAll(t, p, prog, ts)
	trigger()
	if n := count(t, m); n == 0 {
		t.Errorf("%s: program did not run", raw)
	} else {
		t.Logf("%s: %d targets, %d hits", raw, len(ts), n)
	}
	return ts
}

func TestAttachTracepoint(t *testing.T) {
	ts := runAttach(t, "tracepoint:syscalls:sys_enter_getppid", 1, func() {
		for i := 0; i < 5; i++ {
			unix.Getppid()
		}
	})
	if ts[0].Name != "tracepoint:syscalls:sys_enter_getppid" {
		t.Errorf("name %q", ts[0].Name)
	}
}

func TestAttachTracepointWildcard(t *testing.T) {
	ts := runAttach(t, "t:syscalls:sys_enter_getp{pid,gid}", 2, func() {
		unix.Getppid()
		unix.Getpgid(0)
	})
	var names []string
	for _, tg := range ts {
		names = append(names, tg.Name)
	}
	if got := strings.Join(names, ","); got != "tracepoint:syscalls:sys_enter_getpgid,tracepoint:syscalls:sys_enter_getppid" {
		t.Errorf("targets %s", got)
	}
}

func TestAttachRawTracepoint(t *testing.T) {
	ts := runAttach(t, "rawtracepoint:sys_enter", 1, func() { unix.Getppid() })
	if ts[0].Name != "rawtracepoint:vmlinux:sys_enter" {
		t.Errorf("name %q", ts[0].Name)
	}
}

func TestAttachInterval(t *testing.T) {
	ts := runAttach(t, "interval:ms:10", 1, func() { time.Sleep(150 * time.Millisecond) })
	if ts[0].Name != "interval:ms:10" {
		t.Errorf("name %q", ts[0].Name)
	}
}

func TestAttachIntervalShort(t *testing.T) {
	ts := runAttach(t, "i:20ms", 1, func() { time.Sleep(150 * time.Millisecond) })
	if ts[0].Name != "interval:us:20000" {
		t.Errorf("name %q", ts[0].Name)
	}
}

func TestAttachProfile(t *testing.T) {
	runAttach(t, "profile:hz:99", 1, func() {
		end := time.Now().Add(150 * time.Millisecond)
		for time.Now().Before(end) { // keep a CPU busy so samples land
		}
	})
}

func TestAttachSoftware(t *testing.T) {
	ts := runAttach(t, "s:page-faults:1", 1, func() {
		b, err := unix.Mmap(-1, 0, 64<<10, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		unix.Munmap(b)
	})
	if ts[0].Name != "software:page-faults:1" {
		t.Errorf("name %q", ts[0].Name)
	}
}

func TestHardwareClearError(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	if h.Features().PMU {
		t.Skip("this machine has a PMU")
	}
	p, ts := resolve(t, h, "hardware:cache-misses:1000000")
	prog, _ := counterProg(t, ebpf.PerfEvent)
	_, err := p.Attach(prog, ts[0], AttachOptions{})
	if err == nil || !strings.Contains(err.Error(), "this machine has no hardware performance counters for cache-misses") {
		t.Fatalf("want a clear no-PMU error, got %v", err)
	}
	t.Log(err)
}

func TestRunBegin(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	p, ts := resolve(t, h, "BEGIN")
	if ts[0].Name != "begin" || PhaseOf(ts[0]) != PhaseBegin {
		t.Fatalf("begin target %+v", ts[0])
	}
	ctx, _ := p.Context(ts[0], h)
	prog, m := counterProg(t, ctx.ProgType)
	if _, err := RunProgram(prog); err != nil {
		t.Fatal(err)
	}
	if d, err := BenchProgram(prog, 10); err != nil || d <= 0 {
		t.Fatalf("bench: %v %v", d, err)
	}
	if n := count(t, m); n != 11 {
		t.Errorf("ran %d times, want 11", n)
	}
}

var watched uint64

func TestAttachWatchpoint(t *testing.T) {
	requireRoot(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	h := newHost(t)
	addr := uint64(uintptr(unsafe.Pointer(&watched)))
	p, ts := resolve(t, h, fmt.Sprintf("watchpoint:%#x:8:w", addr))
	if ts[0].Name != fmt.Sprintf("watchpoint:%d:8:w", addr) {
		t.Errorf("name %q", ts[0].Name)
	}
	ctx, _ := p.Context(ts[0], h)
	prog, m := counterProg(t, ctx.ProgType)
	l, err := p.Attach(prog, ts[0], AttachOptions{PID: unix.Gettid()})
	if err != nil {
		t.Skipf("breakpoints unavailable: %v", err)
	}
	defer l.Close()
	for i := 0; i < 3; i++ {
		atomic.AddUint64(&watched, 1)
	}
	if n := count(t, m); n != 3 {
		t.Errorf("watchpoint fired %d times, want 3", n)
	}
}
