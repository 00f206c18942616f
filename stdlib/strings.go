package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// String functions.

type strData struct {
	N       int  // result capacity
	Dynamic bool // the length argument is not a constant
}

func init() {
	register(
		&Entry{Name: "strcontains", Kind: Func, Paren: true, MinArgs: 2, MaxArgs: 2,
			Check: func(c Checker, call *Call) types.Type {
				needle, ok := checkStringAndLiteral(c, call, "needle")
				if !ok {
					return nil
				}
				c.SetData(call, needle)
				return &types.Bool{}
			},
			Emit: emitStrcontains},
		&Entry{Name: "strstr", Kind: Func, Paren: true, MinArgs: 2, MaxArgs: 2,
			Check: func(c Checker, call *Call) types.Type {
				needle, ok := checkStringAndLiteral(c, call, "needle")
				if !ok {
					return nil
				}
				c.SetData(call, needle)
				return types.Int64
			},
			Emit: func(g Gen, call *Call, _ Loc) { emitStrSearch(g, call, true) }},
		&Entry{Name: "str", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Check: checkStr, Emit: emitStr},
		&Entry{Name: "strncmp", Kind: Func, Paren: true, MinArgs: 3, MaxArgs: 3,
			Check: func(c Checker, call *Call) types.Type {
				for _, a := range call.Args[:2] {
					t := c.Check(a)
					if _, ok := t.(*types.String); t != nil && !ok {
						c.Errorf(a.Span(), "strncmp() expects string arguments, got %s", t)
					}
				}
				n, ok := c.ConstInt(call.Args[2])
				if !ok || n < 0 {
					c.Errorf(call.Args[2].Span(), "strncmp() expects a non-negative integer literal as its length")
				}
				c.Check(call.Args[2])
				c.SetData(call, int(n))
				return types.Int64
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				n := g.Data(call).(int)
				a := stringAt(g, call.Args[0])
				b := stringAt(g, call.Args[1])
				if sa, ok := g.Type(call.Args[0]).(*types.String); ok && sa.N < n {
					n = sa.N
				}
				if sb, ok := g.Type(call.Args[1]).(*types.String); ok && sb.N < n {
					n = sb.N
				}
				r := g.Push()
				ne, end := g.NewLabel(), g.NewLabel()
				g.Addr(asm.R4, a)
				g.Addr(asm.R5, b)
				compareBytes(g, n, ne)
				g.Emit(asm.Mov.Imm(r, 0), asm.Ja.Label(end))
				g.Bind(ne)
				g.Emit(asm.Mov.Imm(r, 1))
				g.Bind(end)
			}},
	)
}

func checkStr(c Checker, call *Call) types.Type {
	t := c.Check(call.Args[0])
	if t == nil {
		return nil
	}
	max := c.MaxStrlen()
	d := &strData{N: max}
	if len(call.Args) == 2 {
		if _, ok := wantInt(c, "str", call.Args[1]); !ok {
			return nil
		}
		if n, ok := c.ConstInt(call.Args[1]); ok {
			if n < 1 {
				c.Errorf(call.Args[1].Span(), "str(): length must be positive")
				return nil
			}
			if int(n) < max {
				d.N = int(n)
			}
		} else {
			d.Dynamic = true
		}
	}
	c.SetData(call, d)
	switch t := t.(type) {
	case *types.String:
		// str() of a string keeps (at most) its capacity.
		if t.N < d.N {
			d.N = t.N
		}
		return &types.String{N: d.N}
	case *types.Int, *types.Pointer:
		return &types.String{N: d.N}
	case *types.Array:
		if it, ok := t.Elem.(*types.Int); ok && it.Bits == 8 {
			return &types.String{N: t.Len}
		}
	}
	c.Errorf(call.Args[0].Span(), "str() expects an integer or a pointer, got %s", t)
	return nil
}

