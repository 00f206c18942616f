package kbtf

import (
	"encoding/binary"
	"errors"
	"fmt"

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
// wildcards cannot afford.
type rawIndex struct {
	funcs      []nameID              // FUNC records (traceable candidates), in ID order
	structs    []nameID              // named STRUCT
	unions     []nameID              // named UNION
	enums      []nameID              // named ENUM/ENUM64
	typedefs   []nameID              // TYPEDEF
	enumerator map[string]btf.TypeID // enumerator name -> its ENUM's ID
}

type nameID struct {
	Name string
	ID   btf.TypeID
}

// scanRaw indexes raw BTF. firstID and strBase are 1 and 0 for vmlinux; for a
// split (module) BTF they continue from the base: IDs after the base's last
// type, string offsets after the base's string section (base strings are
// looked up in baseStrs).
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
	name := func(off uint32) string {
		if int(off) < len(baseStrs) {
			return cstr(baseStrs, off)
		}
		return cstr(strs, off-uint32(len(baseStrs)))
	}
	idx := &rawIndex{enumerator: map[string]btf.TypeID{}}
	id := firstID
	n := 0
	for p := 0; p+12 <= len(types); id++ {
		nameOff, info := bo.Uint32(types[p:]), bo.Uint32(types[p+4:])
		kind, vlen := (info>>24)&0x1f, int(info&0xffff)
		p += 12
		var nm string
		if nameOff != 0 {
			nm = name(nameOff)
		}
		switch kind {
		case kindInt, kindVar, kindDeclTag:
			p += 4
		case kindArray:
			p += 12
		case kindStruct, kindUnion:
			if nm != "" {
				if kind == kindStruct {
					idx.structs = append(idx.structs, nameID{nm, id})
				} else {
					idx.unions = append(idx.unions, nameID{nm, id})
				}
			}
			p += 12 * vlen
		case kindEnum, kindEnum64:
			if nm != "" {
				idx.enums = append(idx.enums, nameID{nm, id})
			}
			step := 8
			if kind == kindEnum64 {
				step = 12
			}
			for i := 0; i < vlen && p+step <= len(types); i++ {
				if en := bo.Uint32(types[p:]); en != 0 {
					if _, dup := idx.enumerator[name(en)]; !dup {
						idx.enumerator[name(en)] = id
					}
				}
				p += step
			}
		case kindFuncProto:
			p += 8 * vlen
		case kindDatasec:
			p += 12 * vlen
		case kindFunc:
			idx.funcs = append(idx.funcs, nameID{nm, id})
		case kindTypedef:
			idx.typedefs = append(idx.typedefs, nameID{nm, id})
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
	e := int(off)
	for e < len(b) && b[e] != 0 {
		e++
	}
	return string(b[off:e])
}
