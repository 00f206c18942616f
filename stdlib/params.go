package stdlib

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Values fixed when the program is compiled: named parameters, the child's
// pid, and the start time elapsed counts from.

type constValue struct {
	Int   int64
	Str   string
	IsStr bool
	N     int
}

func emitConst(g Gen, call *Call, dst Loc) {
	v := g.Data(call).(*constValue)
	if v.IsStr {
		g.StringConst(dst, v.Str, v.N)
		return
	}
	r := g.Push()
	if v.Int >= -1<<31 && v.Int < 1<<31 {
		g.Emit(asm.Mov.Imm(r, int32(v.Int)))
	} else {
		g.Emit(asm.LoadImm(r, v.Int, asm.DWord))
	}
}

func init() {
	register(
		&Entry{Name: "getopt", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 2,
			Check: checkGetopt, Emit: emitConst},
		&Entry{Name: "kaddr", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				name, ok := c.ConstString(call.Args[0])
				if !ok {
					c.Errorf(call.Args[0].Span(), "kaddr() expects a string literal")
					return nil
				}
				addr, ok := c.KernelAddr(name)
				if !ok {
					c.Errorf(call.Args[0].Span(), "Failed to resolve kernel symbol: %s", name)
					return nil
				}
				c.SetData(call, &constValue{Int: int64(addr)})
				return types.Uint64
			}, Emit: emitConst},
		&Entry{Name: "cgroupid", Kind: Func, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				path, ok := c.ConstString(call.Args[0])
				if !ok {
					c.Errorf(call.Args[0].Span(), "cgroupid() expects a string literal path")
					return nil
				}
				// On cgroup v2 a cgroup's id is its directory's inode number.
				var st unix.Stat_t
				if err := unix.Stat(path, &st); err != nil {
					c.Errorf(call.Args[0].Span(), "cgroupid(): %s: %v", path, err)
					return nil
				}
				c.SetData(call, &constValue{Int: int64(st.Ino)})
				return types.Uint64
			}, Emit: emitConst},
		&Entry{Name: "cpid", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				c.SetData(call, &constValue{Int: int64(c.ChildPID())})
				return types.Uint32
			}, Emit: emitConst},
		&Entry{Name: "elapsed", Kind: Var, Bare: true,
			Check: func(c Checker, call *Call) types.Type {
				// bpftrace counts from the start of tracing; the program is
				// compiled milliseconds before it starts.
				var ts unix.Timespec
				unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts)
				c.SetData(call, ts.Nano())
				return types.Uint64
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				start := g.Data(call).(int64)
				r := g.Push()
				g.Emit(asm.FnKtimeGetBootNs.Call(), asm.Mov.Reg(r, asm.R0),
					asm.LoadImm(asm.R1, start, asm.DWord), asm.Sub.Reg(r, asm.R1))
			}},
	)
}

func checkGetopt(c Checker, call *Call) types.Type {
	name, ok := c.ConstString(call.Args[0])
	if !ok {
		c.Errorf(call.Args[0].Span(), "getopt() expects a string literal as the parameter name")
		return nil
	}
	val, given := c.NamedParam(name)
	if len(call.Args) == 1 {
		b := given && !strings.EqualFold(val, "false") && val != "0"
		v := int64(0)
		if b {
			v = 1
		}
		c.SetData(call, &constValue{Int: v})
		return &types.Bool{}
	}
	def := call.Args[1]
	dt := c.Check(def)
	if _, isBool := dt.(*types.Bool); isBool {
		n, _ := c.ConstInt(def)
		b := n != 0
		if given {
			b = !strings.EqualFold(val, "false") && val != "0"
		}
		v := int64(0)
		if b {
			v = 1
		}
		c.SetData(call, &constValue{Int: v})
		return &types.Bool{}
	}
	if s, ok := c.ConstString(def); ok {
		if given {
			s = val
		}
		c.SetData(call, &constValue{Str: s, IsStr: true, N: len(s) + 1})
		return &types.String{N: len(s) + 1}
	}
	if n, ok := c.ConstInt(def); ok {
		if given {
			p, err := strconv.ParseInt(val, 0, 64)
			if err != nil {
				c.Errorf(call.Span(), "getopt(): parameter --%s expects an integer, got %q", name, val)
				return nil
			}
			n = p
		}
		c.SetData(call, &constValue{Int: n})
		return types.Int64
	}
	c.Errorf(def.Span(), "getopt(): the default must be a string, integer or boolean literal")
	return nil
}
