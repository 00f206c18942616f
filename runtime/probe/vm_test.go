package probe

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/internal/vmtest"
)

// This kernel has neither kprobes nor BPF tracing programs, so kprobe,
// kretprobe, fentry and fexit are attached for real in a QEMU VM (Debian's
// 6.1 kernel, see internal/vmtest): TestKernelProbesInVM builds this
// package's tests statically and runs the TestGuest* tests inside the VM.

const guestEnv = "GOBPFTRACE_PROBE_GUEST"

func TestKernelProbesInVM(t *testing.T) {
	if os.Getenv(guestEnv) != "" {
		t.Skip("already in the VM")
	}
	vmtest.Require(t)
	t.Parallel()
	bin := vmtest.BuildStaticTest(t, "./runtime/probe")
	res, err := vmtest.Run(t, vmtest.Config{
		Files:   map[string]string{"/bin/probe.test": bin},
		Script:  guestEnv + "=1 /bin/probe.test -test.run '^TestGuest' -test.v 2>&1",
		Timeout: 4 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Stdout)
	if res.Exit != 0 || !strings.Contains(res.Stdout, "--- PASS: TestGuestKprobe") || strings.Contains(res.Stdout, "--- FAIL") {
		t.Errorf("guest tests failed (exit %d)", res.Exit)
	}
}

func guest(t *testing.T) {
	if os.Getenv(guestEnv) == "" {
		t.Skip("runs inside the VM only (TestKernelProbesInVM)")
	}
}

// guestAttach loads a counter program for each target's context (fentry
// programs are bound to their function when loaded, so they are one per
// target), attaches them, opens a file, and checks they ran.
func guestAttach(t *testing.T, h Host, raw string) *Ctx {
	t.Helper()
	p, ts := resolve(t, h, raw)
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var first *Ctx
	var prog *ebpf.Program
	var closers []func() error
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	for _, tg := range ts {
		ctx, err := p.Context(tg, h)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = ctx
		}
		if prog == nil || ctx.AttachTo != "" {
			prog, err = LoadProgram(tg, &ebpf.ProgramSpec{
				Type: ctx.ProgType, AttachType: ctx.AttachType, AttachTo: ctx.AttachTo, License: "GPL",
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
			}, ebpf.ProgramOptions{})
			if err != nil {
				t.Fatalf("%s: load: %v", tg.Name, err)
			}
			closers = append(closers, prog.Close)
		}
		l, err := p.Attach(prog, tg, AttachOptions{})
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		closers = append([]func() error{l.Close}, closers...)
	}
	for i := 0; i < 3; i++ {
		if f, err := os.Open("/proc/self/stat"); err == nil {
			f.Close()
		}
	}
	var n uint64
	m.Lookup(uint32(0), &n)
	if n == 0 {
		t.Errorf("%s (%d targets): program did not run", raw, len(ts))
	} else {
		t.Logf("%s: %d targets, %d hits, notice %q", raw, len(ts), n, first.Notice)
	}
	return first
}

func TestGuestKprobe(t *testing.T) {
	guest(t)
	h := newHost(t)
	if !h.Features().Kprobe {
		t.Fatal("the VM kernel should have kprobes")
	}
	guestAttach(t, h, "kprobe:do_sys_openat2")
	guestAttach(t, h, "kretprobe:do_sys_openat2")
	if ctx := guestAttach(t, h, "kprobe:do_sys_open*"); ctx.ProgType != ebpf.Kprobe {
		t.Errorf("kprobe wildcard ctx %v", ctx.ProgType)
	}

}

func TestGuestFentry(t *testing.T) {
	guest(t)
	h := newHost(t)
	guestAttach(t, h, "fentry:do_sys_openat2")
	guestAttach(t, h, "fentry:do_sys_open*")
	ctx := guestAttach(t, h, "fexit:do_sys_openat2")
	if ctx.Retval == nil {
		t.Error("fexit without retval")
	}
}

