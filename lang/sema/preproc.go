package sema

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// bpftrace runs the C preprocessor over the script. We keep the directives
// the parser saw as ast.Preproc declarations and evaluate the conditional
// ones here: declarations (probes, structs, macros, #defines) inside a
// branch that is not taken are dropped from the program.
//
// BPFTRACE_HAVE_BTF is defined when the kernel has BTF, as bpftrace does, so
// "#ifndef BPFTRACE_HAVE_BTF" branches (hand-written struct layouts, old
// #includes) are skipped. #if understands defined(X), integers, names of
// object-like #defines, !, && and ||; anything else counts as true.

func preprocess(c *checker) {
	defined := map[string]string{"__x86_64__": "1", "__linux__": "1", "__BPF__": "1"}
	conditional := false
	for _, d := range c.prog.Decls {
		if pp, ok := d.(*ast.Preproc); ok {
			dir, _ := splitDirective(pp.Text)
			conditional = conditional || dir == "if" || dir == "ifdef" || dir == "ifndef"
		}
	}
	if !conditional {
		return
	}
	// Loading the kernel's BTF costs time: only scripts with conditionals ask.
	if c.kernel() != nil {
		defined["BPFTRACE_HAVE_BTF"] = "1"
	}
	type frame struct {
		active, taken, parentActive bool
		at                          lang.Span
		dir                         string
	}
	var stack []frame
	active := true
	var out []ast.Decl
	for _, d := range c.prog.Decls {
		pp, ok := d.(*ast.Preproc)
		if !ok {
			if active {
				out = append(out, d)
			}
			continue
		}
		dir, arg := splitDirective(pp.Text)
		switch dir {
		case "ifdef", "ifndef", "if":
			var cond bool
			switch dir {
			case "ifdef":
				_, cond = defined[firstWord(arg)]
			case "ifndef":
				_, cond = defined[firstWord(arg)]
				cond = !cond
			default:
				cond = evalPPCond(arg, defined)
			}
			stack = append(stack, frame{active: active && cond, taken: cond, parentActive: active, at: pp.Span(), dir: dir})
			active = active && cond
		case "elif", "else":
			if len(stack) == 0 {
				c.errorf(pp.Span(), "#%s without #if", dir)
				continue
			}
			f := &stack[len(stack)-1]
			cond := !f.taken && (dir == "else" || evalPPCond(arg, defined))
			f.taken = f.taken || cond
			f.active = f.parentActive && cond
			active = f.active
		case "endif":
			if len(stack) == 0 {
				c.errorf(pp.Span(), "#endif without #if")
				continue
			}
			active = stack[len(stack)-1].parentActive
			stack = stack[:len(stack)-1]
		default:
			if !active {
				continue
			}
			switch dir {
			case "define":
				name, value, _ := strings.Cut(strings.TrimSpace(arg), " ")
				if i := strings.IndexAny(name, "(\t"); i >= 0 {
					name = name[:i]
				}
				defined[name] = strings.TrimSpace(value)
			case "undef":
				delete(defined, firstWord(arg))
			}
			out = append(out, d)
		}
	}
	if len(stack) > 0 {
		c.errorf(stack[len(stack)-1].at, "unterminated #%s", stack[len(stack)-1].dir)
	}
	c.prog.Decls = out
}

// splitDirective splits "#  ifdef X" into "ifdef" and "X".
func splitDirective(text string) (string, string) {
	t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "#"))
	i := 0
	for i < len(t) && (t[i] >= 'a' && t[i] <= 'z') {
		i++
	}
	return t[:i], strings.TrimSpace(t[i:])
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// evalPPCond evaluates a #if condition: "||" of "&&" of terms, each
// [!]defined(X), [!]defined X, an integer or a macro name.
func evalPPCond(s string, defined map[string]string) bool {
	if i := strings.Index(s, "//"); i >= 0 {
		s = s[:i]
	}
	for _, or := range strings.Split(s, "||") {
		all := true
		for _, term := range strings.Split(or, "&&") {
			all = all && evalPPTerm(strings.TrimSpace(term), defined, 0)
		}
		if all {
			return true
		}
	}
	return false
}

func evalPPTerm(t string, defined map[string]string, depth int) bool {
	t = strings.TrimSpace(t)
	for strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	if strings.HasPrefix(t, "!") {
		return !evalPPTerm(t[1:], defined, depth)
	}
	if rest, ok := strings.CutPrefix(t, "defined"); ok {
		name := strings.Trim(strings.TrimSpace(rest), "() ")
		_, ok := defined[name]
		return ok
	}
	if n, err := strconv.ParseInt(strings.TrimRight(t, "uUlL"), 0, 64); err == nil {
		return n != 0
	}
	if v, ok := defined[t]; ok {
		if depth > 8 || v == "" {
			return v != ""
		}
		return evalPPTerm(v, defined, depth+1)
	}
	if isIdent(t) {
		return false // an undefined name is 0
	}
	return true
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}
