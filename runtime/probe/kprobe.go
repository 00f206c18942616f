package probe

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// x86-64 struct pt_regs offsets of the argument registers (di, si, dx, cx,
// r8, r9) and of ax, the return value.
var (
	ptRegsArgs   = []int{112, 104, 96, 88, 72, 64}
	ptRegsRetval = 80
)

// kprobeProvider is kprobe[:MODULE]:FUNC[+OFFSET] and kretprobe[:MODULE]:FUNC.
// When the kernel has no kprobes, Context switches the probe to fentry/fexit
// on the same function, with argN still working (and a Notice saying so).
type kprobeProvider struct {
	ret bool
}

func (p kprobeProvider) Name() string {
	if p.ret {
		return "kretprobe"
	}
	return "kprobe"
}

func (p kprobeProvider) Aliases() []string {
	if p.ret {
		return []string{"kr"}
	}
	return []string{"k"}
}

func (p kprobeProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	name := p.Name()
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = name
	var fn string
	switch len(ap.Parts) {
	case 1:
		fn = ap.Parts[0]
	case 2:
		s.Module, fn = ap.Parts[0], ap.Parts[1]
	default:
		return nil, argCountError(ap, name, 1, 2)
	}
	if n := strings.Count(fn, "+"); n > 0 {
		if p.ret {
			return nil, apErrorf(ap, "Offset not allowed")
		}
		if n > 1 {
			return nil, apErrorf(ap, "Cannot take more than one offset")
		}
		f, off, _ := strings.Cut(fn, "+")
		if f == "" || off == "" {
			return nil, apErrorf(ap, "Invalid offset")
		}
		v, err := ParseUint(off)
		if err != nil {
			return nil, apErrorf(ap, "Invalid offset: %v", err)
		}
		fn, s.Offset = f, v
	}
	if fn == "" {
		return nil, apErrorf(ap, "kprobes should be attached to a function")
	}
	s.Func = fn
	s.Wildcard = HasWildcard(fn) || HasWildcard(s.Module)
	if s.Wildcard && s.Offset != 0 {
		return nil, apErrorf(ap, "Offset not allowed with wildcards")
	}
	return s, nil
}

// kernelFuncs lists candidates for wildcards: the host's traceable
// functions, or BTF functions of vmlinux when the host cannot list them.
func kernelFuncs(h Host) ([]KFunc, error) {
	if kh, ok := h.(KernelFuncHost); ok {
		return kh.KernelFuncs()
	}
	k, err := btfOf(h)
	if err != nil {
		return nil, errors.New("cannot list kernel functions: no kallsyms, tracefs or BTF")
	}
	names, err := k.FuncNames("")
	if err != nil {
		return nil, err
	}
	out := make([]KFunc, len(names))
	for i, n := range names {
		out[i] = KFunc{Module: "vmlinux", Name: n}
	}
	return out, nil
}

// matchFuncs filters kernel functions by module and function globs, dropping
// ".part.N" clones (not traceable, as bpftrace notes) and duplicates.
func matchFuncs(all []KFunc, module, fn string) []KFunc {
	var out []KFunc
	seen := map[KFunc]bool{}
	for _, f := range all {
		if strings.Contains(f.Name, ".part.") {
			continue
		}
		if module != "" && module != "*" && !Match(module, f.Module) {
			continue
		}
		if !Match(fn, f.Name) || seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, f)
	}
	return out
}

func (p kprobeProvider) target(s *Spec, module, fn string) *Target {
	t := s.Target
	t.Module, t.Func = module, fn
	t.Name = p.Name() + ":"
	if module != "" {
		t.Name += module + ":"
	}
	t.Name += fn
	if t.Offset != 0 {
		t.Name += "+" + strconv.FormatUint(t.Offset, 10)
	}
	return &t
}

func (p kprobeProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	if !s.Wildcard {
		return []*Target{p.target(s, s.Module, s.Func)}, nil
	}
	all, err := kernelFuncs(h)
	if err != nil {
		return nil, apErrorf(s.AP, "%v", err)
	}
	var out []*Target
	for _, f := range matchFuncs(all, s.Module, s.Func) {
		mod := ""
		if s.Module != "" { // keep the module in names only when written
			mod = f.Module
		}
		out = append(out, p.target(s, mod, f.Name))
	}
	sortTargets(out)
	return out, nil
}

