// Package diag collects positioned errors and warnings and renders them the
// way bpftrace does: "file:line:col-col: ERROR: msg", the source line, and
// "~~~" under the offending span.
package diag

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Severity says whether a diagnostic stops compilation.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "WARNING"
	}
	return "ERROR"
}

// Diagnostic is one message about a span of source.
type Diagnostic struct {
	Span     lang.Span
	Severity Severity
	Msg      string
	Hints    []string
	// ExpandedFrom lists macro call sites, innermost first.
	ExpandedFrom []lang.Span
}

// List keeps every diagnostic of a run; passes append and go on where they can.
type List []*Diagnostic

// Errorf appends an error at span.
func (l *List) Errorf(span lang.Span, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Span: span, Severity: Error, Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, d)
	return d
}

// Warnf appends a warning at span.
func (l *List) Warnf(span lang.Span, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Span: span, Severity: Warning, Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, d)
	return d
}

// Hint adds a "HINT:" line under the diagnostic.
func (d *Diagnostic) Hint(format string, args ...any) *Diagnostic {
	d.Hints = append(d.Hints, fmt.Sprintf(format, args...))
	return d
}

// HasErrors reports whether any entry is an error (warnings do not count).
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders the list by position, keeping the order of equal positions.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Span.Start < l[j].Span.Start })
}

// Render formats every diagnostic against f, in order.
func (l List) Render(f *lang.File) string {
	var b strings.Builder
	for _, d := range l {
		d.render(&b, f)
	}
	return b.String()
}

// Error implements error so a List can be returned as one.
func (l List) Error() string {
	var msgs []string
	for _, d := range l {
		msgs = append(msgs, d.Msg)
	}
	return strings.Join(msgs, "; ")
}

func (d *Diagnostic) render(b *strings.Builder, f *lang.File) {
	start := f.Position(d.Span.Start)
	endOff := d.Span.End
	if endOff > d.Span.Start {
		endOff-- // last byte inside the span
	}
	end := f.Position(endOff)
	switch {
	case start.Line != end.Line:
		fmt.Fprintf(b, "%s:%d-%d: %s: %s\n", f.Name, start.Line, end.Line, d.Severity, d.Msg)
	case end.Col > start.Col:
		fmt.Fprintf(b, "%s:%d:%d-%d: %s: %s\n", f.Name, start.Line, start.Col, end.Col+1, d.Severity, d.Msg)
	default:
		fmt.Fprintf(b, "%s:%d:%d-%d: %s: %s\n", f.Name, start.Line, start.Col, start.Col+1, d.Severity, d.Msg)
	}
	line := f.Line(start.Line)
	b.WriteString(line)
	b.WriteByte('\n')
	// Tabs in the source line stay tabs under it, so the tildes line up.
	for i := 0; i < start.Col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	n := 1
	if start.Line == end.Line {
		n = end.Col - start.Col + 1
	} else {
		n = len(line) - start.Col + 1
	}
	if n < 1 {
		n = 1
	}
	b.WriteString(strings.Repeat("~", n))
	b.WriteByte('\n')
	for _, h := range d.Hints {
		fmt.Fprintf(b, "HINT: %s\n", h)
	}
}
