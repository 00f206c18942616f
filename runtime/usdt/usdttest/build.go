// Package usdttest builds the C and C++ target programs of testdata/targets
// for the tests of runtime/symbols, runtime/usdt and the uprobe/usdt
// providers.
package usdttest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Targets are the built target programs.
type Targets struct {
	C   string // target.c + target_sem.c: PIE, USDT probes, with symbols
	Cpp string // target.cpp: C++ methods in a namespace, overloads
	Go  string // gotarget.go: main.add, with a symbol table
	// GoStripped is gotarget.go linked with -s -w: no .symtab, only .gopclntab.
	GoStripped string
}

// SourceDir is testdata/targets of the repository.
func SourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "targets")
}

var (
	buildOnce sync.Once
	built     Targets
	buildErr  string
	skipMsg   string
)

// Build compiles the targets once per test binary into a directory keyed by
// the sources' hash (reused across runs). It skips the test when gcc/g++ or
// <sys/sdt.h> are missing and cannot be installed.
func Build(t testing.TB) Targets {
	t.Helper()
	buildOnce.Do(func() {
		doBuild()
		if buildErr == "" && skipMsg == "" {
			privateCopies()
		}
	})
	if skipMsg != "" {
		t.Skip(skipMsg)
	}
	if buildErr != "" {
		t.Fatal(buildErr)
	}
	return built
}

func doBuild() {
	for _, cc := range []string{"gcc", "g++"} {
		if _, err := exec.LookPath(cc); err != nil {
			skipMsg = cc + " is not installed"
			return
		}
	}
	if msg := ensureSDT(); msg != "" {
		skipMsg = msg
		return
	}
	src := SourceDir()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = "/usr/local/go/bin/go" // where this project's machines install Go
	}
	files := []string{"target.c", "target_sem.c", "target.cpp", "gotarget.go"}
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			buildErr = err.Error()
			return
		}
		h.Write(b)
	}
	dir := filepath.Join(os.TempDir(), "gobpftrace-targets-"+hex.EncodeToString(h.Sum(nil))[:16])
	out := Targets{C: filepath.Join(dir, "target"), Cpp: filepath.Join(dir, "target_cpp"),
		Go: filepath.Join(dir, "target_go"), GoStripped: filepath.Join(dir, "target_go_stripped")}
	if fileExists(out.C) && fileExists(out.Cpp) && fileExists(out.Go) && fileExists(out.GoStripped) {
		built = out
		removeStale(dir)
		return
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "gobpftrace-build-")
	if err != nil {
		buildErr = err.Error()
		return
	}
	defer os.RemoveAll(tmp)
	steps := [][]string{
		// -O0 gives stack operands (-4@-52(%rbp)) to the probes of target.c;
		// -O1 gives register and %rip operands to those of target_sem.c.
		{"gcc", "-O0", "-g", "-c", "-o", filepath.Join(tmp, "a.o"), filepath.Join(src, "target.c")},
		{"gcc", "-O1", "-g", "-c", "-o", filepath.Join(tmp, "b.o"), filepath.Join(src, "target_sem.c")},
		{"gcc", "-o", filepath.Join(tmp, "target"), filepath.Join(tmp, "a.o"), filepath.Join(tmp, "b.o")},
		{"g++", "-O1", "-o", filepath.Join(tmp, "target_cpp"), filepath.Join(src, "target.cpp")},
		{goTool, "build", "-o", filepath.Join(tmp, "target_go"), filepath.Join(src, "gotarget.go")},
		{goTool, "build", "-ldflags=-s -w", "-o", filepath.Join(tmp, "target_go_stripped"), filepath.Join(src, "gotarget.go")},
	}
	for _, s := range steps {
		cmd := exec.Command(s[0], s[1:]...)
		cmd.Dir = tmp // outside the module: gotarget.go builds on its own
		if b, err := cmd.CombinedOutput(); err != nil {
			buildErr = strings.Join(s, " ") + ": " + err.Error() + "\n" + string(b)
			return
		}
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		buildErr = err.Error()
		return
	}
	if err := os.Rename(tmp, dir); err != nil && !fileExists(out.C) {
		buildErr = err.Error()
		return
	}
	built = out
	removeStale(dir)
}

// privateCopies points built at copies of the targets that only this test
// binary uses. Uprobes attach to a file's inode, so while another package's
// test has a probe on the shared build, every process of that file fires it
// and the kernel (ref_ctr_offset) counts its USDT semaphores up: counts and
// semaphore values seen here would depend on what other packages run at the
// same time. Copies of dead test binaries are removed.
func privateCopies() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "gobpftrace-targets-pid-*"))
	for _, o := range old {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(o), "gobpftrace-targets-pid-"))
		if err == nil && pid != os.Getpid() && !fileExists("/proc/"+strconv.Itoa(pid)) {
			os.RemoveAll(o)
		}
	}
	dir := filepath.Join(os.TempDir(), "gobpftrace-targets-pid-"+strconv.Itoa(os.Getpid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		buildErr = err.Error()
		return
	}
	for _, p := range []*string{&built.C, &built.Cpp, &built.Go, &built.GoStripped} {
		b, err := os.ReadFile(*p)
		if err == nil {
			dst := filepath.Join(dir, filepath.Base(*p))
			if err = os.WriteFile(dst, b, 0o755); err == nil {
				*p = dst
				continue
			}
		}
		buildErr = err.Error()
		return
	}
}

// removeStale deletes builds of older sources.
func removeStale(current string) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "gobpftrace-targets-*"))
	for _, o := range old {
		if o != current && !strings.HasPrefix(filepath.Base(o), "gobpftrace-targets-pid-") {
			os.RemoveAll(o)
		}
	}
}

// ensureSDT makes <sys/sdt.h> available, installing Debian's
// systemtap-sdt-dev when running as root. It returns a skip reason.
func ensureSDT() string {
	has := func() bool {
		cmd := exec.Command("gcc", "-E", "-x", "c", "-o", os.DevNull, "-")
		cmd.Stdin = strings.NewReader("#include <sys/sdt.h>\n")
		return cmd.Run() == nil
	}
	if has() {
		return ""
	}
	if os.Geteuid() != 0 {
		return "<sys/sdt.h> is missing (install systemtap-sdt-dev)"
	}
	if b, err := exec.Command("apt-get", "install", "-y", "systemtap-sdt-dev").CombinedOutput(); err != nil {
		return "installing systemtap-sdt-dev failed: " + err.Error() + "\n" + string(b)
	}
	if !has() {
		return "<sys/sdt.h> is still missing after installing systemtap-sdt-dev"
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// NeedRoot skips a test that attaches probes when not running as root.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("attaching probes needs root")
	}
}
