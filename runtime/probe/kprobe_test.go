package probe

import (
	"errors"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// featHost is the real host with features overridden, to exercise the paths
// a kernel with kprobes or fentry takes (the VM tests attach them for real).
type featHost struct {
	*RealHost
	f Features
}

func (h featHost) Features() Features { return h.f }

func TestNoFeatureSwitch(t *testing.T) {
	h, err := NewHost(HostOptions{NoFeatures: []string{"kprobe", "fentry"}})
	if err != nil {
		t.Fatal(err)
	}
	f := h.Features()
	if f.Kprobe || f.KprobeMulti || f.Fentry {
		t.Errorf("features not switched off: %+v", f)
	}
	if _, err := NewHost(HostOptions{NoFeatures: []string{"bogus"}}); err == nil {
		t.Error("unknown feature accepted")
	}
}

func TestKprobeContext(t *testing.T) {
	requireRoot(t)
	h := featHost{newHost(t), Features{Kprobe: true, Fentry: true}}
	p, ts := resolve(t, h, "kprobe:vfs_read")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.ProgType != ebpf.Kprobe || !ctx.HasRegs || len(ctx.ArgN) != 6 || ctx.ArgN[0].Offset != 112 || ctx.ArgN[5].Offset != 64 {
		t.Errorf("kprobe ctx %+v", ctx)
	}
	p, ts = resolve(t, h, "kretprobe:vfs_read")
	ctx, _ = p.Context(ts[0], h)
	if ctx.Retval == nil || ctx.Retval.Offset != 80 || ctx.ArgN != nil {
		t.Errorf("kretprobe ctx %+v", ctx)
	}
}

// Without kprobes, kprobe:f becomes fentry:f with argN as u64 slots, and
// kretprobe:f becomes fexit:f with retval after the arguments.
func TestKprobeFentryFallback(t *testing.T) {
	requireRoot(t)
	real, err := NewHost(HostOptions{NoFeatures: []string{"kprobe"}})
	if err != nil {
		t.Fatal(err)
	}
	h := featHost{real, Features{Kprobe: false, Fentry: true}}
	p, ts := resolve(t, h, "kprobe:vfs_read")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.ProgType != ebpf.Tracing || ctx.AttachType != ebpf.AttachTraceFEntry || ctx.AttachTo != "vfs_read" {
		t.Fatalf("fallback ctx %+v", ctx)
	}
	if len(ctx.ArgN) != 4 || ctx.ArgN[1].Offset != 8 || ctx.ArgN[3].Offset != 24 {
		t.Errorf("fallback argN %+v", ctx.ArgN)
	}
	if ctx.Notice != "kprobe:vfs_read: kprobes are not available in this kernel; attaching as fentry:vmlinux:vfs_read instead" {
		t.Errorf("notice %q", ctx.Notice)
	}
	p, ts = resolve(t, h, "kretprobe:vfs_read")
	ctx, _ = p.Context(ts[0], h)
	if ctx.AttachType != ebpf.AttachTraceFExit || ctx.Retval == nil || ctx.Retval.Offset != 32 {
		t.Errorf("kretprobe fallback %+v", ctx)
	}
}

func TestKprobeWildcard(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	_, ts := resolve(t, h, "kprobe:vfs_rea*")
	names := map[string]bool{}
	for _, tg := range ts {
		names[tg.Name] = true
	}
	if !names["kprobe:vfs_read"] || len(ts) < 2 {
		t.Errorf("kprobe:vfs_rea* -> %v", names)
	}
	p, _ := Lookup("kprobe")
	ap := attachPoint("kprobe:vfs_rea*")
	s, _ := p.Parse(ap)
	mh := featHost{h, Features{Kprobe: true, KprobeMulti: true}}
	mt, ok := p.(MultiAttacher).Multi(s, ts, mh)
	if !ok || mt.Name != "kprobe:vfs_rea*" || len(mt.Extra.(kprobeMultiFuncs)) != len(ts) {
		t.Errorf("multi target %+v %v", mt, ok)
	}
}

// Here the kernel has neither kprobes nor tracing programs: the errors must
// name the function and give the kernel's reason.
func TestKprobeClearErrorHere(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	if h.Features().Kprobe {
		t.Skip("this kernel has kprobes")
	}
	p, ts := resolve(t, h, "kprobe:vfs_read")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.ProgType != ebpf.Kprobe {
		t.Skip("fentry works here; the fallback is taken")
	}
	prog, _ := counterProg(t, ebpf.Kprobe)
	_, err = p.Attach(prog, ts[0], AttachOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "cannot attach kprobe to vfs_read: kprobes are not supported by this kernel") {
		t.Fatalf("want a clear error, got %v", err)
	}
	t.Log(err)
	ferr := h.FentryError()
	if ferr == nil || !errors.Is(ferr, unix.EPERM) {
		t.Errorf("fentry should be refused with EPERM here, got %v", ferr)
	}
	t.Log("fentry:", ferr)
}

func TestFentryExpandContext(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	p, ts := resolve(t, h, "fentry:vfs_read")
	if ts[0].Name != "fentry:vmlinux:vfs_read" {
		t.Errorf("name %q", ts[0].Name)
	}
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range ctx.Args {
		got = append(got, a.Name+":"+a.Type.String())
	}
	if strings.Join(got, ",") != "file:struct file *,buf:int8 *,count:uint64,pos:int64 *" {
		t.Errorf("args %v", got)
	}
	if ctx.Retval != nil {
		t.Error("fentry has retval")
	}
	p, ts = resolve(t, h, "kretfunc:vmlinux:vfs_read")
	ctx, _ = p.Context(ts[0], h)
	if ctx.Retval == nil || ctx.Retval.Offset != 32 || !ctx.Retval.Signed || ctx.AttachType != ebpf.AttachTraceFExit {
		t.Errorf("fexit retval %+v", ctx.Retval)
	}
	if rt := RetvalType(ts[0], h); rt == nil || rt.String() != "int64" || ctx.RetvalType == nil || !types.Equal(ctx.RetvalType, rt) {
		t.Errorf("retval type %v", rt)
	}
	_, ts = resolve(t, h, "fentry:vfs_rea*")
	if len(ts) < 2 {
		t.Errorf("fentry:vfs_rea* -> %d targets", len(ts))
	}
	ap := attachPoint("fentry:no_such_function_xyz")
	s, _ := p.Parse(ap)
	if _, err := p.Expand(s, h); err == nil || !strings.Contains(err.Error(), "no_such_function_xyz not found") {
		t.Errorf("missing function: %v", err)
	}
}

func TestRawTracepointContext(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	p, ts := resolve(t, h, "rt:sched_switch")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range ctx.Args {
		got = append(got, a.Name)
	}
	if !strings.Contains(strings.Join(got, ","), "preempt,prev,next") || len(ctx.ArgN) != len(ctx.Args) {
		t.Errorf("args %v argN %d", got, len(ctx.ArgN))
	}
}

// Loading is where this kernel refuses fentry: LoadError turns cilium's
// EPERM (with its MEMLOCK hint) into the real reason, naming the function.
func TestFentryLoadErrorHere(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	if h.FentryError() == nil {
		t.Skip("fentry works here")
	}
	p, ts := resolve(t, h, "fentry:vfs_read")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ctx.ProgType, AttachType: ctx.AttachType, AttachTo: ctx.AttachTo, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err == nil {
		t.Skip("loaded")
	}
	got := LoadError(ts[0], ctx, err).Error()
	want := "the kernel refused to load a BPF tracing program for fentry on vfs_read (operation not permitted): this kernel does not allow fentry/fexit/iter programs"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// LoadProgram explains this kernel's refusal of tracing programs, without
// cilium/ebpf's MEMLOCK hint.
func TestLoadProgramErrorHere(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	if h.FentryError() == nil {
		t.Skip("fentry works here")
	}
	p, ts := resolve(t, h, "fexit:vfs_read")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadProgram(ts[0], &ebpf.ProgramSpec{
		Type: ctx.ProgType, AttachType: ctx.AttachType, AttachTo: ctx.AttachTo, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	}, ebpf.ProgramOptions{})
	want := "the kernel refused to load a BPF tracing program for fexit on vfs_read (operation not permitted): this kernel does not allow fentry/fexit/iter programs"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
