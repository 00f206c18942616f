package sema

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"runtime"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// checker is the state shared by the passes; it implements stdlib.Checker.
type checker struct {
	prog  *ast.Program
	opts  Options
	info  *Info
	diags diag.List

	// final is false during the first typing walk, which only settles the
	// types of variables and maps; its diagnostics are dropped.
	final   bool
	scratch diag.List

	// varTypes keeps the settled type of each variable by declaring node.
	varTypes map[*ast.Variable]types.Type
	nextVar  int

	// C preamble and kernel types
	cstructs  map[string]*types.Struct
	ctypedefs map[string]types.Type
	cenums    map[string]int64
	defines   map[string]ast.Expr
	// inCDecl is set while typing a C field or typedef, where a pointer
	// to an incomplete struct is allowed.
	inCDecl bool

	macros     map[string]*ast.Macro
	expansions map[ast.Expr]ast.Expr
	nexpand    int
	macroDepth int
	kbtf       *kbtf.Kernel
	kbtfTried  bool

	// per-probe state
	probe    *ProbeInfo
	ctx      *probe.Ctx
	provider string
	scope    *scope
	loops    int
	// unreached counts the enclosing if branches that a compile-time
	// constant condition rules out (fail() there is not an error).
	unreached int
	// warned records the unstable features already warned about.
	warned map[string]bool
}

func newChecker(prog *ast.Program, opts Options) *checker {
	if opts.NCPUs == 0 {
		// The possible CPUs, as bpftrace counts them: loops over per-CPU
		// values must reach every slot, whatever this process's affinity.
		if n, err := ebpf.PossibleCPU(); err == nil && n > 0 {
			opts.NCPUs = n
		} else {
			opts.NCPUs = runtime.NumCPU()
		}
	}
	info := newInfo()
	info.Features = opts.Features
	return &checker{
		prog:     prog,
		opts:     opts,
		info:     info,
		varTypes: map[*ast.Variable]types.Type{},
		final:    true,
	}
}

func newInfo() *Info {
	return &Info{
		Types:  map[ast.Expr]types.Type{},
		Vars:   map[*ast.Variable]*Var{},
		Calls:  map[ast.Expr]*CallInfo{},
		Consts: map[ast.Expr]Const{},
		Ctx:    map[ast.Expr]CtxRef{},
		Fields: map[ast.Expr]types.Field{},
		Subst:  map[ast.Expr]ast.Expr{},
		maps:   map[string]*Map{},
	}
}

func (c *checker) list() *diag.List {
	if c.final {
		return &c.diags
	}
	return &c.scratch
}

func (c *checker) errorf(sp lang.Span, format string, args ...any) *diag.Diagnostic {
	return c.list().Errorf(sp, format, args...)
}

// ---- stdlib.Checker

func (c *checker) Check(e ast.Expr) types.Type { return c.expr(e) }
func (c *checker) Errorf(sp lang.Span, format string, args ...any) *diag.Diagnostic {
	return c.errorf(sp, format, args...)
}
func (c *checker) Warnf(sp lang.Span, format string, args ...any) *diag.Diagnostic {
	return c.list().Warnf(sp, format, args...)
}
func (c *checker) Reachable() bool  { return c.unreached == 0 }
func (c *checker) MaxStrlen() int   { return c.info.Config.MaxStrlen }
func (c *checker) Unsafe() bool     { return c.opts.Unsafe }
func (c *checker) Provider() string { return c.provider }

func (c *checker) ConstInt(e ast.Expr) (int64, bool) {
	if k, ok := c.constOf(e); ok && !k.IsStr {
		return k.Int, true
	}
	return 0, false
}

func (c *checker) ConstString(e ast.Expr) (string, bool) {
	if k, ok := c.constOf(e); ok && k.IsStr {
		return k.Str, true
	}
	return "", false
}

