package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// kernelObjects returns the BPF program and link IDs that process pid holds
// (from /proc/PID/fdinfo: "prog_id:" and "link_id:" lines).
func kernelObjects(t *testing.T, pid int) (progs, links []uint32) {
	t.Helper()
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fdinfo")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		isLink := strings.Contains(string(b), "link_id:")
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
			if err != nil {
				continue
			}
			switch {
			case k == "link_id":
				links = append(links, uint32(n))
			case k == "prog_id" && !isLink:
				progs = append(progs, uint32(n))
			}
		}
	}
	return progs, links
}

// TestDetachedAtExit: once gobpftrace has exited, none of its programs or
// links is left in the kernel within a second, although the perf events
// behind them are closed by a background process (runtime/closer.go).
func TestDetachedAtExit(t *testing.T) {
	if testing.Short() {
		t.Skip("kernel test (-short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	prog := `tracepoint:syscalls:sys_enter_getppid { @a = count(); }
tracepoint:syscalls:sys_exit_getppid { @b = count(); }
tracepoint:sched:sched_switch { @c = count(); }
tracepoint:raw_syscalls:sys_enter { @d = count(); }
interval:ms:10 { @e = count(); }`
	cmd := exec.Command(binary(t), "-e", prog)
	cmd.Env = append(os.Environ(), notify+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != notify {
	}
	progs, links := kernelObjects(t, cmd.Process.Pid)
	if len(progs) == 0 || len(links) < 4 {
		t.Fatalf("%d programs and %d links while attached, want some", len(progs), len(links))
	}
	cmd.Process.Signal(syscall.SIGINT)
	go func() {
		for sc.Scan() {
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("gobpftrace: %v", err)
	}
	exited := time.Now()
	for {
		left := 0
		for _, id := range progs {
			if p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id)); err == nil {
				p.Close()
				left++
			} else if !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("program %d: %v", id, err)
			}
		}
		for _, id := range links {
			if l, err := link.NewFromID(link.ID(id)); err == nil {
				l.Close()
				left++
			} else if !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("link %d: %v", id, err)
			}
		}
		if left == 0 {
			t.Logf("all %d programs and %d links gone %v after exit", len(progs), len(links), time.Since(exited))
			return
		}
		if time.Since(exited) > time.Second {
			t.Fatalf("%d of %d programs and links still in the kernel 1s after exit", left, len(progs)+len(links))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
