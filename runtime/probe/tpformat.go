package probe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// TPFormat is a parsed tracefs format file.
type TPFormat struct {
	Name   string
	ID     uint64
	Fields []TPField // common_* fields first, as in the file
}

// TPField is one "field:" line of a format file.
type TPField struct {
	Decl     string // declaration as written: "const char * filename", "char prev_comm[16]"
	CType    string // the C type without name and array suffix: "const char *", "char"
	Name     string
	Offset   int
	Size     int
	Signed   bool // the file's signed: flag
	ArrayLen int  // -1: not an array; 0: "[]" (dynamic); N: "[N]"
	DataLoc  bool // __data_loc: a u32 (len<<16 | offset) pointing into the record
	RelLoc   bool // __rel_loc: like __data_loc, offset relative to the field's end
	Common   bool // common_* header field
}

// ParseFormat parses the text of a tracefs events/CAT/EVENT/format file.
func ParseFormat(text string) (*TPFormat, error) {
	f := &TPFormat{}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "name:"):
			f.Name = strings.TrimSpace(t[len("name:"):])
		case strings.HasPrefix(t, "ID:"):
			id, err := strconv.ParseUint(strings.TrimSpace(t[len("ID:"):]), 10, 64)
			if err == nil {
				f.ID = id
			}
		case strings.HasPrefix(t, "field:"):
			fld, err := parseFieldLine(t)
			if err != nil {
				return nil, err
			}
			f.Fields = append(f.Fields, fld)
		}
	}
	if len(f.Fields) == 0 {
		return nil, fmt.Errorf("tracepoint format has no fields")
	}
	return f, nil
}

// parseFieldLine parses "field:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;".
func parseFieldLine(line string) (TPField, error) {
	fld := TPField{ArrayLen: -1}
	for _, part := range strings.Split(line, ";") {
		part = strings.TrimSpace(part)
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		var err error
		switch k {
		case "field":
			fld.Decl = strings.TrimSpace(v)
		case "offset":
			fld.Offset, err = strconv.Atoi(v)
		case "size":
			fld.Size, err = strconv.Atoi(v)
		case "signed":
			fld.Signed = v == "1"
		}
		if err != nil {
			return fld, fmt.Errorf("bad tracepoint field %q: %v", line, err)
		}
	}
	decl := fld.Decl
	if strings.HasPrefix(decl, "__data_loc ") {
		fld.DataLoc = true
		decl = strings.TrimPrefix(decl, "__data_loc ")
	} else if strings.HasPrefix(decl, "__rel_loc ") {
		fld.RelLoc = true
		decl = strings.TrimPrefix(decl, "__rel_loc ")
	}
	// Split off the name: the last identifier, before an optional [N].
	if i := strings.IndexByte(decl, '['); i >= 0 {
		j := strings.IndexByte(decl[i:], ']')
		if j < 0 {
			return fld, fmt.Errorf("bad tracepoint field %q", line)
		}
		n := strings.TrimSpace(decl[i+1 : i+j])
		if n == "" {
			fld.ArrayLen = 0
		} else if v, err := strconv.Atoi(n); err == nil {
			fld.ArrayLen = v
		} else {
			// A symbolic length (e.g. "[TASK_COMM_LEN]"): derive it from the size later.
			fld.ArrayLen = 0
		}
		decl = strings.TrimSpace(decl[:i] + decl[i+j+1:])
	}
	// __data_loc fields are written "char[] name": the brackets come before the name.
	k := strings.LastIndexAny(decl, " *")
	if k < 0 {
		return fld, fmt.Errorf("bad tracepoint field %q", line)
	}
	fld.Name = decl[k+1:]
	fld.CType = normalizeCType(decl[:k+1])
	fld.Common = strings.HasPrefix(fld.Name, "common_")
	if fld.ArrayLen == 0 && !fld.DataLoc && !fld.RelLoc && fld.Size > 0 {
		if es := cTypeSize(fld.CType); es > 0 {
			fld.ArrayLen = fld.Size / es
		}
	}
	return fld, nil
}

// normalizeCType trims a C type and writes pointer stars as " *".
func normalizeCType(s string) string {
	s = strings.TrimSpace(s)
	stars := 0
	for strings.HasSuffix(s, "*") {
		stars++
		s = strings.TrimSpace(s[:len(s)-1])
	}
	s = strings.Join(strings.Fields(s), " ")
	if stars > 0 {
		s += " " + strings.Repeat("*", stars)
	}
	return s
}

// IsPointer reports whether the field is a pointer.
func (f *TPField) IsPointer() bool { return strings.HasSuffix(f.CType, "*") }

// cIntTypes are C integer spellings whose signedness the name decides.
var cIntTypes = map[string]struct {
	size   int
	signed bool
}{
	"char": {1, true}, "signed char": {1, true}, "unsigned char": {1, false},
	"short": {2, true}, "signed short": {2, true}, "unsigned short": {2, false}, "short int": {2, true}, "unsigned short int": {2, false},
	"int": {4, true}, "signed int": {4, true}, "signed": {4, true}, "unsigned": {4, false}, "unsigned int": {4, false},
	"long": {8, true}, "long int": {8, true}, "signed long": {8, true}, "unsigned long": {8, false}, "unsigned long int": {8, false},
	"long long": {8, true}, "long long int": {8, true}, "unsigned long long": {8, false}, "unsigned long long int": {8, false},
	"s8": {1, true}, "u8": {1, false}, "s16": {2, true}, "u16": {2, false}, "s32": {4, true}, "u32": {4, false}, "s64": {8, true}, "u64": {8, false},
	"__s8": {1, true}, "__u8": {1, false}, "__s16": {2, true}, "__u16": {2, false}, "__s32": {4, true}, "__u32": {4, false}, "__s64": {8, true}, "__u64": {8, false},
	"int8_t": {1, true}, "uint8_t": {1, false}, "int16_t": {2, true}, "uint16_t": {2, false}, "int32_t": {4, true}, "uint32_t": {4, false}, "int64_t": {8, true}, "uint64_t": {8, false},
	"pid_t": {4, true}, "tid_t": {4, false}, "size_t": {8, false}, "ssize_t": {8, true}, "loff_t": {8, true}, "bool": {1, false}, "_Bool": {1, false},
}

