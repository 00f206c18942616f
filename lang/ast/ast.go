// Package ast is the syntax tree of a bpftrace program. Every node carries the
// byte span it was parsed from; parentheses are not kept (the formatter puts
// back the ones precedence needs). Only explicit desugaring in sema mutates a tree.
package ast

import "github.com/gobpftrace/gobpftrace/lang"

// Node is any syntax tree node.
type Node interface {
	Span() lang.Span
}

// Base holds a node's span; every node embeds it.
type Base struct {
	Sp lang.Span
}

// Span returns where the node was written.
func (b *Base) Span() lang.Span { return b.Sp }

// Program is one parsed source file.
type Program struct {
	Base
	File    *lang.File
	Shebang string // "#!/usr/bin/env bpftrace", without the newline; "" when absent
	Decls   []Decl // top-level items in source order
}

// Decl is a top-level item.
type Decl interface {
	Node
	declNode()
}

// Probes returns the action blocks in source order.
func (p *Program) Probes() []*Probe {
	var out []*Probe
	for _, d := range p.Decls {
		if pr, ok := d.(*Probe); ok {
			out = append(out, pr)
		}
	}
	return out
}

// ---------------------------------------------------------------- C preamble

// Preproc is a preprocessor line kept verbatim: #include, #define, #ifdef ...
type Preproc struct {
	Base
	Text string // the whole line, e.g. "#include <linux/sched.h>"
}

// CRecord is a C struct or union definition in the preamble.
type CRecord struct {
	Base
	Union  bool
	Name   string // "" for an anonymous nested record
	Fields []*CField
}

// CField is a member of a CRecord. Exactly one of Type and Record is set.
type CField struct {
	Base
	Type   *TypeExpr // e.g. "unsigned long", "struct sock *", "char" with Dims
	Record *CRecord  // inline nested struct/union definition
	Name   string    // "" for an anonymous nested member
	Bits   int       // bitfield width; 0 when not a bitfield
}

// CEnum is a C enum definition in the preamble.
type CEnum struct {
	Base
	Name   string
	Values []*CEnumValue
}

// CEnumValue is one enumerator; Value is nil when implicit.
type CEnumValue struct {
	Base
	Name  string
	Value Expr
}

// CTypedef is "typedef TYPE NAME;" in the preamble.
type CTypedef struct {
	Base
	Type *TypeExpr
	Name string
}

// ---------------------------------------------------------------- other decls

// Config is "config = { name = value; ... }".
type Config struct {
	Base
	Entries []*ConfigEntry
}

// ConfigEntry is one "name = value" in a config block.
type ConfigEntry struct {
	Base
	Name  string
	Value Expr
}

// Import is `import "path";`.
type Import struct {
	Base
	Path string
}

// MapDecl is "let @m = hash(N);" and its kin (lruhash, percpuhash, percpulruhash, percpuarray...).
type MapDecl struct {
	Base
	Map  *MapRef
	Kind string // "hash", "lruhash", ...
	Args []Expr
}

// Macro is "macro name(params) { body }".
type Macro struct {
	Base
	Name   string
	Params []*MacroParam
	Body   *Block // the last statement may be a bare expression: the macro's value
}

// MacroParam is a macro parameter: "$a" (scratch), "@b" (map) or "c" (plain identifier).
type MacroParam struct {
	Base
	Sigil string // "$", "@" or ""
	Name  string // without the sigil
}

// Probe is an action block: "[label=]ap[, ap...] [/pred/] { ... }".
type Probe struct {
	Base
	Label        string // optional "name=" before the attach points
	AttachPoints []*AttachPoint
	Pred         Expr // nil when absent
	Body         *Block
}

// AttachPoint is one probe spec, kept as written. The provider (runtime/probe)
// splits Parts further: uprobe paths, offsets, globs and so on are its business.
type AttachPoint struct {
	Base
	Raw      string   // exactly as written, e.g. `uprobe:/bin/bash:readline`, `BEGIN`, `i:s:1`
	Provider string   // as written before the first ':' ("k", "kprobe", "BEGIN", ...)
	Parts    []string // the ':'-separated fields after the provider, quotes removed
}

