package probe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Tracefs is a mounted tracefs (or debugfs/tracing) directory.
type Tracefs struct {
	Dir string
}

var tracefsCandidates = []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}

var (
	tracefsMu   sync.Mutex
	tracefsOnce *Tracefs
)

// MountTracefs returns the tracefs directory, mounting tracefs on
// /sys/kernel/tracing when no tracefs is mounted yet (a fresh machine here
// has none). It is idempotent and cheap after the first call. Mounting must
// happen before cilium/ebpf's link package first looks for tracefs, since it
// remembers what it found.
func MountTracefs() (*Tracefs, error) {
	tracefsMu.Lock()
	defer tracefsMu.Unlock()
	if tracefsOnce != nil && isTracefs(tracefsOnce.Dir) {
		return tracefsOnce, nil
	}
	for _, d := range tracefsCandidates {
		if isTracefs(d) {
			tracefsOnce = &Tracefs{Dir: d}
			return tracefsOnce, nil
		}
	}
	dir := tracefsCandidates[0]
	if err := unix.Mount("tracefs", dir, "tracefs", 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
		return nil, fmt.Errorf("tracefs is not mounted and mounting it on %s failed: %w", dir, err)
	}
	if !isTracefs(dir) {
		return nil, fmt.Errorf("tracefs is not mounted on %s", dir)
	}
	tracefsOnce = &Tracefs{Dir: dir}
	return tracefsOnce, nil
}

// isTracefs reports whether dir is a tracefs mount (or debugfs's tracing dir).
func isTracefs(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false
	}
	if st.Type == unix.TRACEFS_MAGIC {
		return true
	}
	// Old kernels: tracing lives inside debugfs.
	if st.Type == unix.DEBUGFS_MAGIC {
		_, err := os.Stat(filepath.Join(dir, "events"))
		return err == nil
	}
	return false
}

// FormatPath is the format file of a tracepoint.
func (t *Tracefs) FormatPath(category, event string) string {
	return filepath.Join(t.Dir, "events", category, event, "format")
}

// Format reads a tracepoint's format file.
func (t *Tracefs) Format(category, event string) (string, error) {
	b, err := os.ReadFile(t.FormatPath(category, event))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("tracepoint %s:%s not found: %w", category, event, os.ErrNotExist)
		}
		return "", fmt.Errorf("reading tracepoint %s:%s format: %w", category, event, err)
	}
	return string(b), nil
}

// ID reads a tracepoint's perf event id.
func (t *Tracefs) ID(category, event string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(t.Dir, "events", category, event, "id"))
	if err != nil {
		return 0, err
	}
	var id uint64
	if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &id); err != nil {
		return 0, fmt.Errorf("tracepoint %s:%s: bad id %q", category, event, b)
	}
	return id, nil
}

// Events lists every "category:event", sorted, from available_events (or, if
// that is unreadable, from the events directory).
func (t *Tracefs) Events() ([]string, error) {
	b, err := os.ReadFile(filepath.Join(t.Dir, "available_events"))
	if err == nil {
		out := strings.Fields(string(b))
		sort.Strings(out)
		return out, nil
	}
	cats, err2 := os.ReadDir(filepath.Join(t.Dir, "events"))
	if err2 != nil {
		return nil, fmt.Errorf("listing tracepoints: %w", err)
	}
	var out []string
	for _, c := range cats {
		if !c.IsDir() {
			continue
		}
		evs, _ := os.ReadDir(filepath.Join(t.Dir, "events", c.Name()))
		for _, e := range evs {
			if e.IsDir() {
				out = append(out, c.Name()+":"+e.Name())
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// FilterFunctions reads available_filter_functions: "func" or "func [module]"
// per line. It is unreadable on some kernels (EPERM under lockdown).
func (t *Tracefs) FilterFunctions() ([]KFunc, error) {
	b, err := os.ReadFile(filepath.Join(t.Dir, "available_filter_functions"))
	if err != nil {
		return nil, err
	}
	var out []KFunc
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		k := KFunc{Module: "vmlinux", Name: f[0]}
		if len(f) > 1 {
			k.Module = strings.Trim(f[1], "[]")
		}
		out = append(out, k)
	}
	return out, nil
}

// HasKprobeEvents reports whether the kernel has kprobe_events (CONFIG_KPROBE_EVENTS).
func (t *Tracefs) HasKprobeEvents() bool {
	_, err := os.Stat(filepath.Join(t.Dir, "kprobe_events"))
	return err == nil
}
