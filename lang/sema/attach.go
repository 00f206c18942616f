package sema

import (
	"errors"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// runByRuntime names the providers whose programs the runtime runs itself
// (BPF_PROG_TEST_RUN) instead of attaching them.
var runByRuntime = map[string]bool{"begin": true, "end": true, "test": true}

// expandAttachPoints parses every attach point with its provider and
// expands it into targets, each with the context its program reads.
func expandAttachPoints(c *checker) {
	skipped := 0 // probes left with no target because theirs are missing
	for i, pr := range c.prog.Probes() {
		pi := &ProbeInfo{Probe: pr, Index: i}
		c.info.Probes = append(c.info.Probes, pi)
		missing := "" // the first attach point that names nothing
		note := func(name string) {
			if missing == "" {
				missing = name
			}
		}
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
				note(c.missingProbe(ap, spec, err))
				continue
			}
			if len(targets) == 0 && !spec.Wildcard {
				note(c.missingProbe(ap, spec, errors.New("No probes matched: "+ap.Raw)))
				continue
			}
			for _, t := range targets {
				ctx, err := p.Context(t, c.opts.Host)
				if err != nil {
					note(c.missingProbe(ap, spec, err))
					continue
				}
				pi.Targets = append(pi.Targets, &Target{
					Target: t, Provider: p, Ctx: ctx,
					RunByRuntime: runByRuntime[p.Name()] || probe.PhaseOf(t) != probe.PhaseAttach,
				})
			}
		}
		if len(pi.Targets) > 0 || missing == "" {
			continue
		}
		// Every attach point of the probe is missing: as bpftrace, an
		// error unless missing_probes says to skip the probe.
		switch c.info.Config.MissingProbes {
		case "ignore":
			skipped++
		case "warn":
			skipped++
			c.diags.Warnf(pr.Span(), "Unable to attach probe: %s. Skipping.", missing).NoSource = true
		default:
			c.diags.Errorf(pr.Span(), "Unable to attach probe: %s. If this is expected, set the 'missing_probes' config variable to 'warn'.", missing).NoSource = true
		}
	}
	if skipped > 0 && skipped == len(c.info.Probes) {
		c.diags.Errorf(lang.Span{}, "Attachment failed for all probes.").NoSource = true
	}
}

// missingProbe reports an attach point that names nothing that exists: a
// warning where it is written (none with missing_probes=ignore); whether
// that fails the run is decided per probe, once all its attach points are
// known (expandAttachPoints). A wildcard that matches nothing is no error.
// It returns the attach point's full name.
func (c *checker) missingProbe(ap *ast.AttachPoint, spec *probe.Spec, err error) string {
	if c.info.Config.MissingProbes != "ignore" {
		c.diags.Warnf(ap.Span(), "%s", err.Error())
	}
	// The name with the provider's full name: "t:x:y" is tracepoint:x:y.
	if i := strings.IndexByte(ap.Raw, ':'); i >= 0 && spec.Provider != nil {
		return spec.Provider.Name() + ap.Raw[i:]
	}
	return ap.Raw
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
