package kernelprobes

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/internal/vmtest"
)

// kpLib is sourced by every VM case. trace runs gobpftrace with its
// arguments in the background, waits until it has attached, runs
// $TRIGGER (default: cat the target file, so that cat opens it), and
// waits for it to exit; its stdout (without the attach notification) and
// stderr become the case's.
const kpLib = `
: ${TRIGGER:=cat /kp/dir/target >/dev/null}
trace() {
	__BPFTRACE_NOTIFY_PROBES_ATTACHED=1 gobpftrace "$@" >$CASE_DIR/o 2>$CASE_DIR/e &
	_p=$!
	_n=300
	while ! grep -q __BPFTRACE_NOTIFY $CASE_DIR/o 2>/dev/null; do
		if ! kill -0 $_p 2>/dev/null || [ $_n -le 0 ]; then break; fi
		sleep 0.1; _n=$((_n - 1))
	done
	eval "$TRIGGER"
	wait $_p; _rc=$?
	grep -v __BPFTRACE_NOTIFY $CASE_DIR/o
	cat $CASE_DIR/e >&2
	return $_rc
}
`

// modLoad loads binfmt_misc and mounts its file system (once per boot).
const modLoad = `[ -d /sys/module/binfmt_misc ] || insmod /kp/binfmt_misc.ko; ` +
	`[ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc none /proc/sys/fs/binfmt_misc; `

// vmCase is one gobpftrace run in the VM and what its output must show.
type vmCase struct {
	name   string
	script string   // sh, with trace() and $TRIGGER from kpLib
	want   []string // regexps (multi-line) that stdout must match
	errs   []string // regexps that stderr must match
	noErr  bool     // stderr must hold nothing but "Attached N probe(s)"
	exit   int
	custom bool // checked by hand in TestVM, not by check
}

// trace is a script running gobpftrace -e prog with the default trigger.
func trace(prog string, flags ...string) string {
	return fmt.Sprintf("trace %s -e '%s'", strings.Join(flags, " "), prog)
}

const cat = `/comm == "cat"/`

