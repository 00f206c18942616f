package kbtf

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Func is a kernel function prototype (fentry/fexit) or a raw tracepoint's
// arguments.
type Func struct {
	Name   string
	Module string // "vmlinux" or the module name
	Params []Param
	Ret    types.Type // *types.Void for void functions
	RetC   string     // the return type in C ("ssize_t")
	BTF    *btf.Func  // nil for raw tracepoints
}

// Param is one argument.
type Param struct {
	Name string
	Type types.Type
	C    string // the type in C, e.g. "struct file *"
}

// Decl is the parameter as `-lv` prints it: "struct file * file".
func (p Param) Decl() string { return p.C + " " + p.Name }

// Func looks up a kernel function's prototype in vmlinux or a module.
func (k *Kernel) Func(module, name string) (*Func, error) {
	spec, err := k.specFor(module)
	if err != nil {
		return nil, err
	}
	fn, err := lookup[*btf.Func](spec, name)
	if err != nil {
		where := "the kernel"
		if module != "" && module != "vmlinux" {
			where = "module " + module
		}
		return nil, fmt.Errorf("function %s not found in the BTF of %s", name, where)
	}
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok {
		return nil, fmt.Errorf("function %s has no prototype in BTF", name)
	}
	f := k.proto(proto, 0)
	f.Name, f.BTF = name, fn
	f.Module = module
	if f.Module == "" {
		f.Module = "vmlinux"
	}
	return f, nil
}

// RawTracepoint returns a raw tracepoint's arguments, from the BTF typedef
// btf_trace_EVENT (a pointer to a prototype whose first parameter is the
// tracepoint's private data, which is not an argument).
func (k *Kernel) RawTracepoint(module, event string) (*Func, error) {
	spec, err := k.specFor(module)
	if err != nil {
		return nil, err
	}
	// __bpf_trace_EVENT is the kernel's trampoline for the event; unlike
	// the btf_trace_ typedef, its prototype names the arguments.
	if fn, err := lookup[*btf.Func](spec, "__bpf_trace_"+event); err == nil {
		if proto, ok := fn.Type.(*btf.FuncProto); ok {
			f := k.proto(proto, 1)
			f.Name, f.Module = event, module
			if f.Module == "" {
				f.Module = "vmlinux"
			}
			return f, nil
		}
	}
	td, err := lookup[*btf.Typedef](spec, "btf_trace_"+event)
	if err != nil {
		return nil, fmt.Errorf("raw tracepoint %s not found in kernel BTF", event)
	}
	ptr, ok := skipQualifiers(td.Type).(*btf.Pointer)
	if !ok {
		return nil, fmt.Errorf("btf_trace_%s is not a function pointer", event)
	}
	proto, ok := skipQualifiers(ptr.Target).(*btf.FuncProto)
	if !ok {
		return nil, fmt.Errorf("btf_trace_%s is not a function pointer", event)
	}
	f := k.proto(proto, 1)
	f.Name, f.Module = event, module
	if f.Module == "" {
		f.Module = "vmlinux"
	}
	return f, nil
}

// RawTracepointNames lists events that have a btf_trace_ typedef.
func (k *Kernel) RawTracepointNames(module string) ([]string, error) {
	tds, err := k.TypeNames(module, "typedef")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range tds {
		if ev, ok := strings.CutPrefix(n, "btf_trace_"); ok {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (k *Kernel) proto(p *btf.FuncProto, skip int) *Func {
	c := k.converter()
	f := &Func{Ret: c.full(p.Return), RetC: CName(p.Return)}
	for i, prm := range p.Params {
		if i < skip {
			continue
		}
		if prm.Type == nil { // variadic "..."
			continue
		}
		name := prm.Name
		if name == "" {
			name = fmt.Sprintf("arg%d", i-skip)
		}
		f.Params = append(f.Params, Param{Name: name, Type: c.fullParam(prm.Type), C: CName(prm.Type)})
	}
	return f
}

// fullParam converts a parameter type: pointers to records stay shells.
func (c *converter) fullParam(t btf.Type) types.Type {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conv(t)
}

// CName is a type as C spells it in a declaration: "struct sock *",
// "const char *", "unsigned int", "u64".
func CName(t btf.Type) string {
	return cname(t, 0)
}

func cname(t btf.Type, depth int) string {
	if depth > 32 {
		return "?"
	}
	switch t := t.(type) {
	case nil, *btf.Void:
		return "void"
	case *btf.Int:
		return t.Name
	case *btf.Float:
		return t.Name
	case *btf.Typedef:
		return t.Name
	case *btf.Struct:
		return "struct " + t.Name
	case *btf.Union:
		return "union " + t.Name
	case *btf.Enum:
		return "enum " + t.Name
	case *btf.Fwd:
		if t.Kind == btf.FwdUnion {
			return "union " + t.Name
		}
		return "struct " + t.Name
	case *btf.Const:
		return "const " + cname(t.Type, depth+1)
	case *btf.Volatile:
		return "volatile " + cname(t.Type, depth+1)
	case *btf.Restrict:
		return cname(t.Type, depth+1)
	case *btf.TypeTag:
		return cname(t.Type, depth+1)
	case *btf.Pointer:
		if fp, ok := skipQualifiers(t.Target).(*btf.FuncProto); ok {
			return cname(fp.Return, depth+1) + " (*)(" + paramList(fp, depth) + ")"
		}
		return cname(t.Target, depth+1) + " *"
	case *btf.Array:
		return fmt.Sprintf("%s[%d]", cname(t.Type, depth+1), t.Nelems)
	case *btf.FuncProto:
		return cname(t.Return, depth+1) + " (" + paramList(t, depth) + ")"
	}
	return "?"
}

func paramList(fp *btf.FuncProto, depth int) string {
	var ps []string
	for _, p := range fp.Params {
		if p.Type == nil {
			ps = append(ps, "...")
			continue
		}
		ps = append(ps, cname(p.Type, depth+1))
	}
	return strings.Join(ps, ", ")
}
