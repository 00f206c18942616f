package usdt

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

// AddSemaphore adds delta to a probe's semaphore in the memory of process
// pid, for kernels whose uprobes cannot count it themselves (no
// ref_ctr_offset, before Linux 4.20). path is the file holding the probe, as
// given to the uprobe; the semaphore is found through the process's maps by
// its file offset. It returns the new value.
func AddSemaphore(pid int, path string, p Probe, delta int) (uint16, error) {
	if p.Semaphore == 0 {
		return 0, fmt.Errorf("probe %s:%s has no semaphore", p.Provider, p.Name)
	}
	addr, err := semaphoreAddr(pid, path, p.SemaphoreOff)
	if err != nil {
		return 0, err
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/mem", pid), os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var b [2]byte
	if _, err := f.ReadAt(b[:], int64(addr)); err != nil {
		return 0, fmt.Errorf("read semaphore of %s:%s in process %d: %w", p.Provider, p.Name, pid, err)
	}
	v := uint16(int(binary.LittleEndian.Uint16(b[:])) + delta)
	binary.LittleEndian.PutUint16(b[:], v)
	if _, err := f.WriteAt(b[:], int64(addr)); err != nil {
		return 0, fmt.Errorf("write semaphore of %s:%s in process %d: %w", p.Provider, p.Name, pid, err)
	}
	return v, nil
}

// semaphoreAddr finds the run-time address of file offset off of path in
// process pid: the writable mapping of that file which holds the offset.
func semaphoreAddr(pid int, path string, off uint64) (uint64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	maps, err := symbols.ProcMaps(pid)
	if err != nil {
		return 0, err
	}
	root := "/proc/" + strconv.Itoa(pid) + "/root"
	for _, m := range maps {
		if off < m.Off || off >= m.Off+(m.End-m.Start) {
			continue
		}
		// Same file? Compare identities through the process's root, so a
		// path given as /proc/PID/root/... or as the plain path both work.
		mst, err := os.Stat(root + m.Path)
		if err != nil {
			mst, err = os.Stat(m.Path)
		}
		if err != nil || !os.SameFile(st, mst) {
			if filepath.Clean(strings.TrimPrefix(path, root)) != m.Path {
				continue
			}
		}
		return m.Start + off - m.Off, nil
	}
	return 0, fmt.Errorf("%s is not mapped at offset %#x in process %d", path, off, pid)
}
