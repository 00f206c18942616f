package probe

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/runtime/usdt"
)

// uprobeProvider is uprobe/u and uretprobe/ur:
//
//	uprobe:PATH:FUNC  uprobe:PATH:FUNC+OFF  uprobe:PATH:0xADDR
//	uprobe:LIB:FUNC   uprobe:PATH:cpp:NS::NAME  (wildcards in FUNC)
//
// PATH is resolved like the dynamic loader (symbols.ResolveBinary); set
// Spec.PID (-p/-c) before Expand to resolve inside that process.
type uprobeProvider struct{ ret bool }

func init() {
	Register(uprobeProvider{})
	Register(uprobeProvider{ret: true})
}

func (p uprobeProvider) Name() string {
	if p.ret {
		return "uretprobe"
	}
	return "uprobe"
}

func (p uprobeProvider) Aliases() []string {
	if p.ret {
		return []string{"ur"}
	}
	return []string{"u"}
}

// UprobeLocation is Target.Extra of a uprobe/uretprobe target.
type UprobeLocation struct {
	FileOffset uint64 // where the kernel puts the breakpoint
	Symbol     string // stored (mangled) symbol name; "" for a bare address
	Size       uint64 // symbol size, 0 when unknown
}

// uprobeFields returns the fields after the provider; C++ names that the
// parser split at "::" are rejoined.
func uprobeFields(ap *ast.AttachPoint) (path, fn string, cpp bool, n int) {
	parts := ap.Parts
	if len(parts) == 0 {
		return "", "", false, 0
	}
	path = parts[0]
	rest := parts[1:]
	if len(rest) >= 2 && rest[0] == "cpp" {
		cpp, rest = true, rest[1:]
	}
	return path, strings.Join(rest, ":"), cpp, len(parts)
}

func (p uprobeProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	path, fn, cpp, n := uprobeFields(ap)
	if n < 2 || path == "" || fn == "" {
		return nil, &AttachPointError{AP: ap, Msg: fmt.Sprintf("%s probe type requires a binary path and a function: %s:BINARY:FUNCTION", p.Name(), p.Name())}
	}
	s := &Spec{Provider: p, AP: ap}
	s.Target = Target{Provider: p.Name(), Path: path, Cpp: cpp}
	if HasWildcard(path) {
		return nil, &AttachPointError{AP: ap, Msg: "wildcards are not supported in the binary path of a " + p.Name()}
	}
	switch {
	case fn[0] >= '0' && fn[0] <= '9':
		addr, err := strconv.ParseUint(fn, 0, 64)
		if err != nil {
			return nil, &AttachPointError{AP: ap, Msg: fmt.Sprintf("invalid address %q", fn)}
		}
		if p.ret {
			return nil, &AttachPointError{AP: ap, Msg: "uretprobe cannot be attached to an address"}
		}
		s.Addr = addr
	default:
		if i := strings.LastIndexByte(fn, '+'); i > 0 && !cpp {
			off, err := strconv.ParseUint(fn[i+1:], 0, 64)
			if err != nil {
				return nil, &AttachPointError{AP: ap, Msg: fmt.Sprintf("invalid offset %q", fn[i+1:])}
			}
			if p.ret {
				return nil, &AttachPointError{AP: ap, Msg: "uretprobe cannot have an offset"}
			}
			fn, s.Offset = fn[:i], off
		}
		s.Func = fn
		s.Wildcard = HasWildcard(fn)
		if s.Wildcard && s.Offset != 0 {
			return nil, &AttachPointError{AP: ap, Msg: "an offset cannot be combined with a wildcard"}
		}
	}
	return s, nil
}

// uprobeMatches reports whether an ELF symbol is named by pattern. Plain
// patterns match the stored name; :cpp: patterns (and plain names that match
// nothing stored) match the demangled name, with or without parameters.
func uprobeMatches(pattern, stored string, cpp, wild bool) bool {
	if !cpp {
		if wild {
			return Match(pattern, stored)
		}
		return pattern == stored
	}
	full := symbols.Demangle(stored)
	short := symbols.DemangleNoParams(stored)
	if wild {
		return Match(pattern, full) || Match(pattern, short)
	}
	return pattern == full || pattern == short
}

