package repl

import (
	"regexp"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
	"github.com/gobpftrace/gobpftrace/parser"
)

// entryKind is what a complete entry is.
type entryKind int

const (
	kindIncomplete entryKind = iota // more lines are needed
	kindCommand                     // ".probes", ".detach 1"...
	kindItems                       // probe blocks and other top-level items
	kindStatement                   // statements run once, like a begin block
	kindError                       // a syntax error to show
)

// stmtPrefix wraps a statement entry into a program; stmtSuffix closes it
// on its own line so that a trailing comment cannot swallow the brace.
const (
	stmtPrefix = "begin { "
	stmtSuffix = "\n}"
)

// parsed is a classified entry.
type parsed struct {
	kind  entryKind
	file  *lang.File   // the entry as typed
	prog  *ast.Program // kindItems: the entry; kindStatement: the wrapped entry
	items []*item      // kindItems
	// errText is kindError's rendered diagnostics.
	errText string
}

// topLevel recognises entries that start like a top-level item, so that
// their syntax errors are reported as such rather than as statements.
var topLevel = regexp.MustCompile(`^\s*([A-Za-z_][\w.]*:|(begin|end|BEGIN|END|config|macro|import|struct|union|enum|typedef)\b|let\s+@|#)`)

// bareMap is "@m" or "@m[key]" alone: shorthand for print().
var bareMap = regexp.MustCompile(`^\s*@\w*(\[.*\])?\s*;?\s*$`)

// classify decides what src is. force is set when the user entered an empty
// line after an incomplete entry: its errors are shown instead of waiting.
func classify(src string, force bool) *parsed {
	trimmed := strings.TrimSpace(src)
	f := lang.NewFile("stdin", src)
	if strings.HasPrefix(trimmed, ".") {
		return &parsed{kind: kindCommand, file: f}
	}
	if bareMap.MatchString(src) {
		src = "print(" + strings.TrimSuffix(trimmed, ";") + ")"
		f = lang.NewFile("stdin", src)
	}
	top := topLevel.MatchString(src)
	if top {
		prog, diags := parser.Parse(f)
		if !diags.HasErrors() {
			return &parsed{kind: kindItems, file: f, prog: prog, items: splitItems(f, prog)}
		}
		if !force && incomplete(diags, len(src), src) {
			return &parsed{kind: kindIncomplete, file: f}
		}
		return &parsed{kind: kindError, file: f, errText: diags.Render(f)}
	}
	wf := lang.NewFile("stdin", stmtPrefix+src+stmtSuffix)
	prog, diags := parser.Parse(wf)
	if !diags.HasErrors() {
		return &parsed{kind: kindStatement, file: f, prog: prog}
	}
	if !force && incomplete(diags, len(stmtPrefix)+len(src), src) {
		return &parsed{kind: kindIncomplete, file: f}
	}
	return &parsed{kind: kindError, file: f, errText: shiftDiags(diags, len(stmtPrefix), f)}
}

// incomplete reports whether more lines may fix the entry: brackets are
// still open, or the parser ran out of input (and no bracket was closed
// that was never opened).
func incomplete(l diag.List, end int, src string) bool {
	d := depth(src)
	return d > 0 || (d == 0 && atEnd(l, end))
}

// atEnd reports whether the first error is at or after offset end: the
// parser ran out of input, so the entry goes on on the next line.
func atEnd(l diag.List, end int) bool {
	for _, d := range l {
		if d.Severity == diag.Error {
			return int(d.Span.Start) >= end
		}
	}
	return false
}

// shiftDiags renders diagnostics of a wrapped entry against the entry itself.
func shiftDiags(l diag.List, shift int, f *lang.File) string {
	var out diag.List
	for _, d := range l {
		nd := *d
		s, e := int(d.Span.Start)-shift, int(d.Span.End)-shift
		s = min(max(s, 0), len(f.Src))
		e = min(max(e, s), len(f.Src))
		nd.Span = lang.Span{Start: lang.Pos(s), End: lang.Pos(e)}
		out = append(out, &nd)
	}
	return out.Render(f)
}

// depth is how many (, [ and { opened outside strings and comments are
// still open (negative when more were closed than opened); an unclosed
// comment counts as open.
func depth(src string) int {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			} else if i+1 < len(src) && src[i+1] == '*' {
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return depth + 1
				}
				i += end + 3
			}
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		}
	}
	return depth
}
