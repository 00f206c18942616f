package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// strOperand places a string expression in memory and returns where, with
// the constant text when it is a literal.
func (g *gen) strOperand(e ast.Expr) (loc stdlib.Loc, n int, lit string, isLit bool) {
	if k, ok := g.info.Consts[e]; ok && k.IsStr {
		return stdlib.Loc{}, len(k.Str) + 1, k.Str, true
	}
	if l, ok := e.(*ast.StringLit); ok {
		return stdlib.Loc{}, len(l.Value) + 1, l.Value, true
	}
	t := g.Type(e).(*types.String)
	if l, ok := g.locOf(e); ok {
		return l, t.N, "", false
	}
	l := g.Temp(t.N)
	g.StorePadded(e, l, t) // the comparison loop may read every byte
	return l, t.N, "", false
}

// strEqual generates a == b / a != b on strings as a 0/1 value.
func (g *gen) strEqual(e *ast.Binary) asm.Register {
	a, an, alit, aIsLit := g.strOperand(e.L)
	b, bn, blit, bIsLit := g.strOperand(e.R)
	r := g.Push()
	ne, end := g.NewLabel(), g.NewLabel()
	switch {
	case aIsLit && bIsLit:
		v := int32(0)
		if (alit == blit) == (e.Op == "==") {
			v = 1
		}
		g.Emit(asm.Mov.Imm(r, v))
		return r
	case aIsLit:
		g.strCmpConst(b, bn, alit, ne)
	case bIsLit:
		g.strCmpConst(a, an, blit, ne)
	default:
		n := an
		if bn < n {
			n = bn
		}
		g.strCmpLoop(a, b, n, ne)
	}
	eq, neq := int32(1), int32(0)
	if e.Op == "!=" {
		eq, neq = 0, 1
	}
	g.Emit(asm.Mov.Imm(r, eq))
	g.jmp(end)
	g.Bind(ne)
	g.Emit(asm.Mov.Imm(r, neq))
	g.Bind(end)
	return r
}

// strCmpConst jumps to ne unless the string at l (capacity n) equals s.
// It compares the literal and its NUL in the widest aligned chunks.
func (g *gen) strCmpConst(l stdlib.Loc, n int, s string, ne string) {
	data := append([]byte(s), 0)
	if len(data) > n {
		// The slot cannot hold s: equal only if s's head fills it without NUL; bpftrace compares n bytes.
		data = data[:n]
	}
	base, off := g.base(l, asm.R1)
	if base != asm.R10 {
		g.Emit(asm.Mov.Reg(asm.R3, base))
		base = asm.R3
	}
	for i := 0; i < len(data); {
		sz, w := sizeAt(l.Off+int32(i), len(data)-i)
		var v int64
		for j := w - 1; j >= 0; j-- {
			v = v<<8 | int64(data[i+j])
		}
		g.Emit(asm.LoadMem(asm.R2, base, off+int16(i), sz))
		if sz == asm.DWord {
			g.Emit(asm.LoadImm(asm.R1, v, asm.DWord), asm.JNE.Reg(asm.R2, asm.R1, ne))
		} else if sz == asm.Word && v > 0x7fffffff {
			g.Emit(asm.Mov.Imm32(asm.R1, int32(uint32(v))), asm.JNE.Reg(asm.R2, asm.R1, ne))
		} else {
			g.Emit(asm.JNE.Imm(asm.R2, int32(v), ne))
		}
		i += w
	}
}

// strCmpLoop jumps to ne unless the strings at a and b agree up to their
// first NUL (or n bytes). String values are NUL-padded to their capacity
// wherever they are compared (variables, map values, padded temporaries),
// so short strings compare word by word with no loop; long ones use a
// bounded loop the verifier walks.
func (g *gen) strCmpLoop(a, b stdlib.Loc, n int, ne string) {
	if n <= 64 {
		ab, aoff := g.base(a, asm.R4)
		if ab != asm.R10 {
			g.Emit(asm.Mov.Reg(asm.R4, ab))
			ab = asm.R4
		}
		bb, boff := g.base(b, asm.R5)
		for i := 0; i < n; {
			sz, w := sizeAt((a.Off+int32(i))|(b.Off+int32(i)), n-i)
			g.Emit(asm.LoadMem(asm.R1, ab, aoff+int16(i), sz), asm.LoadMem(asm.R2, bb, boff+int16(i), sz),
				asm.JNE.Reg(asm.R1, asm.R2, ne))
			i += w
		}
		return
	}
	g.Addr(asm.R4, a)
	g.Addr(asm.R5, b)
	g.strCmpRegs(n, ne, "")
}

// strCmpRegs compares the bytes at r4 and r5 for n bytes; jumps to ne on a
// difference; falls through (or jumps to eq when set) when equal.
func (g *gen) strCmpRegs(n int, ne, eq string) {
	top, done := g.NewLabel(), g.NewLabel()
	if eq == "" {
		eq = done
	}
	g.Emit(asm.Mov.Imm(asm.R3, 0))
	g.Bind(top)
	g.Emit(
		asm.JGE.Imm(asm.R3, int32(n), eq),
		asm.Mov.Reg(asm.R1, asm.R4), asm.Add.Reg(asm.R1, asm.R3), asm.LoadMem(asm.R1, asm.R1, 0, asm.Byte),
		asm.Mov.Reg(asm.R2, asm.R5), asm.Add.Reg(asm.R2, asm.R3), asm.LoadMem(asm.R2, asm.R2, 0, asm.Byte),
		asm.JNE.Reg(asm.R1, asm.R2, ne),
		asm.JEq.Imm(asm.R1, 0, eq),
		asm.Add.Imm(asm.R3, 1),
	)
	g.jmp(top)
	g.Bind(done)
}
