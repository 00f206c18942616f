package repl

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
)

// item is one top-level declaration of the session, as the user wrote it.
type item struct {
	text  string
	probe bool // an action block (the others form the preamble)
	// declares is the map a "let @m = hash(N);" item declares ("@m").
	declares string
	// src is the entry's text and off where text starts in it, so that
	// diagnostics can be shown against what the user typed.
	src *lang.File
	off int
}

// placed is an item at its offset in a combined program.
type placed struct {
	it    *item
	start int
}

// combined is the session's source with some new items appended, ready to
// be parsed and checked as one program.
type combined struct {
	file   *lang.File
	places []placed
	// firstNew is the probe index of the first new action block: the
	// programs with ProbeIndex >= firstNew belong to the new entry.
	firstNew int
}

// combine builds the program text: all preamble items (old, then new), then
// all action blocks (old, then new). Keeping the preamble first keeps config
// blocks and macros ahead of their uses; keeping old probes first keeps their
// indices, so the new entry's programs are the ones at the end.
func combine(old, added []*item) *combined {
	c := &combined{}
	var b strings.Builder
	add := func(it *item) {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		c.places = append(c.places, placed{it: it, start: b.Len()})
		b.WriteString(it.text)
	}
	for _, group := range [][]*item{old, added} {
		for _, it := range group {
			if !it.probe {
				add(it)
			}
		}
	}
	for _, it := range old {
		if it.probe {
			add(it)
			c.firstNew++
		}
	}
	for _, it := range added {
		if it.probe {
			add(it)
		}
	}
	c.file = lang.NewFile("repl", b.String())
	return c
}

// usedDecls drops the map declarations whose map no other item mentions:
// codegen needs a use to know a map's value type, and in a session the
// declaration is often typed before the probe that fills the map.
func usedDecls(items []*item) []*item {
	var out []*item
	for _, it := range items {
		if it.declares == "" || mentioned(it, items) {
			out = append(out, it)
		}
	}
	return out
}

func mentioned(decl *item, items []*item) bool {
	name := decl.declares
	for _, it := range items {
		if it == decl {
			continue
		}
		for i := strings.Index(it.text, name); i >= 0; {
			end := i + len(name)
			if end == len(it.text) || !isWordByte(it.text[end]) {
				return true
			}
			j := strings.Index(it.text[end:], name)
			if j < 0 {
				break
			}
			i = end + j
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// render shows diagnostics against the entry the user typed where the span
// falls in one (the usual case: errors are in the new entry), otherwise
// against the combined session source.
func (c *combined) render(l diag.List) string {
	var b strings.Builder
	for _, d := range l {
		p := c.at(d.Span.Start)
		if p == nil || p.it.src == nil {
			b.WriteString(diag.List{d}.Render(c.file))
			continue
		}
		shift := lang.Pos(p.start - p.it.off)
		nd := *d
		n := lang.Pos(len(p.it.src.Src))
		nd.Span = lang.Span{Start: min(max(d.Span.Start-shift, 0), n), End: min(max(d.Span.End-shift, 0), n)}
		nd.ExpandedFrom = nil
		b.WriteString(diag.List{&nd}.Render(p.it.src))
	}
	return b.String()
}

// at finds the item that holds pos.
func (c *combined) at(pos lang.Pos) *placed {
	for i := len(c.places) - 1; i >= 0; i-- {
		p := &c.places[i]
		if int(pos) >= p.start && int(pos) <= p.start+len(p.it.text) {
			return p
		}
	}
	return nil
}

// splitItems cuts a parsed entry into its top-level items, keeping each
// one's text as written.
func splitItems(f *lang.File, prog *ast.Program) []*item {
	var out []*item
	for _, d := range prog.Decls {
		sp := d.Span()
		start, end := int(sp.Start), int(sp.End)
		if end > len(f.Src) {
			end = len(f.Src)
		}
		if start < 0 || start > end {
			continue
		}
		_, isProbe := d.(*ast.Probe)
		it := &item{text: f.Src[start:end], probe: isProbe, src: f, off: start}
		if md, ok := d.(*ast.MapDecl); ok && md.Map != nil {
			it.declares = "@" + md.Map.Name
		}
		out = append(out, it)
	}
	return out
}