func cTypeSize(ct string) int {
	ct = strings.TrimPrefix(strings.TrimPrefix(ct, "const "), "volatile ")
	if strings.HasSuffix(ct, "*") {
		return 8
	}
	if t, ok := cIntTypes[ct]; ok {
		return t.size
	}
	return 0
}

// TypeResolver turns a C type name that is not a plain integer ("struct
// sock", "gfp_t", "enum x") into a type, typically from kernel BTF. It returns
// nil when it does not know the name.
type TypeResolver func(ctype string) types.Type

// Type gives the field's type for `args`. Pointers point into userPtrs'
// address space (syscall tracepoints hold user pointers); char arrays and
// __data_loc char[] are strings.
func (f *TPField) Type(resolve TypeResolver, userPtrs bool) types.Type {
	base := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(f.CType, "const "), "volatile "))
	if f.DataLoc || f.RelLoc {
		if base == "char" || base == "unsigned char" || base == "u8" {
			// A string whose length is only known at run time (Len 0):
			// the checker reads it as a string of max_strlen.
			return &types.Array{Elem: types.Int8, Len: 0}
		}
		return &types.Array{Elem: scalarType(base, elemSize(base, 0), true, resolve), Len: 0}
	}
	if strings.HasSuffix(base, "*") {
		space := types.AddrKernel
		if userPtrs {
			space = types.AddrUser
		}
		return pointerType(base, space, resolve)
	}
	if f.ArrayLen >= 0 {
		n := f.ArrayLen
		es := elemSize(base, 0)
		if es == 0 && n > 0 {
			es = f.Size / n
		}
		if n == 0 && es > 0 {
			n = f.Size / es
		}
		if base == "char" || base == "signed char" {
			return &types.String{N: f.Size}
		}
		return &types.Array{Elem: scalarType(base, es, true, resolve), Len: n}
	}
	return scalarField(base, f.Size, f.Signed, resolve)
}

// scalarField types a non-array, non-pointer field: the file's size wins
// (syscall args are declared "int" but stored in 8 bytes); a known C integer
// name decides the sign, as bpftrace does, else the file's signed flag.
// Typedefs and enums need no BTF (size and sign are in the file); only
// records embedded by value are resolved, so common tracepoints never load
// kernel BTF.
func scalarField(base string, size int, signedFlag bool, resolve TypeResolver) types.Type {
	if base == "bool" || base == "_Bool" {
		if size == 1 {
			return &types.Bool{}
		}
	}
	if t, ok := cIntTypes[base]; ok {
		return intOf(size, t.signed)
	}
	if resolve != nil && (strings.HasPrefix(base, "struct ") || strings.HasPrefix(base, "union ")) {
		if rt := resolve(base); rt != nil && rt.Size() == size {
			return rt
		}
	}
	return intOf(size, signedFlag)
}

func scalarType(base string, size int, signed bool, resolve TypeResolver) types.Type {
	if size == 0 {
		size = 1
	}
	return scalarField(base, size, signed && !strings.HasPrefix(base, "u"), resolve)
}

func elemSize(base string, def int) int {
	if s := cTypeSize(base); s > 0 {
		return s
	}
	return def
}

func intOf(size int, signed bool) types.Type {
	switch size {
	case 1, 2, 4, 8:
		return &types.Int{Bits: size * 8, Signed: signed}
	}
	return &types.Array{Elem: types.Uint8, Len: size}
}

// pointerType types "T *" / "T **".
func pointerType(ct string, space types.AddrSpace, resolve TypeResolver) types.Type {
	inner := strings.TrimSpace(strings.TrimSuffix(ct, "*"))
	inner = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(inner, "const "), "volatile "))
	var elem types.Type
	switch {
	case strings.HasSuffix(inner, "*"):
		elem = pointerType(inner, space, resolve)
	case inner == "void":
		elem = nil
	default:
		if t, ok := cIntTypes[inner]; ok {
			elem = intOf(t.size, t.signed)
		} else if resolve != nil {
			elem = resolve(inner)
		}
		if elem == nil {
			// Unknown record: keep its name (no layout without BTF).
			if kind, name, ok := strings.Cut(inner, " "); ok && (kind == "struct" || kind == "union") {
				elem = &types.Struct{Kind: kind, Name: name}
			}
		}
	}
	return &types.Pointer{Elem: elem, Space: space}
}

// Loc says how codegen loads the field from a tracepoint context.
func (f *TPField) Loc(t types.Type) Loc {
	l := Loc{Kind: LocCtx, Offset: f.Offset, Size: f.Size}
	if it, ok := t.(*types.Int); ok {
		l.Signed = it.Signed
	}
	if p, ok := t.(*types.Pointer); ok {
		l.Space = p.Space
	}
	if f.DataLoc {
		l.Kind, l.Size = LocCtxDataLoc, 4
	}
	if f.RelLoc {
		l.Kind, l.Size = LocCtxRelLoc, 4
	}
	return l
}

// ListParam is the field as `-lv` prints it: the declaration as written.
func (f *TPField) ListParam() string { return f.Decl }
