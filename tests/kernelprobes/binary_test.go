package kernelprobes

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/internal/vmtest"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  string
	tmpDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(code)
}

// gobpftrace returns the path of a static gobpftrace binary, built once
// per test process (or GOBPFTRACE_BIN).
func gobpftrace(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GOBPFTRACE_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		root, err := vmtest.ModuleRoot()
		if err != nil {
			buildErr = err.Error()
			return
		}
		if tmpDir, err = os.MkdirTemp("", "kernelprobes"); err != nil {
			buildErr = err.Error()
			return
		}
		out := filepath.Join(tmpDir, "gobpftrace")
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, vmtest.GobpftracePkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			buildErr = err.Error() + "\n" + string(msg)
			return
		}
		builtBin = out
	})
	if buildErr != "" {
		t.Fatalf("building gobpftrace: %s", buildErr)
	}
	return builtBin
}

func requireRoot(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("kernel test (-short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	exit           int
}

// run runs gobpftrace with args on this host, with a timeout.
func run(t testing.TB, timeout time.Duration, args ...string) result {
	t.Helper()
	cmd := exec.Command(gobpftrace(t), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(timeout, func() { cmd.Process.Signal(os.Interrupt) })
	defer timer.Stop()
	err := cmd.Wait()
	r := result{stdout: o.String(), stderr: e.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// lines splits output into non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