func emitStr(g Gen, call *Call, dst Loc) {
	d := g.Data(call).(*strData)
	if st, ok := g.Type(call.Args[0]).(*types.String); ok {
		// str of a string: copy (and cut) it.
		n := d.N
		if st.N < n {
			n = st.N
		}
		g.Store(call.Args[0], dst, &types.String{N: n})
		if n < d.N && g.PadStrings() {
			g.Zero(dst.At(n), d.N-n)
		}
		g.StoreImm(dst.At(n-1), 0, asm.Byte)
		return
	}
	if g.PadStrings() {
		g.Zero(dst, d.N)
	}
	p := g.Expr(call.Args[0])
	if d.Dynamic {
		n := g.Expr(call.Args[1])
		g.Emit(asm.JLE.Imm(n, int32(d.N), "").WithReference(""), asm.Mov.Imm(n, int32(d.N)))
		fixSkip(g)
		g.Emit(asm.Mov.Reg(asm.R2, n))
		g.Pop()
	} else {
		g.Emit(asm.Mov.Imm(asm.R2, int32(d.N)))
	}
	g.Emit(asm.Mov.Reg(asm.R3, p))
	g.Pop()
	g.Addr(asm.R1, dst)
	fn := asm.FnProbeReadKernelStr
	if g.AddrSpace(call.Args[0]) == types.AddrUser {
		fn = asm.FnProbeReadUserStr
	}
	g.Emit(fn.Call())
}

// stringAt places a string expression in memory (a temp) and returns where.
func stringAt(g Gen, e astExpr) Loc {
	t := g.Type(e)
	n := 1
	if st, ok := t.(*types.String); ok {
		n = st.N
	}
	l := g.Temp(n)
	g.StorePadded(e, l, &types.String{N: n})
	return l
}

// compareBytes compares n bytes at r4 and r5 up to a NUL; jumps to ne on a difference.
func compareBytes(g Gen, n int, ne string) {
	top, done := g.NewLabel(), g.NewLabel()
	g.Emit(asm.Mov.Imm(asm.R3, 0))
	g.Bind(top)
	g.Emit(
		asm.JGE.Imm(asm.R3, int32(n), done),
		asm.Mov.Reg(asm.R1, asm.R4), asm.Add.Reg(asm.R1, asm.R3), asm.LoadMem(asm.R1, asm.R1, 0, asm.Byte),
		asm.Mov.Reg(asm.R2, asm.R5), asm.Add.Reg(asm.R2, asm.R3), asm.LoadMem(asm.R2, asm.R2, 0, asm.Byte),
		asm.JNE.Reg(asm.R1, asm.R2, ne),
		asm.JEq.Imm(asm.R1, 0, done),
		asm.Add.Imm(asm.R3, 1),
		asm.Ja.Label(top),
	)
	g.Bind(done)
}

// emitStrcontains searches a literal needle: for each start i (a bounded
// loop), compare the needle's bytes unrolled; a NUL before a match ends it.
func emitStrcontains(g Gen, call *Call, _ Loc) { emitStrSearch(g, call, false) }

// emitStrSearch pushes, for strcontains, 1 when the needle occurs (0 if
// not) and, for strstr (index), its first index (-1 if not).
func emitStrSearch(g Gen, call *Call, index bool) {
	needle := g.Data(call).(string)
	hay := stringAt(g, call.Args[0])
	n := g.Type(call.Args[0]).(*types.String).N
	r := g.Push()
	found, done, top, next := g.NewLabel(), g.NewLabel(), g.NewLabel(), g.NewLabel()
	if needle == "" {
		if index {
			g.Emit(asm.Mov.Imm(r, 0))
		} else {
			g.Emit(asm.Mov.Imm(r, 1))
		}
		return
	}
	m := len(needle)
	if index {
		g.Emit(asm.Mov.Imm(r, -1))
	} else {
		g.Emit(asm.Mov.Imm(r, 0))
	}
	if m >= n {
		return
	}
	g.Addr(asm.R4, hay)
	g.Emit(asm.Mov.Imm(asm.R3, 0))
	g.Bind(top)
	g.Emit(asm.JGT.Imm(asm.R3, int32(n-m-1), done),
		asm.Mov.Reg(asm.R1, asm.R4), asm.Add.Reg(asm.R1, asm.R3),
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Byte), asm.JEq.Imm(asm.R2, 0, done))
	for j := 0; j < m; j++ {
		g.Emit(asm.LoadMem(asm.R2, asm.R1, int16(j), asm.Byte), asm.JNE.Imm(asm.R2, int32(needle[j]), next))
	}
	g.Emit(asm.Ja.Label(found))
	g.Bind(next)
	g.Emit(asm.Add.Imm(asm.R3, 1), asm.Ja.Label(top))
	g.Bind(found)
	if index {
		g.Emit(asm.Mov.Reg(r, asm.R3))
	} else {
		g.Emit(asm.Mov.Imm(r, 1))
	}
	g.Bind(done)
}

