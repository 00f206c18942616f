package probe

import (
	"strings"
	"testing"
)

func TestListTracepoints(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	tf, _ := MountTracefs()
	events, err := tf.Events()
	if err != nil {
		t.Fatal(err)
	}
	ls, err := List("tracepoint:*", false, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != len(events) {
		t.Errorf("listed %d tracepoints, tracefs has %d", len(ls), len(events))
	}
	ls, err = List("tracepoint:syscalls:sys_enter_openat", true, h)
	if err != nil || len(ls) != 1 {
		t.Fatalf("%v %v", ls, err)
	}
	got := FormatListing(ls)
	want := "tracepoint:syscalls:sys_enter_openat\n    int __syscall_nr\n    int dfd\n    const char * filename\n    int flags\n    umode_t mode\n"
	if got != want {
		t.Errorf("-lv got\n%s\nwant\n%s", got, want)
	}
	// A bare search looks in every kernel provider.
	ls, _ = List("sys_enter_openat", false, h)
	found := false
	for _, l := range ls {
		found = found || l.Name == "tracepoint:syscalls:sys_enter_openat"
	}
	if !found {
		t.Error("bare search missed the tracepoint")
	}
}

func TestListBTF(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	k, err := h.KernelBTF()
	if err != nil {
		t.Skip(err)
	}
	rts, _ := k.RawTracepointNames("")
	ls, err := List("rawtracepoint:*", false, h)
	if err != nil || len(ls) != len(rts) {
		t.Errorf("listed %d raw tracepoints, BTF has %d (%v)", len(ls), len(rts), err)
	}
	ls, _ = List("rawtracepoint:sched_switch", true, h)
	if len(ls) != 1 || ls[0].Name != "rawtracepoint:vmlinux:sched_switch" || !strings.Contains(strings.Join(ls[0].Params, ";"), "struct task_struct * prev") {
		t.Errorf("rawtracepoint -lv: %+v", ls)
	}
	ls, err = List("fentry:vfs_read", true, h)
	if err != nil {
		t.Fatal(err)
	}
	want := "fentry:vmlinux:vfs_read\n    struct file * file\n    char * buf\n    size_t count\n    loff_t * pos\n    ssize_t retval\n"
	if got := FormatListing(ls); got != want {
		t.Errorf("fentry -lv got\n%s\nwant\n%s", got, want)
	}
	ls, _ = List("struct list_head", true, h)
	if len(ls) != 1 || ls[0].Name != "struct list_head {\n\tstruct list_head *next;\n\tstruct list_head *prev;\n};" {
		t.Errorf("struct -lv: %+v", ls)
	}
	ls, _ = List("struct task_st*", false, h)
	if len(ls) == 0 || ls[0].Name != "struct task_struct" {
		t.Errorf("struct -l: %+v", ls)
	}
}

func TestListFixed(t *testing.T) {
	ls, err := List("software:*faults*", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := FormatListing(ls)
	for _, w := range []string{"software:page-faults:\n", "software:faults:\n", "software:major-faults:\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("software listing lacks %q:\n%s", w, got)
		}
	}
	ls, _ = List("h:cache-*", false, nil)
	if FormatListing(ls) != "hardware:cache-misses:\nhardware:cache-references:\n" {
		t.Errorf("hardware listing %q", FormatListing(ls))
	}
	ls, _ = List("interval:*", false, nil)
	if len(ls) != 4 {
		t.Errorf("interval units %v", ls)
	}
}

func TestListIter(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	ls, err := List("iter:task*", true, h)
	if err != nil {
		t.Fatal(err)
	}
	got := FormatListing(ls)
	if !strings.Contains(got, "iter:task\n    struct task_struct * task\n") || !strings.Contains(got, "iter:task_file\n") {
		t.Errorf("iter listing:\n%s", got)
	}
	p, ts := resolve(t, h, "iter:task_file")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range ctx.Args {
		names = append(names, a.Name+":"+a.Type.String())
	}
	if strings.Join(names, ",") != "task:struct task_struct *,fd:uint32,file:struct file *" {
		t.Errorf("iter:task_file ctx %v", names)
	}
}

func TestListKprobe(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	ls, err := List("kprobe:vfs_rea*", true, h)
	if err != nil {
		t.Fatal(err)
	}
	got := FormatListing(ls)
	if !strings.HasPrefix(got, "kprobe:vfs_read\n    struct file * file\n    char * buf\n") {
		t.Errorf("kprobe -lv:\n%s", got)
	}
	for i := 1; i < len(ls); i++ {
		if ls[i-1].Name >= ls[i].Name {
			t.Errorf("not sorted: %s, %s", ls[i-1].Name, ls[i].Name)
		}
	}
	ls, _ = List("kretprobe:vfs_read", true, h)
	if FormatListing(ls) != "kretprobe:vfs_read\n    ssize_t retval\n" {
		t.Errorf("kretprobe -lv: %q", FormatListing(ls))
	}
}
