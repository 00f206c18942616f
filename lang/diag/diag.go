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
	// NoSource prints the message alone ("WARNING: msg"), without the
	// location and source line: for notices about the script as a whole.
	NoSource bool
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

// Render formats every diagnostic against f: errors first, then warnings,
// each group in list order, as bpftrace emits them.
func (l List) Render(f *lang.File) string {
	var b strings.Builder
	for _, sev := range []Severity{Error, Warning} {
		for _, d := range l {
			if d.Severity == sev {
				d.render(&b, f)
			}
		}
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
	if d.NoSource {
		fmt.Fprintf(b, "%s: %s\n", d.Severity, d.Msg)
		return
	}
	renderAt(b, f, d.Span, d.Severity, d.Msg)
	for _, h := range d.Hints {
		fmt.Fprintf(b, "HINT: %s\n", h)
	}
	for _, sp := range d.ExpandedFrom {
		renderAt(b, f, sp, d.Severity, "expanded from")
	}
}

// renderAt writes one message with its source context, the way bpftrace's
// SourceLocation does: "file:line:col-col:" and the line with '~' under the
// span, tabs shown as four columns; or "file:line-line:" and every line of a
// span over several lines, without markers.
func renderAt(b *strings.Builder, f *lang.File, sp lang.Span, sev Severity, msg string) {
	start := f.Position(sp.Start)
	endOff := sp.End
	if endOff > sp.Start {
		endOff-- // last byte inside the span
	}
	end := f.Position(endOff)
	if start.Line != end.Line {
		fmt.Fprintf(b, "%s:%d-%d: %s: %s\n", f.Name, start.Line, end.Line, sev, msg)
		for n := start.Line; n <= end.Line; n++ {
			b.WriteString(f.Line(n))
			b.WriteByte('\n')
		}
		return
	}
	colEnd := end.Col + 1 // exclusive
	fmt.Fprintf(b, "%s:%d:%d-%d: %s: %s\n", f.Name, start.Line, start.Col, colEnd, sev, msg)
	line := f.Line(start.Line)
	b.WriteString(strings.ReplaceAll(line, "\t", "    "))
	b.WriteByte('\n')
	for x := 0; x < len(line) && x < colEnd-1; x++ {
		marker := "~"
		if x < start.Col-1 {
			marker = " "
		}
		if line[x] == '\t' {
			marker = strings.Repeat(marker, 4)
		}
		b.WriteString(marker)
	}
	if start.Col > len(line) {
		// The span starts past the end of the line (an error at end of
		// input): bpftrace shows no marker; one '~' says where.
		b.WriteString("~")
	}
	b.WriteByte('\n')
}
