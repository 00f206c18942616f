package sema

import (
	"errors"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// runByRuntime names the providers whose programs the runtime runs itself
// (BPF_PROG_TEST_RUN) instead of attaching them.
var runByRuntime = map[string]bool{"begin": true, "end": true, "test": true}

// expandAttachPoints parses every attach point with its provider and
// expands it into targets, each with the context its program reads.
func expandAttachPoints(c *checker) {
	for i, pr := range c.prog.Probes() {
		pi := &ProbeInfo{Probe: pr, Index: i}
		c.info.Probes = append(c.info.Probes, pi)
		for _, ap := range pr.AttachPoints {
			p, ok := lookupProvider(ap.Provider)
			if !ok {
				c.errorf(ap.Span(), "Invalid probe type: %s", ap.Provider)
				continue
			}
			spec, err := p.Parse(ap)
			if err != nil {
				c.errorf(ap.Span(), "%s", err.Error())
				continue
			}
			targets, err := p.Expand(spec, c.opts.Host)
			if err != nil {
				c.missingProbe(ap, err)
				continue
			}
			if len(targets) == 0 {
				c.missingProbe(ap, errors.New("No probes matched: "+ap.Raw))
				continue
			}
			for _, t := range targets {
				ctx, err := p.Context(t, c.opts.Host)
				if err != nil {
					c.missingProbe(ap, err)
					continue
				}
				pi.Targets = append(pi.Targets, &Target{
					Target: t, Provider: p, Ctx: ctx,
					RunByRuntime: runByRuntime[p.Name()] || probe.PhaseOf(t) != probe.PhaseAttach,
				})
			}
		}
	}
}

func (c *checker) missingProbe(ap *ast.AttachPoint, err error) {
	switch c.info.Config.MissingProbes {
	case "ignore":
	case "warn":
		c.diags.Warnf(ap.Span(), "%s", err.Error())
	default:
		c.errorf(ap.Span(), "%s", err.Error())
	}
}

// lookupProvider finds the provider for a name as written; begin/end are
// case-insensitive. Until runtime/probe registers begin/end, a stand-in serves.
func lookupProvider(name string) (probe.Provider, bool) {
	if p, ok := probe.Lookup(name); ok {
		return p, true
	}
	if p, ok := probe.Lookup(strings.ToLower(name)); ok {
		return p, true
	}
	switch strings.ToLower(name) {
	case "begin":
		return standinBeginEnd{"begin"}, true
	case "end":
		return standinBeginEnd{"end"}, true
	}
	return nil, false
}
