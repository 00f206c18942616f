package sema

import (
	"debug/elf"
	"fmt"

	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

// UserSymbol resolves uaddr(name) for the probe being checked, as bpftrace
// does at compile time: the symbol's address in the symbol table of each
// target's binary (so, like bpftrace's, it is wrong for a PIE loaded at a
// random address) and its size, which sets the pointer's type. Every
// target must be a uprobe, uretprobe or usdt probe, and all must agree.
func (c *checker) UserSymbol(name string) (addr, size uint64, err error) {
	if c.probe == nil || len(c.probe.Targets) == 0 {
		return 0, 0, fmt.Errorf("uaddr can only be used with u(ret)probes and usdt probes")
	}
	for i, t := range c.probe.Targets {
		switch t.Provider.Name() {
		case "uprobe", "uretprobe", "usdt":
		default:
			return 0, 0, fmt.Errorf("uaddr can only be used with u(ret)probes and usdt probes")
		}
		a, s, ok := elfSymbol(t.Target.Path, name)
		if !ok {
			return 0, 0, fmt.Errorf("Could not resolve symbol: %s:%s", t.Target.Path, name)
		}
		if i == 0 {
			addr, size = a, s
			continue
		}
		if s != size {
			return 0, 0, fmt.Errorf("Symbol size mismatch between probes. Symbol %q has size %d for probe %q but size %d for probe %q",
				name, size, c.probe.Targets[0].Target.Name, s, t.Target.Name)
		}
		if a != addr {
			// One program serves all the probe's targets, so the address
			// must be a single constant.
			return 0, 0, fmt.Errorf("uaddr(): symbol %q has different addresses in the binaries of %q and %q",
				name, c.probe.Targets[0].Target.Name, t.Target.Name)
		}
	}
	return addr, size, nil
}

// elfSymbol finds a defined symbol of any kind (variables too, unlike
// symbols.Uaddr, which knows functions only) in path's .symtab or .dynsym,
// then falls back to symbols.Uaddr for demangled function names.
func elfSymbol(path, name string) (addr, size uint64, ok bool) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	for _, list := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, _ := list()
		for _, s := range syms {
			if s.Name == name && s.Value != 0 && s.Section != elf.SHN_UNDEF {
				return s.Value, s.Size, true
			}
		}
	}
	if a, err := symbols.Uaddr(path, name); err == nil && a != 0 {
		return a, 0, true
	}
	return 0, 0, false
}
