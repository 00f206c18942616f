package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// textWriter prints bpftrace's human-readable output.
type textWriter struct {
	out, err io.Writer
}

// NewText returns a Writer printing bpftrace's text output to out, and
// "Attached N probes", "Lost N events", errorf/warnf and runtime errors to
// errOut (bpftrace's stderr stream). errOut nil means out.
func NewText(out, errOut io.Writer) Writer {
	if errOut == nil {
		errOut = out
	}
	return &textWriter{out: out, err: errOut}
}

func (w *textWriter) Map(m *Map, top, div int) {
	io.WriteString(w.out, FormatMapText(m, top, div))
}

// FormatMapText is the text print(@m, top, div) produces.
func FormatMapText(m *Map, top, div int) string {
	s := shape(m, top, div)
	var b strings.Builder
	b.Grow(len(s.entries) * 32)
	for _, e := range s.entries {
		b.WriteString(s.name)
		if e.key != nil {
			b.WriteByte('[')
			writeKey(&b, e.key)
			b.WriteByte(']')
		}
		if e.isTs {
			b.WriteString(":\n")
			writeTseries(&b, e.ts)
			b.WriteByte('\n')
			continue
		}
		if e.hist != nil {
			// Histograms go on the lines below, followed by a blank line.
			b.WriteString(":\n")
			writeHistogram(&b, e.hist)
			b.WriteByte('\n')
			continue
		}
		b.WriteString(": ")
		writeValue(&b, e.val)
		b.WriteByte('\n')
	}
	return b.String()
}

// writeKey writes keyText(k), avoiding a temporary string for common keys.
func writeKey(b *strings.Builder, k Value) {
	switch x := k.(type) {
	case Int, Uint:
		writeValue(b, x)
		return
	case String:
		if len(x) < 2 || x[0] != '(' || x[len(x)-1] != ')' {
			b.WriteString(string(x))
			return
		}
	case Tuple:
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e)
		}
		return
	}
	b.WriteString(keyText(k))
}

// keyText is a key's text with a tuple's parentheses dropped, as bpftrace
// does (for any key whose text is wrapped in parentheses).
func keyText(k Value) string {
	s := FormatValue(k)
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		s = s[1 : len(s)-1]
	}
	return s
}

const histBarWidth = 52

func writeHistogram(b *strings.Builder, h *histogram) {
	var maxCount uint64
	for _, c := range h.counts {
		maxCount = max(maxCount, c)
	}
	for i, c := range h.counts {
		// bpftrace computes the bar in float32 and truncates.
		bar := 0
		if maxCount > 0 {
			bar = int(float32(c) / float32(maxCount) * float32(histBarWidth))
		}
		var header string
		var lo *label
		if i > 0 {
			lo = &h.labels[i-1]
		} else {
			lo = h.lower
		}
		switch {
		case lo == nil && i < len(h.labels):
			header = "(..., " + h.labels[i].text + ")"
		case lo == nil:
			header = "(..., ...)" // no bounds at all: cannot happen for real maps
		case i >= len(h.labels):
			header = "[" + lo.text + ", ...)"
		default:
			header = interval(*lo, h.labels[i])
		}
		fmt.Fprintf(b, "%-16s%8d |%-52s|\n", header, c, strings.Repeat("@", bar))
	}
}

// interval prints [lo, hi), or [lo] when the bucket holds one integer.
func interval(lo, hi label) string {
	if !lo.sym && !hi.sym && lo.num+1 == hi.num {
		return "[" + lo.text + "]"
	}
	return "[" + lo.text + ", " + hi.text + ")"
}

func (w *textWriter) Value(v Value) {
	io.WriteString(w.out, FormatValue(v)+"\n")
}

func (w *textWriter) Printf(s string)  { io.WriteString(w.out, s) }
func (w *textWriter) Time(s string)    { io.WriteString(w.out, s) }
func (w *textWriter) Cat(s string)     { io.WriteString(w.out, s) }
func (w *textWriter) Join(s string)    { io.WriteString(w.out, s+"\n") }
func (w *textWriter) Syscall(s string) { io.WriteString(w.out, s+"\n") }

func (w *textWriter) Errorf(msg string, locs []Location) { w.logChain("ERROR", msg, locs, false) }
func (w *textWriter) Warnf(msg string, locs []Location)  { w.logChain("WARNING", msg, locs, false) }

func (w *textWriter) RuntimeError(msg string, locs []Location) {
	w.logChain("WARNING", msg, locs, true)
}

func (w *textWriter) HelperError(helper string, retcode int, locs []Location) {
	msg := helperErrorText(helper, retcode) + "\nAdditional Info - helper: " + helper + ", retcode: " + strconv.Itoa(retcode)
	w.logChain("WARNING", msg, locs, true)
}

// logChain prints a message at its first location, then "expanded from"
// at the others, in bpftrace's LOG format. errorf/warnf omit the source
// context of the call itself.
func (w *textWriter) logChain(level, msg string, locs []Location, context bool) {
	if len(locs) == 0 {
		fmt.Fprintf(w.err, "%s: %s\n", level, strings.TrimSuffix(msg, "\n"))
		return
	}
	for i, l := range locs {
		text := msg
		if i > 0 {
			text = "expanded from"
		}
		w.log(level, l, text, context || i > 0)
	}
}

func (w *textWriter) log(level string, l Location, msg string, context bool) {
	pos := l.Pos
	if pos == "" {
		pos = l.Filename + ":" + strconv.Itoa(l.Line) + ":" + strconv.Itoa(l.Col)
	}
	msg = strings.TrimSuffix(msg, "\n") // bpftrace drops one trailing newline
	var b strings.Builder
	b.WriteString(pos + ": " + level + ": " + msg + "\n")
	if context {
		for _, c := range l.Context {
			b.WriteString(c + "\n")
		}
	}
	io.WriteString(w.err, b.String())
}

func (w *textWriter) LostEvents(n uint64) {
	fmt.Fprintf(w.err, "Lost %d events\n", n)
}

func (w *textWriter) AttachedProbes(n int) {
	if n == 1 {
		fmt.Fprintf(w.err, "Attached %d probe\n", n)
		return
	}
	fmt.Fprintf(w.err, "Attached %d probes\n", n)
}

func (w *textWriter) End() { io.WriteString(w.out, "\n\n") }
