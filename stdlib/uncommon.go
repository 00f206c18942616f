package stdlib

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Builtins from bpftrace's newest stdlib.md that are one helper call, a
// compile-time answer, or a clear refusal (numaid, pid/tid namespaces,
// signal_thread, override, path, has_cpid, probetype, usermode, pton,
// static_assert, cgroup_path, strcap, is_* type tests, unsupported ones),
// and the old names of builtins. This file's init runs after process.go's
// and stack.go's (file order), whose entries it extends.

func init() {
	register(
		helperVar("numaid", asm.FnGetNumaNodeId, types.Uint32, 0, false),
		&Entry{Name: "signal_thread", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				signal, _ := Lookup("signal")
				return signal.Check(c, &Call{Node: call.Node, Name: "signal_thread", Args: call.Args, Paren: true})
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				g.Emit(asm.Mov.Imm(asm.R1, int32(g.Data(call).(int64))), asm.FnSendSignalThread.Call())
			}},
		&Entry{Name: "override", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Probes: []string{"kprobe"},
			Check: func(c Checker, call *Call) types.Type {
				if !c.Unsafe() {
					c.Errorf(call.Span(), "override() is an unsafe function being used in safe mode")
				}
				if _, ok := wantInt(c, "override", call.Args[0]); !ok {
					return nil
				}
				return &types.Void{}
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				r := g.Expr(call.Args[0])
				g.Emit(asm.Mov.Reg(asm.R2, r))
				g.Pop()
				g.LoadCtx(asm.R1)
				g.Emit(asm.FnOverrideReturn.Call())
			}},
		&Entry{Name: "path", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Probes: []string{"fentry", "fexit", "iter"},
			Check:  checkPath, Emit: emitPath},
		&Entry{Name: "has_cpid", Kind: Var, Bare: true, Paren: true,
			Check: func(c Checker, call *Call) types.Type {
				v := &constValue{}
				if c.ChildPID() > 0 {
					v.Int = 1
				}
				c.SetData(call, v)
				return &types.Bool{}
			}, Emit: emitConst},
		&Entry{Name: "probetype", Kind: Var, Bare: true, Paren: true,
			Check: func(Checker, *Call) types.Type { return &types.String{N: 16} },
			Emit: func(g Gen, _ *Call, dst Loc) {
				g.StringConst(dst, probeType(g.ProbeName()), 16)
			}},
		&Entry{Name: "usermode", Kind: Var, Bare: true, Paren: true,
			Check: func(c Checker, call *Call) types.Type {
				if p := c.Provider(); p == "begin" || p == "end" {
					// They run when userspace triggers them: bpftrace
					// reports 1 there.
					c.SetData(call, &constValue{Int: 1})
					return types.Uint8
				}
				if !c.CtxHasRegs() {
					c.Errorf(call.Span(), "usermode can not be used with '%s' probes", c.Provider())
					return nil
				}
				return types.Uint8
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				if _, ok := g.Data(call).(*constValue); ok {
					emitConst(g, call, dst)
					return
				}
				// x86_64: the privilege level is in the low two bits of cs.
				r := g.Push()
				g.LoadCtx(r)
				g.Emit(asm.LoadMem(r, r, int16(x86Regs["cs"]), asm.DWord),
					asm.And.Imm(r, 3), asm.RSh.Imm(r, 1), asm.And.Imm(r, 1))
			}},
		&Entry{Name: "pton", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: checkPton,
			Emit: func(g Gen, call *Call, dst Loc) {
				for i, x := range g.Data(call).([]byte) {
					g.StoreImm(dst.At(i), int64(x), asm.Byte)
				}
			}},
		&Entry{Name: "static_assert", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Check: func(c Checker, call *Call) types.Type {
				if c.Check(call.Args[0]) == nil {
					return nil
				}
				v, ok := c.ConstInt(call.Args[0])
				if !ok {
					c.Errorf(call.Args[0].Span(), "static_assert() expects a constant condition")
					return nil
				}
				if v == 0 {
					msg := "static_assert failed"
					if len(call.Args) == 2 {
						if m, ok := c.ConstString(call.Args[1]); ok {
							msg = m
						}
					}
					c.Errorf(call.Span(), "%s", msg)
					return nil
				}
				return &types.Void{}
			},
			Emit: func(Gen, *Call, Loc) {}},
		&Entry{Name: "cgroup_path", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Check: func(c Checker, call *Call) types.Type {
				if _, ok := wantInt(c, "cgroup_path", call.Args[0]); !ok {
					return nil
				}
				filter := ""
				if len(call.Args) == 2 {
					f, ok := c.ConstString(call.Args[1])
					if !ok {
						c.Errorf(call.Args[1].Span(), "cgroup_path(): the filter must be a string literal")
						return nil
					}
					filter = f
				}
				// The id is turned into a path by the runtime when printed;
				// the filter (hierarchy names, * wildcards) travels in Arg.
				return &types.Special{Name: "cgroup_path", Bytes: 8, Arg: filter}
			},
			Emit: func(g Gen, call *Call, dst Loc) {
				r := g.Expr(call.Args[0])
				g.StoreReg(dst, r, asm.DWord)
				g.Pop()
			}},
		&Entry{Name: "uaddr", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: checkUaddr, Emit: emitConst},
		&Entry{Name: "strcap", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				t := c.Check(call.Args[0])
				n := 0
				switch t := t.(type) {
				case *types.String:
					n = t.N
				case *types.Array:
					n = t.Len
				case nil:
					return nil
				default:
					c.Errorf(call.Args[0].Span(), "strcap() expects a string or an array, got %s", t)
					return nil
				}
				c.SetData(call, &constValue{Int: int64(n)})
				return types.Int64
			}, Emit: emitConst},
		&Entry{Name: "default_str_length", Kind: Var, Bare: true, Paren: true,
			Check: func(c Checker, call *Call) types.Type {
				c.SetData(call, &constValue{Int: int64(c.MaxStrlen())})
				return types.Uint64
			}, Emit: emitConst},
		&Entry{Name: "skboutput", Kind: Func, Paren: true, MinArgs: 4, MaxArgs: 4,
			Check: func(c Checker, call *Call) types.Type {
				c.Errorf(call.Span(), "skboutput() is not supported by gobpftrace (it writes PCAP files from a perf buffer)")
				return nil
			},
			Emit: func(Gen, *Call, Loc) {}}, // never reached: Check always fails
	)
	register(&Entry{Name: "fail", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: -1,
		Check: checkFail, Emit: func(Gen, *Call, Loc) {}})
	register(&Entry{Name: "socket_cookie", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
		Probes: []string{"fentry", "fexit"},
		Check:  checkSocketCookie, Emit: emitSocketCookie})
	register(&Entry{Name: "unwatch", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: 1,
		Check: func(c Checker, call *Call) types.Type {
			if _, ok := wantInt(c, "unwatch", call.Args[0]); !ok {
				return nil
			}
			c.Event(call, EvUnwatch, "", []types.Type{types.Uint64}, "")
			return &types.Void{}
		},
		Emit: func(g Gen, call *Call, _ Loc) { g.SendEvent(call, call.Args) }})
	register(&Entry{Name: "kfunc_allowed", Kind: Func, Paren: true, MinArgs: 0, MaxArgs: -1,
		Check: func(c Checker, call *Call) types.Type {
			c.Errorf(call.Span(), "%s() is not supported by gobpftrace yet", call.Name)
			return nil
		},
		Emit: func(Gen, *Call, Loc) {}}) // never reached: Check always fails
	for name, test := range typeTests {
		register(&Entry{Name: name, Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: checkTypeTest(test), Emit: emitConst})
	}
	// "name" is what the probe builtin was called before bpftrace 0.9
	// (2018 scripts such as syncsnoop.bt use it).
	// Likewise "stack" (kstack) and "sym" (ksym) in early scripts.
	for old, cur := range map[string]string{"name": "probe", "stack": "kstack", "sym": "ksym"} {
		e, _ := Lookup(cur)
		alias := *e
		alias.Name = old
		alias.Check = func(c Checker, call *Call) types.Type {
			c.Warnf(call.Span(), "'%s' is the old name of '%s'", call.Name, e.Name)
			return e.Check(c, &Call{Node: call.Node, Name: e.Name, Args: call.Args, Paren: call.Paren})
		}
		register(&alias)
	}
	// pid and tid are registered in process.go, whose init runs first (file order).
	for _, name := range []string{"pid", "tid"} {
		e, _ := Lookup(name)
		e.Paren, e.MaxArgs = true, 1
		e.Check = checkNamespaceArg(e.Check)
	}
}

