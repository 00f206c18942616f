package repl

import (
	"io"
	"os"
)

// Options configure an interactive session.
type Options struct {
	// Stdin is the terminal to read from (nil: os.Stdin). When it is a
	// terminal, readline edits lines in raw mode on it.
	Stdin *os.File
	// Stdout receives prompts, echo and probe output (nil: os.Stdout);
	// Stderr is used only for messages before readline starts (nil: os.Stderr).
	Stdout io.Writer
	Stderr io.Writer

	// HistoryFile is where entries are remembered ("" for
	// ~/.gobpftrace_history, "-" for no history).
	HistoryFile string

	// Params are the positional parameters $1..$N; Env holds BPFTRACE_*
	// settings; Unsafe allows system(); NoFeatures are --no-feature names.
	Params     []string
	Env        map[string]string
	Unsafe     bool
	NoFeatures []string
	// PID is -p: uprobes and USDT probes attach to that process only.
	PID int
	// Format is "text" (the default) or "json" (-f json) for probe output;
	// the session's own messages stay text.
	Format string
	// Quiet suppresses the banner and "Attached N probes" lines.
	Quiet bool
}
