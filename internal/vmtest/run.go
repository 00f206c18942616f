package vmtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Config says what to put in the VM and what to run there.
type Config struct {
	// Files maps guest paths ("/bin/gobpftrace") to host files copied into
	// the initramfs with their permission bits. Binaries must be static
	// (see BuildStatic): the VM has no shared libraries.
	Files map[string]string
	// Contents maps guest paths to literal file contents (mode 0755), for
	// small inputs such as .bt scripts.
	Contents map[string]string
	// Script is the body of a busybox sh script run as root by /init in
	// "/", after proc, sysfs, devtmpfs, tracefs (/sys/kernel/tracing),
	// debugfs, bpffs (/sys/fs/bpf) and a tmpfs /tmp are mounted. Its
	// stdout, stderr and exit status come back in Result. The helpers of
	// lib.sh (waitfor FILE REGEX [SECS]) are defined.
	Script string
	// Collect lists guest files whose contents, if they exist when the
	// script ends, come back in Result.Files.
	Collect []string
	// Timeout bounds the whole boot; 0 means DefaultTimeout. Emulation
	// without KVM is slow: allow for it.
	Timeout time.Duration
	// Memory is QEMU's -m value; "" means "1G".
	Memory string
	// CPUs is QEMU's -smp value; 0 means 2.
	CPUs int
	// Append adds kernel command-line arguments.
	Append string
}

// DefaultTimeout bounds a VM run when Config.Timeout is 0.
const DefaultTimeout = 3 * time.Minute

// Result is what came back from the VM.
type Result struct {
	Stdout   string            // the script's standard output
	Stderr   string            // the script's standard error
	Exit     int               // the script's exit status
	Dmesg    string            // the kernel log after the script ended
	Files    map[string]string // Config.Collect files that existed, by guest path
	Console  string            // everything QEMU printed, for diagnosis
	Duration time.Duration

	timedOut bool // the boot ran out of time
}

// Run boots the VM with cfg and waits for the script to finish. The
// error reports infrastructure failures (image, QEMU, timeout, the VM
// dying before the script ended); a non-zero exit status of the script
// is not an error: check Result.Exit. Run calls Require, so it skips the
// test where VMs cannot run.
func Run(t testing.TB, cfg Config) (*Result, error) {
	t.Helper()
	Require(t)

	marker, err := newMarker()
	if err != nil {
		return nil, err
	}
	im, err := buildImage(cfg, marker)
	if err != nil {
		return nil, err
	}
	img := filepath.Join(t.TempDir(), "initramfs.cpio")
	if err := im.writeTo(img); err != nil {
		return nil, fmt.Errorf("vmtest: writing initramfs: %w", err)
	}
	qemu, err := qemuPath()
	if err != nil {
		return nil, err
	}

	// One VM at a time on this machine, across test binaries: QEMU emulates
	// without KVM, and two VMs on two host cores starve each other's vCPUs
	// into RCU stalls and soft lockups.
	unlock, err := lockVM(t)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res, err := boot(t, cfg, qemu, img, marker, true)
	if err != nil && res != nil && retryable(res) {
		// A stalled emulation is the machine's doing, not the test's:
		// boot once more (this time riding out any stall) before failing.
		t.Logf("vmtest: retrying once after: %v", firstLine(err.Error()))
		res, err = boot(t, cfg, qemu, img, marker, false)
	}
	return res, err
}

