package stdlib

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// EventKind numbers the ring-buffer messages; the values are those of
// codegen.EventKind (a test in codegen keeps them equal).
type EventKind int

const (
	EvPrintf EventKind = iota
	EvPrint
	EvPrintMap
	EvClear
	EvZero
	EvExit
	EvTime
	EvCat
	EvSystem
	EvJoin
	EvErrorf
	EvWarnf
	EvSignal
	EvPrintNonMap
	EvHelperError
	EvUnwatch
)

// Checker is what Check hooks see of the type checker (implemented by lang/sema).
type Checker interface {
	// Check types an argument expression.
	Check(e ast.Expr) types.Type
	Errorf(sp lang.Span, format string, args ...any) *diag.Diagnostic
	Warnf(sp lang.Span, format string, args ...any) *diag.Diagnostic
	// ConstInt and ConstString evaluate compile-time constants (literals, $1...).
	ConstInt(e ast.Expr) (int64, bool)
	ConstString(e ast.Expr) (string, bool)
	MaxStrlen() int
	Unsafe() bool
	// Reachable is false inside an if branch that a compile-time constant
	// condition rules out.
	Reachable() bool
	// KernelAddr is the address of a kernel symbol (kallsyms).
	KernelAddr(name string) (uint64, bool)
	// UserSymbol is the address and size of the symbol name in the binary
	// of the probe being checked (uaddr); it fails outside uprobe,
	// uretprobe and usdt probes, with bpftrace's messages.
	UserSymbol(name string) (addr, size uint64, err error)
	// KernelFuncExists reports whether vmlinux BTF has a function named name.
	KernelFuncExists(name string) bool
	// KernelVarID is the vmlinux BTF type id of the kernel variable name
	// (BTF holds the per-CPU ones), for ld_imm64 BPF_PSEUDO_BTF_ID.
	KernelVarID(name string) (uint32, bool)
	// KernelStruct finds "struct name" in the preamble or kernel BTF.
	KernelStruct(name string) (*types.Struct, bool)
	// NamedParam returns a named parameter ("--name=value") given on the command line.
	NamedParam(name string) (string, bool)
	// ChildPID is the pid of the -c child (0 when there is none).
	ChildPID() int
	// StackMode is the configured default stack mode.
	StackMode() types.StackMode
	// CtxHasRegs is true when the probe's context is a struct pt_regs.
	CtxHasRegs() bool
	// NCPUs is the value of the ncpus builtin.
	NCPUs() int
	// TargetFuncLen is the longest function name among the current probe's targets, plus one.
	TargetFuncLen() int
	// ProbeNameLen is the longest full probe name among the current probe's targets, plus one.
	ProbeNameLen() int
	// Provider is the canonical provider name of the probe being checked ("begin", "tracepoint").
	Provider() string
	// Event records the ring-buffer message a call sends; args are the payload
	// fields in order (laid out as a types.Tuple after the 8-byte ID).
	Event(call *Call, kind EventKind, format string, args []types.Type, mapName string)
	// SetData attaches entry-private data to a call for Emit (see Gen.Data).
	SetData(call *Call, v any)
	// MapKey checks the keys of a map access against the map's key type.
	MapKey(ma *ast.MapAccess) bool
	// MapArg checks that e names a map ("@m") and returns its name.
	MapArg(e ast.Expr) (string, bool)
}

// Loc is a place in memory where a value lives: at Off from the frame
// pointer (Ptr 0), or at Off from the pointer stored in the frame slot at
// Ptr (a scratch-map value or a reserved ring-buffer record).
type Loc struct {
	Ptr int16
	Off int32
}

// At returns the location off bytes further.
func (l Loc) At(off int) Loc { return Loc{l.Ptr, l.Off + int32(off)} }

// AggTarget is the map slot an aggregation updates.
type AggTarget struct {
	Spec  string // map spec name
	Key   Loc    // the key, built; for hist/lhist there are 8 spare bytes after KeySize for the bucket
	KeyN  int    // key size in bytes (8 for a scalar map)
	Value *types.Agg
	// Always: the slot always exists (a per-CPU array), so a failed lookup
	// needs no insert; it only satisfies the verifier.
	Always bool
}