func (p uprobeProvider) Expand(s *Spec, _ Host) ([]*Target, error) {
	path, err := symbols.ResolveBinary(s.Path, s.PID)
	if err != nil {
		return nil, &AttachPointError{AP: s.AP, Msg: err.Error()}
	}
	f, err := symbols.OpenELF(path)
	if err != nil {
		return nil, &AttachPointError{AP: s.AP, Msg: err.Error()}
	}
	mk := func(name string, loc *UprobeLocation) *Target {
		t := s.Target
		t.Path, t.Name, t.Extra = path, name, loc
		return &t
	}
	prefix := p.Name() + ":" + path + ":"
	if s.Addr != 0 {
		off, err := f.FileOffset(s.Addr)
		if err != nil {
			return nil, &AttachPointError{AP: s.AP, Msg: err.Error()}
		}
		if !uprobeInCode(f, s.Addr) {
			return nil, &AttachPointError{AP: s.AP, Msg: fmt.Sprintf("address %#x is not in an executable segment of %s", s.Addr, path)}
		}
		loc := &UprobeLocation{FileOffset: off}
		if sym, ok := f.Lookup(s.Addr); ok {
			loc.Symbol, loc.Size = sym.Name, sym.Size
		}
		return []*Target{mk(fmt.Sprintf("%s%#x", prefix, s.Addr), loc)}, nil
	}
	var out []*Target
	seen := map[string]bool{}
	try := func(cpp bool) error {
		for _, sym := range f.Funcs() {
			if seen[sym.Name] || !uprobeMatches(s.Func, sym.Name, cpp, s.Wildcard) {
				continue
			}
			if s.Offset != 0 && sym.Size != 0 && s.Offset >= sym.Size {
				return &AttachPointError{AP: s.AP, Msg: fmt.Sprintf("offset %d is beyond the end of %s (size %d)", s.Offset, sym.Name, sym.Size)}
			}
			off, err := f.FileOffset(sym.Value + s.Offset)
			if err != nil {
				continue
			}
			seen[sym.Name] = true
			name := sym.Name
			if cpp {
				name = "cpp:" + symbols.Demangle(sym.Name)
			}
			if s.Offset != 0 {
				name += "+" + strconv.FormatUint(s.Offset, 10)
			}
			t := mk(prefix+name, &UprobeLocation{FileOffset: off, Symbol: sym.Name, Size: sym.Size})
			t.Cpp, t.Func = cpp, sym.Name
			if cpp {
				t.Func = symbols.Demangle(sym.Name)
			}
			out = append(out, t)
		}
		return nil
	}
	if err := try(s.Cpp); err != nil {
		return nil, err
	}
	if len(out) == 0 && !s.Cpp {
		// bpftrace also accepts demangled names without the :cpp: qualifier.
		if err := try(true); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, &AttachPointError{AP: s.AP, Msg: fmt.Sprintf("no function matching %q in %s", s.Func, path)}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if f.Type == elf.ET_EXEC { // link-time addresses are run-time addresses
		symbols.AddKnownBinary(path)
	}
	return out, nil
}

// uprobeInCode reports whether vaddr is in an executable PT_LOAD segment.
func uprobeInCode(f *symbols.ELFFile, vaddr uint64) bool {
	for _, seg := range f.Loads {
		if seg.Exec && vaddr >= seg.Vaddr && vaddr < seg.Vaddr+seg.Filesz {
			return true
		}
	}
	return false
}

// uprobeArgRegs are the System V x86_64 integer argument registers.
var uprobeArgRegs = []string{"rdi", "rsi", "rdx", "rcx", "r8", "r9"}

// uprobeStackArgs is how many arguments past the sixth are read from the
// stack at function entry (at 8(%rsp), 16(%rsp), ...).
const uprobeStackArgs = 4

// uprobeRegLoc is an 8-byte register of pt_regs.
func uprobeRegLoc(reg string) Loc {
	off, _, _ := usdt.PtRegsOffset(reg)
	return Loc{Kind: LocCtx, Offset: off, Size: 8, Space: types.AddrUser}
}

func (p uprobeProvider) Context(t *Target, _ Host) (*Ctx, error) {
	c := &Ctx{ProgType: ebpf.Kprobe, HasRegs: true}
	if p.ret {
		rv := uprobeRegLoc("rax")
		c.Retval = &rv
		return c, nil
	}
	for _, r := range uprobeArgRegs {
		c.ArgN = append(c.ArgN, uprobeRegLoc(r))
	}
	sp, _, _ := usdt.PtRegsOffset("rsp")
	for i := 1; i <= uprobeStackArgs; i++ {
		c.ArgN = append(c.ArgN, Loc{Kind: LocDeref, Offset: sp, Disp: int64(8 * i), Size: 8, Space: types.AddrUser})
	}
	if loc, ok := t.Extra.(*UprobeLocation); ok && loc.Symbol != "" && t.Offset == 0 {
		if params, err := symbols.FuncParams(t.Path, loc.Symbol); err == nil {
			c.Args, c.ArgsStruct = uprobeDWARFArgs(t.Name, params)
		}
	}
	return c, nil
}

// uprobeDWARFArgs places DWARF parameters in registers and stack slots as
// the System V ABI does at function entry, for `args.NAME`. Parameters
// bpftrace cannot type (floats, aggregates by value) are left out; after a
// large aggregate, later stack positions are unknown and left out too.
// ArgsStruct lays the fields out in 8-byte slots; each Arg's Loc says where
// the value really is.
func uprobeDWARFArgs(name string, params []symbols.Param) ([]Arg, *types.Struct) {
	st := &types.Struct{Kind: "struct", Name: name + "_args", Algn: 8}
	var args []Arg
	sp, _, _ := usdt.PtRegsOffset("rsp")
	nextReg, stackSlot, stackKnown := 0, 0, true
	for _, p := range params {
		var loc Loc
		have := false
		switch p.Class {
		case symbols.ParamFloat:
			continue
		case symbols.ParamPair:
			if nextReg+2 <= len(uprobeArgRegs) {
				nextReg += 2
			} else {
				stackSlot += 2
			}
			continue
		case symbols.ParamMem:
			stackKnown = false
			continue
		}
		if p.Type == nil || p.Type.Size() > 8 {
			if nextReg < len(uprobeArgRegs) {
				nextReg++
			} else {
				stackSlot++
			}
			continue
		}
		size := p.Type.Size()
		if size <= 0 {
			size = 8
		}
		if nextReg < len(uprobeArgRegs) {
			loc = uprobeRegLoc(uprobeArgRegs[nextReg])
			loc.Size = size
			nextReg++
			have = true
		} else if stackKnown {
			stackSlot++
			loc = Loc{Kind: LocDeref, Offset: sp, Disp: int64(8 * stackSlot), Size: size, Space: types.AddrUser}
			have = true
		}
		if !have || p.Name == "" {
			continue
		}
		if it, ok := p.Type.(*types.Int); ok {
			loc.Signed = it.Signed
		}
		st.Fields = append(st.Fields, types.Field{Name: p.Name, Type: p.Type, Offset: 8 * len(args)})
		args = append(args, Arg{Name: p.Name, Type: p.Type, Loc: loc})
	}
	if len(args) == 0 {
		return nil, nil
	}
	st.Bytes = 8 * len(args)
	return args, st
}

// Attach puts the uprobe at the target's file offset, for every process or
// only opts.PID (falling back to t.PID).
func (p uprobeProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	loc, ok := t.Extra.(*UprobeLocation)
	if !ok {
		return nil, fmt.Errorf("%s: target was not expanded by the uprobe provider", t.Name)
	}
	return uprobeAttach(prog, t.Path, loc.FileOffset, 0, p.ret, pidOf(t, opts))
}

func pidOf(t *Target, opts AttachOptions) int {
	if opts.PID != 0 {
		return opts.PID
	}
	return t.PID
}

// uprobeAttach attaches prog at a file offset; refCtr is the file offset of
// a USDT semaphore the kernel should count up while the probe is attached.
func uprobeAttach(prog *ebpf.Program, path string, off, refCtr uint64, ret bool, pid int) (link.Link, error) {
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, err
	}
	uo := &link.UprobeOptions{Address: off, PID: pid, RefCtrOffset: refCtr}
	var l link.Link
	if ret {
		l, err = ex.Uretprobe("", prog, uo)
	} else {
		l, err = ex.Uprobe("", prog, uo)
	}
	if err != nil {
		if pid != 0 && errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("attach to %s at %#x: process %d: %w", path, off, pid, err)
		}
		return nil, fmt.Errorf("attach to %s at %#x: %w", path, off, err)
	}
	return l, nil
}

