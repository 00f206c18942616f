package symbols

import "github.com/gobpftrace/gobpftrace/runtime/output"

// KernelFrames symbolizes kernel stack addresses (innermost first) with
// kallsyms. Frames whose address is in no symbol keep Sym "" and are printed
// as raw addresses. Module is the kernel module name, "" for vmlinux.
func KernelFrames(addrs []uint64) []output.Frame {
	out := make([]output.Frame, 0, len(addrs))
	for _, a := range addrs {
		name, off, mod := KsymModule(a)
		out = append(out, output.Frame{Addr: a, Sym: name, Off: off, Module: mod})
	}
	return out
}

// UserFrames symbolizes user stack addresses of process pid (innermost
// first). Module is the path of the file mapped at the address.
func UserFrames(pid int, addrs []uint64) []output.Frame {
	out := make([]output.Frame, 0, len(addrs))
	for _, a := range addrs {
		s := Resolve(pid, a)
		out = append(out, output.Frame{Addr: a, Sym: s.Name, Off: s.Off, Module: s.Module})
	}
	return out
}
