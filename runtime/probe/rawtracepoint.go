package probe

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
)

// rawTracepointProvider is rawtracepoint[:MODULE]:EVENT. Args are the
// tracepoint's C arguments, u64 slots in ctx, typed from BTF.
type rawTracepointProvider struct{}

func (rawTracepointProvider) Name() string      { return "rawtracepoint" }
func (rawTracepointProvider) Aliases() []string { return []string{"rt"} }

func (p rawTracepointProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = "rawtracepoint"
	switch len(ap.Parts) {
	case 1:
		s.Module, s.Func = "*", ap.Parts[0]
	case 2:
		s.Module, s.Func = ap.Parts[0], ap.Parts[1]
	default:
		return nil, argCountError(ap, "rawtracepoint", 2, 1)
	}
	if s.Func == "" {
		return nil, apErrorf(ap, "rawtracepoint should be attached to a function")
	}
	s.Wildcard = HasWildcard(s.Module) || HasWildcard(s.Func)
	return s, nil
}

// rawEvents lists "module:event" pairs: from BTF (btf_trace_ typedefs of
// vmlinux and modules) when available, else every tracefs event as vmlinux.
func rawEvents(h Host, moduleGlob string) ([]string, error) {
	if k, err := btfOf(h); err == nil && k != nil {
		var out []string
		mods := []string{"vmlinux"}
		if moduleGlob != "vmlinux" {
			mods = append(mods, k.Modules()...)
		}
		for _, m := range mods {
			if !Match(moduleGlob, m) {
				continue
			}
			names, err := k.RawTracepointNames(m)
			if err != nil {
				continue
			}
			for _, n := range names {
				out = append(out, m+":"+n)
			}
		}
		sort.Strings(out)
		return out, nil
	}
	if h == nil {
		return nil, fmt.Errorf("cannot list raw tracepoints: no BTF and no tracefs")
	}
	all, err := h.Tracepoints()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ce := range all {
		_, e, _ := strings.Cut(ce, ":")
		out = append(out, "vmlinux:"+e)
	}
	return out, nil
}

func (p rawTracepointProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	if !s.Wildcard {
		// A plain name: look it up directly (cheap) instead of listing all.
		if k, err := btfOf(h); err == nil && k != nil {
			mods := []string{s.Module}
			if s.Module == "*" {
				mods = append([]string{"vmlinux"}, k.Modules()...)
			}
			for _, m := range mods {
				if _, err := k.RawTracepoint(m, s.Func); err == nil {
					t := s.Target
					t.Module = m
					t.Name = "rawtracepoint:" + m + ":" + s.Func
					return []*Target{&t}, nil
				}
			}
			return nil, apErrorf(s.AP, "rawtracepoint not found: %s", s.Func)
		}
	}
	evs, err := rawEvents(h, s.Module)
	if err != nil {
		return nil, apErrorf(s.AP, "%v", err)
	}
	var out []*Target
	seen := map[string]bool{}
	for _, me := range evs {
		m, e, _ := strings.Cut(me, ":")
		if !Match(s.Func, e) || seen[me] {
			continue
		}
		// Without a module, a name found in vmlinux is not looked for again in modules.
		if !s.Wildcard && len(out) > 0 {
			break
		}
		seen[me] = true
		t := s.Target
		t.Module, t.Func = m, e
		t.Name = "rawtracepoint:" + m + ":" + e
		out = append(out, &t)
	}
	if len(out) == 0 && !s.Wildcard {
		return nil, apErrorf(s.AP, "rawtracepoint not found: %s", s.Func)
	}
	return out, nil
}

// Context: ctx is an array of u64 arguments (struct bpf_raw_tracepoint_args).
func (p rawTracepointProvider) Context(t *Target, h Host) (*Ctx, error) {
	ctx := &Ctx{ProgType: ebpf.RawTracepoint, Disallow: []string{"retval", "func"}}
	k, err := btfOf(h)
	if err != nil || k == nil {
		// No BTF: raw u64 arguments only.
		for i := 0; i < 6; i++ {
			ctx.ArgN = append(ctx.ArgN, Loc{Kind: LocCtx, Offset: 8 * i, Size: 8})
		}
		return ctx, nil
	}
	f, err := k.RawTracepoint(t.Module, t.Func)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	ctx.Args, ctx.ArgsStruct = u64SlotArgs(t.Name+"_args", f.Params)
	for i := range f.Params {
		ctx.ArgN = append(ctx.ArgN, Loc{Kind: LocCtx, Offset: 8 * i, Size: 8})
	}
	return ctx, nil
}

// u64SlotArgs lays out arguments that the kernel passes as an array of u64
// (raw tracepoints, fentry/fexit): argument i is at 8*i, narrowed to its type.
func u64SlotArgs(name string, params []kbtf.Param) ([]Arg, *types.Struct) {
	st := &types.Struct{Kind: "struct", Name: name, Algn: 8}
	var args []Arg
	for i, prm := range params {
		loc := Loc{Kind: LocCtx, Offset: 8 * i, Size: 8}
		if sz := prm.Type.Size(); sz > 0 && sz <= 8 {
			loc.Size = sz
		}
		switch ty := prm.Type.(type) {
		case *types.Int:
			loc.Signed = ty.Signed
		case *types.Pointer:
			loc.Space = ty.Space
		}
		args = append(args, Arg{Name: prm.Name, Type: prm.Type, Loc: loc})
		st.Fields = append(st.Fields, types.Field{Name: prm.Name, Type: prm.Type, Offset: 8 * i})
	}
	st.Bytes = 8 * len(params)
	return args, st
}

func (p rawTracepointProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: t.Func, Program: prog})
	if err != nil {
		return nil, fmt.Errorf("attaching raw tracepoint %s: %w", t.Func, err)
	}
	return l, nil
}

// List implements Lister: "rawtracepoint:vmlinux:EVENT", -lv adds the args.
func (p rawTracepointProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	mod, ev := "*", "*"
	if search != "" {
		if m, e, ok := strings.Cut(search, ":"); ok {
			mod, ev = m, e
		} else {
			ev = search
		}
	}
	evs, err := rawEvents(h, mod)
	if err != nil {
		return nil, err
	}
	k, _ := btfOf(h)
	var out []Listing
	for _, me := range evs {
		m, e, _ := strings.Cut(me, ":")
		if !Match(ev, e) {
			continue
		}
		l := Listing{Name: "rawtracepoint:" + me}
		if verbose && k != nil {
			if f, err := k.RawTracepoint(m, e); err == nil {
				for _, prm := range f.Params {
					l.Params = append(l.Params, prm.Decl())
				}
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func init() { Register(rawTracepointProvider{}) }
