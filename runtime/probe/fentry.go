package probe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
)

// fentryProvider is fentry[:MODULE]:FUNC and fexit[:MODULE]:FUNC (kfunc,
// kretfunc, f, fr): BPF trampolines with args typed from BTF.
type fentryProvider struct {
	exit bool
}

func (p fentryProvider) Name() string {
	if p.exit {
		return "fexit"
	}
	return "fentry"
}

func (p fentryProvider) Aliases() []string {
	if p.exit {
		return []string{"fr", "kretfunc"}
	}
	return []string{"f", "kfunc"}
}

func (p fentryProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	name := p.Name()
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = name
	switch len(ap.Parts) {
	case 1:
		s.Func = ap.Parts[0]
	case 2:
		s.Module, s.Func = ap.Parts[0], ap.Parts[1]
	case 3:
		if ap.Parts[0] == "bpf" {
			return nil, apErrorf(ap, "the 'bpf' variant of %s (attaching to running BPF programs) is not supported yet", name)
		}
		return nil, apErrorf(ap, "Only the 'bpf' variant of this probe supports 4 arguments")
	default:
		return nil, argCountError(ap, name, 1, 3)
	}
	if s.Module == "bpf" {
		return nil, apErrorf(ap, "the 'bpf' variant of %s (attaching to running BPF programs) is not supported yet", name)
	}
	if s.Func == "" {
		return nil, apErrorf(ap, "fentry/fexit should specify a function")
	}
	s.Wildcard = HasWildcard(s.Func) || HasWildcard(s.Module)
	return s, nil
}

func (p fentryProvider) target(s *Spec, module, fn string) *Target {
	t := s.Target
	t.Module, t.Func = module, fn
	t.Name = p.Name() + ":" + module + ":" + fn
	return &t
}

// Expand resolves the module of a plain name from BTF (vmlinux first) and
// wildcards over traceable functions that have BTF.
func (p fentryProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	k, err := btfOf(h)
	if err != nil {
		return nil, apErrorf(s.AP, "%s probes need kernel BTF: %v", p.Name(), err)
	}
	if !s.Wildcard {
		fn, err := findKernelFunc(k, s.Module, s.Func)
		if err != nil {
			return nil, apErrorf(s.AP, "%s: %v", s.AP.Raw, err)
		}
		return []*Target{p.target(s, fn.Module, s.Func)}, nil
	}
	all, err := kernelFuncs(h)
	if err != nil {
		return nil, apErrorf(s.AP, "%v", err)
	}
	// Keep functions BTF knows (traceable functions without BTF cannot be
	// fentry targets).
	btfNames := map[string]map[string]bool{}
	has := func(mod, fn string) bool {
		set, ok := btfNames[mod]
		if !ok {
			set = map[string]bool{}
			if names, err := k.FuncNames(mod); err == nil {
				for _, n := range names {
					set[n] = true
				}
			}
			btfNames[mod] = set
		}
		return set[fn]
	}
	var out []*Target
	for _, f := range matchFuncs(all, s.Module, s.Func) {
		if has(f.Module, f.Name) {
			out = append(out, p.target(s, f.Module, f.Name))
		}
	}
	sortTargets(out)
	return out, nil
}

// findKernelFunc finds a function's prototype in a module, or, with no
// module given, in vmlinux and then in each module with BTF.
func findKernelFunc(k *kbtf.Kernel, module, name string) (*kbtf.Func, error) {
	mods := []string{module}
	if module == "" {
		mods = append([]string{"vmlinux"}, k.Modules()...)
	}
	for _, m := range mods {
		if fn, err := k.Func(m, name); err == nil {
			return fn, nil
		}
	}
	where := "the kernel"
	if module != "" {
		where = "module " + module
	}
	return nil, fmt.Errorf("function %s not found in the BTF of %s", name, where)
}

