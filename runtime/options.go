package runtime

import (
	"io"
	"os"

	"github.com/gobpftrace/gobpftrace/lang"
)

// BufferMode is -B: how output is flushed.
type BufferMode int

const (
	BufferLine BufferMode = iota // the default: flushed whenever the event stream goes idle and at newlines of unbuffered streams
	BufferNone                   // every message written at once
	BufferFull                   // written when the buffer fills, and at exit
)

// Options are the command line's settings that the runtime needs.
type Options struct {
	// Stdout receives the program's output (stdout or -o FILE); Stderr the
	// messages ("Attached N probes", warnings, errors).
	Stdout io.Writer
	Stderr io.Writer
	Format string // "text" (default) or "json"
	Buffer BufferMode

	Quiet   bool // -q: no "Attached N probes"
	Verbose bool // -v: full verifier logs, per-program summaries
	// DebugVerifier (-d verifier) prints every program's verifier log.
	DebugVerifier bool
	DryRun        bool // --dry-run: load and attach, then stop
	Unsafe        bool // --unsafe: system() allowed

	// PID is -p: uprobes/USDT bound to it, and the run ends when it exits.
	PID int
	// Child is the -c command, started (held before exec) by StartChild
	// before compiling so that cpid is known; Run releases it once
	// everything is attached and stops when it exits.
	Child *Child

	// NoFeatures are --no-feature names.
	NoFeatures []string
	// File is the script, for errorf/warnf and runtime error locations.
	File *lang.File
	// BackgroundClose lets a helper process release the perf events of
	// detached probes after this process exits (for a CLI about to exit;
	// see links.close). The binary must call CloserMain when IsCloser.
	BackgroundClose bool
	// StrTruncTrailer marks strings that filled their buffer
	// (str_trunc_trailer; "" means bpftrace's default "..").
	StrTruncTrailer string
	// MinRingBuffer is the smallest output ring buffer, in bytes (rounded
	// up to a power of two); 0 keeps codegen's size. A burst of printf()
	// at millions of events per second fills a small ring before the
	// reader is scheduled, and every event that does not fit is lost.
	MinRingBuffer int
	// Signals, when set, delivers SIGINT/SIGTERM caught by the caller since
	// its start (so that one arriving while compiling is not lost); Run
	// then does not catch them itself.
	Signals <-chan os.Signal
	// Exiting says the caller exits once Run returns (the CLI): the maps
	// printed at exit are then printed with the garbage collector off (a
	// 100k-key map allocates a few MiB that no one frees anyway).
	Exiting bool
	// NotifyAttached prints __BPFTRACE_NOTIFY_PROBES_ATTACHED on stdout
	// once attached (set from the environment variable by the CLI).
	NotifyAttached bool
}