func (*Preproc) declNode()  {}
func (*CRecord) declNode()  {}
func (*CEnum) declNode()    {}
func (*CTypedef) declNode() {}
func (*Config) declNode()   {}
func (*Import) declNode()   {}
func (*MapDecl) declNode()  {}
func (*Macro) declNode()    {}
func (*Probe) declNode()    {}

// ---------------------------------------------------------------- types

// TypeExpr is a type as written in a cast, a let declaration, sizeof/offsetof or a C field.
type TypeExpr struct {
	Base
	// Name is the base type: "int64", "uint8", "string", "bool", "inet",
	// "unsigned long", "char", "struct task_struct", "union u", "enum e", a typedef name.
	Name string
	// Typeof is set instead of Name for "typeof(expr)" or "typeof(type)".
	Typeof Node
	Ptr    int   // number of '*'
	Dims   []int // array dimensions in order, e.g. uint8[4] -> [4]; -1 for "[]"
}

// ---------------------------------------------------------------- statements

// Stmt is a statement.
type Stmt interface {
	Node
	stmtNode()
}

// Block is "{ stmts }". Used for probe bodies, control flow and block expressions.
type Block struct {
	Base
	Stmts []Stmt
}

// ExprStmt is an expression used as a statement: calls, x++, a bare map.
type ExprStmt struct {
	Base
	X Expr
	// Discard: written "_ = X", the value thrown away on purpose (a
	// failed delete() then says nothing).
	Discard bool
}

// AssignStmt is "target op value" where op is "=" or a compound "+=", "<<=", ...
// Target is a *Variable, *MapRef, *MapAccess, *FieldAccess, *IndexExpr or *TupleIndex.
type AssignStmt struct {
	Base
	Target Expr
	Op     string
	Value  Expr
}

// LetStmt is "let $x[: type] [= value]".
type LetStmt struct {
	Base
	Var   *Variable
	Type  *TypeExpr // nil when not written
	Value Expr      // nil when not written
}

// IfStmt is "if (cond) {then} [else ...]"; Else is a *Block, an *IfStmt or nil.
type IfStmt struct {
	Base
	Cond Expr
	Then *Block
	Else Stmt
}

// WhileStmt is "while (cond) { body }".
type WhileStmt struct {
	Base
	Cond Expr
	Body *Block
}

// ForStmt is "for ($x : iter) { body }": iter is a *MapRef (key/value pairs),
// a *Range, or any other expression of array type.
type ForStmt struct {
	Base
	Var  *Variable
	Iter Expr
	Body *Block
}

// UnrollStmt is "unroll (n) { body }".
type UnrollStmt struct {
	Base
	Count Expr
	Body  *Block
}

// JumpStmt is "break", "continue" or "return [value]".
type JumpStmt struct {
	Base
	Kind  string // "break", "continue", "return"
	Value Expr   // return value, or nil
}

func (*Block) stmtNode()      {}
func (*ExprStmt) stmtNode()   {}
func (*AssignStmt) stmtNode() {}
func (*LetStmt) stmtNode()    {}
func (*IfStmt) stmtNode()     {}
func (*WhileStmt) stmtNode()  {}
func (*ForStmt) stmtNode()    {}
func (*UnrollStmt) stmtNode() {}
func (*JumpStmt) stmtNode()   {}

// ---------------------------------------------------------------- expressions

// Expr is an expression.
type Expr interface {
	Node
	exprNode()
}

// IntLit is an integer (or char) literal. Raw keeps the text for the formatter.
type IntLit struct {
	Base
	Value  uint64
	Raw    string // as written: "1_000", "0x10", "'a'", "1e6", "10ms", "5ULL"
	Suffix string // integer type suffix if any ("u", "l", "ull", ...); "" otherwise
}

// StringLit is a string literal with escapes decoded into Value.
type StringLit struct {
	Base
	Value string
	Raw   string // as written, with quotes
}

// BoolLit is true or false.
type BoolLit struct {
	Base
	Value bool
}

