package runtime

import (
	"fmt"
	"strings"
)

// kernelRefusal recognizes verifier rejections that are the kernel's
// configuration or policy, not a codegen bug, and explains them; it
// returns nil for anything else.
func kernelRefusal(probe string, log []string) error {
	joined := strings.Join(log, "\n")
	switch {
	case strings.Contains(joined, "unknown func bpf_override_return"):
		// The helper exists only with CONFIG_BPF_KPROBE_OVERRIDE.
		return fmt.Errorf("%s: override() is not supported by this kernel (it needs CONFIG_BPF_KPROBE_OVERRIDE)", probe)
	case strings.Contains(joined, "call bpf_d_path") && strings.Contains(joined, "helper call is not allowed in probe"):
		// bpf_d_path is allowed only in a kernel allowlist of functions.
		return fmt.Errorf("%s: path() is not allowed in this function by the kernel; bpf_d_path works only in fentry/fexit of functions such as filp_close, vfs_getattr, vfs_truncate, vfs_fallocate, dentry_open and security_file_open", probe)
	}
	return nil
}