// checkNamespaceArg accepts pid(curr_ns) and pid(init). gobpftrace runs in
// the initial PID namespace, where both read the same ids.
func checkNamespaceArg(next func(Checker, *Call) types.Type) func(Checker, *Call) types.Type {
	return func(c Checker, call *Call) types.Type {
		if len(call.Args) == 1 {
			if id, _ := identName(call.Args[0]); id != "curr_ns" && id != "init" {
				c.Errorf(call.Args[0].Span(), "%s(): expected curr_ns or init", call.Name)
				return nil
			}
		}
		return next(c, call)
	}
}

// typeTests are bpftrace's compile-time is_*() predicates.
var typeTests = map[string]func(t types.Type, lit bool) bool{
	"is_str":     func(t types.Type, _ bool) bool { _, ok := t.(*types.String); return ok },
	"is_integer": func(t types.Type, _ bool) bool { return isInt(t) },
	"is_unsigned_integer": func(t types.Type, _ bool) bool {
		i, ok := t.(*types.Int)
		return ok && !i.Signed
	},
	"is_ptr":     func(t types.Type, _ bool) bool { _, ok := t.(*types.Pointer); return ok },
	"is_array":   func(t types.Type, _ bool) bool { _, ok := t.(*types.Array); return ok },
	"is_literal": func(_ types.Type, lit bool) bool { return lit },
}

