package codegen_test

import (
	"os"
	"os/exec"
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

// oneLiners are bpftrace's canonical one-liners: the first six are the
// issue's code-size set (bpftrace 0.17: 326 xlated instructions in total).
var oneLiners = []string{
	`tracepoint:syscalls:sys_enter_openat { printf("%s %s\n", comm, str(args.filename)); }`,
	`tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }`,
	`tracepoint:syscalls:sys_enter_read { @bytes = hist(args.count); }`,
	`tracepoint:sched:sched_switch { @[args.prev_comm, args.next_comm] = count(); }`,
	`profile:hz:99 { @[kstack] = count(); }`,
	`tracepoint:syscalls:sys_exit_read /args.ret > 0/ { @ = lhist(args.ret, 0, 1000, 100); @s = stats(args.ret); }`,
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
	total := 0
	for i, src := range oneLiners {
		obj, _ := build(t, src, sema.Options{Host: h})
		l := load(t, obj)
		x := 0
		for _, p := range l.progs {
			info, err := p.Info()
			if err != nil {
				t.Fatal(err)
			}
			insns, err := info.Instructions()
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range insns {
				x += int(in.Size() / 8)
			}
		}
		if i < 6 {
			total += x
		}
		t.Logf("%3d insns (%3d xlated)  %s", insnCount(obj), x, src)
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
	t.Logf("code-size set: %d xlated instructions (bpftrace 0.17: 326)", total)
	if total > 358 {
		t.Errorf("code-size set is %d xlated instructions, more than 1.1 x bpftrace's 326", total)
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

// TestTracepointStrings reads a user string (openat's filename) and a
// __data_loc string (sched_process_exec's filename) in the kernel.
func TestTracepointStrings(t *testing.T) {
	needRoot(t)
	h := realHost(t)
	const marker = "/tmp/gobpftrace_codegen_marker"
	obj, _ := build(t, `
tracepoint:syscalls:sys_enter_openat /str(args.filename) == "`+marker+`"/ {
  $f = str(args.filename);
  @opened[$f] = count();
  printf("open %s %d\n", $f, $f == "`+marker+`");
}
tracepoint:sched:sched_process_exec /args.filename == "/bin/true"/ { printf("exec %s\n", args.filename); }
`, sema.Options{Host: h})
	l := load(t, obj)
	var links []link.Link
	for i, p := range obj.Programs {
		lk, err := p.Provider.Attach(l.progs[i], p.Target, probe.AttachOptions{})
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, lk)
	}
	os.Open(marker)
	exec.Command("/bin/true").Run()
	for _, lk := range links {
		lk.Close()
	}
	got := l.output(t)
	if !strings.Contains(got, "open "+marker+" 1\n") || !strings.Contains(got, "exec /bin/true\n") {
		t.Errorf("got %q", got)
	}
}

// TestJoin reads execve's argv.
func TestJoin(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `tracepoint:syscalls:sys_enter_execve /comm == "codegen.test"/ { join(args.argv, ","); }`, sema.Options{Host: realHost(t)})
	l := load(t, obj)
	lk, err := obj.Programs[0].Provider.Attach(l.progs[0], obj.Programs[0].Target, probe.AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exec.Command("/bin/true", "one", "two").Run()
	lk.Close()
	got := l.output(t)
	if !strings.Contains(got, "/bin/true,one,two\n") {
		t.Errorf("got %q", got)
	}
}
