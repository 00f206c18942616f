package symbols

import (
	"debug/elf"
	"fmt"
	"sync"
)

// UserSym is a resolved user-space address.
type UserSym struct {
	Name   string // display name (demangled when cpp_demangle is on); "" if unknown
	Off    uint64 // addr - symbol start
	Module string // path of the mapped file; "" if the address is in no known mapping
}

// knownBinaries are executables probes were attached to. Non-PIE executables
// (ET_EXEC) are loaded at their link addresses, so their addresses resolve
// even for a process whose maps were never read.
var (
	knownMu       sync.Mutex
	knownBinaries []string
)

// AddKnownBinary registers an executable as a fallback for symbolizing
// addresses of processes that exited before their maps were read.
func AddKnownBinary(path string) {
	knownMu.Lock()
	defer knownMu.Unlock()
	for _, p := range knownBinaries {
		if p == path {
			return
		}
	}
	knownBinaries = append(knownBinaries, path)
}

// Usym resolves addr in process pid: the mapping gives the file and its load
// bias (PIE executables and shared libraries), the file's ELF symbols give
// the function.
func Usym(pid int, addr uint64) (name string, off uint64, module string) {
	s := Resolve(pid, addr)
	return s.Name, s.Off, s.Module
}

// Resolve is Usym returning a UserSym.
func Resolve(pid int, addr uint64) UserSym {
	if m, ok := findMapping(pid, addr); ok {
		out := UserSym{Module: m.Path}
		f, err := openMapped(pid, m.Path)
		if err != nil {
			return out
		}
		vaddr, ok := f.Vaddr(addr - m.Start + m.Off)
		if !ok {
			return out
		}
		if s, ok := f.Lookup(vaddr); ok {
			out.Name, out.Off = displayName(s.Name), vaddr-s.Value
		}
		return out
	}
	knownMu.Lock()
	paths := append([]string(nil), knownBinaries...)
	knownMu.Unlock()
	for _, p := range paths {
		f, err := OpenELF(p)
		if err != nil || f.Type != elf.ET_EXEC {
			continue
		}
		if _, err := f.FileOffset(addr); err != nil {
			continue
		}
		if s, ok := f.Lookup(addr); ok {
			return UserSym{Name: displayName(s.Name), Off: addr - s.Value, Module: p}
		}
	}
	return UserSym{}
}

// Uaddr returns the ELF virtual address of a function in the file at path,
// by stored name or, failing that, by demangled name (with or without
// parameters). For PIE files this is the unrelocated address.
func Uaddr(path, name string) (uint64, error) {
	f, err := OpenELF(path)
	if err != nil {
		return 0, err
	}
	if s, ok := f.Sym(name); ok {
		return s.Value, nil
	}
	for _, s := range f.Funcs() {
		if Demangle(s.Name) == name || DemangleNoParams(s.Name) == name {
			return s.Value, nil
		}
	}
	return 0, fmt.Errorf("symbol %q not found in %s", name, path)
}
