package symbols

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// Sym is one function symbol of an ELF file.
type Sym struct {
	Name  string // as stored (mangled for C++/Rust)
	Value uint64 // ELF virtual address
	Size  uint64
}

// Segment is one PT_LOAD program header.
type Segment struct {
	Vaddr, Off, Filesz, Memsz uint64
	Exec                      bool
}

// ELFFile is the part of an ELF file that symbolization and probes need.
type ELFFile struct {
	Path  string
	Type  elf.Type // ET_EXEC or ET_DYN (PIE executables and shared libraries)
	Loads []Segment
	funcs []Sym // sorted by Value, deduplicated
	names map[string]int
}

// Funcs returns the function symbols (.symtab and .dynsym, plus a separate
// debug file's .symtab when the binary is stripped), sorted by address.
func (f *ELFFile) Funcs() []Sym { return f.funcs }

// Sym finds a function symbol by its stored (mangled) name.
func (f *ELFFile) Sym(name string) (Sym, bool) {
	i, ok := f.names[name]
	if !ok {
		return Sym{}, false
	}
	return f.funcs[i], true
}

// Lookup finds the function containing the virtual address vaddr. Symbols
// with a size must contain it; a sizeless symbol covers up to the next one.
func (f *ELFFile) Lookup(vaddr uint64) (Sym, bool) {
	i := sort.Search(len(f.funcs), func(i int) bool { return f.funcs[i].Value > vaddr }) - 1
	for ; i >= 0; i-- {
		s := f.funcs[i]
		if s.Size == 0 || vaddr < s.Value+s.Size {
			return s, true
		}
		// An enclosing larger symbol may start earlier (rare: aliases of
		// different sizes); look back a little.
		if s.Value+s.Size <= vaddr && i > 0 && f.funcs[i-1].Value == s.Value {
			continue
		}
		break
	}
	return Sym{}, false
}

// FileOffset converts a virtual address to an offset in the file, as the
// kernel's uprobe and ref_ctr_offset interfaces want.
func (f *ELFFile) FileOffset(vaddr uint64) (uint64, error) {
	for _, s := range f.Loads {
		if vaddr >= s.Vaddr && vaddr < s.Vaddr+s.Memsz {
			if vaddr-s.Vaddr >= s.Filesz {
				return 0, fmt.Errorf("address %#x of %s is not backed by the file (bss)", vaddr, f.Path)
			}
			return vaddr - s.Vaddr + s.Off, nil
		}
	}
	return 0, fmt.Errorf("address %#x is outside the loadable segments of %s", vaddr, f.Path)
}

// Vaddr converts a file offset (from /proc/PID/maps) to a virtual address.
func (f *ELFFile) Vaddr(off uint64) (uint64, bool) {
	for _, s := range f.Loads {
		if off >= s.Off && off < s.Off+s.Filesz {
			return off - s.Off + s.Vaddr, true
		}
	}
	return 0, false
}

// FileKey identifies a file by device, inode, size and mtime (its path only
// where the system gives no inode), so caches keyed by it see /proc/PID/root/x
// and x as one file and notice when a file is rebuilt.
type FileKey struct {
	path            string
	dev, ino, mtime uint64
	size            int64
}

// FileKeyOf stats path and returns its identity.
func FileKeyOf(path string) (FileKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return FileKey{}, err
	}
	key := FileKey{size: st.Size(), mtime: uint64(st.ModTime().UnixNano())}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		key.dev, key.ino = uint64(sys.Dev), sys.Ino
	} else {
		key.path = path
	}
	return key, nil
}

var (
	elfMu    sync.Mutex
	elfCache = map[FileKey]*ELFFile{}
)

// OpenELF reads (or returns the cached) symbol table of an ELF file.
func OpenELF(path string) (*ELFFile, error) {
	key, err := FileKeyOf(path)
	if err != nil {
		return nil, err
	}
	elfMu.Lock()
	f, ok := elfCache[key]
	elfMu.Unlock()
	if ok {
		return f, nil
	}
	f, err = readELF(path)
	if err != nil {
		return nil, err
	}
	elfMu.Lock()
	elfCache[key] = f
	elfMu.Unlock()
	return f, nil
}

