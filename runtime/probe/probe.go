// Package probe holds the probe providers: one file per probe kind, each
// implementing Provider. A new probe kind is one new file here and one entry
// in the registry; nothing outside this package switches on probe kinds.
//
// Contract (shared by the checker, codegen and the runtime; extend, don't break):
//   - the checker calls Lookup(ap.Provider), then p.Parse to validate the
//     attach point and p.Expand to resolve wildcards into Targets;
//   - codegen asks p.Context(target) how to read args/argN/retval and which
//     program type to emit;
//   - the runtime calls p.Attach with the loaded program.
package probe

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
)

// Provider is one probe kind (kprobe, tracepoint, ...).
type Provider interface {
	// Name is the canonical name used in `probe` output ("kprobe", "tracepoint", "begin").
	Name() string
	// Aliases are the other spellings accepted before the first ':' ("k", "t", "BEGIN", "kfunc").
	Aliases() []string
	// Parse validates an attach point's fields, without touching the system.
	// Errors should be *AttachPointError so they can be shown with a caret.
	Parse(ap *ast.AttachPoint) (*Spec, error)
	// Expand resolves wildcards and names against the host into concrete targets.
	// A spec without wildcards expands to exactly one target (or an error).
	Expand(s *Spec, h Host) ([]*Target, error)
	// Context describes how a program attached to t reads its arguments.
	Context(t *Target, h Host) (*Ctx, error)
	// Attach attaches a loaded program to t. The link is closed on exit.
	Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error)
}

// Spec is a parsed attach point, before wildcard expansion. Fields not used by
// a provider stay empty.
type Spec struct {
	Provider Provider
	AP       *ast.AttachPoint
	Target        // fields as written (may hold globs)
	Wildcard bool // any field holds *, ?, [..] or {a,b}
}

// Target is one concrete thing to attach to.
type Target struct {
	Provider string // canonical provider name
	// Name is the full probe name as the `probe` builtin prints it,
	// e.g. "tracepoint:syscalls:sys_enter_read", "kprobe:vfs_read", "interval:s:1".
	Name string

	Module   string // kernel module for kprobe/fentry, "" for vmlinux
	Func     string // kernel or user function; tracepoint event name; software/hardware event
	Category string // tracepoint category; usdt provider
	Path     string // uprobe/usdt binary or library (resolved, absolute)
	Offset   uint64 // +offset for kprobe/uprobe
	Addr     uint64 // uprobe:path:0xaddr
	Unit     string // interval/profile unit: "s", "ms", "us", "hz"; watchpoint mode
	Period   uint64 // interval/profile/software/hardware count, or frequency for "hz"
	Cpp      bool   // uprobe :cpp: qualifier (Func is a demangled name)
	PID      int    // -p PID or the -c child, for uprobes/usdt; 0 when not bound
	Signal   string // self:signal:NAME
	Extra    any    // provider-private data, e.g. USDT locations
}

// AttachOptions are runtime settings that affect attaching.
type AttachOptions struct {
	PID int // restrict uprobes/USDT to this process (0: all)
	// CPUs limits per-CPU perf events (profile, software, hardware) to these
	// CPUs; nil means every online CPU.
	CPUs []int
}

// Ctx tells codegen how a program for a target gets its inputs.
type Ctx struct {
	ProgType   ebpf.ProgramType
	AttachType ebpf.AttachType
	AttachTo   string // fentry/fexit: kernel function; tp_btf: event
	// Args are the named fields of `args` (tracepoint fields, fentry params,
	// USDT/uprobe args by name where known). nil when `args` is not available.
	Args []Arg
	// ArgN is how to read arg0..argN-1; nil when argN is not available here.
	ArgN []Loc
	// Retval is how to read retval; nil when not a return probe.
	Retval *Loc
	// HasRegs is true when ctx is a struct pt_regs (reg() works).
	HasRegs bool
	// Builtins lists builtins that are not allowed for this probe (e.g. "func").
	Disallow []string
	// Notice is one line for stderr when the probe is not attached the way it
	// was written (e.g. "kprobe:f: kprobes are not available; attaching as
	// fentry:f"). The runtime prints it once; "" when there is nothing to say.
	Notice string
	// ArgsStruct is the type of `args` as a whole (for print(args)); nil when
	// `args` is not available. Its fields match Args.
	ArgsStruct *types.Struct
	// RetvalType is the type of retval when the probe knows it (fexit, from
	// BTF); nil means the default 64-bit integer (kretprobe, uretprobe).
	RetvalType types.Type
	// KstackSkip is how many frames at the top of a kernel stack taken
	// here belong to BPF itself (fentry/fexit: the program and its
	// trampoline), for bpf_get_stackid's skip flags (BPF_F_SKIP_FIELD_MASK),
	// so that kstack starts at the traced function as it does in a kprobe.
	// (Added.)
	KstackSkip int
}

// Arg is a named, typed argument.
type Arg struct {
	Name string
	Type types.Type
	Loc  Loc
}

// LocKind is where an argument lives.
type LocKind int

const (
	// LocCtx: Size bytes at ctx+Offset (tracepoint fields, raw tracepoint and fentry u64 slots, pt_regs members).
	LocCtx LocKind = iota
	// LocCtxDataLoc: a tracepoint __data_loc field: the u32 at ctx+Offset holds
	// (len<<16 | offset of the data from ctx).
	LocCtxDataLoc
	// LocDeref: read a register from ctx+Offset, add Disp, and read Size bytes
	// there with probe_read (USDT "8@-16(%rbp)" args).
	LocDeref
	// LocConst: the value is Const (USDT "$5" args).
	LocConst
	// LocCtxRelLoc: a tracepoint __rel_loc field: like LocCtxDataLoc, but the
	// offset counts from the end of the u32 field (ctx+Offset+4). (Added.)
	LocCtxRelLoc
)

