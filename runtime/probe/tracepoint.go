package probe

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// tracepointProvider is tracepoint:CATEGORY:EVENT, args from the format file.
type tracepointProvider struct{}

func (tracepointProvider) Name() string      { return "tracepoint" }
func (tracepointProvider) Aliases() []string { return []string{"t"} }

func (p tracepointProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	parts := ap.Parts
	// tracepoint:*foo* searches events of every category, as in bpftrace.
	if len(parts) == 1 && HasWildcard(parts[0]) {
		parts = []string{"*", parts[0]}
	}
	if len(parts) != 2 {
		return nil, argCountError(ap, "tracepoint", 2)
	}
	if parts[0] == "" || parts[1] == "" {
		return nil, apErrorf(ap, "tracepoint probe must have a target")
	}
	s := &Spec{Provider: p, AP: ap}
	s.Target.Provider = "tracepoint"
	s.Category, s.Func = parts[0], parts[1]
	s.Wildcard = HasWildcard(s.Category) || HasWildcard(s.Func)
	return s, nil
}

// Expand matches wildcards against tracefs; a wildcard matching nothing
// gives no targets (the checker decides whether that is an error). A plain
// name must exist.
func (p tracepointProvider) Expand(s *Spec, h Host) ([]*Target, error) {
	if h == nil {
		return nil, apErrorf(s.AP, "cannot resolve tracepoint %s:%s: no host", s.Category, s.Func)
	}
	if !s.Wildcard {
		if _, err := h.TracepointFormat(s.Category, s.Func); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, apErrorf(s.AP, "tracepoint not found: %s:%s", s.Category, s.Func)
			}
			return nil, apErrorf(s.AP, "%v", err)
		}
		return []*Target{tpTarget(s, s.Category, s.Func)}, nil
	}
	all, err := h.Tracepoints()
	if err != nil {
		return nil, apErrorf(s.AP, "%v", err)
	}
	var out []*Target
	for _, ce := range all {
		c, e, ok := strings.Cut(ce, ":")
		if ok && Match(s.Category, c) && Match(s.Func, e) {
			out = append(out, tpTarget(s, c, e))
		}
	}
	return out, nil
}

func tpTarget(s *Spec, cat, ev string) *Target {
	t := s.Target
	t.Category, t.Func = cat, ev
	t.Name = "tracepoint:" + cat + ":" + ev
	return &t
}

// Context reads the format file: every field is in `args`; pointers of
// syscalls:* tracepoints are user pointers.
func (p tracepointProvider) Context(t *Target, h Host) (*Ctx, error) {
	if h == nil {
		return nil, fmt.Errorf("%s: no host to read the format file from", t.Name)
	}
	text, err := h.TracepointFormat(t.Category, t.Func)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	f, err := ParseFormat(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	resolve := btfResolver(h)
	user := t.Category == "syscalls"
	ctx := &Ctx{ProgType: ebpf.TracePoint, Disallow: []string{"retval", "func"}}
	st := &types.Struct{Kind: "struct", Name: t.Name + "_args"}
	for i := range f.Fields {
		fld := &f.Fields[i]
		ty := fld.Type(resolve, user)
		ctx.Args = append(ctx.Args, Arg{Name: fld.Name, Type: ty, Loc: fld.Loc(ty)})
		st.Fields = append(st.Fields, types.Field{Name: fld.Name, Type: ty, Offset: fld.Offset})
		if end := fld.Offset + fld.Size; end > st.Bytes {
			st.Bytes = end
		}
		if a := ty.Align(); a > st.Algn {
			st.Algn = a
		}
	}
	ctx.ArgsStruct = st
	return ctx, nil
}

// btfResolver resolves record types of format files (pointees such as
// "struct sk_buff") through kernel BTF, loading it only when first needed.
func btfResolver(h Host) TypeResolver {
	return func(ct string) types.Type {
		k, err := btfOf(h)
		if err != nil || k == nil {
			return nil
		}
		t, err := k.Type(ct)
		if err != nil {
			return nil
		}
		return t
	}
}

// Attach mounts tracefs if needed (cilium/ebpf looks for it only once, so
// this must come first) and attaches through a perf event.
func (p tracepointProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	if _, err := MountTracefs(); err != nil {
		return nil, err
	}
	l, err := link.Tracepoint(t.Category, t.Func, prog, nil)
	if err != nil {
		return nil, fmt.Errorf("attaching tracepoint %s:%s: %w", t.Category, t.Func, err)
	}
	return l, nil
}

// List implements Lister; -lv adds the format file's fields.
func (p tracepointProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	if h == nil {
		return nil, nil
	}
	all, err := h.Tracepoints()
	if err != nil {
		return nil, err
	}
	cat, ev := "*", "*"
	if search != "" {
		if c, e, ok := strings.Cut(search, ":"); ok {
			cat, ev = c, e
		} else {
			ev = search
		}
	}
	var out []Listing
	for _, ce := range all {
		c, e, _ := strings.Cut(ce, ":")
		if !Match(cat, c) || !Match(ev, e) {
			continue
		}
		l := Listing{Name: "tracepoint:" + ce}
		if verbose {
			if text, err := h.TracepointFormat(c, e); err == nil {
				if f, err := ParseFormat(text); err == nil {
					for _, fld := range f.Fields {
						if fld.Common {
							continue // bpftrace lists the event's own fields only
						}
						l.Params = append(l.Params, fld.ListParam())
					}
				}
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func init() { Register(tracepointProvider{}) }
