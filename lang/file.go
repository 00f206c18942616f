// Package lang holds what every compiler pass shares: source files and the
// positions inside them. The AST, types and diagnostics live in subpackages.
package lang

import (
	"sort"
	"strings"
)

// Pos is a byte offset into a File's source.
type Pos int

// Span is the half-open byte range [Start, End) of a node in its File.
type Span struct {
	Start, End Pos
}

// Join returns the smallest span covering both a and b.
func (a Span) Join(b Span) Span {
	if b.Start < a.Start {
		a.Start = b.Start
	}
	if b.End > a.End {
		a.End = b.End
	}
	return a
}

// File is one source text: a -e program ("stdin"), a .bt file, or a REPL entry.
type File struct {
	Name  string
	Src   string
	lines []int // byte offset at which each line starts
}

// NewFile indexes src so that positions can be turned into lines and columns.
func NewFile(name, src string) *File {
	f := &File{Name: name, Src: src, lines: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Position is a 1-based line and column (in bytes) of a Pos.
type Position struct {
	Line, Col int
}

// Position converts an offset to its line and column.
func (f *File) Position(p Pos) Position {
	off := int(p)
	if off < 0 {
		off = 0
	}
	if off > len(f.Src) {
		off = len(f.Src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return Position{Line: i + 1, Col: off - f.lines[i] + 1}
}

// Line returns the text of the 1-based line n, without its newline.
func (f *File) Line(n int) string {
	if n < 1 || n > len(f.lines) {
		return ""
	}
	start := f.lines[n-1]
	end := len(f.Src)
	if n < len(f.lines) {
		end = f.lines[n] - 1
	}
	return strings.TrimSuffix(f.Src[start:end], "\r")
}

// NumLines is the number of lines in the file.
func (f *File) NumLines() int { return len(f.lines) }