// --no-feature kprobe: the same probes attach as fentry/fexit.
func TestGuestKprobeFallback(t *testing.T) {
	guest(t)
	h, err := NewHost(HostOptions{NoFeatures: []string{"kprobe"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"kprobe:do_sys_openat2", "kretprobe:do_sys_openat2"} {
		ctx := guestAttach(t, h, raw)
		if ctx.ProgType != ebpf.Tracing || ctx.Notice == "" {
			t.Errorf("%s: no fallback: %+v", raw, ctx)
		}
	}
}

// guestRead attaches a program storing the u64 at loc (an argN or retval
// location from Context) and returns what the last open stored.
func guestRead(t *testing.T, h Host, raw string, pick func(*Ctx) *Loc) uint64 {
	t.Helper()
	p, ts := resolve(t, h, raw)
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	loc := pick(ctx)
	if loc == nil {
		t.Fatalf("%s: no such location in %+v", raw, ctx)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ctx.ProgType, AttachType: ctx.AttachType, AttachTo: ctx.AttachTo, License: "GPL",
		Instructions: asm.Instructions{
			asm.LoadMem(asm.R7, asm.R1, int16(loc.Offset), asm.DWord),
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.StoreMem(asm.R0, 0, asm.R7, asm.DWord),
			asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatalf("%s: load: %v", raw, err)
	}
	defer prog.Close()
	l, err := p.Attach(prog, ts[0], AttachOptions{})
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if f, err := os.Open("/proc/self/stat"); err == nil {
		f.Close()
	}
	l.Close()
	var v uint64
	m.Lookup(uint32(0), &v)
	return v
}

// argN and retval locations read the right values, for kprobes and for
// their fentry fallback: do_sys_openat2(AT_FDCWD, ...) returns a small fd.
func TestGuestArgsAndRetval(t *testing.T) {
	guest(t)
	arg0 := func(c *Ctx) *Loc {
		if len(c.ArgN) == 0 {
			return nil
		}
		return &c.ArgN[0]
	}
	ret := func(c *Ctx) *Loc { return c.Retval }
	fallback, err := NewHost(HostOptions{NoFeatures: []string{"kprobe"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []Host{newHost(t), fallback} {
		if v := int32(guestRead(t, h, "kprobe:do_sys_openat2", arg0)); v != -100 {
			t.Errorf("arg0 = %d, want AT_FDCWD (-100) (features %+v)", v, FeaturesOf(h))
		}
		if v := int32(guestRead(t, h, "kretprobe:do_sys_openat2", ret)); v < 0 || v > 1024 {
			t.Errorf("retval = %d, want an fd (features %+v)", v, FeaturesOf(h))
		}
	}
	if v := int32(guestRead(t, newHost(t), "fexit:do_sys_openat2", ret)); v < 0 || v > 1024 {
		t.Errorf("fexit retval = %d, want an fd", v)
	}
}

// LoadProgram resolves fentry targets from the BTF the checker decoded:
// the second load of a program for another function costs no BTF decoding.
func TestGuestLoadProgramTiming(t *testing.T) {
	guest(t)
	h := newHost(t)
	for _, raw := range []string{"fentry:vfs_read", "fexit:vfs_write"} {
		p, ts := resolve(t, h, raw)
		ctx, err := p.Context(ts[0], h)
		if err != nil {
			t.Fatal(err)
		}
		spec := &ebpf.ProgramSpec{
			Type: ctx.ProgType, AttachType: ctx.AttachType, AttachTo: ctx.AttachTo, License: "GPL",
			Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
		}
		t0 := time.Now()
		prog, err := ebpf.NewProgram(spec)
		if err != nil {
			t.Fatal(err)
		}
		prog.Close()
		t1 := time.Now()
		prog, err = LoadProgram(ts[0], spec, ebpf.ProgramOptions{})
		if err != nil {
			t.Fatal(err)
		}
		prog.Close()
		t.Logf("%s: ebpf.NewProgram %v, LoadProgram (shared BTF) %v", raw, t1.Sub(t0), time.Since(t1))
	}
}
