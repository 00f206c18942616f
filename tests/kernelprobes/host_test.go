package kernelprobes

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"
)

// This host has BTF, kallsyms, tracepoints and raw tracepoints, but
// neither kprobes nor BPF tracing programs: struct access, casts, enums,
// raw tracepoint args and kernel stacks run for real here.

// hostRun runs a program that is expected to succeed and returns its
// stdout lines.
func hostRun(t *testing.T, prog string) []string {
	t.Helper()
	r := run(t, 20*time.Second, "-e", prog)
	if r.exit != 0 {
		t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", prog, r.exit, r.stdout, r.stderr)
	}
	return lines(r.stdout)
}

var kernelSpec = func() func(t *testing.T) *btf.Spec {
	var s *btf.Spec
	var err error
	return func(t *testing.T) *btf.Spec {
		t.Helper()
		if s == nil && err == nil {
			s, err = btf.LoadKernelSpec()
		}
		if err != nil {
			t.Skipf("no kernel BTF: %v", err)
		}
		return s
	}
}()

func TestHostCurtask(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	got := hostRun(t, `BEGIN {
	printf("%d %d\n", curtask->tgid == pid, curtask->pid == tid);
	printf("%d\n", curtask->real_parent->tgid);
	printf("%s %s\n", curtask->comm, curtask->group_leader->comm);
	$t = (struct task_struct *)curtask;
	printf("%d %d\n", $t->tgid == pid, ((struct task_struct *)curtask)->real_parent->pid == $t->real_parent->pid);
	printf("%d\n", curtask->mm != 0);
	exit();
}`)
	comm := binComm(t)
	want := []string{"1 1", strconv.Itoa(os.Getpid()), comm + " " + comm, "1 1", "1"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sizeof and offsetof agree with BTF.
func TestHostSizeofOffsetof(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	spec := kernelSpec(t)
	var ts *btf.Struct
	if err := spec.TypeByName("task_struct", &ts); err != nil {
		t.Fatal(err)
	}
	off := func(s *btf.Struct, name string) uint32 {
		for _, m := range s.Members {
			if m.Name == name {
				return m.Offset.Bytes()
			}
		}
		t.Fatalf("no member %s", name)
		return 0
	}
	var se *btf.Struct
	if err := spec.TypeByName("sched_entity", &se); err != nil {
		t.Fatal(err)
	}
	got := hostRun(t, `BEGIN {
	printf("%d %d %d\n", sizeof(struct task_struct), offsetof(struct task_struct, pid), offsetof(struct task_struct, comm));
	printf("%d %d\n", offsetof(struct task_struct, se.vruntime), sizeof(curtask->comm));
	$t = *curtask;
	printf("%d\n", sizeof($t));
	exit();
}`)
	want := []string{
		fmt.Sprintf("%d %d %d", ts.Size, off(ts, "pid"), off(ts, "comm")),
		fmt.Sprintf("%d 16", off(ts, "se")+off(se, "vruntime")),
		fmt.Sprint(ts.Size),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Enum constants by name have BTF's values.
func TestHostEnums(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	spec := kernelSpec(t)
	names := []string{"BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_RINGBUF", "PIDTYPE_TGID", "TASK_COMM_LEN", "CPU_NEWLY_IDLE"}
	var want []string
	for _, n := range names {
		v, ok := enumValue(spec, n)
		if !ok {
			t.Fatalf("%s not in BTF", n)
		}
		want = append(want, fmt.Sprintf("%s=%d", n, v))
	}
	var b strings.Builder
	b.WriteString("BEGIN {")
	for _, n := range names {
		fmt.Fprintf(&b, ` printf("%s=%%d\n", %s);`, n, n)
	}
	b.WriteString(` exit(); }`)
	got := hostRun(t, b.String())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func enumValue(spec *btf.Spec, name string) (int64, bool) {
	for typ, err := range spec.All() {
		if err != nil {
			break
		}
		if e, ok := typ.(*btf.Enum); ok {
			for _, v := range e.Values {
				if v.Name == name {
					if e.Signed {
						return int64(v.Value), true
					}
					return int64(v.Value), true
				}
			}
		}
	}
	return 0, false
}

// Raw tracepoint args: argN and, typed from BTF, args.NAME. In
// sched_switch the task switched out is the current one.
func TestHostRawTracepointArgs(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	r := run(t, 20*time.Second, "-e", `rawtracepoint:sched_switch /args.prev->tgid == pid/ {
	printf("%d %d %d\n", args.prev->pid == tid, args.prev->comm == comm, arg1 == (uint64)curtask);
	printf("%d %d\n", ((struct task_struct *)arg1)->tgid == pid, args.preempt == arg0);
	exit();
}`)
	// Both CPUs may fire before exit() takes effect, interleaving their
	// lines: each line must be all ones, and both kinds must appear.
	want := "1 1 1\n1 1"
	got := lines(r.stdout)
	bad := r.exit != 0 || !slices.Contains(got, "1 1 1") || !slices.Contains(got, "1 1")
	for _, l := range got {
		bad = bad || (l != "1 1 1" && l != "1 1")
	}
	if bad {
		t.Errorf("exit %d, got\n%s\nwant\n%s\nstderr:\n%s", r.exit, strings.Join(got, "\n"), want, r.stderr)
	}
}

// kallsyms reads /proc/kallsyms: name -> address, and the set of names.
func kallsyms(t *testing.T) map[string]uint64 {
	t.Helper()
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	m := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 {
			continue
		}
		a, _ := strconv.ParseUint(fs[0], 16, 64)
		if _, dup := m[fs[2]]; !dup {
			m[fs[2]] = a
		}
	}
	return m
}

var frameRE = regexp.MustCompile(`^        ([A-Za-z0-9_.$]+)\+(\d+)$`)

// kstack from a tracepoint holds the scheduler's frames, each a kallsyms
// symbol; ksym and kaddr agree with kallsyms. The idle task (tid 0) is left
// out: it switches from schedule_idle, not schedule.
func TestHostKstackKsym(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	syms := kallsyms(t)
	r := run(t, 20*time.Second, "-e", `BEGIN { printf("%s 0x%lx %s\n", ksym(kaddr("vfs_read")), kaddr("vfs_read"), ksym(kaddr("vfs_read") + 1)); }
tracepoint:sched:sched_switch /args.prev_pid == tid && tid != 0/ { printf("%s", kstack); printf("[%s]\n", kstack(2)); exit(); }`)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	out := strings.Split(r.stdout, "\n")
	want := fmt.Sprintf("vfs_read 0x%x vfs_read", syms["vfs_read"])
	if out[0] != want {
		t.Errorf("ksym/kaddr: got %q, want %q", out[0], want)
	}
	var frames []string
	for _, l := range out[1:] {
		if m := frameRE.FindStringSubmatch(l); m != nil {
			if _, ok := syms[m[1]]; !ok {
				t.Errorf("frame %q: %s is not in kallsyms", l, m[1])
			}
			frames = append(frames, m[1])
		}
	}
	joined := " " + strings.Join(frames, " ") + " "
	if !strings.Contains(joined, " __schedule schedule ") {
		t.Errorf("kstack lacks __schedule, schedule:\n%s", r.stdout)
	}
	// With more than one program on the tracepoint (other tests run in
	// parallel), the kernel calls them through __traceiter_sched_switch,
	// one more frame on top.
	if !regexp.MustCompile(`\[\n(        __traceiter_sched_switch\+\d+\n)?        __schedule\+\d+\n(        schedule\+\d+\n)?\n?\]`).MatchString(r.stdout) {
		t.Errorf("kstack(2) is not __schedule, schedule:\n%s", r.stdout)
	}
}

// print() of a struct shows its fields by name.
func TestHostPrintStruct(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	got := strings.Join(hostRun(t, `BEGIN { print(*curtask); print(curtask->real_parent->tgid); exit(); }`), "\n")
	for _, re := range []string{
		`\.pid = \d+, \.tgid = ` + strconv.Itoa(0) + `|\.tgid = \d+`,
		`\.comm = "?` + regexp.QuoteMeta(binComm(t)) + `"?`,
		`\.se = \{ \.load = \{ \.weight = \d+`,
		`(?m)^` + strconv.Itoa(os.Getpid()) + `$`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("print output does not match %q", re)
		}
	}
}

// kprobe and fentry cannot work here: the errors name the function and
// the kernel's reason.
func TestHostKernelProbeErrors(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	for _, c := range []struct {
		prog string
		want []string
	}{
		{`kprobe:vfs_read { exit(); }`, []string{`vfs_read`, `kprobes are not`, `fentry`, `not permitted`}},
		{`kretprobe:vfs_read { exit(); }`, []string{`vfs_read`, `kprobes are not`, `fexit`, `not permitted`}},
		{`fentry:vfs_read { exit(); }`, []string{`vfs_read`, `not permitted`}},
		{`fexit:vfs_read { @ = hist(retval); }`, []string{`vfs_read`, `not permitted`}},
		{`fentry:no_such_function_xyz { exit(); }`, []string{`no_such_function_xyz`, `not found`}},
		{`kprobe:no_such_function_xyz { exit(); }`, []string{`no_such_function_xyz`}},
	} {
		r := run(t, 20*time.Second, "-e", c.prog)
		if r.exit == 0 {
			t.Errorf("%s: exit 0", c.prog)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", c.prog, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "MEMLOCK") {
			t.Errorf("%s: misleading MEMLOCK hint:\n%s", c.prog, r.stderr)
		}
	}
}

// -l output checked against tracefs and BTF.
func TestHostListing(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tracefs := "/sys/kernel/tracing"
	if _, err := os.Stat(tracefs + "/events"); err != nil {
		tracefs = "/sys/kernel/debug/tracing"
	}
	list := func(args ...string) []string {
		t.Helper()
		r := run(t, 30*time.Second, args...)
		if r.exit != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.exit, r.stderr)
		}
		return lines(r.stdout)
	}

	// tracepoint:sched:* is events/sched/*/ of tracefs.
	ents, err := os.ReadDir(filepath.Join(tracefs, "events", "sched"))
	if err != nil {
		t.Skip(err)
	}
	var want []string
	for _, e := range ents {
		if e.IsDir() {
			want = append(want, "tracepoint:sched:"+e.Name())
		}
	}
	sort.Strings(want)
	got := list("-l", "tracepoint:sched:*")
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("-l tracepoint:sched:* = %d lines, tracefs has %d:\n%s", len(got), len(want), diffLines(got, want))
	}

	// -lv of a tracepoint: the format file's fields, common_ ones left out.
	format, err := os.ReadFile(filepath.Join(tracefs, "events/syscalls/sys_enter_openat/format"))
	if err != nil {
		t.Skip(err)
	}
	want = []string{"tracepoint:syscalls:sys_enter_openat"}
	fieldRE := regexp.MustCompile(`^\s*field:(.+?);`)
	for _, l := range strings.Split(string(format), "\n") {
		if m := fieldRE.FindStringSubmatch(l); m != nil && !strings.Contains(m[1], " common_") {
			want = append(want, "    "+m[1])
		}
	}
	got = list("-lv", "tracepoint:syscalls:sys_enter_openat")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("-lv sys_enter_openat:\n%s", diffLines(got, want))
	}

	// rawtracepoint:* holds every BTF btf_trace_ typedef of vmlinux.
	spec := kernelSpec(t)
	btfRaw := map[string]bool{}
	btfFuncs := map[string]bool{}
	for typ, err := range spec.All() {
		if err != nil {
			break
		}
		switch typ := typ.(type) {
		case *btf.Typedef:
			if n, ok := strings.CutPrefix(typ.Name, "btf_trace_"); ok {
				btfRaw[n] = true
			}
		case *btf.Func:
			if strings.HasPrefix(typ.Name, "vfs_") {
				btfFuncs[typ.Name] = true
			}
		}
	}
	raw := map[string]bool{}
	for _, l := range list("-l", "rawtracepoint:*") {
		raw[l] = true
	}
	for _, ev := range []string{"sched_switch", "sys_enter", "sched_process_exec"} {
		if !raw["rawtracepoint:vmlinux:"+ev] {
			t.Errorf("-l rawtracepoint:* lacks %s", ev)
		}
	}
	missing := 0
	for n := range btfRaw {
		if !raw["rawtracepoint:vmlinux:"+n] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("-l rawtracepoint:* lacks %d of BTF's %d btf_trace_ events", missing, len(btfRaw))
	}

	// fentry:vfs_* is the BTF functions named vfs_*.
	want = nil
	for n := range btfFuncs {
		want = append(want, "fentry:vmlinux:"+n)
	}
	sort.Strings(want)
	got = list("-l", "fentry:vfs_*")
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("-l fentry:vfs_*:\n%s", diffLines(got, want))
	}

	// -lv of a struct: every BTF member, in order.
	var ts *btf.Struct
	if err := spec.TypeByName("task_struct", &ts); err != nil {
		t.Fatal(err)
	}
	got = list("-lv", "struct task_struct")
	if len(got) == 0 || got[0] != "struct task_struct {" || got[len(got)-1] != "};" {
		t.Errorf("-lv struct task_struct: bad first/last line:\n%s", strings.Join(got, "\n"))
	}
	text := strings.Join(got, "\n")
	pos := 0
	for _, m := range ts.Members {
		if m.Name == "" {
			continue
		}
		re := regexp.MustCompile(`[\s*]` + regexp.QuoteMeta(m.Name) + `(\[\d+\])*(: \d+)?;`)
		loc := re.FindStringIndex(text[pos:])
		if loc == nil {
			t.Errorf("-lv struct task_struct: member %s missing or out of order", m.Name)
			break
		}
		pos += loc[1]
	}

	// -l -e PROG lists what the program attaches to.
	got = list("-l", "-e", `tracepoint:sched:sched_switch, rawtracepoint:sched_wakeup {} fentry:vfs_rea? {} BEGIN {}`)
	want = []string{"tracepoint:sched:sched_switch", "rawtracepoint:vmlinux:sched_wakeup", "fentry:vmlinux:vfs_read", "begin"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("-l -e:\n%s", diffLines(got, want))
	}
}

func diffLines(got, want []string) string {
	g, w := map[string]bool{}, map[string]bool{}
	for _, l := range got {
		g[l] = true
	}
	for _, l := range want {
		w[l] = true
	}
	var b strings.Builder
	n := 0
	for _, l := range want {
		if !g[l] && n < 20 {
			fmt.Fprintf(&b, "- %s\n", l)
			n++
		}
	}
	for _, l := range got {
		if !w[l] && n < 40 {
			fmt.Fprintf(&b, "+ %s\n", l)
			n++
		}
	}
	if b.Len() == 0 {
		return "(same lines, different order)\ngot:\n" + strings.Join(got, "\n")
	}
	return b.String()
}

// binComm is the comm of the gobpftrace processes the tests start.
func binComm(t *testing.T) string {
	c := filepath.Base(gobpftrace(t))
	if len(c) > 15 {
		c = c[:15]
	}
	return c
}
