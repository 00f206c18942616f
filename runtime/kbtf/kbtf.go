// Package kbtf gives the compiler the kernel's types from BTF alone: struct,
// union, enum and typedef layouts, function prototypes for fentry/fexit and
// raw tracepoints, and name lists for wildcards and `-l`.
//
// Everything is lazy so that start-up stays fast: cilium/ebpf maps
// /sys/kernel/btf/vmlinux and inflates a type only when it is looked up
// (~10 ms to open, ~6 ms for the first name lookup); the raw name index used
// by wildcards and enum constants is built on first use (a few ms); module
// BTF is loaded the first time a module is named.
package kbtf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// ErrNoBTF means the kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing).
var ErrNoBTF = errors.New("kernel BTF is not available (/sys/kernel/btf/vmlinux)")

// Dir is where the kernel exposes BTF; tests may point it elsewhere.
var Dir = "/sys/kernel/btf"

// Kernel is the kernel's BTF: vmlinux plus modules loaded on demand.
type Kernel struct {
	spec    *btf.Spec
	rawPath string // vmlinux raw BTF for the name index; "" when built from a spec

	mu      sync.Mutex
	idx     *rawIndex
	idxErr  error
	ntypes  int
	strs    []byte
	modules map[string]*Module
	conv    *converter
}

// Module is one kernel module's split BTF.
type Module struct {
	Name string
	spec *btf.Spec
	idx  *rawIndex
}

var (
	loadOnce sync.Once
	loaded   *Kernel
	loadErr  error
)

// cache holds the vmlinux spec that Load decodes, shared with program
// loading (see Cache): decoding vmlinux BTF and inflating a function's type
// graph (struct file and all it reaches) is most of an fentry script's
// start-up, and cilium/ebpf would otherwise do it again to find the BTF ID
// of each fentry/fexit program's target.
var cache = btf.NewCache()

// Cache is the BTF cache holding the kernel spec the checker used. Pass it
// to ebpf.CollectionOptions.Cache when loading programs that attach by BTF
// (fentry, fexit, tp_btf, iter) so that their targets are resolved from the
// already decoded types.
func Cache() *btf.Cache { return cache }

// Load returns the running kernel's BTF, loading it once per process.
func Load() (*Kernel, error) {
	loadOnce.Do(func() {
		path := filepath.Join(Dir, "vmlinux")
		if _, err := os.Stat(path); err != nil {
			loadErr = ErrNoBTF
			return
		}
		var spec *btf.Spec
		if Dir == "/sys/kernel/btf" {
			spec, loadErr = cache.Kernel()
		} else {
			spec, loadErr = btf.LoadSpec(path)
		}
		if loadErr != nil {
			loadErr = fmt.Errorf("loading kernel BTF: %w", loadErr)
			return
		}
		loaded = &Kernel{spec: spec, rawPath: path}
	})
	return loaded, loadErr
}

// FromSpec wraps a spec (a fixture, or BTF read from a file) as a Kernel.
// Name listings then come from decoding the spec, which is slower.
func FromSpec(spec *btf.Spec) *Kernel { return &Kernel{spec: spec} }

// Spec is the vmlinux BTF.
func (k *Kernel) Spec() *btf.Spec { return k.spec }

// index builds the raw name index once.
func (k *Kernel) index() (*rawIndex, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.idx != nil || k.idxErr != nil {
		return k.idx, k.idxErr
	}
	if k.rawPath == "" {
		k.idx = indexFromSpec(k.spec)
		return k.idx, nil
	}
	raw, err := readRaw(k.rawPath)
	if err != nil {
		k.idxErr = err
		return nil, err
	}
	k.idx, k.ntypes, k.strs, k.idxErr = scanRaw(raw, 1, nil)
	return k.idx, k.idxErr
}

// readRaw maps a BTF file read-only (vmlinux BTF is immutable, and mapping
// it is faster than copying 5+ MB out of sysfs), or reads it.
func readRaw(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		if b, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_PRIVATE); err == nil {
			return b, nil // kept for the life of the process, like the index
		}
	}
	return os.ReadFile(path)
}

