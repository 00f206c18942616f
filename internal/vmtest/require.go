package vmtest

import (
	"os"
	"os/exec"
	"sync"
	"testing"
)

var setupOnce struct {
	sync.Once
	out []byte
	err error
}

// Require skips t when VM tests cannot run here, and readies the VM
// environment otherwise. -short or not root: skip (CI runs as root). Root but the
// kernel or QEMU missing: run scripts/vm/setup.sh once per test binary;
// if that fails, fail with a message saying to run `make vm-setup`.
// Call it first in a VM test, before slow builds; Run calls it too.
func Require(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("vmtest: VM tests do not run with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("vmtest: VM tests run as root only (as in CI)")
	}
	if _, ok := Available(); ok {
		return
	}
	setupOnce.Do(func() {
		script, err := setupScript()
		if err != nil {
			setupOnce.err = err
			return
		}
		setupOnce.out, setupOnce.err = exec.Command("/bin/sh", script).CombinedOutput()
	})
	if setupOnce.err != nil {
		t.Fatalf("vmtest: scripts/vm/setup.sh failed: %v\n%s\nrun `make vm-setup` (scripts/vm/setup.sh) as root", setupOnce.err, setupOnce.out)
	}
	if reason, ok := Available(); !ok {
		t.Fatalf("vmtest: after scripts/vm/setup.sh: %s", reason)
	}
}