func (c *checker) Event(call *stdlib.Call, kind stdlib.EventKind, format string, args []types.Type, mapName string) {
	ci := c.info.Calls[call.Node]
	if ci == nil || !c.final {
		return
	}
	ev := &Event{ID: len(c.info.Events), Kind: kind, Fmt: format, Map: mapName}
	if len(args) > 0 {
		ev.ArgsType = types.NewTuple(args...)
	}
	pos := c.prog.File.Position(call.Span().Start)
	ev.Span = call.Span()
	ev.Loc = fmt.Sprintf("%s:%d:%d", c.prog.File.Name, pos.Line, pos.Col)
	c.info.Events = append(c.info.Events, ev)
	ci.Event = ev.ID
}

func (c *checker) SetData(call *stdlib.Call, v any) {
	if ci := c.info.Calls[call.Node]; ci != nil {
		ci.Data = v
	}
}

func (c *checker) MapArg(e ast.Expr) (string, bool) {
	m, ok := e.(*ast.MapRef)
	if !ok {
		c.errorf(e.Span(), "expected a map (@name)")
		return "", false
	}
	name := "@" + m.Name
	if c.info.maps[name] == nil {
		c.errorf(e.Span(), "Undefined map: %s", name)
		return "", false
	}
	c.info.Types[e] = c.info.maps[name].Value
	return name, true
}

func (c *checker) NCPUs() int { return c.opts.NCPUs }

func (c *checker) ProbeNameLen() int {
	n := 1
	if c.probe != nil {
		for _, t := range c.probe.Targets {
			if len(t.Target.Name)+1 > n {
				n = len(t.Target.Name) + 1
			}
		}
	}
	return n
}

func (c *checker) MapKey(ma *ast.MapAccess) bool {
	name := "@" + ma.Map.Name
	m := c.info.maps[name]
	if m == nil {
		c.errorf(ma.Map.Span(), "Undefined map: %s", name)
		return false
	}
	n := len(c.diags)
	c.mapKey(m, ma, ma.Keys, false)
	return len(c.diags) == n
}

func (c *checker) StackMode() types.StackMode { return c.info.Config.StackMode }

func (c *checker) NamedParam(name string) (string, bool) {
	v, ok := c.opts.Named[name]
	return v, ok
}

func (c *checker) ChildPID() int { return c.opts.ChildPID }

func (c *checker) TargetFuncLen() int {
	n := 1
	if c.probe != nil {
		for _, t := range c.probe.Targets {
			if len(t.Target.Func)+1 > n {
				n = len(t.Target.Func) + 1
			}
		}
	}
	return n
}

func (c *checker) CtxHasRegs() bool { return c.ctx != nil && c.ctx.HasRegs }

// KsymHost is a Host that resolves kernel symbols (fixtures can); otherwise
// /proc/kallsyms is read.
type KsymHost interface {
	KernelSymbolAddr(name string) (uint64, bool)
}

func (c *checker) KernelAddr(name string) (uint64, bool) {
	if kh, ok := c.opts.Host.(KsymHost); ok {
		return kh.KernelSymbolAddr(name)
	}
	t, err := symbols.Kernel()
	if err != nil {
		return 0, false
	}
	s, ok := t.Addr(name)
	return s.Addr, ok && s.Addr != 0
}

func (c *checker) KernelVarID(name string) (uint32, bool) {
	k := c.kernel()
	if k == nil || k.Spec() == nil {
		return 0, false
	}
	var v *btf.Var
	if err := k.Spec().TypeByName(name, &v); err != nil {
		return 0, false
	}
	id, err := k.Spec().TypeID(v)
	if err != nil {
		return 0, false
	}
	return uint32(id), true
}

func (c *checker) KernelFuncExists(name string) bool {
	k := c.kernel()
	if k == nil || k.Spec() == nil {
		return false
	}
	var fn *btf.Func
	return k.Spec().TypeByName(name, &fn) == nil
}