// Gen is what Emit hooks see of the code generator (implemented by codegen).
//
// Temporaries live in r6-r9 as a stack: Expr and Push put a new one on
// top, Pop drops the top one. r0-r5 are free between helper calls.
type Gen interface {
	// Expr evaluates a scalar expression into a new temporary.
	Expr(e ast.Expr) asm.Register
	// Push allocates a new temporary; Pop frees the topmost.
	Push() asm.Register
	Pop()
	// Emit appends instructions.
	Emit(ins ...asm.Instruction)
	// Store evaluates e into memory at dst as type t (converting ints, padding strings).
	Store(e ast.Expr, dst Loc, t types.Type)
	// StorePadded is Store with every byte of dst written (string tails
	// zeroed), for values read back byte by byte.
	StorePadded(e ast.Expr, dst Loc, t types.Type)
	// Addr puts the address of l into r.
	Addr(r asm.Register, l Loc)
	// LoadMem loads size bytes at l into r.
	LoadMem(r asm.Register, l Loc, size asm.Size)
	// StoreReg stores size bytes of r at l; StoreImm stores a constant.
	StoreReg(l Loc, r asm.Register, size asm.Size)
	StoreImm(l Loc, v int64, size asm.Size)
	// Zero clears n bytes at l.
	Zero(l Loc, n int)
	// Copy copies n bytes from src to dst.
	Copy(dst, src Loc, n int)
	// Temp reserves n bytes that live until the end of the statement.
	Temp(n int) Loc
	// LoadCtx puts the program's context pointer in r.
	LoadCtx(r asm.Register)
	// Type is the checked type of e.
	Type(e ast.Expr) types.Type
	// NewLabel makes a fresh label; Bind places it at the next instruction.
	NewLabel() string
	Bind(label string)
	// SendEvent sends the message that sema recorded for call, with args as its payload.
	SendEvent(call *Call, args []ast.Expr)
	// WriteEvent sends the call's event; fill writes the payload at rec
	// (field offsets of the event's ArgsType).
	WriteEvent(call *Call, fill func(rec Loc))
	// Data returns what the Check hook attached to call.
	Data(call *Call) any
	// MapSpec is the spec name of the user map name ("@x").
	MapSpec(name string) string
	// ExitProgram returns 0 from the program.
	ExitProgram()
	// Config returns resolved config values.
	MaxStrlen() int
	// TargetFunc is the function the target probes ("" when none).
	TargetFunc() string
	// ProbeName is the full name of the target being compiled (the probe builtin).
	ProbeName() string
	// KstackSkip is the number of frames (the BPF program, a trampoline)
	// that top kernel stacks taken in the target and must be skipped.
	KstackSkip() int
	// Lookup calls map_lookup_elem; the value pointer (or NULL) is in r0.
	Lookup(spec string, key Loc)
	// Update calls map_update_elem(spec, key, val, BPF_ANY).
	Update(spec string, key, val Loc)
	// MapDelete deletes the key from the map (on an array: zeroes the
	// slot of every CPU); r0 is 0 or a negative error (-ENOENT).
	MapDelete(spec string, key Loc)
	// WarnDeleteFailure follows MapDelete whose result is unused: a failure
	// is reported at run time with the statement's location (unless
	// warnings are off), as bpftrace does.
	WarnDeleteFailure()
	// MapKey builds the key of a map access (@m[k] or @m) and returns its spec.
	MapKey(e ast.Expr) (spec string, key Loc)
	// AddrSpace is the address space a pointer-valued expression points into.
	AddrSpace(e ast.Expr) types.AddrSpace
	// MapLen counts the entries of a map; the count is in r0.
	MapLen(spec string)
	// StackMap returns the spec name of the stack map for t, creating it.
	StackMap(t *types.Stack) string
	// SetJumpOffset sets the offset of the jump at index i from the end
	// (-1 is the last instruction), for jumps written without labels.
	SetJumpOffset(i int, off int16)
	// PadStrings: string producers must zero the bytes after the NUL (keys, variables).
	PadStrings() bool
	// StringConst stores a constant string of size n at dst.
	StringConst(dst Loc, s string, n int)
	// ConstTable returns the spec name of a read-only array map named name
	// whose entry i holds values[i] (each valueSize bytes, zero padded),
	// creating it on first use.
	ConstTable(name string, valueSize int, values [][]byte) string
}