var vmCases = []vmCase{
	// kprobe/kretprobe: argN, retval (do_sys_openat2(int dfd, const char __user
	// *filename, struct open_how *how) returns the fd).
	{name: "kprobe-args", script: trace(`kprobe:do_sys_openat2 ` + cat + ` { printf("dfd=%d file=%s flags=%d\n", (int32)arg0, str(uptr(arg1)), ((struct open_how *)arg2)->flags); exit(); }`),
		want: []string{`^dfd=-100 file=/kp/dir/target flags=32768$`}, noErr: true},
	{name: "kretprobe-retval", script: trace(`kretprobe:do_sys_openat2 ` + cat + ` { printf("ret=%d func=%s\n", retval, func); exit(); }`),
		want: []string{`^ret=3 func=do_sys_openat2$`}, noErr: true},
	// fentry/fexit: args typed from BTF, nested struct fields, retval.
	{name: "fentry-args", script: trace(`fentry:do_sys_openat2 ` + cat + ` { printf("dfd=%d file=%s flags=%d mode=%d\n", args.dfd, str(uptr(args.filename)), args.how->flags, args->how->mode); exit(); }`),
		want: []string{`^dfd=-100 file=/kp/dir/target flags=32768 mode=0$`}, noErr: true},
	{name: "fentry-nested", script: trace(`fentry:vfs_open ` + cat + ` { printf("%s/%s %d\n", str(args.path->dentry->d_parent->d_name.name), str(args.path->dentry->d_name.name), args.file->f_path.dentry == args.path->dentry); exit(); }`),
		want: []string{`^dir/target [01]$`}, noErr: true},
	{name: "kprobe-cast", script: trace(`kprobe:vfs_open ` + cat + ` { $p = (struct path *)arg0; printf("%s %s\n", str($p->dentry->d_name.name), str(((struct path *)arg0)->dentry->d_parent->d_name.name)); exit(); }`),
		want: []string{`^target dir$`}, noErr: true},
	// struct filename: do_filp_open(int dfd, struct filename *pathname,
	// const struct open_flags *op), by cast from argN and typed from BTF.
	{name: "kprobe-struct-filename", script: trace(`kprobe:do_filp_open ` + cat + ` { printf("%s %d\n", str(((struct filename *)arg1)->name), ((struct filename *)arg1)->uptr == ((struct filename *)arg1)->uptr); exit(); }`),
		want: []string{`^/kp/dir/target 1$`}, noErr: true},
	{name: "fentry-struct-filename", script: trace(`fentry:do_filp_open ` + cat + ` { printf("%s %d %d\n", str(args.pathname->name), args.op->open_flag & 0x8000, args->dfd); exit(); }`),
		want: []string{`^/kp/dir/target 32768 -100$`}, noErr: true},
	{name: "fexit-retval", script: trace(`fexit:do_sys_openat2 ` + cat + ` { printf("ret=%d dfd=%d file=%s\n", retval, args.dfd, str(uptr(args.filename))); exit(); }`),
		want: []string{`^ret=3 dfd=-100 file=/kp/dir/target$`}, noErr: true},
	// Wildcards: do_sys_open and do_sys_openat2 (only the latter fires for cat).
	{name: "kprobe-wildcard", script: trace(`kprobe:do_sys_open* ` + cat + ` { printf("%s %s\n", func, probe); exit(); }`),
		want: []string{`^do_sys_openat2 kprobe:do_sys_openat2$`}, errs: []string{`Attached 2 probes`}},
	{name: "fentry-wildcard", script: trace(`fentry:do_sys_open* ` + cat + ` { printf("%s %s\n", func, probe); exit(); }`),
		want: []string{`^do_sys_openat2 fentry:vmlinux:do_sys_openat2$`}, errs: []string{`Attached 2 probes`}},
	{name: "kretprobe-wildcard", script: trace(`kretprobe:do_sys_open* ` + cat + ` { printf("%s %s %d\n", func, probe, retval); exit(); }`),
		want: []string{`^do_sys_openat2 kretprobe:do_sys_openat2 3$`}, errs: []string{`Attached 2 probes`}},
	// +offset: past the 5-byte ftrace call at the start of every traceable
	// function, the next instruction.
	{name: "kprobe-offset", script: trace(`kprobe:do_sys_openat2+5 ` + cat + ` { printf("%s %s\n", probe, func); exit(); }`),
		want: []string{`^kprobe:do_sys_openat2\+5 do_sys_openat2$`}, noErr: true},
	{name: "kprobe-bad-offset", script: `gobpftrace -e 'kprobe:do_sys_openat2+1 { exit(); }'`,
		errs: []string{`do_sys_openat2\+1`, `(?i)instruction|offset`}, exit: 1},
	// module:function (the VM loads no modules: vmlinux is the module).
	{name: "kprobe-module", script: trace(`kprobe:vmlinux:do_sys_openat2 ` + cat + ` { printf("%s\n", probe); exit(); }`),
		want: []string{`^kprobe:vmlinux:do_sys_openat2$`}, noErr: true},
	{name: "fentry-module", script: trace(`fentry:vmlinux:do_sys_openat2 ` + cat + ` { printf("%s %d\n", probe, args.dfd); exit(); }`),
		want: []string{`^fentry:vmlinux:do_sys_openat2 -100$`}, noErr: true},
	// Functions of a loaded module (binfmt_misc, from the kernel's package):
	// kallsyms names them with [binfmt_misc], its BTF is
	// /sys/kernel/btf/binfmt_misc. Reading the status file runs bm_status_read.
	{name: "kprobe-module-func", script: modLoad + `TRIGGER='cat /proc/sys/fs/binfmt_misc/status >/dev/null'; ` +
		trace(`kprobe:binfmt_misc:bm_status_read { printf("%s %s\n", probe, func); exit(); }`),
		want: []string{`^kprobe:binfmt_misc:bm_status_read bm_status_read$`}, noErr: true},
	{name: "kprobe-module-func-unqualified", script: modLoad + `TRIGGER='cat /proc/sys/fs/binfmt_misc/status >/dev/null'; ` +
		trace(`kprobe:bm_status_read { printf("%s\n", probe); exit(); }`),
		want: []string{`^kprobe:bm_status_read$`}, noErr: true},
	{name: "fentry-module-func", script: modLoad + `TRIGGER='cat /proc/sys/fs/binfmt_misc/status >/dev/null'; ` +
		trace(`fentry:binfmt_misc:bm_status_read { printf("%s nbytes>0=%d\n", probe, args.nbytes > 0); exit(); } fexit:binfmt_misc:bm_status_read { printf("ret=%d\n", retval); exit(); }`),
		want: []string{`^fentry:binfmt_misc:bm_status_read nbytes>0=1$`}, noErr: true},
	{name: "module-list", script: modLoad + `gobpftrace -l 'fentry:binfmt_misc:bm_status*'; gobpftrace -lv 'fentry:binfmt_misc:bm_status_read'`,
		want: []string{`(?m)^fentry:binfmt_misc:bm_status_read$`, `(?m)^    size_t nbytes$`}},
	// --no-feature kprobe: the same probes run as fentry/fexit, same output,
	// and one notice each on stderr.
	{name: "fallback-kprobe-args", script: trace(`kprobe:do_sys_openat2 `+cat+` { printf("dfd=%d file=%s flags=%d\n", (int32)arg0, str(uptr(arg1)), ((struct open_how *)arg2)->flags); exit(); }`, "--no-feature", "kprobe"),
		want: []string{`^dfd=-100 file=/kp/dir/target flags=32768$`}, errs: []string{`kprobe:do_sys_openat2.*fentry`}},
	{name: "fallback-kretprobe-retval", script: trace(`kretprobe:do_sys_openat2 `+cat+` { printf("ret=%d func=%s\n", retval, func); exit(); }`, "--no-feature", "kprobe"),
		want: []string{`^ret=3 func=do_sys_openat2$`}, errs: []string{`kretprobe:do_sys_openat2.*fexit`}},
	// Kernel stacks from a kprobe, symbolized from kallsyms.
	{name: "kstack", script: trace(`kprobe:do_sys_openat2 ` + cat + ` { printf("%s", kstack); printf("%s", kstack(perf, 3)); printf("%s", kstack(raw, 2)); printf("[%s]\n", kstack(1)); exit(); }`),
		want: []string{
			`(?s)^\n        do_sys_openat2\+\d+\n        __x64_sys_openat\+\d+\n        do_syscall_64\+\d+\n        entry_SYSCALL_64_after_hwframe\+\d+\n\n`,
			`(?m)^\tffffffff[0-9a-f]{8} do_sys_openat2\+\d+\n\tffffffff[0-9a-f]{8} __x64_sys_openat\+\d+\n\tffffffff[0-9a-f]{8} do_syscall_64\+\d+\n\n`,
			`(?m)^ffffffff[0-9a-f]{8}\nffffffff[0-9a-f]{8}\n`,
			`\[\n        do_sys_openat2\+\d+\n\]`,
		}, noErr: true},
	{name: "kprobe-reg-ksym", script: trace(`kprobe:do_sys_openat2 ` + cat + ` { printf("%s %s %d\n", ksym(reg("ip")), ksym(kaddr("do_sys_openat2")), reg("ip") - kaddr("do_sys_openat2") <= 5); exit(); }`),
		want: []string{`^do_sys_openat2 do_sys_openat2 1$`}, noErr: true},
	{name: "fentry-stack-probe", script: trace(`fentry:vfs_open ` + cat + ` { @[kstack(2), func, probe] = count(); exit(); }`),
		want: []string{`(?s)@\[\n        vfs_open\+\d+\n        path_openat\+\d+\n, vfs_open, fentry:vmlinux:vfs_open\]: 1`}, noErr: true},
	// Counting in a map and printing it on exit.
	{name: "kprobe-count", script: `TRIGGER='cat /kp/dir/target /kp/dir/target >/dev/null'; ` + trace(`kprobe:vfs_open `+cat+` { @[func] = count(); } kretprobe:do_sys_openat2 `+cat+` { @ret = max(retval); } kprobe:do_exit `+cat+` { exit(); }`),
		want: []string{`@\[vfs_open\]: [2-9]`, `@ret: [34]`}, noErr: true},
	// path(): the full path of a struct path, in fentry of functions the
	// kernel allows bpf_d_path in (security_inode_getattr, filp_close, ...); elsewhere
	// (vfs_open) the kernel refuses it and the error says so.
	{name: "fentry-path", script: `TRIGGER='stat /kp/dir/target >/dev/null'; ` + trace(`fentry:security_inode_getattr /comm == "stat"/ { printf("%s\n", path(args.path)); exit(); }`),
		want: []string{`^/kp/dir/target$`}, noErr: true},
	// path(p, size) keeps the end of a longer path: size-1 bytes and the NUL.
	{name: "fentry-path-size", script: `TRIGGER='stat /kp/dir/target >/dev/null'; ` + trace(`fentry:security_inode_getattr /comm == "stat"/ { printf("%s|%s\n", path(args.path, 8), path(args.path, 64)); exit(); }`),
		want: []string{`^/target\|/kp/dir/target$`}, noErr: true},
	{name: "fentry-path-refused", script: `gobpftrace -e 'fentry:vfs_open { printf("%s\n", path(args.path)); exit(); }'`,
		errs: []string{`vfs_open.*path\(\) is not allowed in this function`}, exit: 1},
	// socket_cookie(): a netlink socket of ip is freed (from an RCU
	// callback, so in any task); its cookie is made on first request.
	{name: "fentry-socket-cookie", script: `TRIGGER='ip link >/dev/null'; ` + trace(`fentry:security_sk_free { $c = socket_cookie(args.sk); printf("cookie>0=%d again=%d\n", $c > 0, socket_cookie(args.sk) == $c); exit(); }`),
		want: []string{`^cookie>0=1 again=1$`}, noErr: true},
	{name: "kprobe-socket-cookie", script: `gobpftrace -e 'kprobe:security_sk_free { print(socket_cookie(arg0)); }'`,
		errs: []string{`socket_cookie builtin can not be used with 'kprobe' probes`}, exit: 1},
	// override(): needs --unsafe; on an error-injectable syscall it makes
	// cat's openat fail with the given errno (ENOENT), or, on a kernel
	// without CONFIG_BPF_KPROBE_OVERRIDE (Debian's 6.1 cloud kernel), fails
	// with a clear error (checked by checkOverride).
	{name: "override-safe", script: `gobpftrace -e 'kprobe:__x64_sys_openat { override(-2); }'`,
		errs: []string{`override\(\) is an unsafe function`}, exit: 1},
	{name: "override", script: `TRIGGER='cat /kp/dir/target; echo cat-rc=$?'; ` +
		trace(`kprobe:__x64_sys_openat `+cat+` { override(-2); exit(); }`, "--unsafe"), custom: true},
	// Errors name the function and the reason.
	{name: "kprobe-missing", script: `gobpftrace -e 'kprobe:no_such_function_xyz { exit(); }'`,
		errs: []string{`no_such_function_xyz`}, exit: 1},
	{name: "fentry-missing", script: `gobpftrace -e 'fentry:no_such_function_xyz { exit(); }'`,
		errs: []string{`no_such_function_xyz.*not found`}, exit: 1},
	// Listing: kprobes from available_filter_functions, fentry from BTF.
	{name: "list", script: `gobpftrace -l 'kprobe:do_sys_open*'; gobpftrace -l 'fentry:do_sys_open*'; gobpftrace -lv 'fentry:do_sys_openat2'; gobpftrace -l -e 'kprobe:do_sys_open* {} fexit:vfs_open {}'`,
		want: []string{
			`(?m)^kprobe:do_sys_open\nkprobe:do_sys_openat2\nfentry:vmlinux:do_sys_open\nfentry:vmlinux:do_sys_openat2\n`,
			`(?m)^fentry:vmlinux:do_sys_openat2\n    int dfd\n    const char \* filename\n    struct open_how \* how\n    long int retval\n`,
			`(?m)^kprobe:do_sys_open\nkprobe:do_sys_openat2\nfexit:vmlinux:vfs_open$`,
		}, noErr: true},
}

