// Package sema checks a parsed program: it resolves config, expands attach
// points through the probe providers, scopes variables, fixes map types and
// types every expression. Results go into Info side tables; the AST is not
// changed. Passes run in order from a []Pass and stop after one with errors.
package sema

import (
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// Options are the inputs of a check besides the program.
type Options struct {
	// Params are the positional parameters $1..$N.
	Params []string
	// Named are the named parameters after "--" ("--name=value"; "--flag" is
	// "flag" -> ""), read by getopt().
	Named map[string]string
	// ChildPID is the -c child's pid, the value of cpid (0: no child).
	ChildPID int
	// Env holds BPFTRACE_* settings (name -> value), e.g. "BPFTRACE_MAX_STRLEN".
	Env map[string]string
	// Unsafe allows system() and other destructive functions.
	Unsafe bool
	// Host resolves wildcards and tracepoint formats; nil means none available.
	Host probe.Host
	// Features the kernel has; the zero value assumes a modern kernel.
	Features Features
	// HelperErrors (-k) makes failed probe_read helpers send an event.
	HelperErrors bool
	// NoWarnings (--no-warnings) drops the map-update checks that report
	// a full map at run time, as bpftrace's warning level 0 does.
	NoWarnings bool
	// NCPUs is the value of the ncpus builtin (0: the possible CPUs).
	NCPUs int
}

// Features lists kernel capabilities that change code generation.
type Features struct {
	NoRingBuf bool // use a perf event array instead of a ring buffer (kernels < 5.8)
}

// Info is everything the checker learned about a program.
type Info struct {
	// Types is the type of every checked expression.
	Types map[ast.Expr]types.Type
	// Vars maps each use of a scratch variable to its declaration.
	Vars map[*ast.Variable]*Var
	// Maps are the user maps in order of first appearance.
	Maps []*Map
	// Events are the ring-buffer messages, indexed by ID.
	Events []*Event
	// Calls maps each builtin use (*ast.Ident or *ast.Call) to its entry.
	Calls map[ast.Expr]*CallInfo
	// Consts holds the value of constant expressions ($1, sizeof, ncpus...).
	Consts map[ast.Expr]Const
	// Subst replaces a node by another expression (object-like #define
	// constants): codegen generates the replacement instead.
	Subst map[ast.Expr]ast.Expr
	// Fields holds the resolved struct member of each x.f / x->f on a struct.
	Fields map[ast.Expr]types.Field
	// Ctx maps args.f / argN / retval expressions to how they are read.
	Ctx map[ast.Expr]CtxRef
	// Probes are the action blocks with their expanded targets, in source order.
	Probes []*ProbeInfo
	Config Config
	// Features are the kernel capabilities codegen adapts to (Options.Features).
	Features Features
	// HelperErrors is Options.HelperErrors.
	HelperErrors bool
	// NoWarnings is Options.NoWarnings.
	NoWarnings bool
	// NCPUs bounds loops over per-CPU values (reading count() maps in probes).
	NCPUs int

	maps map[string]*Map
}

// Var is one scratch variable declaration.
type Var struct {
	Name string
	Type types.Type
	ID   int
	// ZeroInit: the variable may be read before any assignment (assigned
	// in only some arms of an if, as old scripts do), so codegen zeroes it
	// at probe entry; it then reads as 0 or "" as in older bpftrace.
	ZeroInit bool
}

// Map is one @map.
type Map struct {
	Name  string     // "@x"
	Spec  string     // BPF map spec name, "AT_x"
	Key   types.Type // nil for a scalar map
	Value types.Type // *types.Agg for aggregations
	// Declared holds a "let @m = hash(N)" declaration, if any.
	Kind    string
	MaxKeys int

	scalarSeen bool // used without a key somewhere
}

// Event is one ring-buffer message layout.
type Event struct {
	ID       int
	Kind     stdlib.EventKind
	Fmt      string
	ArgsType *types.Tuple // nil when there is no payload
	Map      string
	Loc      string
	Span     lang.Span
}

// CallInfo ties a builtin use to its registry entry.
type CallInfo struct {
	Entry *stdlib.Entry
	Call  *stdlib.Call
	Event int // index into Info.Events, -1 when the call sends none
	Data  any
}

// Const is a compile-time value.
type Const struct {
	Int   int64
	Str   string
	IsStr bool
}

// CtxRef says how an args.f / argN / retval expression reads the context:
// Arg names a field of probe.Ctx.Args, or ArgN >= 0 indexes Ctx.ArgN, or Retval.
type CtxRef struct {
	Arg    string
	ArgN   int
	Retval bool
}

// ProbeInfo is one action block after attach-point expansion.
type ProbeInfo struct {
	Probe   *ast.Probe
	Index   int
	Targets []*Target
	// Vars are the scratch variables declared in the probe, for frame layout.
	Vars []*Var
}

// Target is one program to generate: a provider target and its context.
type Target struct {
	Target   *probe.Target
	Provider probe.Provider
	Ctx      *probe.Ctx
	// RunByRuntime is true for begin/end programs, which the runtime runs itself.
	RunByRuntime bool
}

// Config is the resolved config block and BPFTRACE_* environment.
type Config struct {
	MaxStrlen       int
	MaxMapKeys      int
	PrintMapsOnExit bool
	PerfRbPages     int
	MissingProbes   string
	CppDemangle     bool
	StackMode       types.StackMode
	MaxCatBytes     int
	LogSize         int
	Unsafe          bool
	// Unstable holds the unstable_* settings by name ("error", "warn" or
	// "enable"); an absent one is "warn".
	Unstable map[string]string
}

// MapByName finds a map by its name ("@x").
func (in *Info) MapByName(name string) *Map { return in.maps[name] }

// Pass is one step of the checker.
type Pass struct {
	Name string
	Run  func(c *checker)
}

// Passes run in order; Check stops after the first that reports an error.
var Passes = []Pass{
	{"preprocessor", preprocess},
	{"config", resolveConfig},
	{"c declarations", collectCDecls},
	{"macros", collectMacros},
	{"attach", expandAttachPoints},
	{"types", typeProgram},
}

// Check runs every pass over prog.
func Check(prog *ast.Program, opts Options) (*Info, diag.List) {
	c := newChecker(prog, opts)
	for _, p := range Passes {
		p.Run(c)
		if c.diags.HasErrors() {
			break
		}
	}
	c.diags.Sort()
	return c.info, c.diags
}