// strlen(s) copies s with probe_read_kernel_str, which returns the length
// including the NUL: no loop for the verifier to bound.
func init() {
	register(&Entry{Name: "strlen", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
		Check: func(c Checker, call *Call) types.Type {
			t := c.Check(call.Args[0])
			if t == nil {
				return nil
			}
			if _, ok := t.(*types.String); !ok {
				c.Errorf(call.Args[0].Span(), "strlen() expects a string, got %s", t)
				return nil
			}
			return types.Uint64
		},
		Emit: func(g Gen, call *Call, _ Loc) {
			n := g.Type(call.Args[0]).(*types.String).N
			src := stringAt(g, call.Args[0])
			tmp := g.Temp(n + 1)
			g.Addr(asm.R1, tmp)
			g.Addr(asm.R3, src)
			g.Emit(asm.Mov.Imm(asm.R2, int32(n+1)), asm.FnProbeReadKernelStr.Call())
			r := g.Push()
			// r0 is the length plus the NUL (at least 1), or a negative error.
			g.Emit(asm.Mov.Reg(r, asm.R0), asm.Add.Imm(r, -1),
				asm.JSGE.Imm(r, 0, ""), asm.Mov.Imm(r, 0))
			fixSkip(g)
		}})
}

// memcmp(a, b, n) compares n bytes of two strings or arrays: 0 when equal,
// else the difference of the first differing bytes (as unsigned chars).
func init() {
	register(&Entry{Name: "memcmp", Kind: Func, Paren: true, MinArgs: 3, MaxArgs: 3,
		Check: func(c Checker, call *Call) types.Type {
			size := 1 << 30
			for _, a := range call.Args[:2] {
				switch t := c.Check(a).(type) {
				case nil:
					return nil
				case *types.String, *types.Array:
					size = min(size, t.Size())
				default:
					c.Errorf(a.Span(), "memcmp() expects strings or arrays, got %s", t)
					return nil
				}
			}
			c.Check(call.Args[2])
			n, ok := c.ConstInt(call.Args[2])
			if !ok || n < 0 {
				c.Errorf(call.Args[2].Span(), "memcmp(): the count must be a non-negative integer constant")
				return nil
			}
			if int(n) > size {
				c.Errorf(call.Args[2].Span(), "memcmp(): the count %d is larger than the arguments (%d bytes)", n, size)
				return nil
			}
			c.SetData(call, int(n))
			return types.Int64
		},
		Emit: func(g Gen, call *Call, _ Loc) {
			n := g.Data(call).(int)
			var locs [2]Loc
			for i, a := range call.Args[:2] {
				t := g.Type(a)
				if _, ok := t.(*types.String); ok {
					locs[i] = stringAt(g, a)
					continue
				}
				locs[i] = g.Temp(t.Size())
				g.Store(a, locs[i], t)
			}
			r := g.Push()
			top, done := g.NewLabel(), g.NewLabel()
			g.Addr(asm.R4, locs[0])
			g.Addr(asm.R5, locs[1])
			g.Emit(asm.Mov.Imm(r, 0), asm.Mov.Imm(asm.R3, 0))
			g.Bind(top)
			g.Emit(
				asm.JGE.Imm(asm.R3, int32(n), done),
				asm.Mov.Reg(asm.R1, asm.R4), asm.Add.Reg(asm.R1, asm.R3), asm.LoadMem(asm.R1, asm.R1, 0, asm.Byte),
				asm.Mov.Reg(asm.R2, asm.R5), asm.Add.Reg(asm.R2, asm.R3), asm.LoadMem(asm.R2, asm.R2, 0, asm.Byte),
				asm.Add.Imm(asm.R3, 1),
				asm.JEq.Reg(asm.R1, asm.R2, top),
				asm.Mov.Reg(r, asm.R1), asm.Sub.Reg(r, asm.R2),
			)
			g.Bind(done)
		}})
}

// checkStringAndLiteral checks f(str, "literal"): a string, then a string
// literal (what names it in the error) that it returns.
func checkStringAndLiteral(c Checker, call *Call, what string) (string, bool) {
	t := c.Check(call.Args[0])
	if _, ok := t.(*types.String); t != nil && !ok {
		c.Errorf(call.Args[0].Span(), "%s() expects a string, got %s", call.Name, t)
		return "", false
	}
	c.Check(call.Args[1])
	lit, ok := c.ConstString(call.Args[1])
	if !ok {
		c.Errorf(call.Args[1].Span(), "%s(): the %s must be a string literal", call.Name, what)
		return "", false
	}
	return lit, true
}