// TestVM runs every vmCase in one boot of the VM kernel.
func TestVM(t *testing.T) {
	requireRoot(t)
	vmtest.Require(t)
	t.Parallel()
	bin := gobpftrace(t)
	if _, err := os.Stat(vmtest.ModulePath("binfmt_misc")); err != nil {
		t.Fatalf("the module cases need %v: run scripts/vm/setup.sh", err)
	}
	cfg := vmtest.Config{
		// The cases take ~15 s; a VM that hangs fails the test with its
		// console's tail long before go test's own timeout.
		Timeout: 4 * time.Minute,
		Files:   map[string]string{"/bin/gobpftrace": bin, "/kp/binfmt_misc.ko": vmtest.ModulePath("binfmt_misc")},
		Contents: map[string]string{
			"/kp/lib.sh":     kpLib,
			"/kp/dir/target": "target\n",
		},
	}
	var cases []vmtest.Case
	for _, c := range vmCases {
		cases = append(cases, vmtest.Case{Name: c.name, Timeout: 30 * time.Second, Script: ". /kp/lib.sh\n" + c.script})
	}
	cases = append(cases, timingCase)
	t0 := time.Now()
	res := vmtest.RunCases(t, cfg, cases)
	t.Logf("VM: %d cases in %v", len(cases), time.Since(t0).Round(time.Millisecond))
	for _, c := range vmCases {
		if c.custom {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			r := res[c.name]
			check(t, c, r)
		})
	}
	// The forced fallback prints what the real kprobe printed.
	for _, pair := range [][2]string{{"kprobe-args", "fallback-kprobe-args"}, {"kretprobe-retval", "fallback-kretprobe-retval"}} {
		if a, b := res[pair[0]].Stdout, res[pair[1]].Stdout; a != b {
			t.Errorf("%s printed %q but %s printed %q", pair[1], b, pair[0], a)
		}
		if n := strings.Count(res[pair[1]].Stderr, "instead"); n != 1 {
			t.Errorf("%s: want one fallback notice, got %d:\n%s", pair[1], n, res[pair[1]].Stderr)
		}
	}
	checkOverride(t, res["override"])
	reportTiming(t, res[timingCase.Name])
}

