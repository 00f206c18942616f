package repl

import (
	"os"

	"github.com/chzyer/readline"
	"golang.org/x/sys/unix"
)

// configureTerminal makes readline edit lines on in (which need not be fd 0,
// as in tests driving a pseudo-terminal): raw mode, width and the terminal
// check all use in's descriptor.
func configureTerminal(cfg *readline.Config, in *os.File) {
	fd := int(in.Fd())
	isTerm := func() bool {
		_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		return err == nil
	}
	cfg.FuncIsTerminal = isTerm
	var state *readline.State
	cfg.FuncMakeRaw = func() error {
		st, err := readline.MakeRaw(fd)
		if err == nil {
			state = st
		}
		return err
	}
	cfg.FuncExitRaw = func() error {
		if state == nil {
			return nil
		}
		return readline.Restore(fd, state)
	}
	cfg.FuncGetWidth = func() int {
		ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
		if err != nil || ws.Col == 0 {
			return 80
		}
		return int(ws.Col)
	}
}