// Loc is how to load one value from the program's context.
type Loc struct {
	Kind   LocKind
	Offset int   // byte offset in ctx
	Size   int   // bytes to load: 1, 2, 4, 8 (or the array size for in-ctx arrays)
	Signed bool  // sign-extend after loading
	Disp   int64 // LocDeref displacement
	Const  int64 // LocConst value
	Space  types.AddrSpace
	// Index and Scale extend LocDeref with an index register (USDT
	// "8@(%rax,%rdx,8)"): the address is reg(Offset) + reg(Index)*Scale + Disp,
	// both registers read as 8 bytes from ctx. Scale 0 means no index.
	Index int
	Scale int
}

// Host gives providers what they need from the system; tests can pass fixtures.
type Host interface {
	// TracepointFormat returns the text of tracefs events/CATEGORY/EVENT/format.
	TracepointFormat(category, event string) (string, error)
	// Tracepoints lists "category:event" names.
	Tracepoints() ([]string, error)
}

// AttachPointError is a problem with an attach point, shown with a caret under it.
type AttachPointError struct {
	AP  *ast.AttachPoint
	Msg string
}

func (e *AttachPointError) Error() string { return e.Msg }

var registry = map[string]Provider{}

// Register adds a provider under its name and aliases. Provider files call it from init.
func Register(p Provider) {
	registry[p.Name()] = p
	for _, a := range p.Aliases() {
		registry[a] = p
	}
}

// Lookup finds the provider for what is written before the first ':'.
func Lookup(name string) (Provider, bool) {
	p, ok := registry[name]
	return p, ok
}

// All returns every registered provider once.
func All() []Provider {
	seen := map[Provider]bool{}
	var out []Provider
	for _, p := range registry {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// ---------------------------------------------------------------- extensions
// Everything below was added after the first contract; it is additive.

// Features are what the running kernel can do, as far as providers care.
// The real Host probes them lazily; `--no-feature NAME` switches one off.
type Features struct {
	Kprobe      bool // kprobes/kretprobes attach (kprobe PMU or kprobe_events)
	KprobeMulti bool // BPF_TRACE_KPROBE_MULTI links
	Fentry      bool // BPF_PROG_TYPE_TRACING fentry/fexit programs load and attach
	PMU         bool // hardware perf events (a CPU PMU is present)
	Iter        bool // BPF iterators (tracing programs too)
}

// FeatureHost is a Host that knows the kernel's features. Providers treat a
// Host without it as a kernel that has every feature (fixtures, --emit asm).
type FeatureHost interface {
	Features() Features
}

// FeaturesOf returns h's features, or all features when h does not say.
func FeaturesOf(h Host) Features {
	if fh, ok := h.(FeatureHost); ok {
		return fh.Features()
	}
	return Features{Kprobe: true, KprobeMulti: true, Fentry: true, PMU: true, Iter: true}
}

// KFunc is a traceable kernel function.
type KFunc struct {
	Module string // "vmlinux" for the core kernel
	Name   string
}

// KernelFuncHost is a Host that can list traceable kernel functions
// (available_filter_functions where readable, otherwise BTF functions that
// kallsyms knows).
type KernelFuncHost interface {
	KernelFuncs() ([]KFunc, error)
}

// Phase says when the runtime runs a program that is not attached.
type Phase int

const (
	PhaseAttach Phase = iota // attached with Provider.Attach (the default)
	PhaseBegin               // run once before the other probes are attached
	PhaseEnd                 // run once after the other probes are detached
	PhaseTest                // run by --test; a non-zero return is a failure
	PhaseBench               // run repeatedly by --bench and timed
	PhaseSignal              // run when the process receives Target.Signal
)

// Runner is implemented by providers whose programs the runtime runs itself
// with BPF_PROG_TEST_RUN (see RunProgram) instead of attaching them.
type Runner interface {
	Phase(t *Target) Phase
}

// PhaseOf returns when the program for t runs.
func PhaseOf(t *Target) Phase {
	if p, ok := Lookup(t.Provider); ok {
		if r, ok := p.(Runner); ok {
			return r.Phase(t)
		}
	}
	return PhaseAttach
}

// MultiAttacher is implemented by providers that can attach one program to
// many targets at once (kprobe.multi). The checker may call Multi when a
// wildcard expanded to several targets and the probe body does not use the
// `probe` or `func` builtins; it returns one target standing for all of them,
// or false when the kernel cannot do it.
type MultiAttacher interface {
	Multi(s *Spec, targets []*Target, h Host) (*Target, bool)
}

// Lister is implemented by providers that can list their probes for `-l`.
// search is what follows "provider:" in the -l argument ("" for all); verbose
// adds each probe's arguments (-lv) as indented lines.
type Lister interface {
	List(search string, verbose bool, h Host) ([]Listing, error)
}

// Listing is one line of `-l` output and, with -lv, its argument lines.
type Listing struct {
	Name   string   // "tracepoint:syscalls:sys_enter_read"
	Params []string // "int __syscall_nr", "const char * buf", ...
}

// BTFHost is a Host that can give the kernel's BTF (fentry/fexit, raw
// tracepoint args, struct types). Providers report "no BTF" without it.
type BTFHost interface {
	KernelBTF() (*kbtf.Kernel, error)
}
