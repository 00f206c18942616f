package output

import (
	"time"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Value is a decoded bpftrace value. The set of implementations is closed:
// the types below.
type Value interface{ isValue() }

// Int is a signed integer.
type Int int64

// Uint is an unsigned integer.
type Uint uint64

// Bool is a boolean.
type Bool bool

// String is a string, already cut at its NUL.
type String string

// Buffer is the data of a buf() value.
type Buffer []byte

// Tuple is an anonymous tuple.
type Tuple []Value

// Field is one named member of a Record.
type Field struct {
	Name string
	Val  Value
}

// Record is a named tuple or a C struct/union.
type Record []Field

// Array is a C array.
type Array []Value

// Pointer is an address, printed in hex.
type Pointer struct {
	Addr uint64
}

// Symbol is a value printed as resolved text: ksym, usym, enum names, inet
// addresses, macaddr, cgroup paths, strerror, username... Addr keeps the
// numeric value (for sorting, and for printf's %d of an enum).
//
// JSON prints Name as a string, except when Numeric is set: then it prints
// Addr as a number, as bpftrace does for enums (its "Symbolic" values).
type Symbol struct {
	Name    string
	Addr    uint64
	Numeric bool
}

// Frame is one symbolized stack frame.
type Frame struct {
	Addr   uint64
	Sym    string // "" when unknown
	Off    uint64 // offset of Addr from the symbol's start
	Module string // for ustack in perf mode: the ELF path; "" when unknown
}

// Stack is a kstack or ustack, innermost frame first.
type Stack struct {
	Frames []Frame
	Mode   types.StackMode
	User   bool
}

// Timestamp is a point in time.
type Timestamp time.Time

// None is the absence of a value.
type None struct{}

// Avg is avg()'s merged data.
type Avg struct {
	Total  int64
	Count  uint64
	Signed bool // Total is signed (avg of signed values)
}

// Stats is stats()'s merged data.
type Stats struct {
	Total  int64
	Count  uint64
	Signed bool
}

// Hist is hist()/lhist()'s merged data: bucket index -> count (absent means
// zero). Indices are types.HistIndex / types.LhistIndex of the values.
type Hist struct {
	Counts map[uint64]uint64
}

func (Int) isValue()       {}
func (Uint) isValue()      {}
func (Bool) isValue()      {}
func (String) isValue()    {}
func (Buffer) isValue()    {}
func (Tuple) isValue()     {}
func (Record) isValue()    {}
func (Array) isValue()     {}
func (Pointer) isValue()   {}
func (Symbol) isValue()    {}
func (Stack) isValue()     {}
func (Timestamp) isValue() {}
func (None) isValue()      {}
func (Avg) isValue()       {}
func (Stats) isValue()     {}
func (Hist) isValue()      {}

// Map is one @map to print.
type Map struct {
	Name string     // "@x", or "@" for the anonymous map
	Agg  *types.Agg // nil for a plain map
	// Entries in any order. A map with no key has one entry with a nil Key.
	Entries []Entry
}

// Entry is one key/value pair of a Map.
type Entry struct {
	Key Value // nil for a map with no key
	Val Value
}
