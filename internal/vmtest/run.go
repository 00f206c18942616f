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
	"path"
	"path/filepath"
	"strings"
	"sync"
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
	var res *Result
	for attempt := 1; ; attempt++ {
		// The first boot ends at the first stall: a starved emulation is
		// the machine's doing, not the test's. Later boots ride stalls out
		// while the guest still makes progress, and end when it has hung.
		res, err = boot(t, cfg, qemu, img, marker, attempt == 1)
		if err == nil || res == nil || !retryable(res) || attempt == maxBoots {
			return res, err
		}
		t.Logf("vmtest: booting again after: %v", firstLine(err.Error()))
	}
}

// maxBoots bounds the boots of one Run when the emulation stalls.
const maxBoots = 3

// hangAfter is how long a stalled guest may go without starting a case or
// printing its results before its boot is ended as hung: longer than a
// case's own time limit in the guest.
const hangAfter = 60 * time.Second

// boot runs QEMU once. With abortOnStall, the guest kernel reporting a
// stall (its vCPUs starved by a busy host) ends the run at once, rather than
// when the timeout expires minutes later; without, a stalled guest that
// makes no progress for hangAfter is ended.
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
	for _, a := range []string{cfg.Append, os.Getenv(EnvAppend)} {
		if a != "" {
			appendLine += " " + a
		}
	}
	// No -enable-kvm: KVM is present on the CI machines but fails.
	// Single-threaded TCG: with one host thread per vCPU (MTTCG), a vCPU
	// can keep running its stale translation of kernel text that another
	// vCPU just patched (a jump label flipped when a tracepoint is
	// enabled): it traps on the int3 that is no longer in memory, the
	// kernel rewinds to retry the instruction, and the guest spins there
	// for good (soft lockups at the jump site, seen under host load).
	cmd := exec.CommandContext(ctx, qemu,
		"-accel", "tcg,thread=single",
		"-m", mem, "-smp", fmt.Sprint(cpus),
		"-nographic", "-no-reboot", "-no-user-config",
		"-kernel", KernelPath(), "-initrd", img,
		"-append", appendLine)
	var console, qemuErr bytes.Buffer
	watch := &consoleWatch{w: &console, marker: marker, progressAt: time.Now()}
	if abortOnStall {
		watch.onStall = cancel
	} else {
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					if watch.hung(hangAfter) {
						cancel()
						return
					}
				}
			}
		}()
	}
	cmd.Stdout = watch
	if os.Getenv(EnvConsole) == "1" {
		cmd.Stdout = io.MultiWriter(watch, os.Stderr)
	}
	cmd.Stderr = &qemuErr
	cmd.WaitDelay = 2 * time.Second

	start := time.Now()
	runErr := cmd.Run()
	res := &Result{Console: console.String(), Duration: time.Since(start), timedOut: ctx.Err() != nil || watch.isStalled()}
	if qemuErr.Len() > 0 {
		res.Console += "\n[qemu stderr]\n" + qemuErr.String()
	}

	perr := parseConsole(res, marker)
	during := ""
	if c := watch.caseName(); c != "" {
		during = " during case " + c
	}
	switch {
	case watch.isStalled() && perr != nil:
		return res, fmt.Errorf("vmtest: the guest kernel reported a stall%s (host too busy, or the guest hung); console tail:\n%s", during, tail(res.Console, 40))
	case ctx.Err() != nil && perr != nil:
		return res, fmt.Errorf("vmtest: VM timed out after %v%s; console tail:\n%s", timeout, during, tail(res.Console, 40))
	case perr != nil && runErr != nil:
		return res, fmt.Errorf("vmtest: qemu: %v; %v; console tail:\n%s", runErr, perr, tail(res.Console, 40))
	case perr != nil:
		return res, fmt.Errorf("vmtest: %v; console tail:\n%s", perr, tail(res.Console, 40))
	}
	return res, nil
}

// stallMarkers are what the guest kernel prints when its vCPUs are starved.
// ("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", or rcu_sched
// on kernels without preemption.)
var stallMarkers = []string{"self-detected stall", "detected stalls on CPUs", "soft lockup", "hung_task"}

// consoleWatch passes console output through, watching its lines for the
// guest kernel's stall reports (calling onStall once) and for progress: a
// case starting (runcase announces it on /dev/console) or the results
// being printed.
type consoleWatch struct {
	w      io.Writer
	marker string

	mu         sync.Mutex // the hang check runs beside QEMU's output copying
	line       []byte     // the unfinished last line
	stalled    bool
	stallAt    time.Time
	progressAt time.Time
	lastCase   string
	onStall    func()
}

// caseLine starts the line runcase prints as a case starts.
const caseLine = "vmtest: case "

func (c *consoleWatch) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.line = append(c.line, p...)
	for {
		i := bytes.IndexByte(c.line, '\n')
		if i < 0 {
			break
		}
		c.scan(strings.TrimRight(string(c.line[:i]), "\r"))
		c.line = c.line[i+1:]
	}
	if len(c.line) > 4096 { // no line that long matters
		c.line = c.line[len(c.line)-256:]
	}
	c.mu.Unlock()
	return c.w.Write(p)
}

func (c *consoleWatch) scan(line string) {
	if name, ok := strings.CutPrefix(line, caseLine); ok {
		c.lastCase = path.Base(strings.TrimSpace(name))
		c.progressAt = time.Now()
		return
	}
	if c.marker != "" && strings.HasPrefix(line, c.marker) {
		c.progressAt = time.Now()
		return
	}
	if c.stalled {
		return
	}
	for _, m := range stallMarkers {
		if strings.Contains(line, m) {
			c.stalled, c.stallAt = true, time.Now()
			if c.onStall != nil {
				c.onStall()
			}
			return
		}
	}
}

// hung reports a guest that stalled and has shown no progress for d since.
func (c *consoleWatch) hung(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stalled {
		return false
	}
	last := c.progressAt
	if c.stallAt.After(last) {
		last = c.stallAt
	}
	return time.Since(last) > d
}

func (c *consoleWatch) isStalled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stalled
}

// caseName is the case that started last, "" before the first.
func (c *consoleWatch) caseName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastCase
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
