package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Byte-level helpers: ntop, buf, bswap, strerror.

const (
	afInet  = 2
	afInet6 = 10
)

// inetType is ntop()'s value: {int64 af; u8 addr[16]} (see the runtime's decoder).
var inetType = &types.Special{Name: "inet", Bytes: 24}

func init() {
	register(
		&Entry{Name: "ntop", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Check: checkNtop, Emit: emitNtop},
		&Entry{Name: "buf", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Check: checkBuf, Emit: emitBuf},
		&Entry{Name: "bswap", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				t, ok := wantInt(c, "bswap", call.Args[0])
				if !ok {
					return nil
				}
				it, ok := t.(*types.Int)
				if !ok || it.Bits < 16 {
					if ok && it.Bits == 8 {
						return it
					}
					return types.Uint64
				}
				return &types.Int{Bits: it.Bits, Signed: false}
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				r := g.Expr(call.Args[0])
				if it, ok := g.Type(call.Node).(*types.Int); ok && it.Bits > 8 {
					// "to big endian" swaps on little-endian hosts, on any kernel
					size := map[int]asm.Size{16: asm.Half, 32: asm.Word, 64: asm.DWord}[it.Bits]
					g.Emit(asm.HostTo(asm.BE, r, size))
				}
			}},
		&Entry{Name: "strerror", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				if _, ok := wantInt(c, "strerror", call.Args[0]); !ok {
					return nil
				}
				return &types.Special{Name: "strerror", Bytes: 8}
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				r := g.Expr(call.Args[0])
				g.StoreReg(dst, r, asm.DWord)
				g.Pop()
			}},
	)
}

type ntopData struct {
	af   int64 // constant family, or 0 when given at run time
	size int   // address bytes: 4 or 16 (from an array), 0 for an integer
}

func checkNtop(c Checker, call *Call) types.Type {
	d := &ntopData{}
	addr := call.Args[len(call.Args)-1]
	if len(call.Args) == 2 {
		if _, ok := wantInt(c, "ntop", call.Args[0]); !ok {
			return nil
		}
	}
	t := c.Check(addr)
	switch t := t.(type) {
	case nil:
		return nil
	case *types.Int:
		d.af = afInet
	case *types.Array:
		if t.Size() != 4 && t.Size() != 16 {
			c.Errorf(addr.Span(), "ntop(): the address must be 4 or 16 bytes, got %s", t)
			return nil
		}
		d.size = t.Size()
		d.af = afInet
		if d.size == 16 {
			d.af = afInet6
		}
	default:
		c.Errorf(addr.Span(), "ntop() expects an integer or a 4/16-byte array, got %s", t)
		return nil
	}
	if len(call.Args) == 2 {
		if af, ok := c.ConstInt(call.Args[0]); ok {
			d.af = af
		} else {
			d.af = 0
		}
	}
	c.SetData(call, d)
	return inetType
}

func emitNtop(g Gen, call *Call, dst Loc) {
	d := g.Data(call).(*ntopData)
	addr := call.Args[len(call.Args)-1]
	g.Zero(dst, 24)
	if d.af != 0 {
		g.StoreImm(dst, d.af, asm.DWord)
	} else {
		r := g.Expr(call.Args[0])
		g.StoreReg(dst, r, asm.DWord)
		g.Pop()
	}
	if d.size == 0 {
		r := g.Expr(addr)
		g.StoreReg(dst.At(8), r, asm.Word)
		g.Pop()
		return
	}
	g.Store(addr, dst.At(8), g.Type(addr))
}

type bufData struct {
	N       int
	Dynamic bool
}

func checkBuf(c Checker, call *Call) types.Type {
	t := c.Check(call.Args[0])
	if t == nil {
		return nil
	}
	d := &bufData{N: c.MaxStrlen()}
	switch t := t.(type) {
	case *types.Array:
		d.N = t.Size()
	case *types.String:
		d.N = t.N
	case *types.Int, *types.Pointer:
		if len(call.Args) == 1 {
			c.Errorf(call.Span(), "buf(): the length is required for a pointer")
			return nil
		}
	default:
		c.Errorf(call.Args[0].Span(), "buf() expects a pointer or an array, got %s", t)
		return nil
	}
	if _, isStr := t.(*types.String); isStr && len(call.Args) == 2 {
		// A length past the string's own size reads NUL padding, as
		// bpftrace does: buf("ok_key", 8) is "ok_key\x00\x00".
		if n, ok := c.ConstInt(call.Args[1]); ok && n > 0 && int(n) <= c.MaxStrlen() {
			d.N = int(n)
		}
		c.SetData(call, d)
		return &types.Buffer{N: d.N}
	}
	if len(call.Args) == 2 {
		if _, ok := wantInt(c, "buf", call.Args[1]); !ok {
			return nil
		}
		if n, ok := c.ConstInt(call.Args[1]); ok {
			if n < 1 {
				c.Errorf(call.Args[1].Span(), "buf(): the length must be positive")
				return nil
			}
			if int(n) < d.N {
				d.N = int(n)
			}
		} else {
			d.Dynamic = true
		}
	}
	c.SetData(call, d)
	return &types.Buffer{N: d.N}
}

func emitBuf(g Gen, call *Call, dst Loc) {
	d := g.Data(call).(*bufData)
	switch t := g.Type(call.Args[0]).(type) {
	case *types.Array:
		g.StoreImm(dst, int64(d.N), asm.Word)
		g.Store(call.Args[0], dst.At(4), t)
		return
	case *types.String:
		// the bytes of a string value, NUL included (cut to the length,
		// or padded with NULs up to it)
		g.StoreImm(dst, int64(d.N), asm.Word)
		tmp := g.Temp(max(t.N, d.N))
		if d.N > t.N {
			g.Zero(tmp.At(t.N), d.N-t.N)
		}
		g.Store(call.Args[0], tmp, t)
		g.Copy(dst.At(4), tmp, d.N)
		return
	}
	p := g.Expr(call.Args[0])
	n := g.Push()
	if d.Dynamic {
		g.Pop()
		n = g.Expr(call.Args[1])
		g.Emit(asm.JLE.Imm(n, int32(d.N), "").WithReference(""), asm.Mov.Imm(n, int32(d.N)))
		fixSkip(g)
	} else {
		g.Emit(asm.Mov.Imm(n, int32(d.N)))
	}
	g.StoreReg(dst, n, asm.Word)
	g.Emit(asm.Mov.Reg(asm.R2, n), asm.Mov.Reg(asm.R3, p))
	g.Addr(asm.R1, dst.At(4))
	read := asm.FnProbeReadKernel
	if g.AddrSpace(call.Args[0]) == types.AddrUser {
		read = asm.FnProbeReadUser
	}
	g.Emit(read.Call())
	g.Pop()
	g.Pop()
}
