package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// join(argv[, sep]) sends up to JoinArgs strings read through an array of
// string pointers (execve's argv); the runtime joins them with sep.

// JoinArgs is how many array elements join() reads, as bpftrace.
const JoinArgs = 16

type joinData struct{ N int }

func init() {
	register(&Entry{Name: "join", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: 2,
		Check: func(c Checker, call *Call) types.Type {
			t := c.Check(call.Args[0])
			if t == nil {
				return nil
			}
			if !isIntLike(t) {
				c.Errorf(call.Args[0].Span(), "join() expects an array of string pointers, got %s", t)
				return nil
			}
			sep := " "
			if len(call.Args) == 2 {
				s, ok := c.ConstString(call.Args[1])
				if !ok {
					c.Errorf(call.Args[1].Span(), "join(): the separator must be a string literal")
					return nil
				}
				sep = s
			}
			n := c.MaxStrlen()
			c.SetData(call, &joinData{N: n})
			arr := &types.Array{Elem: &types.String{N: n}, Len: JoinArgs}
			c.Event(call, EvJoin, sep, []types.Type{arr}, "")
			return &types.Void{}
		},
		Emit: func(g Gen, call *Call, _ Loc) {
			n := g.Data(call).(*joinData).N
			space := g.AddrSpace(call.Args[0])
			read, readStr := asm.FnProbeReadKernel, asm.FnProbeReadKernelStr
			if space == types.AddrUser {
				read, readStr = asm.FnProbeReadUser, asm.FnProbeReadUserStr
			}
			g.WriteEvent(call, func(rec Loc) {
				for i := 0; i < JoinArgs; i++ {
					g.StoreImm(rec.At(i*n), 0, asm.Byte)
				}
				p := g.Expr(call.Args[0])
				tmp := g.Temp(8)
				done := g.NewLabel()
				for i := 0; i < JoinArgs; i++ {
					g.Emit(asm.Mov.Reg(asm.R3, p), asm.Add.Imm(asm.R3, int32(8*i)))
					g.Addr(asm.R1, tmp)
					g.Emit(asm.Mov.Imm(asm.R2, 8), read.Call())
					g.LoadMem(asm.R3, tmp, asm.DWord)
					g.Emit(asm.JEq.Imm(asm.R3, 0, done))
					g.Addr(asm.R1, rec.At(i*n))
					g.Emit(asm.Mov.Imm(asm.R2, int32(n)), readStr.Call())
				}
				g.Bind(done)
				g.Pop()
			})
		}})
}
