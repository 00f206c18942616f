package symbols

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Mapping is one file-backed line of /proc/PID/maps.
type Mapping struct {
	Start, End, Off uint64
	Exec            bool
	Path            string // as the process sees it ("/usr/lib/x86_64-linux-gnu/libc.so.6")
}

// ProcMaps reads the file-backed mappings of a process.
func ProcMaps(pid int) ([]Mapping, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := parseMapsLine(sc.Text()); ok {
			out = append(out, m)
		}
	}
	return out, sc.Err()
}

func parseMapsLine(line string) (Mapping, bool) {
	// start-end perms offset dev inode path
	f := strings.Fields(line)
	if len(f) < 6 || !strings.HasPrefix(f[5], "/") {
		return Mapping{}, false
	}
	lo, hi, ok := strings.Cut(f[0], "-")
	if !ok {
		return Mapping{}, false
	}
	start, err1 := strconv.ParseUint(lo, 16, 64)
	end, err2 := strconv.ParseUint(hi, 16, 64)
	off, err3 := strconv.ParseUint(f[2], 16, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Mapping{}, false
	}
	path := strings.Join(f[5:], " ")
	path = strings.TrimSuffix(path, " (deleted)")
	return Mapping{Start: start, End: end, Off: off, Exec: strings.Contains(f[1], "x"), Path: path}, true
}

// procCache keeps each process's maps after first use, so addresses of a
// process that has exited by the time its stacks are printed still resolve.
var (
	procMu    sync.Mutex
	procCache = map[int][]Mapping{}
	procRead  = map[int]time.Time{} // when the maps were last read
)

// mapsRereadAfter limits re-reading a process's maps when addresses miss
// (JIT code, anonymous memory): at most once per interval.
const mapsRereadAfter = 200 * time.Millisecond

// CacheProcess reads and keeps a process's maps now. The runtime calls it for
// -p/-c targets at attach time, and may call it when it first sees a pid, so
// that later symbolization works even after the process exits.
func CacheProcess(pid int) error {
	m, err := ProcMaps(pid)
	if err != nil {
		return err
	}
	if len(m) == 0 {
		// An exited process not yet reaped has empty maps; keep the old ones.
		return fmt.Errorf("process %d has no mappings", pid)
	}
	procMu.Lock()
	procCache[pid] = m
	procRead[pid] = time.Now()
	procMu.Unlock()
	return nil
}

// ForgetProcess drops a process's cached maps.
func ForgetProcess(pid int) {
	procMu.Lock()
	delete(procCache, pid)
	delete(procRead, pid)
	procMu.Unlock()
}

// findMapping returns the mapping holding addr in pid, reading the maps on a
// miss (the process may have loaded a library since they were cached).
func findMapping(pid int, addr uint64) (Mapping, bool) {
	procMu.Lock()
	maps, last := procCache[pid], procRead[pid]
	procMu.Unlock()
	if m, ok := mappingAt(maps, addr); ok {
		return m, true
	}
	if !last.IsZero() && time.Since(last) < mapsRereadAfter {
		return Mapping{}, false
	}
	fresh, err := ProcMaps(pid)
	if err != nil || len(fresh) == 0 {
		return Mapping{}, false // gone (or a zombie): keep what was cached
	}
	procMu.Lock()
	procCache[pid] = fresh
	procRead[pid] = time.Now()
	procMu.Unlock()
	return mappingAt(fresh, addr)
}

func mappingAt(maps []Mapping, addr uint64) (Mapping, bool) {
	for _, m := range maps {
		if addr >= m.Start && addr < m.End {
			return m, true
		}
	}
	return Mapping{}, false
}

// openMapped opens the ELF file behind a mapping, through /proc/PID/root
// while the process lives (it may be in another mount namespace).
func openMapped(pid int, path string) (*ELFFile, error) {
	if pid > 0 {
		if f, err := OpenELF(fmt.Sprintf("/proc/%d/root%s", pid, path)); err == nil {
			return f, nil
		}
	}
	return OpenELF(path)
}

// TrackProcess keeps a process's cached maps fresh while it runs (every
// interval, 200ms when 0), so that its stacks still symbolize after it
// exits with every library it loaded. The runtime calls it for the -p and
// -c processes; stop ends the tracking (it also ends when the process does).
func TrackProcess(pid int, interval time.Duration) (stop func()) {
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	done := make(chan struct{})
	var once sync.Once
	CacheProcess(pid)
	go func() {
		tk := time.NewTicker(interval)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case <-tk.C:
				if err := CacheProcess(pid); err != nil {
					return // gone: the last snapshot stays
				}
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}