// indexFromSpec builds the name index by decoding every type (fixtures
// only): names go into a string table of its own.
func indexFromSpec(spec *btf.Spec) *rawIndex {
	idx := &rawIndex{enumerator: map[string]btf.TypeID{}}
	var tab []byte
	intern := func(name string) uint32 {
		off := uint32(len(tab))
		tab = append(append(tab, name...), 0)
		return off
	}
	for t, err := range spec.All() {
		if err != nil {
			break
		}
		id, err := spec.TypeID(t)
		if err != nil {
			continue
		}
		switch t := t.(type) {
		case *btf.Func:
			idx.funcs = append(idx.funcs, nameID{intern(t.Name), id})
		case *btf.Struct:
			if t.Name != "" {
				idx.structs = append(idx.structs, nameID{intern(t.Name), id})
			}
		case *btf.Union:
			if t.Name != "" {
				idx.unions = append(idx.unions, nameID{intern(t.Name), id})
			}
		case *btf.Enum:
			if t.Name != "" {
				idx.enums = append(idx.enums, nameID{intern(t.Name), id})
			}
			for _, v := range t.Values {
				if _, dup := idx.enumerator[v.Name]; !dup {
					idx.enumerator[v.Name] = id
				}
			}
		case *btf.Typedef:
			idx.typedefs = append(idx.typedefs, nameID{intern(t.Name), id})
		}
	}
	idx.strs = strTable{own: tab}
	return idx
}

// Module returns a module's BTF, loading it on first use. "vmlinux" and ""
// mean the core kernel and return nil, nil.
func (k *Kernel) Module(name string) (*Module, error) {
	if name == "" || name == "vmlinux" {
		return nil, nil
	}
	if k.rawPath != "" {
		_, _ = k.index() // split BTF continues vmlinux's IDs and strings
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if m, ok := k.modules[name]; ok {
		return m, nil
	}
	if strings.ContainsAny(name, "/.") {
		return nil, fmt.Errorf("invalid module name %q", name)
	}
	path := filepath.Join(Dir, name)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("kernel module %q has no BTF (is it loaded?)", name)
		}
		return nil, err
	}
	defer f.Close()
	spec, err := btf.LoadSplitSpecFromReader(f, k.spec)
	if err != nil {
		return nil, fmt.Errorf("loading BTF of module %s: %w", name, err)
	}
	m := &Module{Name: name, spec: spec}
	if k.rawPath != "" && k.idx != nil {
		if raw, err := os.ReadFile(path); err == nil {
			m.idx, _, _, _ = scanRaw(raw, btf.TypeID(k.ntypes+1), k.strs)
		}
	}
	if m.idx == nil {
		m.idx = indexFromSpec(spec)
	}
	if k.modules == nil {
		k.modules = map[string]*Module{}
	}
	k.modules[name] = m
	return m, nil
}

