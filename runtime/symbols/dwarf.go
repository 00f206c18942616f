package symbols

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"sync"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// ParamClass says how the System V x86_64 ABI passes a parameter.
type ParamClass int

const (
	ParamInt   ParamClass = iota // in the next integer register, or on the stack after six
	ParamFloat                   // in an SSE register: not readable from pt_regs
	ParamMem                     // a large aggregate copied to the stack
	ParamPair                    // an aggregate of 9..16 bytes in two integer registers
)

// Param is a function parameter from DWARF.
type Param struct {
	Name  string
	CType string     // as C writes it: "const char *"
	Type  types.Type // nil when bpftrace has no equivalent (floats, aggregates by value)
	Class ParamClass
}

// dwarfFuncs indexes a file's DWARF subprograms by name and linkage name.
type dwarfFuncs struct {
	params map[string][]Param
	err    error
}

// maxDebugInfo bounds the DWARF indexed for uprobe args: every uprobe's
// context asks for it, used or not.
const maxDebugInfo = 256 << 20

var (
	dwarfMu    sync.Mutex
	dwarfCache = map[string]*dwarfFuncs{}
)

// FuncParams returns a function's parameters from the DWARF debug info of
// the file at path (C name, or C++ linkage/mangled name). It fails when the
// file has no DWARF or does not describe the function.
func FuncParams(path, fn string) ([]Param, error) {
	dwarfMu.Lock()
	d, ok := dwarfCache[path]
	dwarfMu.Unlock()
	if !ok {
		d = readDWARFFuncs(path)
		dwarfMu.Lock()
		dwarfCache[path] = d
		dwarfMu.Unlock()
	}
	if d.err != nil {
		return nil, d.err
	}
	ps, ok := d.params[fn]
	if !ok {
		return nil, fmt.Errorf("no debug info for %s in %s", fn, path)
	}
	return ps, nil
}

func readDWARFFuncs(path string) *dwarfFuncs {
	out := &dwarfFuncs{params: map[string][]Param{}}
	ef, err := elf.Open(path)
	if err != nil {
		out.err = err
		return out
	}
	defer ef.Close()
	info := ef.Section(".debug_info")
	if info == nil {
		out.err = fmt.Errorf("%s has no DWARF debug info", path)
		return out
	}
	if info.Size > maxDebugInfo {
		out.err = fmt.Errorf("%s: debug info too large to index (%d bytes)", path, info.Size)
		return out
	}
	d, err := ef.DWARF()
	if err != nil {
		out.err = fmt.Errorf("%s: %w", path, err)
		return out
	}
	conv := &dwarfConv{seen: map[*dwarf.StructType]types.Type{}}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			out.err = fmt.Errorf("%s: %w", path, err)
			return out
		}
		if e == nil {
			break
		}
		if e.Tag != dwarf.TagSubprogram {
			if !e.Children || e.Tag == dwarf.TagCompileUnit || e.Tag == dwarf.TagNamespace || e.Tag == dwarf.TagClassType || e.Tag == dwarf.TagStructType {
				continue
			}
			r.SkipChildren()
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		link, _ := e.Val(dwarf.AttrLinkageName).(string)
		_, hasCode := e.Val(dwarf.AttrLowpc).(uint64)
		if !e.Children {
			if hasCode && name != "" {
				out.add(name, link, nil)
			}
			continue
		}
		var params []Param
		for {
			c, err := r.Next()
			if err != nil || c == nil || c.Tag == 0 {
				break
			}
			if c.Tag == dwarf.TagFormalParameter {
				params = append(params, conv.param(d, c))
			}
			if c.Children {
				r.SkipChildren()
			}
		}
		if hasCode && name != "" {
			out.add(name, link, params)
		}
	}
	return out
}

func (d *dwarfFuncs) add(name, link string, params []Param) {
	if _, dup := d.params[name]; !dup {
		d.params[name] = params
	}
	if link != "" {
		d.params[link] = params
	}
}

// dwarfConv converts DWARF types to bpftrace types, once per type.
type dwarfConv struct {
	seen map[*dwarf.StructType]types.Type
}

func (c *dwarfConv) param(d *dwarf.Data, e *dwarf.Entry) Param {
	p := Param{}
	p.Name, _ = e.Val(dwarf.AttrName).(string)
	off, ok := e.Val(dwarf.AttrType).(dwarf.Offset)
	if !ok {
		p.Class = ParamMem
		return p
	}
	t, err := d.Type(off)
	if err != nil {
		p.Class = ParamMem
		return p
	}
	p.CType = cTypeName(t)
	p.Type, p.Class = c.convert(t, 0)
	return p
}

