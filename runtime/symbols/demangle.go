package symbols

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ianlancetaylor/demangle"
)

// cppDemangle is the cpp_demangle config switch: on by default, as in bpftrace.
var cppDemangle atomic.Bool

func init() { cppDemangle.Store(true) }

// SetDemangle turns demangling of C++ and Rust names in user symbols on or
// off (config cpp_demangle).
func SetDemangle(on bool) { cppDemangle.Store(on) }

// DemangleEnabled reports the cpp_demangle setting.
func DemangleEnabled() bool { return cppDemangle.Load() }

var (
	demangleCache      sync.Map // mangled -> demangled
	demangleShortCache sync.Map // mangled -> demangled without parameters
)

// Demangle returns the human-readable form of a C++ (_Z...) or Rust (_R...,
// legacy _ZN...17h<hash>E) symbol, or name itself when it is not mangled
// (C, Go) or demangling fails. It ignores the cpp_demangle switch: probes
// matching `:cpp:` names always need it.
func Demangle(name string) string {
	if !isMangled(name) {
		return name
	}
	if v, ok := demangleCache.Load(name); ok {
		return v.(string)
	}
	d := demangle.Filter(name)
	demangleCache.Store(name, d)
	return d
}

// DemangleNoParams is Demangle without the parameter list: "ns::C::f(int)"
// becomes "ns::C::f". Used to match `:cpp:` attach points written without
// parameters.
func DemangleNoParams(name string) string {
	if !isMangled(name) {
		return name
	}
	if v, ok := demangleShortCache.Load(name); ok {
		return v.(string)
	}
	d := demangle.Filter(name, demangle.NoParams)
	demangleShortCache.Store(name, d)
	return d
}

// displayName is the name shown in stacks and usym(): demangled when the
// cpp_demangle switch is on.
func displayName(name string) string {
	if cppDemangle.Load() {
		return Demangle(name)
	}
	return name
}

func isMangled(name string) bool {
	return strings.HasPrefix(name, "_Z") || strings.HasPrefix(name, "_R") || strings.HasPrefix(name, "__Z")
}
