package probe

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// specialProvider is a probe the runtime fires itself: begin, end, test,
// bench and self. Programs are raw tracepoint programs (so they may call the
// tracing helpers) run once with BPF_PROG_TEST_RUN, see RunProgram.
type specialProvider struct {
	name    string
	aliases []string
	phase   Phase
	// fields is how many ':' fields follow the name: 0 (begin), 1 (test:NAME), 2 (self:signal:SIG).
	fields int
}

func (p *specialProvider) Name() string      { return p.name }
func (p *specialProvider) Aliases() []string { return p.aliases }

func (p *specialProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	parts := ap.Parts
	if p.fields == 0 && len(parts) == 1 && parts[0] == "*" {
		parts = nil
	}
	if len(parts) != p.fields {
		return nil, argCountError(ap, p.name, p.fields)
	}
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = p.name
	switch p.name {
	case "test", "bench":
		if parts[0] == "" {
			return nil, apErrorf(ap, "%s probes must have a name", p.name)
		}
		s.Func = parts[0]
	case "self":
		if parts[0] != "signal" {
			return nil, apErrorf(ap, "%s is not a supported trigger", parts[0])
		}
		if _, ok := signalNumbers[parts[1]]; !ok {
			return nil, apErrorf(ap, "%s is not a supported signal", parts[1])
		}
		s.Category, s.Signal = parts[0], parts[1]
	}
	return s, nil
}

func (p *specialProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	t := s.Target
	switch p.name {
	case "test", "bench":
		t.Name = p.name + ":" + t.Func
	case "self":
		t.Name = "self:" + t.Category + ":" + t.Signal
	default:
		t.Name = p.name
	}
	return []*Target{&t}, nil
}

func (p *specialProvider) Context(t *Target, h Host) (*Ctx, error) {
	return &Ctx{ProgType: ebpf.RawTracepoint, Disallow: []string{"args", "retval", "func", "reg"}}, nil
}

func (p *specialProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	return nil, fmt.Errorf("%s probes are run by the runtime (RunProgram), not attached", p.name)
}

// Phase implements Runner.
func (p *specialProvider) Phase(t *Target) Phase { return p.phase }

// RunProgram runs a begin/end/test/self program once on the calling CPU with
// BPF_PROG_TEST_RUN and returns its return value.
func RunProgram(prog *ebpf.Program) (uint32, error) {
	ret, err := prog.Run(&ebpf.RunOptions{})
	if err != nil {
		return 0, fmt.Errorf("running program: %w", err)
	}
	return ret, nil
}

// BenchProgram runs a bench program n times and returns the mean wall time
// per run. Raw tracepoint test runs take no repeat count, so the loop is here.
func BenchProgram(prog *ebpf.Program, n int) (time.Duration, error) {
	if n <= 0 {
		n = 1
	}
	opts := &ebpf.RunOptions{}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := prog.Run(opts); err != nil {
			return 0, fmt.Errorf("running program: %w", err)
		}
	}
	return time.Since(start) / time.Duration(n), nil
}

// SignalNumber maps a self:signal: name to its number.
func SignalNumber(name string) (unix.Signal, bool) {
	s, ok := signalNumbers[name]
	return s, ok
}

// signalNumbers are the signals self:signal: accepts (bpftrace's SIGNALS
// minus the ones a tracer must not steal).
var signalNumbers = map[string]unix.Signal{
	"SIGUSR1": unix.SIGUSR1, "SIGUSR2": unix.SIGUSR2, "SIGHUP": unix.SIGHUP,
	"SIGALRM": unix.SIGALRM, "SIGWINCH": unix.SIGWINCH, "SIGCONT": unix.SIGCONT,
	"SIGPIPE": unix.SIGPIPE, "SIGCHLD": unix.SIGCHLD, "SIGURG": unix.SIGURG,
	"SIGTRAP": unix.SIGTRAP, "SIGIO": unix.SIGIO, "SIGPWR": unix.SIGPWR,
}

func init() {
	Register(&specialProvider{name: "begin", aliases: []string{"BEGIN"}, phase: PhaseBegin})
	Register(&specialProvider{name: "end", aliases: []string{"END"}, phase: PhaseEnd})
	Register(&specialProvider{name: "test", phase: PhaseTest, fields: 1})
	Register(&specialProvider{name: "bench", phase: PhaseBench, fields: 1})
	Register(&specialProvider{name: "self", phase: PhaseSignal, fields: 2})
}
