package runtime

import (
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// closerEnv marks a process started by handOff: it only holds the perf
// events it inherited until its parent exits (see links.close).
const closerEnv = "GOBPFTRACE_PERF_CLOSER"

// closeNowEnv is how many of the inherited descriptors after fd 3 the
// closer closes at once (links handed over by links.handOver), rather than
// when the parent exits.
const closeNowEnv = "GOBPFTRACE_CLOSE_NOW"

// IsCloser reports whether this process was started as the perf-event
// closer. The CLI checks it first thing and then calls CloserMain.
func IsCloser() bool { return os.Getenv(closerEnv) == "1" }

// CloserMain closes the links it was handed (concurrently: each waits for
// an RCU grace period), waits for the parent to exit (EOF on fd 3) and
// exits; the kernel then releases the inherited perf events, off the
// parent's exit path.
func CloserMain() {
	if n, _ := strconv.Atoi(os.Getenv(closeNowEnv)); n > 0 {
		var wg sync.WaitGroup
		for fd := 4; fd < 4+n; fd++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				syscall.Close(fd)
			}()
		}
		wg.Wait()
	}
	var b [1]byte
	for {
		n, err := syscall.Read(3, b[:])
		if err == syscall.EINTR {
			continue
		}
		if n <= 0 {
			break
		}
	}
	os.Exit(0)
}

// releaseLater releases perf events that no program uses any more. With
// background set (the CLI, about to exit) another process takes them over,
// so the exit does not wait for the kernel's slow tracepoint teardown;
// otherwise (a library caller that goes on running) they are closed in the
// background here.
func releaseLater(files []*os.File, background bool) {
	if len(files) == 0 {
		return
	}
	if background && handOff(files, 0) == nil {
		return
	}
	go func() {
		for _, f := range files {
			f.Close()
		}
	}()
}

// handOff starts the closer with files (the first closeNow of them to be
// closed at once) and closes this process's copies.
func handOff(files []*os.File, closeNow int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command(self)
	cmd.Env = []string{closerEnv + "=1", closeNowEnv + "=" + strconv.Itoa(closeNow)}
	cmd.ExtraFiles = append([]*os.File{r}, files...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return err
	}
	r.Close()
	for _, f := range files {
		f.Close()
	}
	// w stays open (and unreferenced: it must not be garbage-collected and
	// closed early) until this process exits.
	keepOpen = append(keepOpen, w)
	return nil
}

var keepOpen []*os.File