// cTypeName writes a DWARF type the way bpftrace lists uprobe args:
// "const char*", "struct foo*", "unsigned int".
func cTypeName(t dwarf.Type) string {
	switch t := t.(type) {
	case *dwarf.PtrType:
		if _, void := t.Type.(*dwarf.VoidType); void || t.Type == nil {
			return "void*"
		}
		return cTypeName(t.Type) + "*"
	case *dwarf.QualType:
		return t.Qual + " " + cTypeName(t.Type)
	case *dwarf.TypedefType:
		return t.Name
	case *dwarf.StructType:
		return t.Kind + " " + t.StructName
	case *dwarf.EnumType:
		return "enum " + t.EnumName
	case *dwarf.ArrayType:
		return fmt.Sprintf("%s[%d]", cTypeName(t.Type), t.Count)
	case *dwarf.VoidType:
		return "void"
	}
	return t.String()
}

// convert maps a DWARF type to a bpftrace type and its passing class.
func (c *dwarfConv) convert(t dwarf.Type, depth int) (types.Type, ParamClass) {
	switch t := t.(type) {
	case *dwarf.TypedefType:
		return c.convert(t.Type, depth)
	case *dwarf.QualType:
		return c.convert(t.Type, depth)
	case *dwarf.BoolType:
		return &types.Bool{}, ParamInt
	case *dwarf.CharType:
		return intType(t.ByteSize, true), ParamInt
	case *dwarf.UcharType:
		return intType(t.ByteSize, false), ParamInt
	case *dwarf.IntType:
		return intType(t.ByteSize, true), ParamInt
	case *dwarf.UintType:
		return intType(t.ByteSize, false), ParamInt
	case *dwarf.EnumType:
		e := &types.Enum{Name: t.EnumName, Bits: int(8 * t.ByteSize), Values: map[string]int64{}}
		if e.Bits == 0 {
			e.Bits = 32
		}
		for _, v := range t.Val {
			e.Values[v.Name] = v.Val
		}
		return e, ParamInt
	case *dwarf.PtrType:
		p := &types.Pointer{Space: types.AddrUser}
		if depth < 4 {
			if elem, _ := c.convert(t.Type, depth+1); elem != nil {
				if _, void := elem.(*types.Void); !void {
					p.Elem = elem
				}
			}
		}
		return p, ParamInt
	case *dwarf.FloatType, *dwarf.ComplexType:
		return nil, ParamFloat
	case *dwarf.StructType:
		return c.record(t, depth), aggregateClass(t.ByteSize)
	case *dwarf.ArrayType:
		elem, _ := c.convert(t.Type, depth+1)
		if elem == nil || t.Count < 0 {
			return nil, ParamMem
		}
		return &types.Array{Elem: elem, Len: int(t.Count)}, ParamMem
	case *dwarf.VoidType:
		return &types.Void{}, ParamMem
	}
	return nil, ParamMem
}

// aggregateClass is how a struct passed by value travels (ignoring the
// rare all-float case, which the ABI puts in SSE registers).
func aggregateClass(size int64) ParamClass {
	switch {
	case size <= 8:
		return ParamInt
	case size <= 16:
		return ParamPair
	}
	return ParamMem
}

func (c *dwarfConv) record(t *dwarf.StructType, depth int) types.Type {
	if r, ok := c.seen[t]; ok {
		return r
	}
	kind := t.Kind
	if kind == "class" {
		kind = "struct"
	}
	s := &types.Struct{Kind: kind, Name: t.StructName, Bytes: int(t.ByteSize), Algn: 1}
	c.seen[t] = s
	if t.Incomplete || depth > 6 {
		return s
	}
	for _, f := range t.Field {
		ft, _ := c.convert(f.Type, depth+1)
		if ft == nil {
			continue
		}
		fl := types.Field{Name: f.Name, Type: ft, Offset: int(f.ByteOffset)}
		if f.BitSize > 0 {
			fl.BitWidth = int(f.BitSize)
			fl.BitOff = int(f.DataBitOffset - 8*f.ByteOffset)
		}
		if a := ft.Align(); a > s.Algn {
			s.Algn = a
		}
		s.Fields = append(s.Fields, fl)
	}
	return s
}

func intType(size int64, signed bool) types.Type {
	bits := int(8 * size)
	switch bits {
	case 8, 16, 32, 64:
	default:
		bits = 64
	}
	return &types.Int{Bits: bits, Signed: signed}
}
