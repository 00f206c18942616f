package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// globmatch(str, pat): whether the whole of str matches the glob pattern
// pat (? * [abc] [a-z] [!abc], no special '/'). The pattern is a literal,
// compiled into a bit-parallel automaton: bit k of a 64-bit mask says the
// first k pattern elements match what was read so far, and each byte of
// the string updates the mask with straight-line ALU code, no branches.
// One loop over the string with one path through it is what the verifier
// checks quickly; backtracking over '*' would branch per position and
// explode its search on long strings.

func init() {
	register(&Entry{Name: "globmatch", Kind: Func, Paren: true, MinArgs: 2, MaxArgs: 2,
		Check: func(c Checker, call *Call) types.Type {
			pat, ok := checkStringAndLiteral(c, call, "pattern")
			if !ok {
				return nil
			}
			g := parseGlob(pat)
			if len(g) > maxGlobElems {
				c.Errorf(call.Args[1].Span(), "globmatch(): the pattern has %d elements, at most %d are supported", len(g), maxGlobElems)
				return nil
			}
			c.SetData(call, g)
			return &types.Bool{}
		},
		Emit: emitGlobmatch})
}

// maxGlobElems keeps the accepting bit inside the 64-bit mask.
const maxGlobElems = 63

// globAtom is one pattern element: '*', '?', a literal byte or a class.
type globAtom struct {
	star, any bool
	lit       byte
	class     [][2]byte // ranges, inclusive; a single byte is {c, c}
	negate    bool
	isSet     bool
}

type glob []globAtom

func parseGlob(p string) glob {
	var g glob
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			g = append(g, globAtom{star: true})
		case '?':
			g = append(g, globAtom{any: true})
		case '[':
			a, n, ok := parseClass(p[i:])
			if !ok { // no closing ']': a literal '['
				g = append(g, globAtom{lit: c})
				continue
			}
			g = append(g, a)
			i += n - 1
		default:
			g = append(g, globAtom{lit: c})
		}
	}
	return g
}

// closure adds to mask the states reachable through '*'s matching nothing.
func (g glob) closure(mask uint64) uint64 {
	for k, a := range g {
		if a.star && mask&(1<<k) != 0 {
			mask |= 1 << (k + 1)
		}
	}
	return mask
}

// parseClass reads "[...]" at the start of p and returns its length.
func parseClass(p string) (globAtom, int, bool) {
	a := globAtom{isSet: true}
	i := 1
	if i < len(p) && p[i] == '!' {
		a.negate = true
		i++
	}
	first := true
	for ; i < len(p); i++ {
		c := p[i]
		if c == ']' && !first {
			return a, i + 1, true
		}
		first = false
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			lo, hi := c, p[i+2]
			if lo <= hi {
				a.class = append(a.class, [2]byte{lo, hi})
			}
			i += 2
			continue
		}
		a.class = append(a.class, [2]byte{c, c})
	}
	return globAtom{}, 0, false
}

// emitGlobMatch sets acc to 1 when the byte in r2 matches atom a (not a
// star), else 0, using tmp.
func emitGlobMatch(g Gen, a globAtom, acc, tmp asm.Register) {
	// inRange: acc |= (r2-lo >= 0 && (hi-lo)-(r2-lo) >= 0), from sign bits.
	inRange := func(lo, hi byte) {
		g.Emit(asm.Mov.Reg(tmp, asm.R2), asm.Sub.Imm(tmp, int32(lo)),
			asm.Mov.Imm(asm.R1, int32(hi-lo)), asm.Sub.Reg(asm.R1, tmp),
			asm.Or.Reg(tmp, asm.R1), asm.RSh.Imm(tmp, 63), asm.Xor.Imm(tmp, 1),
			asm.Or.Reg(acc, tmp))
	}
	g.Emit(asm.Mov.Imm(acc, 0))
	switch {
	case a.any: // any byte but the NUL, which ends the loop first
		g.Emit(asm.Mov.Imm(acc, 1))
	case a.isSet:
		for _, r := range a.class {
			inRange(r[0], r[1])
		}
		if a.negate {
			g.Emit(asm.Xor.Imm(acc, 1))
		}
	default:
		inRange(a.lit, a.lit)
	}
}

// emitGlobmatch pushes 1 when the string matches, 0 if not. Registers: r4
// the string, r3 the index, r2 the byte, r5 the mask, r0 the next mask,
// r1 and two temporaries for arithmetic.
func emitGlobmatch(g Gen, call *Call, _ Loc) {
	pat := g.Data(call).(glob)
	str := stringAt(g, call.Args[0])
	n := g.Type(call.Args[0]).(*types.String).N
	r := g.Push()
	acc, tmp := g.Push(), g.Push()
	top, end := g.NewLabel(), g.NewLabel()
	g.Addr(asm.R4, str)
	g.Emit(asm.LoadImm(asm.R5, int64(pat.closure(1)), asm.DWord), asm.Mov.Imm(asm.R3, 0))
	g.Bind(top)
	g.Emit(asm.JGE.Imm(asm.R3, int32(n), end),
		asm.Mov.Reg(asm.R1, asm.R4), asm.Add.Reg(asm.R1, asm.R3),
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Byte), asm.JEq.Imm(asm.R2, 0, end),
		asm.Mov.Imm(asm.R0, 0))
	for k, a := range pat {
		if a.star { // a '*' stays where it is on any byte
			g.Emit(asm.Mov.Reg(acc, asm.R5), asm.RSh.Imm(acc, int32(k)), asm.And.Imm(acc, 1),
				asm.LSh.Imm(acc, int32(k)), asm.Or.Reg(asm.R0, acc))
			continue
		}
		emitGlobMatch(g, a, acc, tmp)
		g.Emit(asm.Mov.Reg(tmp, asm.R5), asm.RSh.Imm(tmp, int32(k)), asm.And.Reg(tmp, acc),
			asm.LSh.Imm(tmp, int32(k+1)), asm.Or.Reg(asm.R0, tmp))
	}
	for k, a := range pat { // '*'s matching nothing, in order
		if a.star {
			g.Emit(asm.Mov.Reg(acc, asm.R0), asm.RSh.Imm(acc, int32(k)), asm.And.Imm(acc, 1),
				asm.LSh.Imm(acc, int32(k+1)), asm.Or.Reg(asm.R0, acc))
		}
	}
	g.Emit(asm.Mov.Reg(asm.R5, asm.R0), asm.JEq.Imm(asm.R5, 0, end),
		asm.Add.Imm(asm.R3, 1), asm.Ja.Label(top))
	g.Bind(end)
	g.Emit(asm.Mov.Reg(r, asm.R5), asm.RSh.Imm(r, int32(len(pat))), asm.And.Imm(r, 1))
	g.Pop()
	g.Pop()
}
