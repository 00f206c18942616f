package kbtf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/cilium/ebpf/btf"
)

// BTF kinds, from the kernel's uapi/linux/btf.h.
const (
	kindInt       = 1
	kindPtr       = 2
	kindArray     = 3
	kindStruct    = 4
	kindUnion     = 5
	kindEnum      = 6
	kindFwd       = 7
	kindTypedef   = 8
	kindVolatile  = 9
	kindConst     = 10
	kindRestrict  = 11
	kindFunc      = 12
	kindFuncProto = 13
	kindVar       = 14
	kindDatasec   = 15
	kindFloat     = 16
	kindDeclTag   = 17
	kindTypeTag   = 18
	kindEnum64    = 19
)

// rawIndex is a name index built by walking raw BTF once, without decoding
// types: cilium/ebpf inflates types lazily and fast by ID, but walking every
// type through it costs ~100 ms on a distribution kernel, which listings and
// wildcards cannot afford. Names stay offsets into the string section until
// asked for, which keeps the walk to a few milliseconds.
type rawIndex struct {
	strs       strTable
	funcs      []nameID // FUNC records (traceable candidates), in ID order
	structs    []nameID // named STRUCT
	unions     []nameID // named UNION
	enums      []nameID // named ENUM/ENUM64
	typedefs   []nameID // TYPEDEF
	enumerants []nameID // enumerator name -> its ENUM's ID

	enumOnce   sync.Once
	enumerator map[string]btf.TypeID
}

type nameID struct {
	Off uint32 // name offset in the string table
	ID  btf.TypeID
}

// strTable resolves name offsets: split BTF's offsets continue after its
// base's string section.
type strTable struct {
	base, own []byte
}

func (t strTable) name(off uint32) string {
	if int(off) < len(t.base) {
		return cstr(t.base, off)
	}
	return cstr(t.own, off-uint32(len(t.base)))
}

func (x *rawIndex) names(ids []nameID) []string {
	out := make([]string, len(ids))
	for i, n := range ids {
		out[i] = x.strs.name(n.Off)
	}
	return out
}

// enumeratorID finds the enum declaring an enumerator, building the map on
// first use.
func (x *rawIndex) enumeratorID(name string) (btf.TypeID, bool) {
	x.enumOnce.Do(func() {
		if x.enumerator != nil {
			return
		}
		x.enumerator = make(map[string]btf.TypeID, len(x.enumerants))
		for _, e := range x.enumerants {
			n := x.strs.name(e.Off)
			if _, dup := x.enumerator[n]; !dup {
				x.enumerator[n] = e.ID
			}
		}
	})
	id, ok := x.enumerator[name]
	return id, ok
}

// scanRaw indexes raw BTF. firstID and baseStrs are 1 and nil for vmlinux;
// for a split (module) BTF, IDs continue after the base's last type and
// string offsets after the base's string section.
func scanRaw(raw []byte, firstID btf.TypeID, baseStrs []byte) (*rawIndex, int, []byte, error) {
	if len(raw) < 24 {
		return nil, 0, nil, errors.New("btf: short header")
	}
	bo := binary.ByteOrder(binary.LittleEndian)
	if binary.LittleEndian.Uint16(raw) != 0xeB9F {
		if binary.BigEndian.Uint16(raw) != 0xeB9F {
			return nil, 0, nil, errors.New("btf: bad magic")
		}
		bo = binary.BigEndian
	}
	hdrLen := bo.Uint32(raw[4:])
	typeOff, typeLen := bo.Uint32(raw[8:]), bo.Uint32(raw[12:])
	strOff, strLen := bo.Uint32(raw[16:]), bo.Uint32(raw[20:])
	ts, te := uint64(hdrLen)+uint64(typeOff), uint64(hdrLen)+uint64(typeOff)+uint64(typeLen)
	ss, se := uint64(hdrLen)+uint64(strOff), uint64(hdrLen)+uint64(strOff)+uint64(strLen)
	if te > uint64(len(raw)) || se > uint64(len(raw)) {
		return nil, 0, nil, errors.New("btf: sections out of range")
	}
	types, strs := raw[ts:te], raw[ss:se]
	idx := &rawIndex{strs: strTable{base: baseStrs, own: strs}}
	id := firstID
	n := 0
	for p := 0; p+12 <= len(types); id++ {
		nameOff, info := bo.Uint32(types[p:]), bo.Uint32(types[p+4:])
		kind, vlen := (info>>24)&0x1f, int(info&0xffff)
		p += 12
		switch kind {
		case kindInt, kindVar, kindDeclTag:
			p += 4
		case kindArray:
			p += 12
		case kindStruct:
			if nameOff != 0 {
				idx.structs = append(idx.structs, nameID{nameOff, id})
			}
			p += 12 * vlen
		case kindUnion:
			if nameOff != 0 {
				idx.unions = append(idx.unions, nameID{nameOff, id})
			}
			p += 12 * vlen
		case kindEnum, kindEnum64:
			if nameOff != 0 {
				idx.enums = append(idx.enums, nameID{nameOff, id})
			}
			step := 8
			if kind == kindEnum64 {
				step = 12
			}
			for i := 0; i < vlen && p+step <= len(types); i++ {
				if en := bo.Uint32(types[p:]); en != 0 {
					idx.enumerants = append(idx.enumerants, nameID{en, id})
				}
				p += step
			}
		case kindFuncProto:
			p += 8 * vlen
		case kindDatasec:
			p += 12 * vlen
		case kindFunc:
			idx.funcs = append(idx.funcs, nameID{nameOff, id})
		case kindTypedef:
			idx.typedefs = append(idx.typedefs, nameID{nameOff, id})
		case kindPtr, kindFwd, kindVolatile, kindConst, kindRestrict, kindFloat, kindTypeTag:
		default:
			return nil, 0, nil, fmt.Errorf("btf: unknown kind %d at type %d", kind, id)
		}
		n++
	}
	return idx, n, strs, nil
}

func cstr(b []byte, off uint32) string {
	if int(off) >= len(b) {
		return ""
	}
	e := bytes.IndexByte(b[off:], 0)
	if e < 0 {
		return string(b[off:])
	}
	return string(b[off : int(off)+e])
}
