package probe

import "strings"

// HasWildcard reports whether s uses bpftrace's glob syntax: * ? [..] {a,b}.
func HasWildcard(s string) bool {
	return strings.ContainsAny(s, "*?[{")
}

// Match reports whether name matches the bpftrace glob pattern: '*' matches
// any run of characters, '?' one character, "[abc]"/"[a-z]"/"[!x]" a class,
// and "{a,b}" any of the alternatives (which may themselves hold globs). A
// malformed class or brace is matched literally, as a shell would.
func Match(pattern, name string) bool {
	if i := strings.IndexByte(pattern, '{'); i >= 0 {
		if j := matchingBrace(pattern, i); j > i {
			prefix, suffix := pattern[:i], pattern[j+1:]
			for _, alt := range splitAlternatives(pattern[i+1 : j]) {
				if Match(prefix+alt+suffix, name) {
					return true
				}
			}
			return false
		}
	}
	return matchSimple(pattern, name)
}

// matchingBrace finds the '}' that closes the '{' at i, or -1.
func matchingBrace(p string, i int) int {
	depth := 0
	for k := i; k < len(p); k++ {
		switch p[k] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// splitAlternatives splits "a,b{c,d},e" at top-level commas.
func splitAlternatives(s string) []string {
	var out []string
	depth, start := 0, 0
	for k := 0; k < len(s); k++ {
		switch s[k] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:k])
				start = k + 1
			}
		}
	}
	return append(out, s[start:])
}

// matchSimple matches * ? and [..] with backtracking on the last '*'.
func matchSimple(p, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				pi++
				si++
				continue
			case '[':
				if ok, n, valid := matchClass(p[pi:], s[si]); valid {
					if ok {
						pi += n
						si++
						continue
					}
				} else if s[si] == '[' { // literal '['
					pi++
					si++
					continue
				}
			default:
				if p[pi] == s[si] {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchClass matches c against the class at the start of p ("[...]").
// It returns whether c matched, the class's length, and whether p holds a
// well-formed class at all.
func matchClass(p string, c byte) (matched bool, n int, valid bool) {
	k := 1
	negate := false
	if k < len(p) && (p[k] == '!' || p[k] == '^') {
		negate = true
		k++
	}
	first := true
	for k < len(p) {
		if p[k] == ']' && !first {
			return matched != negate, k + 1, true
		}
		first = false
		lo := p[k]
		if k+2 < len(p) && p[k+1] == '-' && p[k+2] != ']' {
			if lo <= c && c <= p[k+2] {
				matched = true
			}
			k += 3
			continue
		}
		if lo == c {
			matched = true
		}
		k++
	}
	return false, 0, false
}

// MatchAny filters names by pattern, keeping their order.
func MatchAny(pattern string, names []string) []string {
	var out []string
	for _, n := range names {
		if Match(pattern, n) {
			out = append(out, n)
		}
	}
	return out
}
