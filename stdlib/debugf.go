package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// debugf(fmt, ...) writes to the kernel's trace pipe with bpf_trace_printk,
// as bpftrace does: at most three arguments, and only the conversions that
// helper understands.

const debugfMaxArgs = 3 // bpf_trace_printk's limit, see bpf-helpers(7)

func init() {
	register(&Entry{Name: "debugf", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: -1,
		Check: checkDebugf, Emit: emitDebugf})
}

// checkDebugf checks the call and keeps its format (Data) for emitDebugf.
func checkDebugf(c Checker, call *Call) types.Type {
	f, ok := formatLiteral(c, call)
	if !ok {
		return &types.Void{}
	}
	var args []types.Type
	for _, a := range call.Args[1:] {
		t := c.Check(a)
		if t == nil {
			return &types.Void{}
		}
		args = append(args, t)
	}
	if !checkFormat(c, call, f, args) {
		return &types.Void{}
	}
	c.Warnf(call.Span(), "The debugf() builtin is not recommended for production use. For more information see bpf_trace_printk in bpf-helpers(7).")
	if len(args) > debugfMaxArgs {
		c.Errorf(call.Span(), "cannot use more than %d conversion specifiers", debugfMaxArgs)
		return &types.Void{}
	}
	convs, _ := ParseFormat(f)
	good := true
	for i, v := range convs {
		_, isStr := args[i].(*types.String)
		switch v {
		case 'd', 'u', 'x', 'p':
			if isStr || !isIntLike(args[i]) {
				c.Errorf(call.Args[i+1].Span(), "Type does not match format specifier: %c", v)
				good = false
			}
		case 's':
			if !isStr {
				c.Errorf(call.Args[i+1].Span(), "Type does not match format specifier: %c", v)
				good = false
			}
		default:
			c.Errorf(call.Args[0].Span(), "Invalid format specifier for `debugf`: %c", v)
			good = false
		}
	}
	if good {
		c.SetData(call, f)
	}
	return &types.Void{}
}

func emitDebugf(g Gen, call *Call, _ Loc) {
	f := g.Data(call).(string)
	n := len(f) + 1
	format := g.Temp(n)
	g.StringConst(format, f, n)
	// Each argument is evaluated into the stack first: the helper takes
	// integers by value and strings by address, in r3-r5.
	type slot struct {
		loc Loc
		str bool
	}
	slots := make([]slot, 0, len(call.Args)-1)
	for _, a := range call.Args[1:] {
		if st, ok := g.Type(a).(*types.String); ok {
			buf := g.Temp(st.Size())
			g.Store(a, buf, st)
			slots = append(slots, slot{buf, true})
			continue
		}
		r := g.Expr(a)
		s := g.Temp(8)
		g.StoreReg(s, r, asm.DWord)
		g.Pop()
		slots = append(slots, slot{s, false})
	}
	g.Addr(asm.R1, format)
	g.Emit(asm.Mov.Imm(asm.R2, int32(n)))
	for i, s := range slots {
		r := asm.R3 + asm.Register(i)
		if s.str {
			g.Addr(r, s.loc)
		} else {
			g.LoadMem(r, s.loc, asm.DWord)
		}
	}
	g.Emit(asm.FnTracePrintk.Call())
}
