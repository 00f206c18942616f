package runtime

import (
	"fmt"

	"golang.org/x/sys/unix"
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
