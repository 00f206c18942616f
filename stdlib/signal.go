package stdlib

import (
	"strings"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// signal() sends a signal to the current process with bpf_send_signal.

func init() {
	register(&Entry{Name: "signal", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
		Check: func(c Checker, call *Call) types.Type {
			if !c.Unsafe() {
				c.Errorf(call.Span(), "signal() is an unsafe function being used in safe mode")
			}
			a := call.Args[0]
			var sig int64
			if s, ok := c.ConstString(a); ok {
				n := unix.SignalNum("SIG" + strings.TrimPrefix(strings.ToUpper(s), "SIG"))
				if n == 0 {
					c.Errorf(a.Span(), "signal(): unknown signal %q", s)
					return nil
				}
				sig = int64(n)
			} else if id, ok := identName(a); ok {
				n := unix.SignalNum(id)
				if n == 0 {
					c.Errorf(a.Span(), "signal(): unknown signal %s", id)
					return nil
				}
				sig = int64(n)
			} else if n, ok := c.ConstInt(a); ok {
				if n < 1 || n > 64 {
					c.Errorf(a.Span(), "signal(): %d is not a valid signal", n)
					return nil
				}
				sig = n
			} else {
				c.Errorf(a.Span(), "signal() expects a signal name or number constant")
				return nil
			}
			c.SetData(call, sig)
			return &types.Void{}
		},
		Emit: func(g Gen, call *Call, _ Loc) {
			g.Emit(asm.Mov.Imm(asm.R1, int32(g.Data(call).(int64))), asm.FnSendSignal.Call())
		}})
}
