package parser

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Attach points are scanned as raw text, as bpftrace does: in them '/' is a
// path separator, '*', '?', '[...]' and '{a,b}' are globs, and quotes protect
// anything. The attach point ends at whitespace, at a ',' outside '{}', at a
// '{' that opens the probe body, or at a '/' that opens the predicate.

// scanAttachPoint returns the end of the attach point that starts at p.
func scanAttachPoint(src string, p int) int {
	start := p
	partStart := p // start of the current ':'-separated field
	braces := 0
	for p < len(src) {
		c := src[p]
		switch {
		case isIdentBody(c) || c >= 0x80 || strings.IndexByte(".*?+-$@=~#%!&|<>", c) >= 0:
			// name, glob and path characters (UTF-8 names pass through)
		case c == '"':
			q := p + 1
			for q < len(src) && src[q] != '"' && src[q] != '\n' {
				if src[q] == '\\' {
					q++
				}
				q++
			}
			if q >= len(src) || src[q] != '"' {
				return p // unterminated: let the lexer report it
			}
			p = q
		case c == '\\':
			if p+1 >= len(src) || isSpace(src[p+1]) {
				return p
			}
			p++
		case c == ':':
			partStart = p + 1
		case c == '[':
			// a glob class: runs to the matching ']' on the same token
			q := p + 1
			for q < len(src) && src[q] != ']' && !isSpace(src[q]) {
				q++
			}
			if q >= len(src) || src[q] != ']' {
				return p
			}
			p = q
		case c == '{':
			if !isGlobBrace(src, p) {
				return p
			}
			braces++
		case c == '}':
			if braces == 0 {
				return p
			}
			braces--
		case c == ',':
			if braces == 0 {
				return p
			}
		case c == '/':
			if !isPathSlash(src, start, partStart, p) {
				return p
			}
		default: // whitespace, ';', '(', ')', ...
			return p
		}
		p++
	}
	return p
}

// isGlobBrace reports whether the '{' at p opens a brace glob like
// "{read,write}" rather than the probe body: a glob has a ',' and only name
// characters up to its '}'.
func isGlobBrace(src string, p int) bool {
	comma := false
	for q := p + 1; q < len(src); q++ {
		c := src[q]
		switch {
		case c == '}':
			return comma && q > p+1
		case c == ',':
			comma = true
		case isIdentBody(c) || strings.IndexByte(".*?+-/[]", c) >= 0:
		default:
			return false
		}
	}
	return false
}

// isPathSlash decides whether the '/' at p belongs to the attach point (a
// path such as uprobe:/bin/bash:readline or uprobe:lib/x.so:f) or opens a
// predicate written without a space (kprobe:f/pid == 1/).
func isPathSlash(src string, start, partStart, p int) bool {
	if p == start {
		return false
	}
	part := src[partStart:p]
	if p == partStart || strings.HasPrefix(part, "/") || strings.HasPrefix(part, ".") || strings.Contains(part, "/") {
		return true
	}
	// A later ':' in the same word means this '/' is inside a path field.
	for q := p + 1; q < len(src); q++ {
		c := src[q]
		if c == ':' {
			return true
		}
		if isSpace(c) || c == '{' || c == '"' || c == '(' || c == '=' || c == '/' || c == ',' {
			return false
		}
	}
	return false
}

// newAttachPoint splits raw into its provider and ':'-separated parts. Quotes
// are removed from parts (with \" and \\ decoded inside them); C++ names
// with "::" are split too, so a provider that needs them rejoins Parts.
func newAttachPoint(raw string, span lang.Span) *ast.AttachPoint {
	ap := &ast.AttachPoint{Base: ast.Base{Sp: span}, Raw: raw}
	var fields []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == '\\' && i+1 < len(raw):
			i++
			cur.WriteByte(raw[i])
		case c == ':' && !inQuote:
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	fields = append(fields, cur.String())
	ap.Provider = fields[0]
	if len(fields) > 1 {
		ap.Parts = fields[1:]
	}
	return ap
}

// splitLabel separates an optional "name=" prefix from an attach point.
// It returns the label and the offset where the attach point proper starts.
func splitLabel(raw string) (string, int) {
	eq := strings.IndexByte(raw, '=')
	if eq <= 0 {
		return "", 0
	}
	colon := strings.IndexByte(raw, ':')
	if colon >= 0 && colon < eq {
		return "", 0
	}
	name := raw[:eq]
	if !isIdentStart(name[0]) {
		return "", 0
	}
	for i := 1; i < len(name); i++ {
		if !isIdentBody(name[i]) {
			return "", 0
		}
	}
	return name, eq + 1
}