// sortTargets orders wildcard expansions by name, as bpftrace's sets do.
func sortTargets(ts []*Target) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
}

// Multi implements MultiAttacher: one kprobe.multi link for a wildcard
// without a module (kprobe.multi cannot take "module:function").
func (p kprobeProvider) Multi(s *Spec, ts []*Target, h Host) (*Target, bool) {
	f := FeaturesOf(h)
	if !f.Kprobe || !f.KprobeMulti || s.Module != "" || len(ts) < 2 {
		return nil, false
	}
	funcs := make([]string, len(ts))
	for i, t := range ts {
		funcs[i] = t.Func
	}
	t := s.Target
	t.Name = p.Name() + ":" + s.Func
	t.Extra = kprobeMultiFuncs(funcs)
	return &t, true
}

// kprobeMultiFuncs is Target.Extra of a kprobe.multi target.
type kprobeMultiFuncs []string

// Context: pt_regs for real kprobes; fentry/fexit with u64 argument slots
// when the kernel has no kprobes but can run tracing programs.
func (p kprobeProvider) Context(t *Target, h Host) (*Ctx, error) {
	f := FeaturesOf(h)
	if !f.Kprobe {
		var why error
		switch {
		case t.Offset != 0:
			why = errors.New("fentry cannot attach at an offset")
		case !f.Fentry:
			why = errors.New("this kernel does not allow BPF tracing programs")
			if fh, ok := h.(interface{ FentryError() error }); ok && fh.FentryError() != nil {
				why = fh.FentryError()
			}
		default:
			ctx, err := p.fentryFallback(t, h)
			if err == nil {
				return ctx, nil
			}
			why = err
		}
		// Attach fails on this kernel; its error will say why the
		// fallback was not taken.
		noFallback.Store(t, why)
	}
	ctx := &Ctx{ProgType: ebpf.Kprobe, HasRegs: true, Disallow: []string{"args"}}
	if p.ret {
		ctx.Retval = &Loc{Kind: LocCtx, Offset: ptRegsRetval, Size: 8}
	} else {
		for _, off := range ptRegsArgs {
			ctx.ArgN = append(ctx.ArgN, Loc{Kind: LocCtx, Offset: off, Size: 8})
		}
	}
	return ctx, nil
}

// fentryFallback describes the same probe as fentry/fexit. argN stay
// available (as u64 slots); retval follows the arguments.
func (p kprobeProvider) fentryFallback(t *Target, h Host) (*Ctx, error) {
	k, err := btfOf(h)
	if err != nil {
		return nil, err
	}
	fn, err := findKernelFunc(k, t.Module, t.Func)
	if err != nil {
		return nil, err
	}
	at, as := ebpf.AttachTraceFEntry, "fentry"
	if p.ret {
		at, as = ebpf.AttachTraceFExit, "fexit"
	}
	ctx := &Ctx{ProgType: ebpf.Tracing, AttachType: at, AttachTo: t.Func, Disallow: []string{"args", "reg"}, KstackSkip: trampolineFrames}
	if p.ret {
		ctx.Retval = &Loc{Kind: LocCtx, Offset: 8 * len(fn.Params), Size: 8}
	} else {
		for i := range fn.Params {
			ctx.ArgN = append(ctx.ArgN, Loc{Kind: LocCtx, Offset: 8 * i, Size: 8})
		}
	}
	ctx.Notice = fmt.Sprintf("%s: kprobes are not available in this kernel; attaching as %s:%s:%s instead", t.Name, as, fn.Module, t.Func)
	return ctx, nil
}

func (p kprobeProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	if prog.Type() == ebpf.Tracing { // the fentry/fexit fallback chosen by Context
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			return nil, fmt.Errorf("kprobes are not available and attaching to %s as fentry/fexit failed: %w", t.Func, err)
		}
		return l, nil
	}
	var l link.Link
	var err error
	switch {
	case t.Extra != nil:
		funcs, _ := t.Extra.(kprobeMultiFuncs)
		mo := link.KprobeMultiOptions{Symbols: funcs}
		if p.ret {
			l, err = link.KretprobeMulti(prog, mo)
		} else {
			l, err = link.KprobeMulti(prog, mo)
		}
	case p.ret:
		l, err = link.Kretprobe(t.Func, prog, nil)
	default:
		l, err = link.Kprobe(t.Func, prog, &link.KprobeOptions{Offset: t.Offset})
	}
	if err != nil {
		return nil, kprobeError(t, err)
	}
	return l, nil
}