// boot runs QEMU once. With abortOnStall, the guest kernel reporting a
// stall (its vCPUs starved by a busy host) ends the run at once, rather than
// when the timeout expires minutes later.
func boot(t testing.TB, cfg Config, qemu, img, marker string, abortOnStall bool) (*Result, error) {
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if dl, ok := deadline(t); ok {
		// Leave the test binary time to report rather than be killed.
		if left := time.Until(dl) - 5*time.Second; left < timeout {
			timeout = left
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	mem, cpus := cfg.Memory, cfg.CPUs
	if mem == "" {
		mem = "1G"
	}
	if cpus == 0 {
		cpus = 2
	}
	appendLine := "console=ttyS0 panic=-1 quiet"
	if cfg.Append != "" {
		appendLine += " " + cfg.Append
	}
	// No -enable-kvm: KVM is present on the CI machines but fails.
	cmd := exec.CommandContext(ctx, qemu,
		"-m", mem, "-smp", fmt.Sprint(cpus),
		"-nographic", "-no-reboot", "-no-user-config",
		"-kernel", KernelPath(), "-initrd", img,
		"-append", appendLine)
	var console, qemuErr bytes.Buffer
	watch := &stallWatch{w: &console}
	if abortOnStall {
		watch.onStall = cancel
	}
	cmd.Stdout = watch
	if os.Getenv(EnvConsole) == "1" {
		cmd.Stdout = io.MultiWriter(watch, os.Stderr)
	}
	cmd.Stderr = &qemuErr
	cmd.WaitDelay = 2 * time.Second

	start := time.Now()
	runErr := cmd.Run()
	res := &Result{Console: console.String(), Duration: time.Since(start), timedOut: ctx.Err() != nil || watch.stalled}
	if qemuErr.Len() > 0 {
		res.Console += "\n[qemu stderr]\n" + qemuErr.String()
	}

	perr := parseConsole(res, marker)
	switch {
	case watch.stalled && perr != nil:
		return res, fmt.Errorf("vmtest: the guest kernel reported a stall (host too busy); console tail:\n%s", tail(res.Console, 40))
	case ctx.Err() != nil && perr != nil:
		return res, fmt.Errorf("vmtest: VM timed out after %v; console tail:\n%s", timeout, tail(res.Console, 40))
	case perr != nil && runErr != nil:
		return res, fmt.Errorf("vmtest: qemu: %v; %v; console tail:\n%s", runErr, perr, tail(res.Console, 40))
	case perr != nil:
		return res, fmt.Errorf("vmtest: %v; console tail:\n%s", perr, tail(res.Console, 40))
	}
	return res, nil
}

// stallMarkers are what the guest kernel prints when its vCPUs are starved.
var stallMarkers = []string{"self-detected stall", "rcu_sched detected stalls", "soft lockup", "hung_task"}

// stallWatch passes console output through, calling onStall (once) when a
// stall marker appears.
type stallWatch struct {
	w       io.Writer
	seen    []byte // the tail of what came before, for markers split across writes
	stalled bool
	onStall func()
}

func (s *stallWatch) Write(p []byte) (int, error) {
	if !s.stalled {
		s.seen = append(s.seen, p...)
		for _, m := range stallMarkers {
			if bytes.Contains(s.seen, []byte(m)) {
				s.stalled = true
				if s.onStall != nil {
					s.onStall()
				}
				break
			}
		}
		if len(s.seen) > 64 {
			s.seen = s.seen[len(s.seen)-64:]
		}
	}
	return s.w.Write(p)
}

// retryable reports whether a failed boot failed the way an overloaded host
// makes emulation fail: out of time, or the guest kernel reporting stalls.
func retryable(res *Result) bool {
	if res.timedOut {
		return true
	}
	for _, s := range stallMarkers {
		if strings.Contains(res.Console, s) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Exclusive holds the machine-wide VM lock for a test that would starve an
// emulated VM of CPU (a flood of events at full speed on both cores), so
// that it and the VMs of other test binaries take turns. Call the result
// to release it; a failure to lock fails the test.
func Exclusive(t testing.TB) func() {
	t.Helper()
	unlock, err := lockVM(t)
	if err != nil {
		t.Fatal(err)
	}
	return unlock
}

// lockVM takes the machine-wide VM lock (a flock on a file in CacheDir),
// waiting for another test binary's VM to finish.
func lockVM(t testing.TB) (func(), error) {
	dir := CacheDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("vmtest: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "qemu.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("vmtest: %w", err)
	}
	start := time.Now()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("vmtest: locking %s: %w", f.Name(), err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Logf("vmtest: waited %v for another VM to finish", waited.Round(time.Second))
	}
	return func() { f.Close() }, nil
}

// deadline is t.Deadline for tests; benchmarks have none.
func deadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}

func newMarker() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "@@VMTEST-" + hex.EncodeToString(b[:]), nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var errNoEnd = errors.New("the VM stopped before the script's end marker (kernel panic or /init died?)")
