package kbtf

import (
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// converter turns BTF types into lang/types, caching by BTF type so that a
// struct met twice is one *types.Struct (which also ends recursion).
type converter struct {
	mu     sync.Mutex
	full_  map[btf.Type]types.Type
	shells map[btf.Type]*types.Struct
}

func newConverter() *converter {
	return &converter{full_: map[btf.Type]types.Type{}, shells: map[btf.Type]*types.Struct{}}
}

// full converts t; named structs/unions reached through pointers become shells.
func (c *converter) full(t btf.Type) types.Type {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conv(t)
}

func (c *converter) conv(t btf.Type) types.Type {
	t = skipQualifiers(t)
	if r, ok := c.full_[t]; ok {
		return r
	}
	switch t := t.(type) {
	case nil, *btf.Void:
		return &types.Void{}
	case *btf.Int:
		return intType(t)
	case *btf.Typedef:
		r := c.conv(t.Type)
		c.full_[t] = r
		return r
	case *btf.Pointer:
		return &types.Pointer{Elem: c.pointee(t.Target), Space: types.AddrKernel}
	case *btf.Array:
		elem := c.conv(t.Type)
		if it, ok := elem.(*types.Int); ok && it.Bits == 8 && isCharLike(t.Type) {
			return &types.String{N: int(t.Nelems)}
		}
		return &types.Array{Elem: elem, Len: int(t.Nelems)}
	case *btf.Struct:
		s := &types.Struct{Kind: "struct", Name: t.Name, Bytes: int(t.Size)}
		c.full_[t] = s // before members: self-reference through arrays of self is impossible, but be safe
		c.fill(s, t.Members)
		return s
	case *btf.Union:
		s := &types.Struct{Kind: "union", Name: t.Name, Bytes: int(t.Size)}
		c.full_[t] = s
		c.fill(s, t.Members)
		return s
	case *btf.Enum:
		e := &types.Enum{Name: t.Name, Bits: int(t.Size) * 8, Values: map[string]int64{}}
		for _, v := range t.Values {
			if t.Signed || t.Size < 8 {
				e.Values[v.Name] = signExtend(v.Value, int(t.Size))
			} else {
				e.Values[v.Name] = int64(v.Value)
			}
		}
		c.full_[t] = e
		return e
	case *btf.Fwd:
		kind := "struct"
		if t.Kind == btf.FwdUnion {
			kind = "union"
		}
		return &types.Struct{Kind: kind, Name: t.Name}
	case *btf.Float:
		return &types.Array{Elem: types.Uint8, Len: int(t.Size)}
	case *btf.FuncProto, *btf.Func:
		return &types.Void{}
	}
	return &types.Void{}
}

// pointee converts a pointer's target: named records become shells.
func (c *converter) pointee(t btf.Type) types.Type {
	t = skipQualifiers(t)
	switch r := t.(type) {
	case nil, *btf.Void, *btf.FuncProto:
		return nil
	case *btf.Typedef:
		inner := skipTypedefs(r)
		switch inner.(type) {
		case *btf.Struct, *btf.Union:
			return c.pointee(inner)
		}
		return c.conv(r)
	case *btf.Struct:
		if r.Name == "" {
			return c.conv(r)
		}
		return c.shell(r, "struct", r.Name, r.Size)
	case *btf.Union:
		if r.Name == "" {
			return c.conv(r)
		}
		return c.shell(r, "union", r.Name, r.Size)
	}
	return c.conv(t)
}

func (c *converter) shell(t btf.Type, kind, name string, size uint32) types.Type {
	if full, ok := c.full_[t]; ok {
		return full
	}
	if s, ok := c.shells[t]; ok {
		return s
	}
	s := &types.Struct{Kind: kind, Name: name, Bytes: int(size), Algn: alignOf(t)}
	c.shells[t] = s
	return s
}

// fill converts members, with bitfields described as a unit of the member's
// type: Offset is the unit's byte offset, BitOff the field's bit within it.
func (c *converter) fill(s *types.Struct, members []btf.Member) {
	s.Fields = make([]types.Field, 0, len(members))
	algn := 1
	for _, m := range members {
		ft := c.conv(m.Type)
		f := types.Field{Name: m.Name, Type: ft, Offset: int(m.Offset / 8)}
		if m.BitfieldSize > 0 {
			unit := ft.Size()
			if unit <= 0 {
				unit = 1
			}
			bitOff := int(m.Offset)
			unitOff := bitOff / (unit * 8) * unit
			if bitOff+int(m.BitfieldSize) > (unitOff+unit)*8 { // straddles: packed layout
				unitOff = bitOff / 8
			}
			f.Offset, f.BitOff, f.BitWidth = unitOff, bitOff-unitOff*8, int(m.BitfieldSize)
		}
		if a := ft.Align(); a > algn {
			algn = a
		}
		s.Fields = append(s.Fields, f)
	}
	s.Algn = algn
}

func intType(t *btf.Int) types.Type {
	if t.Encoding == btf.Bool && t.Size == 1 {
		return &types.Bool{}
	}
	// The kernel builds with -funsigned-char, but scripts (and bpftrace)
	// treat char as int8.
	signed := t.Encoding == btf.Signed || t.Name == "char"
	switch t.Size {
	case 1, 2, 4, 8:
		return &types.Int{Bits: int(t.Size) * 8, Signed: signed}
	}
	return &types.Array{Elem: types.Uint8, Len: int(t.Size)} // __int128
}

func isCharLike(t btf.Type) bool {
	t = skipTypedefs(skipQualifiers(t))
	it, ok := t.(*btf.Int)
	return ok && it.Size == 1 && (it.Encoding == btf.Char || it.Name == "char" || it.Name == "signed char")
}

func signExtend(v uint64, size int) int64 {
	switch size {
	case 1:
		return int64(int8(v))
	case 2:
		return int64(int16(v))
	case 4:
		return int64(int32(v))
	}
	return int64(v)
}

func skipQualifiers(t btf.Type) btf.Type {
	for {
		switch q := t.(type) {
		case *btf.Const:
			t = q.Type
		case *btf.Volatile:
			t = q.Type
		case *btf.Restrict:
			t = q.Type
		case *btf.TypeTag:
			t = q.Type
		default:
			return t
		}
	}
}

func skipTypedefs(t btf.Type) btf.Type {
	for {
		t = skipQualifiers(t)
		td, ok := t.(*btf.Typedef)
		if !ok {
			return t
		}
		t = td.Type
	}
}

// alignOf is a record's alignment: the largest alignment among its members.
func alignOf(t btf.Type) int {
	return alignDepth(t, 0)
}

func alignDepth(t btf.Type, depth int) int {
	if depth > 16 {
		return 8
	}
	switch t := skipTypedefs(t).(type) {
	case *btf.Int:
		return min(max(int(t.Size), 1), 8)
	case *btf.Enum:
		return max(int(t.Size), 1)
	case *btf.Pointer:
		return 8
	case *btf.Float:
		return int(t.Size)
	case *btf.Array:
		return alignDepth(t.Type, depth+1)
	case *btf.Struct:
		return membersAlign(t.Members, depth)
	case *btf.Union:
		return membersAlign(t.Members, depth)
	}
	return 1
}

func membersAlign(ms []btf.Member, depth int) int {
	a := 1
	for _, m := range ms {
		a = max(a, alignDepth(m.Type, depth+1))
	}
	return a
}
