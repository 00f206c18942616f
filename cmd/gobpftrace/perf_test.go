package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/internal/vmtest"
)

// eightProbes is the shape of perfbench's exit-latency script: eight
// tracepoints with maps, stopped by SIGINT.
const eightProbes = `
begin { @started = 1; }
tracepoint:syscalls:sys_enter_openat { @opens = count(); }
tracepoint:syscalls:sys_enter_read { @rd = count(); }
tracepoint:syscalls:sys_exit_read { @rdx = count(); }
tracepoint:syscalls:sys_enter_write { @wr = count(); }
tracepoint:syscalls:sys_enter_close { @cl = count(); }
tracepoint:syscalls:sys_enter_getppid { @pp = count(); }
tracepoint:syscalls:sys_enter_nanosleep { @ns = count(); }
tracepoint:syscalls:sys_exit_write { @wx = count(); }
`

// linkIDs returns the ids of the BPF links process pid holds.
func linkIDs(t *testing.T, pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/fdinfo"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name())
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "link_id:"); ok {
				if id, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// TestSignalsStopCleanly runs the 8-probe script, stops it with SIGINT and
// SIGTERM, and checks the maps are printed, the exit is fast and no link of
// the run is left in the kernel.
func TestSignalsStopCleanly(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("kernel test: needs root, not -short")
	}
	bin := binary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			// The best of three runs: a loaded machine (tests of other
			// packages run in parallel) must not fail a latency check.
			best := time.Hour
			for range 3 {
				took := stopOnce(t, bin, sig)
				best = min(best, took)
				if best < 150*time.Millisecond {
					break
				}
			}
			t.Logf("%v -> exit: best %v", sig, best)
			if best > 150*time.Millisecond {
				t.Errorf("exit took %v, want < 150ms", best)
			}
		})
	}
}

// stopOnce runs the 8-probe script, stops it with sig, checks the output and
// that no link is left, and returns the signal-to-exit time.
func stopOnce(t *testing.T, bin string, sig syscall.Signal) time.Duration {
	t.Helper()
	cmd := exec.Command(bin, "-e", eightProbes)
	cmd.Env = append(os.Environ(), notify+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	r := bufio.NewReader(stdout)
	var out strings.Builder
	deadline := time.AfterFunc(10*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for {
		line, err := r.ReadString('\n')
		out.WriteString(line)
		if line == notify+"\n" {
			break
		}
		if err != nil {
			t.Fatalf("no attach notification:\n%s", out.String())
		}
	}
	ids := linkIDs(t, cmd.Process.Pid)
	if len(ids) != 8 {
		t.Errorf("%d links attached, want 8", len(ids))
	}
	start := time.Now()
	cmd.Process.Signal(sig)
	rest, _ := readAll(r)
	out.WriteString(rest)
	cmd.Wait()
	took := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "\n@started: 1\n") {
		t.Errorf("maps not printed:\n%s", out.String())
	}
	// The links are handed to the closer process (runtime/closer.go),
	// which detaches them concurrently as the run exits: they must be gone
	// within a second of the exit.
	exited := time.Now()
	for _, id := range ids {
		for {
			l, err := link.NewFromID(link.ID(id))
			if err == nil {
				l.Close()
				if time.Since(exited) < time.Second {
					time.Sleep(5 * time.Millisecond)
					continue
				}
				t.Errorf("link %d still exists 1s after exit", id)
			} else if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("link %d: %v", id, err)
			}
			break
		}
	}
	return took
}

func readAll(r *bufio.Reader) (string, error) {
	var b strings.Builder
	_, err := r.WriteTo(&b)
	return b.String(), err
}

// TestStartup measures `begin { exit(); }`: wall time and peak RSS (the
// issue's targets: about 11 ms and a fifth of bpftrace's 88 MiB).
func TestStartup(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("kernel test: needs root, not -short")
	}
	bin := binary(t)
	best := time.Hour
	var rss int64
	for i := 0; i < 5; i++ {
		cmd := exec.Command(bin, "-e", "begin { exit(); }")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		best = min(best, took)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, ru.Maxrss)
		}
	}
	t.Logf("begin { exit(); }: best %v, peak RSS %d KiB", best, rss)
	if best > 100*time.Millisecond {
		t.Errorf("start-up took %v", best)
	}
	if rss > 18*1024 {
		t.Errorf("peak RSS %d KiB, want < 18 MiB", rss)
	}
}

// TestPrintfNothingLost sends one printf per getppid(2) of this process,
// as fast as one thread can make the calls, with stdout to a file as
// perfbench has it, and checks every line arrives and none is reported lost,
// with the default ring (4 MiB) and a 2 MiB one (perf_rb_pages=256 on two
// CPUs).
func TestPrintfNothingLost(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("kernel test: needs root, not -short")
	}
	bin := binary(t)
	// Both cores run flat out: not while another test binary boots a VM.
	defer vmtest.Exclusive(t)()
	for _, pages := range []string{"", "256"} {
		t.Run("perf_rb_pages="+pages, func(t *testing.T) {
			var env []string
			if pages != "" {
				env = append(env, "BPFTRACE_PERF_RB_PAGES="+pages)
			}
			// A second try: on a machine busy with other tests the reader
			// can be kept off the CPU longer than any ring covers.
			for try := 1; ; try++ {
				problem := printfFlood(t, bin, env)
				if problem == "" {
					break
				}
				if try == 2 {
					t.Fatal(problem)
				}
				t.Logf("try %d: %s", try, problem)
			}
		})
	}
}

// printfFlood runs one flood and describes what went wrong ("" for nothing).
func printfFlood(t *testing.T, bin string, env []string) string {
	const n = 300000
	out, err := os.CreateTemp(t.TempDir(), "printf")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	prog := `tracepoint:syscalls:sys_enter_getppid /pid == ` + strconv.Itoa(os.Getpid()) +
		`/ { printf("%d %s\n", tid, comm); }`
	cmd := exec.Command(bin, "-e", prog)
	cmd.Env = append(append(os.Environ(), notify+"=1"), env...)
	cmd.Stdout = out
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		b, _ := os.ReadFile(out.Name())
		if strings.Contains(string(b), notify) {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("not attached:\n%s%s", b, stderr.String())
		}
	}
	start := time.Now()
	for range n {
		syscall.Getppid()
	}
	offered := time.Since(start)
	// Wait until the output stops growing, then stop the run.
	var size int64 = -1
	for {
		time.Sleep(100 * time.Millisecond)
		st, err := out.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() == size {
			break
		}
		size = st.Size()
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(b), " cmd.test\n") + strings.Count(string(b), " gobpftrace.test\n")
	t.Logf("%d events offered at %.0f/s; %d lines", n, n/offered.Seconds(), lines)
	if lines < n || strings.Contains(stderr.String()+string(b), "Lost") {
		return fmt.Sprintf("%d of %d lines printed; stderr:\n%s", lines, n, stderr.String())
	}
	return ""
}