var attachedLine = regexp.MustCompile(`^Attached \d+ probes?$`)

func check(t *testing.T, c vmCase, r vmtest.CaseResult) {
	t.Helper()
	bad := false
	if r.Exit != c.exit || r.TimedOut {
		t.Errorf("exit %d (timed out: %v), want %d", r.Exit, r.TimedOut, c.exit)
		bad = true
	}
	for _, w := range c.want {
		if !regexp.MustCompile("(?m)" + w).MatchString(r.Stdout) {
			t.Errorf("stdout does not match %q", w)
			bad = true
		}
	}
	for _, w := range c.errs {
		if !regexp.MustCompile("(?m)" + w).MatchString(r.Stderr) {
			t.Errorf("stderr does not match %q", w)
			bad = true
		}
	}
	if c.noErr {
		for _, l := range lines(r.Stderr) {
			if !attachedLine.MatchString(l) {
				t.Errorf("unexpected stderr line %q", l)
				bad = true
			}
		}
	}
	if bad || testing.Verbose() {
		t.Logf("script:\n%s\nstdout:\n%s\nstderr:\n%s", c.script, r.Stdout, r.Stderr)
	}
}

// checkOverride: with CONFIG_BPF_KPROBE_OVERRIDE cat's open fails with
// ENOENT; without it gobpftrace refuses with a clear error.
func checkOverride(t *testing.T, r vmtest.CaseResult) {
	t.Helper()
	injected := strings.Contains(r.Stdout, "cat-rc=1") && strings.Contains(r.Stderr, "No such file")
	refused := r.Exit != 0 && strings.Contains(r.Stderr, "override() is not supported by this kernel (it needs CONFIG_BPF_KPROBE_OVERRIDE)")
	if injected == refused || r.TimedOut || strings.Contains(r.Stderr, "internal compiler error") {
		t.Errorf("override: exit %d (timed out: %v)\nstdout:\n%s\nstderr:\n%s", r.Exit, r.TimedOut, r.Stdout, r.Stderr)
	}
}
