package kernelprobes

import (
	"syscall"
	"testing"
)

// syscallStat reads inode numbers.
type syscallStat struct{}

func (syscallStat) ino(t *testing.T, path string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// isCgroup2 reports whether path is the root of a cgroup v2 mount.
func isCgroup2(path string) bool {
	var fs syscall.Statfs_t
	return syscall.Statfs(path, &fs) == nil && fs.Type == 0x63677270 // CGROUP2_SUPER_MAGIC
}
