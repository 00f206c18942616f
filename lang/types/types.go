// Package types is the type system shared by the checker, codegen and the
// runtime decoder: every type knows its size and alignment in BPF memory, so
// the bytes a program writes can be read back in user space with no other help.
package types

import (
	"fmt"
	"strings"
)

// Type is a bpftrace value type.
type Type interface {
	Size() int
	Align() int
	String() string
}

// AddrSpace says which probe_read helper dereferences a pointer.
type AddrSpace int

const (
	AddrNone AddrSpace = iota
	AddrKernel
	AddrUser
)

// Int is a signed or unsigned integer of 8, 16, 32 or 64 bits.
type Int struct {
	Bits   int
	Signed bool
}

func (t *Int) Size() int  { return t.Bits / 8 }
func (t *Int) Align() int { return t.Bits / 8 }
func (t *Int) String() string {
	if t.Signed {
		return fmt.Sprintf("int%d", t.Bits)
	}
	return fmt.Sprintf("uint%d", t.Bits)
}

// Common integer types.
var (
	Int8   = &Int{8, true}
	Int16  = &Int{16, true}
	Int32  = &Int{32, true}
	Int64  = &Int{64, true}
	Uint8  = &Int{8, false}
	Uint16 = &Int{16, false}
	Uint32 = &Int{32, false}
	Uint64 = &Int{64, false}
)

// Bool is a one-byte boolean.
type Bool struct{}

func (*Bool) Size() int      { return 1 }
func (*Bool) Align() int     { return 1 }
func (*Bool) String() string { return "bool" }

// String is a NUL-terminated string in a fixed buffer of N bytes.
type String struct {
	N int
}

func (t *String) Size() int      { return t.N }
func (t *String) Align() int     { return 1 }
func (t *String) String() string { return fmt.Sprintf("string[%d]", t.N) }

// Buffer is bpftrace's buf(): a length byte-prefixed byte array of capacity N.
type Buffer struct {
	N int
}

func (t *Buffer) Size() int      { return 4 + t.N } // uint32 length, then data
func (t *Buffer) Align() int     { return 4 }
func (t *Buffer) String() string { return fmt.Sprintf("buffer[%d]", t.N) }

// Field is a member of a Tuple, Record or Struct.
type Field struct {
	Name     string // "" in tuples
	Type     Type
	Offset   int // byte offset
	BitOff   int // bit offset within the unit at Offset, for bitfields
	BitWidth int // 0 when not a bitfield
}

// Tuple is "(a, b, ...)" laid out with C alignment.
type Tuple struct {
	Fields []Field
	size   int
	align  int
}

// NewTuple lays out elems with natural C alignment.
func NewTuple(elems ...Type) *Tuple {
	t := &Tuple{}
	off, al := layout(elems, func(i, o int) { t.Fields = append(t.Fields, Field{Type: elems[i], Offset: o}) })
	t.size, t.align = off, al
	return t
}