// kprobeError names the function and the kernel's reason. (The runtime
// puts the probe name in front.)
func kprobeError(t *Target, err error) error {
	what := "kprobe"
	if t.Provider == "kretprobe" {
		what = "kretprobe"
	}
	switch {
	case errors.Is(err, link.ErrNotSupported), errors.Is(err, os.ErrNotExist) && !haveKprobes():
		// cilium/ebpf's chain (tracefs paths) adds nothing for the user;
		// keep it for errors.Is only.
		why := "the fentry/fexit fallback could not be used"
		if v, ok := noFallback.Load(t); ok {
			why = "the " + fallbackKind(t) + " fallback failed too: " + v.(error).Error()
		}
		return &quietError{
			msg: fmt.Sprintf("cannot attach %s to %s: kprobes are not supported by this kernel (no kprobe PMU or kprobe_events: CONFIG_KPROBES unset), and %s", what, t.Func, why),
			err: err,
		}
	case t.Offset != 0 && (errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EILSEQ)) && kernelFuncExists(t.Func):
		// The kernel refuses an address inside an instruction (EILSEQ,
		// reported as EINVAL), and cilium/ebpf's retry with the
		// __x64_ prefix then fails with ENOENT.
		return &quietError{
			msg: fmt.Sprintf("cannot attach %s to %s+%d: the kernel refused the offset: %s+%d is not at an instruction boundary (or cannot be probed)", what, t.Func, t.Offset, t.Func, t.Offset),
			err: err,
		}
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("cannot attach %s to %s: function not found, or not traceable (inlined, or marked notrace): %w", what, t.Func, err)
	}
	return fmt.Errorf("cannot attach %s to %s: %w", what, t.Func, err)
}

// noFallback holds, per kprobe target on a kernel without kprobes, why
// Context could not switch it to fentry/fexit (an error).
var noFallback sync.Map

func fallbackKind(t *Target) string {
	if t.Provider == "kretprobe" {
		return "fexit"
	}
	return "fentry"
}

// kernelFuncExists reports whether a kernel function is known to
// available_filter_functions or, where that is unreadable, to
// /proc/kallsyms. It runs on error paths only: kallsyms is slow to read.
func kernelFuncExists(name string) bool {
	if tf, err := MountTracefs(); err == nil {
		if fs, err := tf.FilterFunctions(); err == nil && len(fs) > 0 {
			for _, f := range fs {
				if f.Name == name {
					return true
				}
			}
			return false
		}
	}
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "ffffffff81234560 T name\t[module]"
		fields := strings.Fields(sc.Text())
		if len(fields) >= 3 && fields[2] == name {
			return true
		}
	}
	return false
}

// List implements Lister: traceable functions, "kprobe:FUNC" (with
// "kprobe:MODULE:FUNC" only when a module is searched for).
func (p kprobeProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	mod, fn := "", "*"
	if search != "" {
		if m, f, ok := strings.Cut(search, ":"); ok {
			mod, fn = m, f
		} else {
			fn = search
		}
	}
	all, err := kernelFuncs(h)
	if err != nil {
		return nil, err
	}
	k, _ := btfOf(h)
	var out []Listing
	for _, f := range matchFuncs(all, mod, fn) {
		name := p.Name() + ":" + f.Name
		if mod != "" {
			name = p.Name() + ":" + f.Module + ":" + f.Name
		}
		l := Listing{Name: name}
		// -lv: the prototype from BTF, as bpftrace shows it (arguments for
		// kprobe, the return value for kretprobe).
		if verbose && k != nil {
			if bf, err := k.Func(f.Module, f.Name); err == nil {
				if p.ret {
					if _, void := bf.Ret.(*types.Void); !void {
						l.Params = append(l.Params, bf.RetC+" retval")
					}
				} else {
					for _, prm := range bf.Params {
						l.Params = append(l.Params, prm.Decl())
					}
				}
			}
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func init() {
	Register(kprobeProvider{})
	Register(kprobeProvider{ret: true})
}

// quietError prints msg but unwraps to err.
type quietError struct {
	msg string
	err error
}

func (e *quietError) Error() string { return e.msg }
func (e *quietError) Unwrap() error { return e.err }
