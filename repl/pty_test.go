package repl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// console drives a session through a pseudo-terminal, as a person would.
type console struct {
	t      *testing.T
	master *os.File
	slave  *os.File
	mu     sync.Mutex
	out    strings.Builder
	seen   int           // output up to here was matched already
	done   chan struct{} // closed when Run returned
	code   int
}

// openPty opens a pseudo-terminal pair through /dev/ptmx.
func openPty() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, err
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 50, Col: 250})
	return master, slave, nil
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the REPL attaches probes: needs root")
	}
}

// startConsole runs a session on a new pseudo-terminal.
func startConsole(t *testing.T) *console {
	t.Helper()
	requireRoot(t)
	master, slave, err := openPty()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	c := &console{t: t, master: master, slave: slave, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			if n > 0 {
				c.mu.Lock()
				c.out.Write(buf[:n])
				c.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	hist := filepath.Join(t.TempDir(), "history")
	go func() {
		c.code = Run(Options{Stdin: slave, Stdout: slave, HistoryFile: hist})
		close(c.done)
	}()
	t.Cleanup(func() {
		c.quit()
		master.Close()
		slave.Close()
	})
	c.expect("gobpftrace> ")
	return c
}

// quit ends the session if it still runs.
func (c *console) quit() {
	select {
	case <-c.done:
		return
	default:
	}
	c.send(".quit\r")
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		c.t.Errorf("the session did not end after .quit:\n%s", buf[:n])
	}
}

func (c *console) send(s string) {
	if _, err := c.master.WriteString(s); err != nil {
		c.t.Fatalf("writing to the terminal: %v", err)
	}
}

// ansi matches terminal control sequences that readline writes.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

// text is the output so far with control sequences removed.
func (c *console) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ansi.ReplaceAllString(c.out.String(), "")
}

// expect waits until want appears in the output after what was matched
// before, and returns the output up to and including it.
func (c *console) expect(want string) string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		all := c.text()
		if i := strings.Index(all[c.seen:], want); i >= 0 {
			got := all[c.seen : c.seen+i+len(want)]
			c.seen += i + len(want)
			return got
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %q; output since last match:\n%s", want, all[c.seen:])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// enter types a line and waits for the next prompt; it returns what was
// printed in between (the echoed line included).
func (c *console) enter(line string) string {
	c.t.Helper()
	// Output printed before (by probes, while idle) is not this entry's.
	c.mu.Lock()
	c.seen = len(ansi.ReplaceAllString(c.out.String(), ""))
	c.mu.Unlock()
	c.send(line + "\r")
	// Typing redraws the prompt and the line as it grows: wait for the
	// whole line, then for a prompt after a newline, the next one.
	echo := c.expect(line)
	return echo + c.expect("\ngobpftrace> ")
}