func checkTypeTest(test func(types.Type, bool) bool) func(Checker, *Call) types.Type {
	return func(c Checker, call *Call) types.Type {
		t := c.Check(call.Args[0])
		if t == nil {
			return nil
		}
		lit := false
		switch call.Args[0].(type) {
		case *ast.IntLit, *ast.StringLit, *ast.BoolLit:
			lit = true
		}
		v := &constValue{}
		if test(t, lit) {
			v.Int = 1
		}
		c.SetData(call, v)
		return &types.Bool{}
	}
}

// checkSocketCookie: socket_cookie(struct sock *) is a uint64. The kernel's
// helper takes the socket as the typed pointer fentry/fexit arguments are.
func checkSocketCookie(c Checker, call *Call) types.Type {
	t := c.Check(call.Args[0])
	if t == nil {
		return nil
	}
	if p, ok := t.(*types.Pointer); !ok || !isStruct(p.Elem, "sock") {
		c.Errorf(call.Args[0].Span(), "socket_cookie() expects a 'struct sock *', got %s", t)
		return nil
	}
	return types.Uint64
}

func isStruct(t types.Type, name string) bool {
	st, ok := t.(*types.Struct)
	return ok && st.Kind == "struct" && st.Name == name
}

func emitSocketCookie(g Gen, call *Call, _ Loc) {
	r := g.Expr(call.Args[0])
	g.Emit(asm.Mov.Reg(asm.R1, r), asm.FnGetSocketCookie.Call(), asm.Mov.Reg(r, asm.R0))
}

// path(p [, size]) resolves a struct path pointer with bpf_d_path, which
// the kernel allows only in fentry/fexit (and iter) programs on its
// allowlisted functions.
func checkPath(c Checker, call *Call) types.Type {
	t := c.Check(call.Args[0])
	if t == nil {
		return nil
	}
	if _, ok := t.(*types.Pointer); !ok {
		c.Errorf(call.Args[0].Span(), "path() expects a struct path pointer, got %s", t)
		return nil
	}
	n := c.MaxStrlen()
	if len(call.Args) == 2 {
		k, ok := c.ConstInt(call.Args[1])
		if !ok || k < 1 {
			c.Errorf(call.Args[1].Span(), "path(): size must be a positive integer constant")
			return nil
		}
		if int(k) < n {
			n = int(k)
		}
	}
	c.SetData(call, n)
	return &types.String{N: n}
}

