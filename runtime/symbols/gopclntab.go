package symbols

import (
	"debug/elf"
	"debug/gosym"
)

// goPclntabSymbols recovers function symbols of a stripped Go binary from
// its .gopclntab, which the Go runtime keeps for its own tracebacks.
func goPclntabSymbols(ef *elf.File) []Sym {
	pcln, text := ef.Section(".gopclntab"), ef.Section(".text")
	if pcln == nil || text == nil {
		return nil
	}
	data, err := pcln.Data()
	if err != nil {
		return nil
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil
	}
	out := make([]Sym, 0, len(tab.Funcs))
	for _, f := range tab.Funcs {
		if f.Entry != 0 && f.End > f.Entry {
			out = append(out, Sym{Name: f.Name, Value: f.Entry, Size: f.End - f.Entry})
		}
	}
	return out
}
