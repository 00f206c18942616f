// Package stdlib is the one registry of bpftrace's builtins and functions.
// The checker (lang/sema) and the code generator (codegen) both read it:
// an entry holds the name, the kind, a Check hook that types a call and an
// Emit hook that generates it. Adding a builtin touches one file here.
//
// stdlib imports neither sema nor codegen: Checker and Gen are interfaces
// declared here and implemented there.
package stdlib

import (
	"sort"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Kind is what an entry is.
type Kind int

const (
	Var   Kind = iota // a value builtin: pid, comm, nsecs...
	Func              // a function returning a value: str(), strncmp()...
	Agg               // an aggregation assigned to a map: count(), hist()...
	Async             // an action carried out by the runtime: printf(), exit()...
)

// Call is a use of an entry: an *ast.Ident (Args nil) or an *ast.Call.
type Call struct {
	Node ast.Expr
	Name string
	Args []ast.Expr
	// Paren is true when written with parentheses.
	Paren bool
}

// Span is where the call was written.
func (c *Call) Span() lang.Span { return c.Node.Span() }

// Entry describes one builtin or function.
type Entry struct {
	Name string
	Kind Kind
	// Bare: usable without parentheses ("pid"); Paren: usable with them ("nsecs(boot)").
	Bare, Paren bool
	// MinArgs and MaxArgs bound the argument count when called with parentheses
	// (MaxArgs -1: variadic).
	MinArgs, MaxArgs int
	// Check types the call; it reports errors through c and returns the
	// result type (types.Void for none). Args are not yet checked.
	Check func(c Checker, call *Call) types.Type
	// Emit generates the call. For a scalar result it pushes one temporary
	// holding the value; for a memory result (strings, tuples...) it writes
	// the value at dst; for void it emits the action.
	Emit func(g Gen, call *Call, dst Loc)
	// EmitDiscarded, when set, generates a call whose result is not used
	// (a statement), instead of Emit.
	EmitDiscarded func(g Gen, call *Call)
	// Probes lists the providers (canonical names) the entry may be used in;
	// nil means every probe. The probe's own Ctx.Disallow also applies.
	Probes []string
	// AggKind is the aggregation an Agg entry fills.
	AggKind types.AggKind
	// EmitAgg updates the aggregation map for "@m[k] = f(args)".
	EmitAgg func(g Gen, call *Call, m *AggTarget)
}

var registry = map[string]*Entry{}

func register(es ...*Entry) {
	for _, e := range es {
		registry[e.Name] = e
	}
}

// Lookup returns the entry named name.
func Lookup(name string) (*Entry, bool) {
	e, ok := registry[name]
	return e, ok
}

// Names lists every entry name, sorted.
func Names() []string {
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