func emitPath(g Gen, call *Call, dst Loc) {
	n := g.Data(call).(int)
	full := g.MaxStrlen()
	g.Zero(dst, n)
	r := g.Expr(call.Args[0])
	g.Emit(asm.Mov.Reg(asm.R1, r))
	g.Pop()
	if n >= full {
		g.Addr(asm.R2, dst)
		g.Emit(asm.Mov.Imm(asm.R3, int32(n)), asm.FnDPath.Call())
		return
	}
	// path(p, size) keeps the end of a longer path (bpftrace truncates at
	// the front): resolve it whole, then copy its last size bytes, the NUL
	// included. bpf_d_path returns the length with the NUL.
	tmp := g.Temp(full)
	g.Addr(asm.R2, tmp)
	g.Emit(asm.Mov.Imm(asm.R3, int32(full)), asm.FnDPath.Call())
	short, done := g.NewLabel(), g.NewLabel()
	g.Emit(asm.JSLE.Imm(asm.R0, int32(n), short), asm.JSGT.Imm(asm.R0, int32(full), short),
		asm.Sub.Imm(asm.R0, int32(n)))
	g.Addr(asm.R3, tmp)
	g.Emit(asm.Add.Reg(asm.R3, asm.R0))
	g.Addr(asm.R1, dst)
	g.Emit(asm.Mov.Imm(asm.R2, int32(n)), asm.FnProbeReadKernel.Call(), asm.Ja.Label(done))
	g.Bind(short)
	g.Copy(dst, tmp, n)
	g.Bind(done)
}

// probeType is the provider part of a canonical probe name; begin and end
// are of type "special" (bpftrace's probetype).
func probeType(name string) string {
	p, _, _ := strings.Cut(name, ":")
	switch p {
	case "begin", "end", "BEGIN", "END", "self":
		return "special"
	}
	return p
}

// checkPton converts an IPv4 or IPv6 address literal to its bytes.
func checkPton(c Checker, call *Call) types.Type {
	s, ok := c.ConstString(call.Args[0])
	if !ok {
		c.Errorf(call.Args[0].Span(), "pton() expects a string literal address")
		return nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		c.Errorf(call.Args[0].Span(), "pton(): invalid address %q", s)
		return nil
	}
	b := a.AsSlice()
	c.SetData(call, b)
	return &types.Array{Elem: types.Uint8, Len: len(b)}
}

// checkUaddr resolves uaddr("sym") at compile time into a user pointer
// constant whose pointee is sized by the symbol, as bpftrace types it: a
// 1, 2 or 4-byte symbol gives int8/16/32 *, anything else int64 *.
func checkUaddr(c Checker, call *Call) types.Type {
	name, ok := c.ConstString(call.Args[0])
	if !ok {
		c.Errorf(call.Args[0].Span(), "uaddr() expects a string literal")
		return nil
	}
	addr, size, err := c.UserSymbol(name)
	if err != nil {
		c.Errorf(call.Span(), "%v", err)
		return nil
	}
	elem := types.Int64
	switch size {
	case 1:
		elem = types.Int8
	case 2:
		elem = types.Int16
	case 4:
		elem = types.Int32
	}
	c.SetData(call, &constValue{Int: int64(addr)})
	return &types.Pointer{Elem: elem, Space: types.AddrUser}
}

// checkFail is fail(fmt, args...): a compile-time error, with the message
// formatted from literal arguments, wherever the call can be reached (an if
// branch that a constant condition rules out does not count).
func checkFail(c Checker, call *Call) types.Type {
	format, ok := c.ConstString(call.Args[0])
	if !ok {
		c.Errorf(call.Args[0].Span(), "fail() expects a string literal format")
		return nil
	}
	var args []any
	for _, a := range call.Args[1:] {
		if c.Check(a) == nil {
			return nil
		}
		if s, ok := c.ConstString(a); ok {
			args = append(args, s)
		} else if n, ok := c.ConstInt(a); ok {
			args = append(args, n)
		} else {
			c.Errorf(a.Span(), "fail() arguments must be literals")
			return nil
		}
	}
	if c.Reachable() {
		c.Errorf(call.Span(), "%s", constSprintf(format, args))
	}
	return &types.Void{}
}

// constSprintf formats compile-time values with a printf format: integers
// and strings, C length modifiers ignored.
func constSprintf(format string, args []any) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
			j++
		}
		flags := format[i+1 : j]
		for j < len(format) && strings.IndexByte("hlzjt", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		conv := format[j]
		i = j
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		if n >= len(args) {
			b.WriteString("%" + flags + string(conv))
			continue
		}
		a := args[n]
		n++
		switch conv {
		case 'd', 'i', 'u':
			conv = 'd'
		case 's':
			if v, ok := a.(int64); ok {
				a = strconv.FormatInt(v, 10)
			}
		}
		b.WriteString(fmt.Sprintf("%"+flags+string(conv), a))
	}
	return b.String()
}
