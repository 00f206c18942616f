package kernelprobes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Builtins that need a real probe: path()'s probe-kind error, address
// conversions, cgroupid() against cgroupfs, and signal() to a process.

func TestHostPathInTracepoint(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	r := run(t, 20*time.Second, "-e", `tracepoint:syscalls:sys_enter_openat { printf("%s\n", path(args.filename)); exit(); }`)
	if r.exit == 0 || !strings.Contains(r.stderr, "path builtin can not be used with 'tracepoint' probes") {
		t.Errorf("exit %d, stderr:\n%s", r.exit, r.stderr)
	}
}

func TestHostAddrBuiltins(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	got := hostRun(t, `BEGIN {
	printf("%s %s %s\n", ntop(pton("127.0.0.1")), ntop(pton("fe80::1")), ntop(2, 0x0100007f));
	$a = pton("10.1.2.3");
	printf("%d %d %d\n", $a[0], $a[3], sizeof(pton("::1")));
	printf("%s\n", macaddr(pton("fe80::1:2:3:4:5:6")));
	exit();
}`)
	want := []string{"127.0.0.1 fe80::1 127.0.0.1", "10 3 16", "FE:80:00:00:00:01"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// cgroupid(path) is the cgroup v2 directory's id (its inode), and what
// cgroup reads for a process moved into it.
func TestHostCgroupid(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	root := "/sys/fs/cgroup/unified"
	var st syscallStat
	if !isCgroup2(root) {
		root = "/sys/fs/cgroup"
		if !isCgroup2(root) {
			t.Skip("no cgroup2 mount")
		}
	}
	dir := filepath.Join(root, fmt.Sprintf("kptest%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skip(err)
	}
	defer func() {
		for range 50 { // the child may still be leaving it
			if os.Remove(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	ino := st.ino(t, dir)
	prog := fmt.Sprintf(`tracepoint:syscalls:sys_enter_openat /pid == cpid && comm == "cat"/ { printf("%%d %%d\n", cgroup, cgroupid("%s")); exit(); }`, dir)
	child := fmt.Sprintf(`/bin/sh -c 'echo $$ > %s/cgroup.procs; exec cat /dev/null'`, dir)
	r := run(t, 20*time.Second, "-e", prog, "-c", child)
	want := fmt.Sprintf("%d %d", ino, ino)
	// cat may open again before exit() takes effect: every line must match.
	got := lines(r.stdout)
	bad := r.exit != 0 || len(got) == 0
	for _, l := range got {
		bad = bad || l != want
	}
	if bad {
		t.Errorf("exit %d, stdout %q, want %q\nstderr:\n%s", r.exit, r.stdout, want, r.stderr)
	}
}

// signal() from a tracepoint reaches the process that made the syscall:
// a shell waiting for its child in wait4 gets SIGUSR1 and its trap exits 7.
func TestHostSignal(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	for _, sig := range []string{`"SIGUSR1"`, `10`, `"USR1"`} {
		sh := exec.Command("/bin/sh", "-c", `trap "exit 7" USR1; while :; do sleep 0.05; done`)
		if err := sh.Start(); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(30*time.Second, func() { sh.Process.Kill() })
		r := run(t, 20*time.Second, "--unsafe", "-e", fmt.Sprintf(`tracepoint:syscalls:sys_enter_wait4 /pid == %d/ { signal(%s); exit(); }`, sh.Process.Pid, sig))
		if r.exit != 0 {
			sh.Process.Kill()
		}
		err := sh.Wait()
		timer.Stop()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 || r.exit != 0 {
			t.Errorf("signal(%s): shell ended with %v, gobpftrace exit %d\nstderr:\n%s", sig, err, r.exit, r.stderr)
		}
	}
	r := run(t, 20*time.Second, "-e", `tracepoint:syscalls:sys_enter_wait4 { signal("SIGUSR1"); }`)
	if r.exit == 0 || !strings.Contains(r.stderr, "signal() is an unsafe function being used in safe mode") {
		t.Errorf("without --unsafe: exit %d, stderr:\n%s", r.exit, r.stderr)
	}
}
