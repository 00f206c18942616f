package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// syscall_name(nr) looks the x86_64 system call name up in a read-only
// array map built at compile time; an unknown number gives "".

const syscallNameLen = 24 // the longest name is 23 characters

func init() {
	register(&Entry{Name: "syscall_name", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
		Check: func(c Checker, call *Call) types.Type {
			if _, ok := wantInt(c, "syscall_name", call.Args[0]); !ok {
				return nil
			}
			return &types.String{N: syscallNameLen}
		},
		Emit: func(g Gen, call *Call, dst Loc) {
			spec := g.ConstTable("syscall_names", syscallNameLen, syscallNameTable())
			key := g.Temp(8)
			r := g.Expr(call.Args[0])
			g.StoreReg(key, r, asm.Word)
			g.Pop()
			g.Lookup(spec, key)
			// probe_read_kernel zero-fills dst when the entry is missing (r0 NULL).
			g.Emit(asm.Mov.Reg(asm.R3, asm.R0))
			g.Addr(asm.R1, dst)
			g.Emit(asm.Mov.Imm(asm.R2, syscallNameLen), asm.FnProbeReadKernel.Call())
		}})
}

func syscallNameTable() [][]byte {
	n := 0
	for nr := range syscallNames {
		n = max(n, nr+1)
	}
	out := make([][]byte, n)
	for nr, name := range syscallNames {
		out[nr] = []byte(name)
	}
	return out
}
