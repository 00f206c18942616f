package probe

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// iterProvider is iter:NAME[:PIN], a BPF iterator over kernel objects
// (task, task_file, task_vma, ...). The fields of `ctx` come from the
// kernel's bpf_iter_NAME prototype. Attach returns a *link.Iter: the runtime
// reads it (Open) instead of waiting for events, and pins it when
// Target.Path is set.
type iterProvider struct{}

func (iterProvider) Name() string      { return "iter" }
func (iterProvider) Aliases() []string { return []string{"it"} }

func (p iterProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	if len(ap.Parts) != 1 && len(ap.Parts) != 2 {
		return nil, apErrorf(ap, "iter probe type takes 2 arguments (1 optional)")
	}
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = "iter"
	s.Func = ap.Parts[0]
	if s.Func == "" {
		return nil, apErrorf(ap, "iter should specify a iterator's name")
	}
	if len(ap.Parts) == 2 {
		s.Path = ap.Parts[1]
		if !strings.HasPrefix(s.Path, "/") {
			s.Path = "/sys/fs/bpf/" + s.Path
		}
	}
	s.Wildcard = HasWildcard(s.Func)
	return s, nil
}

// iterNames lists iterators: each has a context struct bpf_iter__NAME in BTF
// (functions named bpf_iter_* include helpers that are not iterators).
func iterNames(h Host) ([]string, error) {
	k, err := btfOf(h)
	if err != nil {
		return nil, err
	}
	structs, err := k.TypeNames("", "struct")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range structs {
		if n, ok := strings.CutPrefix(s, "bpf_iter__"); ok && n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (p iterProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	if s.Wildcard {
		return nil, apErrorf(s.AP, "iter probe type does not support wildcards")
	}
	names, err := iterNames(h)
	if err != nil {
		return nil, apErrorf(s.AP, "%v", err)
	}
	if len(MatchAny(s.Func, names)) == 0 {
		return nil, apErrorf(s.AP, "iter %s not available for your kernel version.", s.Func)
	}
	t := s.Target
	t.Name = "iter:" + t.Func
	if t.Path != "" {
		t.Name += ":" + s.AP.Parts[1]
	}
	return []*Target{&t}, nil
}

// Context: ctx is struct bpf_iter__NAME {meta; fields...}, each a u64 slot.
func (p iterProvider) Context(t *Target, h Host) (*Ctx, error) {
	k, err := btfOf(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	st, err := k.Struct("struct bpf_iter__" + t.Func)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	ctx := &Ctx{ProgType: ebpf.Tracing, AttachType: ebpf.AttachTraceIter, AttachTo: t.Func,
		Disallow: []string{"retval", "func", "reg", "args"}}
	out := &types.Struct{Kind: "struct", Name: st.Name, Bytes: st.Bytes, Algn: st.Algn}
	// Members are written `union { struct task_struct *task; };` (an
	// anonymous union holding the pointer): flatten them.
	var fields []types.Field
	for _, f := range st.Fields {
		if u, ok := f.Type.(*types.Struct); ok && f.Name == "" {
			for _, g := range u.Fields {
				g.Offset += f.Offset
				fields = append(fields, g)
			}
			continue
		}
		fields = append(fields, f)
	}
	for _, f := range fields {
		if f.Name == "meta" || f.Name == "" {
			continue
		}
		out.Fields = append(out.Fields, f)
		l := Loc{Kind: LocCtx, Offset: f.Offset, Size: 8}
		if sz := f.Type.Size(); sz > 0 && sz < 8 {
			l.Size = sz
		}
		switch ty := f.Type.(type) {
		case *types.Pointer:
			l.Space = ty.Space
		case *types.Int:
			l.Signed = ty.Signed
		}
		ctx.Args = append(ctx.Args, Arg{Name: f.Name, Type: f.Type, Loc: l})
	}
	ctx.ArgsStruct = out
	return ctx, nil
}

func (p iterProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	it, err := link.AttachIter(link.IterOptions{Program: prog})
	if err != nil {
		return nil, fmt.Errorf("attaching iterator %s: %w", t.Func, err)
	}
	if t.Path != "" {
		if err := it.Pin(t.Path); err != nil {
			it.Close()
			return nil, fmt.Errorf("pinning iterator %s to %s: %w", t.Func, t.Path, err)
		}
	}
	return it, nil
}

// List implements Lister; -lv shows the ctx fields.
func (p iterProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	names, err := iterNames(h)
	if err != nil {
		return nil, err
	}
	if search == "" {
		search = "*"
	}
	k, _ := btfOf(h)
	var out []Listing
	for _, n := range MatchAny(search, names) {
		l := Listing{Name: "iter:" + n}
		if verbose && k != nil {
			// bpf_iter_NAME's prototype names the context fields with C types.
			if f, err := k.Func("", "bpf_iter_"+n); err == nil {
				for i, prm := range f.Params {
					if i == 0 { // struct bpf_iter_meta *meta
						continue
					}
					l.Params = append(l.Params, prm.Decl())
				}
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func init() { Register(iterProvider{}) }
