package vmtest

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Environment variables that override where the VM's pieces are found.
const (
	// EnvDir names the cache directory holding vmlinuz and kernel-package;
	// scripts/vm/setup.sh honours it too.
	EnvDir = "GOBPFTRACE_VM_DIR"
	// EnvKernel names a kernel image to boot instead of the cached one.
	EnvKernel = "GOBPFTRACE_VM_KERNEL"
	// EnvQEMU names the qemu-system-x86_64 binary.
	EnvQEMU = "GOBPFTRACE_VM_QEMU"
	// EnvConsole, when "1", copies the VM console to stderr as it runs,
	// to watch a boot that hangs.
	EnvConsole = "GOBPFTRACE_VM_CONSOLE"
	// EnvAppend adds kernel command-line arguments to every boot, for
	// diagnosis ("loglevel=7" shows the call traces of stall reports).
	EnvAppend = "GOBPFTRACE_VM_APPEND"
)

// CacheDir is where scripts/vm/setup.sh stores the kernel: $GOBPFTRACE_VM_DIR,
// else $XDG_CACHE_HOME/gobpftrace/vm, else $HOME/.cache/gobpftrace/vm
// (the same order as the script, so both agree without configuration).
func CacheDir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "gobpftrace", "vm")
	}
	home := os.Getenv("HOME")
	if home == "" {
		home = "/root"
	}
	return filepath.Join(home, ".cache", "gobpftrace", "vm")
}

// KernelPath is the kernel image that Run boots.
func KernelPath() string {
	if k := os.Getenv(EnvKernel); k != "" {
		return k
	}
	return filepath.Join(CacheDir(), "vmlinuz")
}

// ModulePath is the kernel module name.ko that scripts/vm/setup.sh took
// from the kernel's package (binfmt_misc), for tests of probes on module
// functions; it matches the cached kernel, not one GOBPFTRACE_VM_KERNEL names.
func ModulePath(name string) string {
	return filepath.Join(CacheDir(), "modules", name+".ko")
}

// KernelPackage names the Debian package the cached kernel came from
// ("linux-image-6.1.0-56-cloud-amd64 6.1.192-2"), or "" when unknown.
func KernelPackage() string {
	b, err := os.ReadFile(filepath.Join(CacheDir(), "kernel-package"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func qemuPath() (string, error) {
	if q := os.Getenv(EnvQEMU); q != "" {
		return q, nil
	}
	return exec.LookPath("qemu-system-x86_64")
}

// busyboxPath finds a statically linked busybox (package busybox-static):
// the VM has no shared libraries, so a dynamic busybox would not start.
func busyboxPath() (string, error) {
	lastErr := errors.New("busybox not found (install busybox-static)")
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox", "/sbin/busybox"} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := checkStatic(p); err != nil {
			lastErr = err
			continue
		}
		return p, nil
	}
	return "", lastErr
}

// checkStatic reports an error when the ELF file at path needs a dynamic
// loader, which the initramfs does not have.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; the VM needs static binaries (busybox-static, CGO_ENABLED=0)", path)
		}
	}
	return nil
}

// Available reports whether a VM can be booted: a kernel image, QEMU and
// a static busybox are present. When not, reason says what is missing.
func Available() (reason string, ok bool) {
	var missing []string
	if st, err := os.Stat(KernelPath()); err != nil || st.Size() == 0 {
		missing = append(missing, "kernel "+KernelPath())
	}
	if _, err := qemuPath(); err != nil {
		missing = append(missing, "qemu-system-x86_64")
	}
	if _, err := busyboxPath(); err != nil {
		missing = append(missing, err.Error())
	}
	if len(missing) > 0 {
		return "VM test environment missing: " + strings.Join(missing, ", ") + " (run `make vm-setup` or scripts/vm/setup.sh)", false
	}
	return "", true
}
