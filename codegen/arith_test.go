package codegen_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/sema"
)

// arithExpr builds a random signed 64-bit expression and its value with C
// semantics (wrapping, truncating division, arithmetic right shift).
func arithExpr(r *rand.Rand, depth int) (string, int64) {
	if depth == 0 || r.Intn(4) == 0 {
		v := int64(r.Intn(2001) - 1000)
		if r.Intn(5) == 0 {
			v = r.Int63() - r.Int63()
		}
		if v < 0 {
			return fmt.Sprintf("(%d)", v), v
		}
		return fmt.Sprint(v), v
	}
	ls, l := arithExpr(r, depth-1)
	rs, rv := arithExpr(r, depth-1)
	switch r.Intn(12) {
	case 0:
		return "(" + ls + " + " + rs + ")", l + rv
	case 1:
		return "(" + ls + " - " + rs + ")", l - rv
	case 2:
		return "(" + ls + " * " + rs + ")", l * rv
	case 3:
		if rv == 0 {
			return ls, l
		}
		return "(" + ls + " / " + rs + ")", l / rv
	case 4:
		if rv == 0 {
			return ls, l
		}
		return "(" + ls + " % " + rs + ")", l % rv
	case 5:
		return "(" + ls + " & " + rs + ")", l & rv
	case 6:
		return "(" + ls + " | " + rs + ")", l | rv
	case 7:
		return "(" + ls + " ^ " + rs + ")", l ^ rv
	case 8:
		sh := rv & 63
		if sh < 0 {
			sh = -sh
		}
		return fmt.Sprintf("(%s << %d)", ls, sh), l << uint(sh)
	case 9:
		sh := rv & 63
		if sh < 0 {
			sh = -sh
		}
		return fmt.Sprintf("(%s >> %d)", ls, sh), l >> uint(sh)
	case 10:
		v := int64(0)
		if l < rv {
			v = 1
		}
		return "((" + ls + " < " + rs + ") ? 1 : 0)", v
	default:
		if l != 0 {
			return "(" + ls + " ? " + rs + " : 5)", rv
		}
		return "(" + ls + " ? " + rs + " : 5)", 5
	}
}

// TestArithmetic checks random integer expressions against Go's int64
// arithmetic, in variables (run time) as well as literals.
func TestArithmetic(t *testing.T) {
	needRoot(t)
	r := rand.New(rand.NewSource(1))
	for round := 0; round < 20; round++ {
		var src, want strings.Builder
		src.WriteString("BEGIN {\n")
		for i := 0; i < 10; i++ {
			e, v := arithExpr(r, 4)
			// through a variable too, so nothing is folded
			fmt.Fprintf(&src, "$v%d = %s; printf(\"%%ld %%ld\\n\", %s, $v%d);\n", i, e, e, i)
			fmt.Fprintf(&want, "%d %d\n", v, v)
		}
		src.WriteString("}\n")
		obj, _ := build(t, src.String(), sema.Options{})
		l := load(t, obj)
		l.run(t, "begin")
		if got := l.output(t); got != want.String() {
			t.Fatalf("%s\ngot:\n%s\nwant:\n%s", src.String(), got, want.String())
		}
	}
}

// uarithExpr is arithExpr on uint64 values (every leaf cast to uint64).
func uarithExpr(r *rand.Rand, depth int) (string, uint64) {
	if depth == 0 || r.Intn(4) == 0 {
		v := uint64(r.Intn(2001)) - 1000
		if r.Intn(5) == 0 {
			v = r.Uint64()
		}
		return fmt.Sprintf("(uint64)%d", int64(v)), v
	}
	ls, l := uarithExpr(r, depth-1)
	rs, rv := uarithExpr(r, depth-1)
	switch r.Intn(8) {
	case 0:
		return "(" + ls + " + " + rs + ")", l + rv
	case 1:
		return "(" + ls + " * " + rs + ")", l * rv
	case 2:
		if rv == 0 {
			return ls, l
		}
		return "(" + ls + " / " + rs + ")", l / rv
	case 3:
		if rv == 0 {
			return ls, l
		}
		return "(" + ls + " % " + rs + ")", l % rv
	case 4:
		return fmt.Sprintf("(%s >> %d)", ls, rv&63), l >> (rv & 63)
	case 5:
		v := uint64(0)
		if l < rv {
			v = 1
		}
		return "((" + ls + " < " + rs + ") ? 1 : 0)", v
	case 6:
		return "(" + ls + " - " + rs + ")", l - rv
	default:
		return "(" + ls + " ^ " + rs + ")", l ^ rv
	}
}

func TestUnsignedArithmetic(t *testing.T) {
	needRoot(t)
	r := rand.New(rand.NewSource(2))
	for round := 0; round < 10; round++ {
		var src, want strings.Builder
		src.WriteString("BEGIN {\n")
		for i := 0; i < 10; i++ {
			e, v := uarithExpr(r, 4)
			fmt.Fprintf(&src, "$v%d = %s; printf(\"%%lu %%lu\\n\", %s, $v%d);\n", i, e, e, i)
			fmt.Fprintf(&want, "%d %d\n", v, v)
		}
		src.WriteString("}\n")
		obj, _ := build(t, src.String(), sema.Options{})
		l := load(t, obj)
		l.run(t, "begin")
		if got := l.output(t); got != want.String() {
			t.Fatalf("%s\ngot:\n%s\nwant:\n%s", src.String(), got, want.String())
		}
	}
}