// Modules lists the modules that expose BTF, sorted.
func (k *Kernel) Modules() []string {
	ents, _ := os.ReadDir(Dir)
	var out []string
	for _, e := range ents {
		if e.Name() != "vmlinux" {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// specFor returns the spec to search: the module's split spec (which also
// sees vmlinux types) or vmlinux.
func (k *Kernel) specFor(module string) (*btf.Spec, error) {
	m, err := k.Module(module)
	if err != nil {
		return nil, err
	}
	if m != nil {
		return m.spec, nil
	}
	return k.spec, nil
}

// lookup finds a named type of one Go BTF kind, preferring complete
// definitions over forward declarations.
func lookup[T btf.Type](spec *btf.Spec, name string) (T, error) {
	var zero T
	all, err := spec.AnyTypesByName(name)
	if err != nil {
		return zero, err
	}
	for _, t := range all {
		if v, ok := t.(T); ok {
			return v, nil
		}
	}
	return zero, fmt.Errorf("%s: %w", name, btf.ErrNotFound)
}

// Type resolves a C type name as a script writes it: "struct task_struct",
// "union x", "enum e", a typedef ("pid_t", "u64") or a base type ("unsigned
// int"). Structs come back complete; pointers inside them are to shells (see
// Struct).
func (k *Kernel) Type(name string) (types.Type, error) {
	return k.TypeIn("", name)
}

// TypeIn is Type, searching a module's BTF first.
func (k *Kernel) TypeIn(module, name string) (types.Type, error) {
	spec, err := k.specFor(module)
	if err != nil {
		return nil, err
	}
	name = strings.Join(strings.Fields(name), " ")
	kind, bare, _ := strings.Cut(name, " ")
	var bt btf.Type
	switch kind {
	case "struct":
		bt, err = lookup[*btf.Struct](spec, bare)
	case "union":
		bt, err = lookup[*btf.Union](spec, bare)
	case "enum":
		bt, err = lookup[*btf.Enum](spec, bare)
	default:
		var td *btf.Typedef
		if td, err = lookup[*btf.Typedef](spec, name); err == nil {
			bt = td
		} else {
			var it *btf.Int
			if it, err = lookup[*btf.Int](spec, name); err == nil {
				bt = it
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("type %q not found in kernel BTF", name)
	}
	return k.converter().full(bt), nil
}

// Struct returns the complete layout of "struct NAME" or "union NAME" (the
// kind prefix may be omitted for structs). Pointers inside point to shells:
// *types.Struct values with Kind, Name, Bytes and Algn set but no Fields, so
// that converting task_struct does not convert the whole kernel. Call Struct
// again with the shell's String() when a field of it is needed.
func (k *Kernel) Struct(name string) (*types.Struct, error) {
	if !strings.HasPrefix(name, "struct ") && !strings.HasPrefix(name, "union ") {
		name = "struct " + name
	}
	t, err := k.Type(name)
	if err != nil {
		return nil, err
	}
	s, ok := t.(*types.Struct)
	if !ok {
		return nil, fmt.Errorf("%s is not a struct", name)
	}
	return s, nil
}

// IsShell reports whether s is a placeholder for a struct reached through a
// pointer (Fields not filled in yet; resolve it with Kernel.Struct(s.String())).
func IsShell(s *types.Struct) bool { return s.Fields == nil && s.Bytes > 0 && s.Name != "" }

// EnumConstant finds an enumerator by name across all kernel enums.
func (k *Kernel) EnumConstant(name string) (int64, *types.Enum, bool) {
	idx, err := k.index()
	if err != nil {
		return 0, nil, false
	}
	id, ok := idx.enumeratorID(name)
	if !ok {
		return 0, nil, false
	}
	bt, err := k.spec.TypeByID(id)
	if err != nil {
		return 0, nil, false
	}
	e, ok := k.converter().full(bt).(*types.Enum)
	if !ok {
		return 0, nil, false
	}
	v, ok := e.Values[name]
	return v, e, ok
}

// FuncNames lists BTF function names of a module ("" or "vmlinux": the core
// kernel), in BTF order (not deduplicated).
func (k *Kernel) FuncNames(module string) ([]string, error) {
	idx, err := k.indexFor(module)
	if err != nil {
		return nil, err
	}
	return idx.names(idx.funcs), nil
}

// TypeNames lists named types of a kind: "struct", "union", "enum" or "typedef".
func (k *Kernel) TypeNames(module, kind string) ([]string, error) {
	idx, err := k.indexFor(module)
	if err != nil {
		return nil, err
	}
	var src []nameID
	switch kind {
	case "struct":
		src = idx.structs
	case "union":
		src = idx.unions
	case "enum":
		src = idx.enums
	case "typedef":
		src = idx.typedefs
	default:
		return nil, fmt.Errorf("unknown type kind %q", kind)
	}
	return idx.names(src), nil
}

func (k *Kernel) indexFor(module string) (*rawIndex, error) {
	m, err := k.Module(module)
	if err != nil {
		return nil, err
	}
	if m != nil {
		return m.idx, nil
	}
	return k.index()
}

func (k *Kernel) converter() *converter {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conv == nil {
		k.conv = newConverter()
	}
	return k.conv
}

// Resolve returns s itself, or, when s is a shell (a record reached through
// a pointer, see Struct), its complete layout. The checker calls it before
// looking at Fields of a struct that came from BTF.
func (k *Kernel) Resolve(s *types.Struct) (*types.Struct, error) {
	if !IsShell(s) {
		return s, nil
	}
	return k.Struct(s.String())
}
