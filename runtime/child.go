package runtime

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"strings"
	"sync"
	"syscall"
)

// Child is the -c command. StartChild creates it stopped right after its
// execve (the program is loaded, so uprobes and USDT semaphores in it can be
// attached, but it has run no instruction), the way bpftrace does with
// ptrace(2). Run releases it once every probe is attached.
type Child struct {
	Pid  int
	Path string   // resolved executable
	Args []string // argv
	// OnExit, when set before Release, runs as the child is about to exit
	// (its memory still mapped).
	OnExit func(pid int)

	release chan struct{} // closed by Release
	exited  chan struct{} // closed when the process has exited
	status  syscall.WaitStatus
	once    sync.Once
	started bool // released and running
}

// StartChild starts cmd (split like a shell would, without expansions)
// stopped before its first instruction.
func StartChild(cmd string) (*Child, error) {
	args, err := SplitCommand(cmd)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, errors.New("-c: empty command")
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		return nil, fmt.Errorf("path '%s' does not exist or is not executable", args[0])
	}
	c := &Child{Path: path, Args: args, release: make(chan struct{}), exited: make(chan struct{})}
	started := make(chan error, 1)
	// ptrace requests must come from the thread that forked the tracee, so
	// one locked goroutine owns the child from fork to release.
	go c.own(started)
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Child) own(started chan<- error) {
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	pid, err := syscall.ForkExec(c.Path, c.Args, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		started <- fmt.Errorf("failed to run '%s': %w", c.Path, err)
		return
	}
	c.Pid = pid
	// The tracee stops with SIGTRAP once execve has completed.
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, syscall.WALL, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || !ws.Stopped() {
		started <- fmt.Errorf("failed to start '%s': the child did not stop after exec", c.Path)
		return
	}
	started <- nil

	<-c.release
	c.traceUntilExit(pid)
	close(c.exited)
}

// traceUntilExit lets the child run, still traced but only so that it stops
// once more just before it exits, its memory maps intact: OnExit runs then
// (the runtime snapshots the maps so that user stacks of a short-lived
// command still resolve when the maps are printed). Signals are passed on
// untouched; later execs and the exit stop resume at once.
func (c *Child) traceUntilExit(pid int) {
	const (
		traceExec = 0x10 // PTRACE_O_TRACEEXEC
		traceExit = 0x40 // PTRACE_O_TRACEEXIT
		eventExec = 4    // PTRACE_EVENT_EXEC
		eventExit = 6    // PTRACE_EVENT_EXIT
	)
	if c.OnExit == nil || syscall.PtraceSetOptions(pid, traceExec|traceExit) != nil {
		syscall.PtraceDetach(pid)
		c.waitExit(pid)
		return
	}
	sig := 0
	for {
		if err := syscall.PtraceCont(pid, sig); err != nil && err != syscall.ESRCH {
			syscall.PtraceDetach(pid)
			c.waitExit(pid)
			return
		}
		var ws syscall.WaitStatus
		_, err := syscall.Wait4(pid, &ws, syscall.WALL, nil)
		for err == syscall.EINTR {
			_, err = syscall.Wait4(pid, &ws, syscall.WALL, nil)
		}
		if err != nil || ws.Exited() || ws.Signaled() {
			c.status = ws
			return
		}
		sig = 0
		switch {
		case ws.StopSignal() == syscall.SIGTRAP && ws.TrapCause() == eventExit:
			c.OnExit(pid)
			syscall.PtraceDetach(pid)
			c.waitExit(pid)
			return
		case ws.StopSignal() == syscall.SIGTRAP && ws.TrapCause() == eventExec:
			// a later execve: nothing to deliver
		case isStopSignal(ws.StopSignal()):
			// Job control under ptrace is a tangle; let go of the child
			// with its signal instead (no exit snapshot then).
			syscall.Syscall6(syscall.SYS_PTRACE, syscall.PTRACE_DETACH, uintptr(pid), 0, uintptr(ws.StopSignal()), 0, 0)
			c.waitExit(pid)
			return
		default:
			sig = int(ws.StopSignal()) // a signal for the child: deliver it
		}
	}
}

// waitExit reaps the untraced child.
func (c *Child) waitExit(pid int) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err == nil && ws.Stopped() {
			continue
		}
		break
	}
	c.status = ws
}

// Release lets the child run. Safe to call more than once.
func (c *Child) Release() {
	c.once.Do(func() {
		c.started = true
		close(c.release)
	})
}

// Exited is closed once the child has exited.
func (c *Child) Exited() <-chan struct{} { return c.exited }

// Terminate ends the child if it is still running: SIGTERM, as bpftrace
// does when it stops first; a child never released is killed outright.
func (c *Child) Terminate() {
	select {
	case <-c.exited:
		return
	default:
	}
	if !c.started {
		syscall.Kill(c.Pid, syscall.SIGKILL)
		c.Release()
		<-c.exited
		return
	}
	syscall.Kill(c.Pid, syscall.SIGTERM)
}

// SplitCommand splits a -c command into words like a POSIX shell: blanks
// separate words; single quotes, double quotes and backslashes quote.
func SplitCommand(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("-c: unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("-c: unterminated double quote")
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

func isStopSignal(s syscall.Signal) bool {
	switch s {
	case syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU:
		return true
	}
	return false
}