func readELF(path string) (*ELFFile, error) {
	ef, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer ef.Close()
	if ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return nil, fmt.Errorf("%s is not an executable or shared library", path)
	}
	out := &ELFFile{Path: path, Type: ef.Type, names: map[string]int{}}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD {
			out.Loads = append(out.Loads, Segment{Vaddr: p.Vaddr, Off: p.Off, Filesz: p.Filesz, Memsz: p.Memsz, Exec: p.Flags&elf.PF_X != 0})
		}
	}
	var all []elf.Symbol
	syms, err := ef.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	all = append(all, syms...)
	if len(syms) == 0 {
		all = append(all, debugFileSymbols(path, ef)...)
	}
	dyn, err := ef.DynamicSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	all = append(all, dyn...)
	for _, s := range all {
		t := elf.ST_TYPE(s.Info)
		if (t != elf.STT_FUNC && t != elf.STT_GNU_IFUNC) || s.Value == 0 || s.Section == elf.SHN_UNDEF {
			continue
		}
		out.funcs = append(out.funcs, Sym{Name: s.Name, Value: s.Value, Size: s.Size})
	}
	if len(syms) == 0 {
		// A stripped Go binary still has its pclntab.
		out.funcs = append(out.funcs, goPclntabSymbols(ef)...)
	}
	sort.SliceStable(out.funcs, func(i, j int) bool {
		a, b := out.funcs[i], out.funcs[j]
		if a.Value != b.Value {
			return a.Value < b.Value
		}
		return a.Name < b.Name
	})
	dedup := out.funcs[:0]
	for _, s := range out.funcs {
		if n := len(dedup); n > 0 && dedup[n-1] == s {
			continue
		}
		dedup = append(dedup, s)
	}
	out.funcs = dedup
	for i, s := range out.funcs {
		if _, ok := out.names[s.Name]; !ok {
			out.names[s.Name] = i
		}
	}
	return out, nil
}

// debugFileSymbols reads .symtab from the separate debug file of a stripped
// binary, found as gdb finds it: by build id under /usr/lib/debug/.build-id,
// else by the .gnu_debuglink name next to the binary, in its .debug
// directory, or under /usr/lib/debug (with the CRC the link records).
func debugFileSymbols(path string, ef *elf.File) []elf.Symbol {
	if id := buildID(ef); len(id) >= 2 {
		if syms := symbolsOf(filepath.Join("/usr/lib/debug/.build-id", id[:2], id[2:]+".debug"), nil); syms != nil {
			return syms
		}
	}
	name, crc, ok := debugLink(ef)
	if !ok {
		return nil
	}
	dir := filepath.Dir(path)
	if real, err := filepath.EvalSymlinks(path); err == nil {
		dir = filepath.Dir(real)
	}
	for _, p := range []string{
		filepath.Join(dir, name),
		filepath.Join(dir, ".debug", name),
		filepath.Join("/usr/lib/debug", dir, name),
	} {
		if p == path {
			continue
		}
		if syms := symbolsOf(p, &crc); syms != nil {
			return syms
		}
	}
	return nil
}

// buildID is the hex GNU build id of ef ("" without one).
func buildID(ef *elf.File) string {
	sec := ef.Section(".note.gnu.build-id")
	if sec == nil {
		return ""
	}
	data, err := sec.Data()
	if err != nil || len(data) < 16 {
		return ""
	}
	// Note header: namesz, descsz, type, then "GNU\0" and the id.
	namesz := int(ef.ByteOrder.Uint32(data[0:4]))
	descsz := int(ef.ByteOrder.Uint32(data[4:8]))
	start := 12 + (namesz+3)&^3
	if start+descsz > len(data) || descsz < 2 {
		return ""
	}
	return hex.EncodeToString(data[start : start+descsz])
}

// debugLink reads .gnu_debuglink: a NUL-terminated file name, padding to 4
// bytes, and the CRC-32 of the debug file.
func debugLink(ef *elf.File) (name string, crc uint32, ok bool) {
	sec := ef.Section(".gnu_debuglink")
	if sec == nil {
		return "", 0, false
	}
	data, err := sec.Data()
	if err != nil {
		return "", 0, false
	}
	n := bytes.IndexByte(data, 0)
	off := (n + 4) &^ 3
	if n <= 0 || off+4 > len(data) || strings.ContainsRune(string(data[:n]), '/') {
		return "", 0, false
	}
	return string(data[:n]), ef.ByteOrder.Uint32(data[off:]), true
}

// symbolsOf reads the .symtab of the ELF file at p; with crc, only when the
// file's CRC-32 matches (a stale debug file would give wrong addresses).
func symbolsOf(p string, crc *uint32) []elf.Symbol {
	if crc != nil {
		// Debug files run to hundreds of MiB: checksum them streaming.
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		h := crc32.NewIEEE()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil || h.Sum32() != *crc {
			return nil
		}
	}
	df, err := elf.Open(p)
	if err != nil {
		return nil
	}
	defer df.Close()
	syms, _ := df.Symbols()
	return syms
}
