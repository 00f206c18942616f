package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/chzyer/readline"

	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

const (
	prompt     = "gobpftrace> "
	contPrompt = "       ...> "
)

// Run starts an interactive session and returns the process exit code.
func Run(o Options) int {
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	host, err := probe.NewHost(probe.HostOptions{NoFeatures: o.NoFeatures})
	if err != nil {
		fmt.Fprintf(o.Stderr, "ERROR: %v\n", err)
		return 1
	}
	term := &terminal{w: o.Stdout}
	s := newSession(o, host, term)
	comp := &completer{s: s}
	cfg := &readline.Config{
		Prompt:          prompt,
		HistoryFile:     historyPath(o.HistoryFile),
		AutoComplete:    comp,
		Stdin:           readline.NewCancelableStdin(o.Stdin),
		Stdout:          o.Stdout,
		Stderr:          o.Stdout,
		InterruptPrompt: "^C",
		EOFPrompt:       "^D",
		// Entries span lines: history keeps each line, and the whole entry
		// is added once complete.
		DisableAutoSaveHistory: true,
	}
	configureTerminal(cfg, o.Stdin)
	if !cfg.FuncIsTerminal() {
		s.msgs = o.Stderr
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		fmt.Fprintf(o.Stderr, "ERROR: %v\n", err)
		return 1
	}
	defer rl.Close()

	// A SIGINT that reaches the process (Ctrl-C while not reading a line,
	// or from kill) mutes output like Ctrl-C at the prompt does.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			s.interrupt()
		}
	}()

	if !o.Quiet && s.msgs == nil {
		fmt.Fprintln(term, "gobpftrace interactive mode. Enter probes, statements or .help; Ctrl-D prints the maps and exits.")
	}
	r := &reader{rl: rl, s: s, comp: comp, out: o.Stdout, interactive: s.msgs == nil}
	printMaps := r.loop()
	s.finish(printMaps)
	return 0
}

// historyPath resolves Options.HistoryFile.
func historyPath(p string) string {
	switch p {
	case "-":
		return ""
	case "":
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		return filepath.Join(home, ".gobpftrace_history")
	}
	return p
}

// reader reads entries and carries them out.
type reader struct {
	rl      *readline.Instance
	s       *session
	comp    *completer
	out     io.Writer // the terminal, written directly while an entry runs
	pending []string  // lines of an incomplete entry
	// interactive is false when input is not a terminal: readline cannot
	// read again after the end of input.
	interactive bool
}

// loop runs until Ctrl-D or exit() (returns true: print the maps) or .quit.
func (r *reader) loop() bool {
	for {
		if len(r.pending) == 0 {
			r.rl.SetPrompt(prompt)
		} else {
			r.rl.SetPrompt(contPrompt)
		}
		r.comp.setPending(strings.Join(r.pending, "\n"))
		// Output arriving while a line is edited goes through readline,
		// which redraws the prompt and the line under it; output while an
		// entry runs goes straight out (readline may still think it is
		// reading for a moment after Enter, and would redraw a prompt).
		r.s.term.set(r.rl.Stdout())
		line, err := r.rl.Readline()
		r.s.term.set(r.out)
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			r.pending = nil
			r.s.interrupt()
			continue
		case errors.Is(err, io.EOF):
			if len(r.pending) > 0 {
				// End of input inside an entry: run it as it is, which
				// shows its error; at a terminal the next Ctrl-D ends the
				// session, otherwise the input is over.
				src := strings.Join(r.pending, "\n")
				r.pending = nil
				if !r.s.execute(classify(src, true)) {
					return r.s.exitPrints
				}
				if r.interactive {
					continue
				}
			}
			return true
		case err != nil:
			return true
		}
		force := len(r.pending) > 0 && strings.TrimSpace(line) == ""
		if len(r.pending) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		r.pending = append(r.pending, line)
		src := strings.Join(r.pending, "\n")
		p := classify(src, force)
		if p.kind == kindIncomplete {
			continue
		}
		r.pending = nil
		r.rl.SetPrompt(prompt)
		r.saveHistory(src)
		if !r.s.execute(p) {
			return r.s.exitPrints
		}
	}
}

// saveHistory remembers an entry as one history line (the history file
// has one entry per line): a multi-line entry is joined with spaces, unless
// a // comment would then swallow the rest, when its lines are kept apart.
func (r *reader) saveHistory(src string) {
	lines := strings.Split(src, "\n")
	if !strings.Contains(src, "//") {
		r.rl.SaveHistory(strings.Join(lines, " "))
		return
	}
	for _, l := range lines {
		r.rl.SaveHistory(l)
	}
}

// execute carries out one complete entry; false ends the session.
func (s *session) execute(p *parsed) bool {
	switch strings.TrimSpace(p.file.Src) {
	case "help", "quit", "exit", "?":
		// What a new user tries first: not bpftrace, so say what is.
		s.errorf("Type .help for help, .quit or Ctrl-D to leave.\n")
		return true
	}
	switch p.kind {
	case kindCommand:
		return s.command(strings.TrimSpace(p.file.Src))
	case kindItems:
		s.addItems(p.items)
	case kindStatement:
		if s.printKnownMap(strings.TrimSpace(p.file.Src)) {
			return true
		}
		return s.runStatement(p)
	case kindError:
		s.errorf("%s", p.errText)
	}
	return true
}

// interrupt is Ctrl-C: the output of the probes entered so far stops (they
// stay attached and keep filling their maps).
func (s *session) interrupt() {
	n := 0
	for _, e := range s.live() {
		if !e.muted.Swap(true) && e.obj.RingBuf != "" {
			n++
		}
	}
	if n > 0 {
		s.errorf("output of %d entr%s stopped (probes stay attached; .unmute to see it again)\n", n, map[bool]string{true: "y", false: "ies"}[n == 1])
	}
}