// Variable is a scratch variable "$name".
type Variable struct {
	Base
	Name string // without the '$'
}

// PositionalParam is "$1".."$N" (N > 0), or "$#" (Count).
type PositionalParam struct {
	Base
	N     int
	Count bool
}

// MapRef names a map: "@" (Name "") or "@name" (Name "name"), without keys.
type MapRef struct {
	Base
	Name string // without the '@'
}

// MapAccess is "@m[k1, k2, ...]"; several keys make a tuple key.
type MapAccess struct {
	Base
	Map  *MapRef
	Keys []Expr
}

// Ident is a bare identifier: builtins (pid, comm, args, retval, arg0),
// enum constants, and names inside calls such as offsetof.
type Ident struct {
	Base
	Name string
}

// Call is "f(args)"; Macro is set for "f!(args)".
type Call struct {
	Base
	Func  string
	Args  []Expr
	Macro bool
}

// Binary is "l op r" for || && | ^ & == != < <= > >= << >> + - * / %.
type Binary struct {
	Base
	Op   string
	L, R Expr
}

// Unary is a prefix operator: "!", "~", "-", "+", "*" (deref), "&" (address).
type Unary struct {
	Base
	Op string
	X  Expr
}

// IncDec is "x++", "x--" (Post) or "++x", "--x".
type IncDec struct {
	Base
	Op   string // "++" or "--"
	Post bool
	X    Expr
}

// Ternary is "cond ? then : else".
type Ternary struct {
	Base
	Cond, Then, Else Expr
}

// Cast is "(type)x".
type Cast struct {
	Base
	Type *TypeExpr
	X    Expr
}

// FieldAccess is "x.name" or "x->name" (Arrow).
type FieldAccess struct {
	Base
	X     Expr
	Name  string
	Arrow bool
}

// IndexExpr is "x[i]" on an array or pointer (map keys are MapAccess).
type IndexExpr struct {
	Base
	X     Expr
	Index Expr
}

// TupleIndex is "x.N".
type TupleIndex struct {
	Base
	X Expr
	N int
}

// Tuple is "(a, b, ...)" with at least two elements (or "(a,)").
type Tuple struct {
	Base
	Elems []Expr
}

// Record is "(name = value, ...)".
type Record struct {
	Base
	Fields []*RecordField
}

// RecordField is one "name = value" of a Record.
type RecordField struct {
	Base
	Name  string
	Value Expr
}

// Sizeof is "sizeof(type)" or "sizeof(expr)"; exactly one of Type and X is set.
type Sizeof struct {
	Base
	Type *TypeExpr
	X    Expr
}

// Offsetof is "offsetof(type, field.sub)" or "offsetof(expr, field)".
type Offsetof struct {
	Base
	Type   *TypeExpr
	X      Expr
	Fields []string
}

// Range is "lo..hi" in a for loop.
type Range struct {
	Base
	Lo, Hi Expr
}

// BlockExpr is "{ stmts; value }": a block whose last expression is its value.
type BlockExpr struct {
	Base
	Stmts []Stmt
	Value Expr
}

func (*IntLit) exprNode()          {}
func (*StringLit) exprNode()       {}
func (*BoolLit) exprNode()         {}
func (*Variable) exprNode()        {}
func (*PositionalParam) exprNode() {}
func (*MapRef) exprNode()          {}
func (*MapAccess) exprNode()       {}
func (*Ident) exprNode()           {}
func (*Call) exprNode()            {}
func (*Binary) exprNode()          {}
func (*Unary) exprNode()           {}
func (*IncDec) exprNode()          {}
func (*Ternary) exprNode()         {}
func (*Cast) exprNode()            {}
func (*FieldAccess) exprNode()     {}
func (*IndexExpr) exprNode()       {}
func (*TupleIndex) exprNode()      {}
func (*Tuple) exprNode()           {}
func (*Record) exprNode()          {}
func (*Sizeof) exprNode()          {}
func (*Offsetof) exprNode()        {}
func (*Range) exprNode()           {}
func (*BlockExpr) exprNode()       {}
