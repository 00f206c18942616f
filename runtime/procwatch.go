package runtime

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

// watchPID calls done once process pid exits (-p). It uses a pidfd, which
// becomes readable when the process terminates.
func watchPID(pid int, done func()) error {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if err == unix.ESRCH {
			return fmt.Errorf("pid %d does not exist", pid)
		}
		return fmt.Errorf("watching pid %d: %w", pid, err)
	}
	go func() {
		defer unix.Close(fd)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			n, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n > 0 {
				break
			}
		}
		done()
	}()
	return nil
}

// keepMaps snapshots the traced process's memory maps now and then while it
// runs, so that user stacks and usym() of it still resolve after it exits
// (maps printed at exit are read when the process is gone). Libraries are
// mapped after exec, hence the quick first refreshes.
func keepMaps(pid int, stop <-chan struct{}) {
	symbols.CacheProcess(pid)
	go func() {
		delays := []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond}
		for i := 0; ; i++ {
			d := 100 * time.Millisecond
			if i < len(delays) {
				d = delays[i]
			}
			select {
			case <-stop:
				return
			case <-time.After(d):
			}
			if symbols.CacheProcess(pid) != nil {
				return // gone: keep the last snapshot
			}
		}
	}()
}