// List lists functions of a binary: search is "PATH[:PATTERN]" (all
// functions when PATTERN is empty); `:cpp:` patterns match demangled names.
func (p uprobeProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	path, pat, _ := strings.Cut(search, ":")
	if path == "" {
		return nil, fmt.Errorf("listing %s probes needs a binary: %s:BINARY[:FUNCTION]", p.Name(), p.Name())
	}
	cpp := false
	if rest, ok := strings.CutPrefix(pat, "cpp:"); ok {
		cpp, pat = true, rest
	}
	if pat == "" {
		pat = "*"
	}
	resolved, err := symbols.ResolveBinary(path, 0)
	if err != nil {
		return nil, err
	}
	f, err := symbols.OpenELF(resolved)
	if err != nil {
		return nil, err
	}
	var out []Listing
	seen := map[string]bool{}
	for _, sym := range f.Funcs() {
		name := sym.Name
		if cpp {
			name = "cpp:" + symbols.Demangle(sym.Name)
		}
		if seen[name] || !uprobeMatches(pat, sym.Name, cpp, true) {
			continue
		}
		seen[name] = true
		l := Listing{Name: p.Name() + ":" + resolved + ":" + name}
		if verbose {
			if params, err := symbols.FuncParams(resolved, sym.Name); err == nil {
				for _, prm := range params {
					l.Params = append(l.Params, strings.TrimSpace(prm.CType+" "+prm.Name))
				}
			}
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
