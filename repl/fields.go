package repl

import (
	"regexp"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// Field completion after "->" and ".": the type of the expression before
// the operator is found with a few patterns, not by checking the entry:
//
//	args.            the fields of the probe's arguments (tracepoints, fentry...)
//	curtask->        struct task_struct
//	((struct x *)e)-> or (struct x *)e->   struct x
//	$v->             where the entry has "$v = (struct x *)..." or "$v = curtask"
//
// followed by any chain of ->field / .field through struct members.

var (
	chainPart = regexp.MustCompile(`(?:->|\.)([A-Za-z_]\w*)$`)
	castBase  = regexp.MustCompile(`\(\s*\(?\s*(struct|union)\s+(\w+)\s*\*\s*\)\s*[^()]*\)?$`)
	identBase = regexp.MustCompile(`([$@]?[A-Za-z_]\w*)$`)
)

// fields lists the members reachable by the operator that ends expr's text
// (expr is everything before the operator; entry is the whole entry text).
func (c *completer) fields(entry, expr string) []string {
	// Peel "->a->b" off the end, innermost base first.
	var chain []string
	for {
		m := chainPart.FindStringSubmatchIndex(expr)
		if m == nil {
			break
		}
		chain = append([]string{expr[m[2]:m[3]]}, chain...)
		expr = expr[:m[0]]
	}
	expr = strings.TrimRight(expr, " \t")
	if ib := identBase.FindString(expr); ib == "args" && len(chain) == 0 {
		return c.argsFields(entry)
	}
	t := c.baseType(entry, expr)
	for _, f := range chain {
		st := c.structOf(t)
		if st == nil {
			return nil
		}
		t = nil
		for _, fl := range c.members(st) {
			if fl.Name == f {
				t = fl.Type
			}
		}
	}
	st := c.structOf(t)
	if st == nil {
		return nil
	}
	var out []string
	for _, f := range c.members(st) {
		out = append(out, f.Name)
	}
	return out
}

// members lists a struct's named fields, with those of anonymous struct and
// union members lifted up, as C lets them be used.
func (c *completer) members(st *types.Struct) []types.Field {
	var out []types.Field
	for _, f := range st.Fields {
		if f.Name != "" {
			out = append(out, f)
			continue
		}
		if inner, ok := f.Type.(*types.Struct); ok {
			if full := c.structOf(inner); full != nil && full != st {
				out = append(out, c.members(full)...)
			}
		}
	}
	return out
}

// baseType guesses the type of the expression text before the chain.
func (c *completer) baseType(entry, expr string) types.Type {
	if m := castBase.FindStringSubmatch(expr); m != nil {
		return c.structType(m[1] + " " + m[2])
	}
	ib := identBase.FindString(expr)
	switch {
	case ib == "curtask":
		return c.structType("struct task_struct")
	case strings.HasPrefix(ib, "$"):
		re := regexp.MustCompile(regexp.QuoteMeta(ib) + `\s*=\s*(.*?)(;|\n|$)`)
		for _, m := range re.FindAllStringSubmatch(entry, -1) {
			if cm := castBase.FindStringSubmatch(strings.TrimSpace(m[1])); cm != nil {
				return c.structType(cm[1] + " " + cm[2])
			}
			if strings.TrimSpace(m[1]) == "curtask" {
				return c.structType("struct task_struct")
			}
		}
	}
	return nil
}

func (c *completer) structType(name string) types.Type {
	k := c.kernel()
	if k == nil {
		return nil
	}
	st, err := k.Struct(name)
	if err != nil {
		return nil
	}
	return st
}

// structOf returns the struct t is or points to, complete.
func (c *completer) structOf(t types.Type) *types.Struct {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem
	}
	st, ok := t.(*types.Struct)
	if !ok {
		return nil
	}
	if st.Fields == nil && st.Name != "" {
		if k := c.kernel(); k != nil {
			if full, err := k.Struct(st.String()); err == nil {
				return full
			}
		}
	}
	return st
}

// argsFields lists the argument names of the entry's first attach point,
// as `-lv` shows them.
func (c *completer) argsFields(entry string) []string {
	ap := strings.TrimSpace(entry)
	if i := strings.IndexAny(ap, " \t\n{,/"); i >= 0 {
		ap = ap[:i]
	}
	if !strings.Contains(ap, ":") {
		return nil
	}
	ls, err := probe.List(ap, true, c.s.host)
	if err != nil || len(ls) == 0 {
		return nil
	}
	var out []string
	for _, p := range ls[0].Params {
		p = strings.TrimSpace(p)
		if i := strings.IndexByte(p, '['); i >= 0 {
			p = p[:i]
		}
		f := strings.Fields(p)
		if len(f) == 0 {
			continue
		}
		out = append(out, strings.TrimLeft(f[len(f)-1], "*"))
	}
	return out
}
