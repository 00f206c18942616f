package codegen_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

func realHost(t testing.TB) probe.Host {
	h, err := probe.NewHost(probe.HostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// insnCount is the number of raw instructions of all programs.
func insnCount(obj *codegen.Object) int {
	n := 0
	for _, p := range obj.Programs {
		for _, in := range p.Spec.Instructions {
			n += int(in.Size() / 8)
		}
	}
	return n
}

// oneLiners are bpftrace's canonical one-liners (the size targets).
var oneLiners = []string{
	`BEGIN { printf("hi\n"); exit(); }`,
	`tracepoint:syscalls:sys_enter_read { @ = count(); }`,
	`tracepoint:syscalls:sys_enter_read { @[comm] = count(); }`,
	`tracepoint:syscalls:sys_exit_read { @ = hist(args.ret); }`,
	`tracepoint:syscalls:sys_enter_openat { printf("%s %s\n", comm, str(args.filename)); }`,
	`tracepoint:syscalls:sys_enter_read { @[pid, comm] = sum(args.count); }`,
	`tracepoint:syscalls:sys_exit_read /args.ret > 0/ { @bytes[comm] = lhist(args.ret, 0, 10000, 1000); }`,
}

// TestOneLiners loads every one-liner (the verifier must accept all of
// them), attaches it and reports its size.
func TestOneLiners(t *testing.T) {
	needRoot(t)
	h := realHost(t)
	for _, src := range oneLiners {
		obj, _ := build(t, src, sema.Options{Host: h})
		l := load(t, obj)
		t.Logf("%3d insns  %s", insnCount(obj), src)
		for i, p := range obj.Programs {
			if p.Provider == nil {
				continue
			}
			lk, err := p.Provider.Attach(l.progs[i], p.Target, probe.AttachOptions{})
			if err != nil {
				t.Fatalf("attach %s: %v", p.Target.Name, err)
			}
			lk.Close()
		}
	}
}

// TestTracepointCount attaches @ = count() and @[comm] = count() and reads
// the maps back after some reads.
func TestTracepointCount(t *testing.T) {
	needRoot(t)
	h := realHost(t)
	obj, _ := build(t, `tracepoint:syscalls:sys_enter_read { @ = count(); @c[comm] = count(); @s = sum(args.count); }`, sema.Options{Host: h})
	l := load(t, obj)
	var links []link.Link
	for i, p := range obj.Programs {
		lk, err := p.Provider.Attach(l.progs[i], p.Target, probe.AttachOptions{})
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, lk)
	}
	f, _ := os.Open("/proc/self/stat")
	buf := make([]byte, 100)
	for i := 0; i < 10; i++ {
		f.Seek(0, 0)
		f.Read(buf)
	}
	f.Close()
	for _, lk := range links {
		lk.Close()
	}
	if got := l.scalar(t, "@", nil); got < 10 {
		t.Errorf("@ = %d, want >= 10", got)
	}
	if got := l.scalar(t, "@s", nil); got < 1000 {
		t.Errorf("@s = %d, want >= 1000", got)
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	key := make([]byte, 16)
	copy(key, strings.TrimSpace(string(comm)))
	if got := l.scalar(t, "@c", key); got < 10 {
		t.Errorf("@c[%s] = %d, want >= 10", key, got)
	}
}
