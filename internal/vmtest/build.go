package vmtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// BuildStatic builds the main package pkg (a path relative to the module
// root such as "./cmd/gobpftrace", or an import path) as a static linux/amd64
// binary (CGO_ENABLED=0) in a temporary directory and returns its path.
// It fails the test when the build fails.
func BuildStatic(t testing.TB, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), path.Base(strings.TrimSuffix(pkg, "/")))
	goBuild(t, "build", "-o", out, pkg)
	return out
}

// BuildStaticTest compiles the tests of pkg (as `go test -c`) into a
// static binary and returns its path. Run it in the VM with -test.run,
// -test.v and the like.
func BuildStaticTest(t testing.TB, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), path.Base(strings.TrimSuffix(pkg, "/"))+".test")
	goBuild(t, "test", "-c", "-o", out, pkg)
	return out
}

func goBuild(t testing.TB, args ...string) {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatalf("vmtest: %v", err)
	}
	cmd := exec.Command(goTool(), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("vmtest: go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// goTool is the go command on PATH, else where this project's machines install Go.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

// ModuleRoot is the directory holding go.mod, found from the working
// directory upwards (a test's working directory is its package).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// setupScript is scripts/vm/setup.sh in the module.
func setupScript() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "scripts", "vm", "setup.sh")
	if !fileExists(p) {
		return "", fmt.Errorf("%s not found", p)
	}
	return p, nil
}

// GobpftracePkg is the gobpftrace command's package, relative to the module.
const GobpftracePkg = "./cmd/gobpftrace"

// BuildGobpftrace builds the gobpftrace command statically for the VM.
func BuildGobpftrace(t testing.TB) string {
	t.Helper()
	return BuildStatic(t, GobpftracePkg)
}