func (t *Tuple) Size() int  { return t.size }
func (t *Tuple) Align() int { return t.align }
func (t *Tuple) String() string {
	var parts []string
	for _, f := range t.Fields {
		parts = append(parts, f.Type.String())
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// Record is "(name = value, ...)": a tuple with names.
type Record struct {
	Fields []Field
	size   int
	align  int
}

// NewRecord lays out named fields with natural C alignment.
func NewRecord(names []string, elems []Type) *Record {
	r := &Record{}
	off, al := layout(elems, func(i, o int) { r.Fields = append(r.Fields, Field{Name: names[i], Type: elems[i], Offset: o}) })
	r.size, r.align = off, al
	return r
}

func (r *Record) Size() int  { return r.size }
func (r *Record) Align() int { return r.align }
func (r *Record) String() string {
	var parts []string
	for _, f := range r.Fields {
		parts = append(parts, f.Name+"="+f.Type.String())
	}
	return "(" + strings.Join(parts, ",") + ")"
}

func layout(elems []Type, place func(i, off int)) (size, align int) {
	off, align := 0, 1
	for i, e := range elems {
		a := e.Align()
		if a > align {
			align = a
		}
		off = AlignUp(off, a)
		place(i, off)
		off += e.Size()
	}
	return AlignUp(off, align), align
}

// AlignUp rounds n up to a multiple of a.
func AlignUp(n, a int) int {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

// Array is a fixed-size C array.
type Array struct {
	Elem Type
	Len  int
}

func (t *Array) Size() int      { return t.Elem.Size() * t.Len }
func (t *Array) Align() int     { return t.Elem.Align() }
func (t *Array) String() string { return fmt.Sprintf("%s[%d]", t.Elem, t.Len) }

// Pointer points to Elem in an address space.
type Pointer struct {
	Elem  Type // nil for void *
	Space AddrSpace
}

func (*Pointer) Size() int  { return 8 }
func (*Pointer) Align() int { return 8 }
func (t *Pointer) String() string {
	if t.Elem == nil {
		return "void *"
	}
	return t.Elem.String() + " *"
}

// Struct is a C struct or union, from the script's preamble or from BTF.
type Struct struct {
	Kind   string // "struct" or "union"
	Name   string
	Fields []Field
	Bytes  int
	Algn   int
}

func (t *Struct) Size() int { return t.Bytes }
func (t *Struct) Align() int {
	if t.Algn == 0 {
		return 1
	}
	return t.Algn
}
func (t *Struct) String() string { return t.Kind + " " + t.Name }

// Field finds a member by name, looking through anonymous members.
func (t *Struct) Field(name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
		if f.Name == "" {
			if inner, ok := f.Type.(*Struct); ok {
				if g, ok := inner.Field(name); ok {
					g.Offset += f.Offset
					return g, true
				}
			}
		}
	}
	return Field{}, false
}

// Enum is a C enum; values are printed by name where bpftrace does.
type Enum struct {
	Name   string
	Bits   int
	Values map[string]int64
}

func (t *Enum) Size() int      { return t.Bits / 8 }
func (t *Enum) Align() int     { return t.Bits / 8 }
func (t *Enum) String() string { return "enum " + t.Name }

// StackMode is the layout kstack/ustack are printed in.
type StackMode int

const (
	StackBpftrace StackMode = iota
	StackPerf
	StackRaw
)

// Stack is a kstack or ustack value: an id into a stack map, plus pid for ustack.
type Stack struct {
	User  bool
	Mode  StackMode
	Limit int
}

func (*Stack) Size() int  { return 16 } // stack id (8) + pid/tgid (8)
func (*Stack) Align() int { return 8 }
func (t *Stack) String() string {
	if t.User {
		return "ustack"
	}
	return "kstack"
}

// Special value types that only the runtime knows how to print.
type Special struct {
	Name  string // "ksym", "usym", "inet", "username", "timestamp", "cgroup_path", "macaddr", "mac", "strerror", "tseries", ...
	Bytes int
	Arg   string // a compile-time argument the runtime needs to print it: cgroup_path's hierarchy filter ("" = all)
}

func (t *Special) Size() int { return t.Bytes }
func (t *Special) Align() int {
	switch {
	case t.Bytes%8 == 0:
		return 8
	case t.Bytes%4 == 0:
		return 4
	}
	return 1
}
func (t *Special) String() string { return t.Name }

// AggKind is an aggregation function.
type AggKind int

const (
	AggNone AggKind = iota
	AggCount
	AggSum
	AggAvg
	AggMin
	AggMax
	AggStats
	AggHist
	AggLhist
	AggTseries
)

// TseriesAgg is how tseries() combines the values written in one interval.
type TseriesAgg int

const (
	TseriesLast TseriesAgg = iota // default: the last value written
	TseriesAvg
	TseriesMax
	TseriesMin
	TseriesSum
)

// TseriesAggNames are the agg argument strings of tseries(), by TseriesAgg
// ("" for the default).
var TseriesAggNames = [...]string{"", "avg", "max", "min", "sum"}

// Agg is the value type of a map filled by an aggregation function.
type Agg struct {
	Kind   AggKind
	Signed bool // sum/min/max/avg of signed values
	// lhist parameters; hist uses Bits (log2 sub-buckets, bpftrace's hist(x, k)).
	Min, Max, Step int64
	Bits           int
	// tseries parameters: interval length (ns), number of intervals kept,
	// and how values in one interval combine.
	Interval, Intervals int64
	TsAgg               TseriesAgg
}

func (t *Agg) Size() int  { return 8 }
func (t *Agg) Align() int { return 8 }
func (t *Agg) String() string {
	return [...]string{"", "count", "sum", "avg", "min", "max", "stats", "hist", "lhist", "tseries"}[t.Kind]
}

// Void is the type of statements and calls with no value.
type Void struct{}

func (*Void) Size() int      { return 0 }
func (*Void) Align() int     { return 1 }
func (*Void) String() string { return "void" }

// Equal reports whether two types are the same type.
func Equal(a, b Type) bool { return a.String() == b.String() && a.Size() == b.Size() }
