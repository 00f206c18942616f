package format

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// The tree does not hold comments, but every node has a span into the
// source, so the formatter finds comments in the source and puts each one
// back next to the node it was written beside: on its own lines before a
// statement (leading), or at the end of the line it ended (trailing).
// Comments inside an expression move to the line before its statement.

// comment is one "// ..." or "/* ... */" in the source.
type comment struct {
	start, end int
	text       string
}

// commentSet hands out the comments of one source, each exactly once.
type commentSet struct {
	src     string
	list    []comment
	claimed []bool
	first   int // index of the first unclaimed comment
}

// newCommentSet finds the comments of p's source, or returns nil when the
// tree has no source to look at.
func newCommentSet(p *ast.Program) *commentSet {
	if p.File == nil || p.File.Src == "" {
		return nil
	}
	src := p.File.Src
	var skip []ast.Node // raw text that may contain "//" but is not a comment
	for _, d := range p.Decls {
		switch d := d.(type) {
		case *ast.Probe:
			for _, ap := range d.AttachPoints {
				skip = append(skip, ap)
			}
		case *ast.Preproc:
			skip = append(skip, d)
		}
	}
	cs := &commentSet{src: src, list: scanComments(src, skip)}
	cs.claimed = make([]bool, len(cs.list))
	return cs
}

// scanComments lists the comments of src, skipping string and character
// literals, preprocessor lines, the shebang and the raw text of the skip
// nodes (in source order).
func scanComments(src string, skip []ast.Node) []comment {
	var out []comment
	lineStart := true
	for i := 0; i < len(src); i++ {
		for len(skip) > 0 && int(skip[0].Span().End) <= i {
			skip = skip[1:]
		}
		if len(skip) > 0 && i >= int(skip[0].Span().Start) {
			i = int(skip[0].Span().End) - 1
			lineStart = false
			continue
		}
		c := src[i]
		switch {
		case c == '\n':
			lineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\r':
			continue
		case c == '#' && lineStart:
			for i < len(src) && src[i] != '\n' {
				if src[i] == '\\' && i+1 < len(src) && src[i+1] == '\n' {
					i++
				}
				i++
			}
			i-- // let the loop see the newline
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			out = append(out, comment{i, i + j, strings.TrimRight(src[i:i+j], " \t\r")})
			i += j - 1
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			end := len(src)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			out = append(out, comment{i, end, src[i:end]})
			i = end - 1
		}
		lineStart = false
	}
	return out
}

// before claims the unclaimed comments that start before pos.
func (cs *commentSet) before(pos int) []comment {
	if cs == nil {
		return nil
	}
	var out []comment
	for i := cs.first; i < len(cs.list) && cs.list[i].start < pos; i++ {
		if !cs.claimed[i] {
			cs.claimed[i] = true
			out = append(out, cs.list[i])
		}
	}
	for cs.first < len(cs.list) && cs.claimed[cs.first] {
		cs.first++
	}
	return out
}

// trailing claims a one-line comment that follows end on the same line,
// with only blanks, ';' or ',' between.
func (cs *commentSet) trailing(end int) (comment, bool) {
	if cs == nil || end <= 0 { // end 0: a node made by hand, not parsed
		return comment{}, false
	}
	for i := cs.first; i < len(cs.list); i++ {
		c := cs.list[i]
		if cs.claimed[i] || c.start < end {
			continue
		}
		if strings.Trim(cs.src[end:c.start], " \t;,") != "" || strings.Contains(c.text, "\n") {
			return comment{}, false
		}
		cs.claimed[i] = true
		return c, true
	}
	return comment{}, false
}

// inRange claims the unclaimed comments that start in [from, to).
func (cs *commentSet) inRange(from, to int) []comment {
	if cs == nil {
		return nil
	}
	var out []comment
	for i := cs.first; i < len(cs.list) && cs.list[i].start < to; i++ {
		if !cs.claimed[i] && cs.list[i].start >= from {
			cs.claimed[i] = true
			out = append(out, cs.list[i])
		}
	}
	for cs.first < len(cs.list) && cs.claimed[cs.first] {
		cs.first++
	}
	return out
}

// any reports whether an unclaimed comment starts in [from, to).
func (cs *commentSet) any(from, to int) bool {
	if cs == nil {
		return false
	}
	for i := cs.first; i < len(cs.list) && cs.list[i].start < to; i++ {
		if !cs.claimed[i] && cs.list[i].start >= from {
			return true
		}
	}
	return false
}

// blankLine reports whether the source has an empty line between from and to.
func (cs *commentSet) blankLine(from, to int) bool {
	if cs == nil || from < 0 || to > len(cs.src) || from >= to {
		return false
	}
	gap := cs.src[from:to]
	for {
		i := strings.IndexByte(gap, '\n')
		if i < 0 {
			return false
		}
		gap = gap[i+1:]
		j := strings.IndexByte(gap, '\n')
		if j >= 0 && strings.TrimSpace(gap[:j]) == "" {
			return true
		}
	}
}

// leading writes the comments before pos on their own lines.
func (pr *printer) leading(pos int) {
	for _, c := range pr.cm.before(pos) {
		pr.line(c.text)
	}
}

// gap writes the comments before pos on their own lines, keeping a blank
// line wherever the source has one between them, or before pos when
// blankBefore is set. cursor is where the previous item ended; no blank
// line is written before anything else in the enclosing list (wrote).
func (pr *printer) gap(cursor *int, pos int, wrote *bool, blankBefore bool) {
	for _, c := range pr.cm.before(pos) {
		if *wrote && pr.cm.blankLine(*cursor, c.start) {
			pr.b.WriteByte('\n')
		}
		pr.line(c.text)
		*wrote = true
		*cursor = c.end
	}
	if blankBefore && *wrote && pr.cm.blankLine(*cursor, pos) {
		pr.b.WriteByte('\n')
	}
}

// trail returns " // comment" for a comment at the end of the line that
// ends at end, or "".
func (pr *printer) trail(end int) string {
	if c, ok := pr.cm.trailing(end); ok {
		return " " + c.text
	}
	return ""
}

func start(n ast.Node) int { return int(n.Span().Start) }
func end(n ast.Node) int   { return int(n.Span().End) }