func (p fentryProvider) Context(t *Target, h Host) (*Ctx, error) {
	k, err := btfOf(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	fn, err := k.Func(t.Module, t.Func)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	at := ebpf.AttachTraceFEntry
	if p.exit {
		at = ebpf.AttachTraceFExit
	}
	ctx := &Ctx{ProgType: ebpf.Tracing, AttachType: at, AttachTo: t.Func, Disallow: []string{"reg"}, KstackSkip: trampolineFrames}
	ctx.Args, ctx.ArgsStruct = u64SlotArgs(t.Name+"_args", fn.Params)
	if p.exit {
		if _, void := fn.Ret.(*types.Void); !void {
			l := Loc{Kind: LocCtx, Offset: 8 * len(fn.Params), Size: 8}
			if sz := fn.Ret.Size(); sz > 0 && sz <= 8 {
				l.Size = sz
			}
			if it, ok := fn.Ret.(*types.Int); ok {
				l.Signed = it.Signed
			}
			if pt, ok := fn.Ret.(*types.Pointer); ok {
				l.Space = pt.Space
			}
			ctx.Retval = &l
			ctx.RetvalType = fn.Ret
		}
	} else {
		ctx.Disallow = append(ctx.Disallow, "retval")
	}
	return ctx, nil
}

// trampolineFrames are the frames a kernel stack taken in an fentry/fexit
// program starts with: the program (bpf_prog_TAG_NAME+N) and the BPF
// trampoline that called it (bpf_trampoline_ID+N); the traced function
// (at +5, past its ftrace call) and its callers follow.
const trampolineFrames = 2

// RetvalType is the type of retval in fexit:t (nil for void functions or
// other providers). Exported for the checker, which types retval with it.
func RetvalType(t *Target, h Host) types.Type {
	if t.Provider != "fexit" {
		return nil
	}
	k, err := btfOf(h)
	if err != nil {
		return nil
	}
	fn, err := k.Func(t.Module, t.Func)
	if err != nil {
		return nil
	}
	if _, void := fn.Ret.(*types.Void); void {
		return nil
	}
	return fn.Ret
}

func (p fentryProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	l, err := link.AttachTracing(link.TracingOptions{Program: prog})
	if err != nil {
		return nil, fentryError(t, err)
	}
	return l, nil
}

// fentryError names the function and the kernel's reason. (The runtime
// puts the probe name in front.)
func fentryError(t *Target, err error) error {
	if errors.Is(err, unix.EPERM) {
		return fmt.Errorf("the kernel refused to attach %s to %s (operation not permitted): this kernel does not allow BPF tracing programs: %w", t.Provider, t.Func, err)
	}
	return fmt.Errorf("cannot attach %s to %s: %w", t.Provider, t.Func, err)
}

// LoadError explains a failure to load the program for t. Loading, not
// attaching, is where the kernel refuses tracing programs (fentry, fexit,
// iter, and the kprobe fallback): EPERM there means the kernel does not
// allow them at all (as here), which cilium/ebpf would blame on MEMLOCK.
// Other errors come back unchanged.
func LoadError(t *Target, ctx *Ctx, err error) error {
	if ctx == nil || ctx.ProgType != ebpf.Tracing || !errors.Is(err, unix.EPERM) {
		return err
	}
	what := t.Provider
	if t.Provider == "kprobe" || t.Provider == "kretprobe" {
		what += " (as its fentry/fexit fallback: kprobes are not available)"
	}
	fn := t.Func
	if ctx.AttachTo != "" {
		fn = ctx.AttachTo
	}
	return fmt.Errorf("the kernel refused to load a BPF tracing program for %s on %s (operation not permitted): this kernel does not allow fentry/fexit/iter programs", what, fn)
}

// List implements Lister: "fentry:MODULE:FUNC"; -lv adds the params and
// "RET retval" as bpftrace prints them.
func (p fentryProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	k, err := btfOf(h)
	if err != nil {
		return nil, err
	}
	mod, fn := "*", "*"
	if search != "" {
		if m, f, ok := strings.Cut(search, ":"); ok {
			mod, fn = m, f
		} else {
			fn = search
		}
	}
	spec := &Spec{Wildcard: true}
	spec.Module, spec.Func = mod, fn
	spec.AP = &ast.AttachPoint{Raw: p.Name() + ":" + search}
	ts, err := p.Expand(spec, h)
	if err != nil {
		return nil, err
	}
	var out []Listing
	for _, t := range ts {
		l := Listing{Name: t.Name}
		if verbose {
			if f, err := k.Func(t.Module, t.Func); err == nil {
				for _, prm := range f.Params {
					l.Params = append(l.Params, prm.Decl())
				}
				if _, void := f.Ret.(*types.Void); !void {
					l.Params = append(l.Params, f.RetC+" retval")
				}
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func init() {
	Register(fentryProvider{})
	Register(fentryProvider{exit: true})
}
