package symbols

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// KernelSym is one /proc/kallsyms entry.
type KernelSym struct {
	Addr   uint64
	Name   string
	Type   byte   // nm-style type letter: 'T', 't', 'D', ...
	Module string // "" for vmlinux, else the module name without brackets
}

// KernelTable is a parsed kallsyms, sorted by address.
type KernelTable struct {
	syms []KernelSym // sorted by Addr, one entry per address
	all  []KernelSym // every entry, in file order
	// byName (name -> first index into all) is built on the first Addr
	// call: most runs only symbolize addresses.
	byNameOnce sync.Once
	byName     map[string]int
}

var (
	kallsymsPath = "/proc/kallsyms"
	kernelMu     sync.Mutex
	kernelTable  *KernelTable
	kernelErr    error
	kernelRead   time.Time
)

// kernelRereadAfter limits re-reading kallsyms for addresses it did not
// know (BPF programs and modules loaded after the first read).
const kernelRereadAfter = time.Second

// Kernel returns the running kernel's symbol table, read once.
func Kernel() (*KernelTable, error) {
	kernelMu.Lock()
	defer kernelMu.Unlock()
	if kernelTable == nil && kernelErr == nil {
		loadKernelLocked()
	}
	return kernelTable, kernelErr
}

func loadKernelLocked() {
	// One big read: /proc/kallsyms is slow to read in small pieces.
	data, err := os.ReadFile(kallsymsPath)
	kernelRead = time.Now()
	if err != nil {
		kernelErr = err
		return
	}
	t, err := parseKallsyms(data)
	if err != nil {
		kernelErr = err
		return
	}
	kernelTable, kernelErr = t, nil
}

// unknownOffset is how far past a symbol an address may be before it is
// taken for code that kallsyms did not list when it was read.
const unknownOffset = 1 << 20

// kernelLookup finds addr, re-reading kallsyms (at most once a second)
// when it falls outside what was known.
func kernelLookup(addr uint64) (KernelSym, bool) {
	t, err := Kernel()
	if err != nil {
		return KernelSym{}, false
	}
	s, ok := t.Lookup(addr)
	if ok && addr-s.Addr < unknownOffset {
		return s, true
	}
	kernelMu.Lock()
	if time.Since(kernelRead) >= kernelRereadAfter {
		loadKernelLocked()
	}
	t = kernelTable
	kernelMu.Unlock()
	if t == nil {
		return KernelSym{}, false
	}
	return t.Lookup(addr)
}

// ParseKallsyms reads text in /proc/kallsyms format.
func ParseKallsyms(r io.Reader) (*KernelTable, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return parseKallsyms(data)
}

// parseKallsyms parses "ADDR TYPE NAME[\t[MODULE]]" lines without
// splitting into fields: vmlinux alone has over 100k lines.
func parseKallsyms(data []byte) (*KernelTable, error) {
	t := &KernelTable{}
	t.all = make([]KernelSym, 0, bytes.Count(data, []byte{'\n'})+1)
	modules := map[string]string{} // one string per module name
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 || len(line) < sp+4 || line[sp+2] != ' ' {
			continue
		}
		addr, err := strconv.ParseUint(string(line[:sp]), 16, 64)
		if err != nil {
			continue
		}
		s := KernelSym{Addr: addr, Type: line[sp+1]}
		rest := line[sp+3:]
		if tab := bytes.IndexByte(rest, '\t'); tab >= 0 {
			mod := string(bytes.Trim(rest[tab+1:], "[] "))
			if m, ok := modules[mod]; ok {
				mod = m
			} else {
				modules[mod] = mod
			}
			s.Module = mod
			rest = rest[:tab]
		}
		s.Name = string(rest)
		t.all = append(t.all, s)
	}
	if len(t.all) > 0 && allZero(t.all) {
		return nil, fmt.Errorf("kallsyms addresses are hidden (kptr_restrict); run as root")
	}
	t.syms = make([]KernelSym, 0, len(t.all))
	for _, s := range t.all {
		if s.Addr != 0 {
			t.syms = append(t.syms, s)
		}
	}
	// Several names often share an address (aliases). Keep one per address,
	// preferring code symbols, then the first in file order.
	sort.SliceStable(t.syms, func(i, j int) bool { return t.syms[i].Addr < t.syms[j].Addr })
	out := t.syms[:0]
	for _, s := range t.syms {
		if n := len(out); n > 0 && out[n-1].Addr == s.Addr {
			if !isText(out[n-1].Type) && isText(s.Type) {
				out[n-1] = s
			}
			continue
		}
		out = append(out, s)
	}
	t.syms = out
	return t, nil
}

func allZero(s []KernelSym) bool {
	for _, x := range s {
		if x.Addr != 0 {
			return false
		}
	}
	return true
}

func isText(t byte) bool {
	switch t {
	case 'T', 't', 'W', 'w':
		return true
	}
	return false
}

// Lookup finds the symbol containing addr: the closest one at or below it.
func (t *KernelTable) Lookup(addr uint64) (KernelSym, bool) {
	i := sort.Search(len(t.syms), func(i int) bool { return t.syms[i].Addr > addr }) - 1
	if i < 0 {
		return KernelSym{}, false
	}
	return t.syms[i], true
}

// Addr returns the address of a symbol by name ("vfs_read", or "module:name").
func (t *KernelTable) Addr(name string) (KernelSym, bool) {
	t.byNameOnce.Do(func() {
		t.byName = make(map[string]int, len(t.all))
		for i, s := range t.all {
			if _, dup := t.byName[s.Name]; !dup {
				t.byName[s.Name] = i
			}
		}
	})
	if i, ok := t.byName[name]; ok {
		return t.all[i], true
	}
	if mod, n, ok := strings.Cut(name, ":"); ok {
		for _, s := range t.all {
			if s.Name == n && s.Module == mod {
				return s, true
			}
		}
	}
	return KernelSym{}, false
}

// Symbols returns every entry in file order (for listings and wildcards).
func (t *KernelTable) Symbols() []KernelSym { return t.all }

// Ksym returns the kernel symbol containing addr and addr's offset in it.
// name is "" when addr is below every symbol or kallsyms is unreadable.
func Ksym(addr uint64) (name string, off uint64) {
	name, off, _ = KsymModule(addr)
	return name, off
}

// KsymModule is Ksym plus the module the symbol lives in ("" for vmlinux).
func KsymModule(addr uint64) (name string, off uint64, module string) {
	s, ok := kernelLookup(addr)
	if !ok {
		return "", 0, ""
	}
	return s.Name, addr - s.Addr, s.Module
}

// Kaddr returns the address of a kernel symbol, as kaddr("name") does.
func Kaddr(name string) (uint64, error) {
	t, err := Kernel()
	if err != nil {
		return 0, err
	}
	s, ok := t.Addr(name)
	if !ok {
		return 0, fmt.Errorf("kernel symbol %q not found", name)
	}
	return s.Addr, nil
}
