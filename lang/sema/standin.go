package sema

import (
	"errors"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// standinBeginEnd stands in for runtime/probe's begin/end providers until
// they are registered: a raw-tracepoint program the runtime runs itself.
type standinBeginEnd struct{ name string }

func (p standinBeginEnd) Name() string      { return p.name }
func (p standinBeginEnd) Aliases() []string { return nil }

func (p standinBeginEnd) Parse(ap *ast.AttachPoint) (*probe.Spec, error) {
	if len(ap.Parts) != 0 {
		return nil, &probe.AttachPointError{AP: ap, Msg: p.name + " probes take no arguments"}
	}
	return &probe.Spec{Provider: p, AP: ap, Target: probe.Target{Provider: p.name, Name: p.name}}, nil
}

func (p standinBeginEnd) Expand(s *probe.Spec, _ probe.Host) ([]*probe.Target, error) {
	t := s.Target
	return []*probe.Target{&t}, nil
}

func (p standinBeginEnd) Context(*probe.Target, probe.Host) (*probe.Ctx, error) {
	return &probe.Ctx{ProgType: ebpf.RawTracepoint}, nil
}

func (p standinBeginEnd) Attach(*ebpf.Program, *probe.Target, probe.AttachOptions) (link.Link, error) {
	return nil, errors.New(p.name + " programs are run, not attached")
}
