// Package usdt reads the USDT (SystemTap SDT) probes of an ELF file: the
// .note.stapsdt notes with their provider, name, address, semaphore and
// argument specs, and decodes the x86_64 argument specs into where each
// argument lives relative to struct pt_regs.
package usdt

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"sync"

	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

// Probe is one location of a USDT probe. A probe written several times in
// the source (or inlined) has several notes with the same provider and name.
type Probe struct {
	Provider, Name string
	PC             uint64 // ELF virtual address of the probe's nop, after the .stapsdt.base adjustment
	FileOffset     uint64 // where to put the uprobe
	Semaphore      uint64 // virtual address of the semaphore; 0 when the probe has none
	SemaphoreOff   uint64 // file offset of the semaphore: the kernel's ref_ctr_offset
	ArgSpec        string // the raw argument string
	Args           []Arg
}

const (
	noteName = "stapsdt"
	noteType = 3
)

var (
	cacheMu sync.Mutex
	cache   = map[symbols.FileKey][]Probe{}
)

// ReadFile returns the USDT probes of an ELF file in note order (cached per
// file identity). A file without probes gives an empty list, not an error.
func ReadFile(path string) ([]Probe, error) {
	key, err := symbols.FileKeyOf(path)
	if err != nil {
		return nil, err
	}
	cacheMu.Lock()
	ps, ok := cache[key]
	cacheMu.Unlock()
	if ok {
		return ps, nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	ps, err = Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cacheMu.Lock()
	cache[key] = ps
	cacheMu.Unlock()
	return ps, nil
}

// Read decodes the USDT notes of an opened ELF file.
func Read(f *elf.File) ([]Probe, error) {
	sec := f.Section(".note.stapsdt")
	if sec == nil {
		return nil, nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	var baseAddr uint64
	hasBase := false
	if b := f.Section(".stapsdt.base"); b != nil {
		baseAddr, hasBase = b.Addr, true
	}
	word := 8
	if f.Class == elf.ELFCLASS32 {
		word = 4
	}
	bo := f.ByteOrder
	readWord := func(b []byte) uint64 {
		if word == 4 {
			return uint64(bo.Uint32(b))
		}
		return bo.Uint64(b)
	}
	var out []Probe
	var symAddrs map[string]uint64 // built on first "sym(%rip)" argument
	for len(data) >= 12 {
		namesz := int(bo.Uint32(data[0:4]))
		descsz := int(bo.Uint32(data[4:8]))
		typ := bo.Uint32(data[8:12])
		nameEnd := 12 + namesz
		descStart := 12 + align4(namesz)
		descEnd := descStart + descsz
		if nameEnd > len(data) || descEnd > len(data) {
			return nil, errors.New("truncated .note.stapsdt")
		}
		name := string(bytes.TrimRight(data[12:nameEnd], "\x00"))
		desc := data[descStart:descEnd]
		data = data[min(descStart+align4(descsz), len(data)):]
		if name != noteName || typ != noteType || len(desc) < 3*word {
			continue
		}
		p := Probe{
			PC:        readWord(desc[0:]),
			Semaphore: readWord(desc[2*word:]),
		}
		noteBase := readWord(desc[word:])
		// Prelink may have moved the file after the notes were written;
		// .stapsdt.base tells by how much.
		if hasBase && noteBase != 0 {
			p.PC += baseAddr - noteBase
		}
		strs := bytes.Split(desc[3*word:], []byte{0})
		if len(strs) < 3 {
			continue
		}
		p.Provider, p.Name, p.ArgSpec = string(strs[0]), string(strs[1]), string(strs[2])
		if p.Args, err = ParseArgs(p.ArgSpec); err != nil {
			return nil, fmt.Errorf("probe %s:%s: %w", p.Provider, p.Name, err)
		}
		for i := range p.Args {
			if a := &p.Args[i]; a.Sym != "" {
				if symAddrs == nil {
					symAddrs = symbolAddrs(f)
				}
				a.SymAddr = symAddrs[a.Sym]
			}
		}
		if p.FileOffset, err = fileOffset(f, p.PC); err != nil {
			return nil, fmt.Errorf("probe %s:%s: %w", p.Provider, p.Name, err)
		}
		if p.Semaphore != 0 {
			if p.SemaphoreOff, err = fileOffset(f, p.Semaphore); err != nil {
				return nil, fmt.Errorf("probe %s:%s semaphore: %w", p.Provider, p.Name, err)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// symbolAddrs maps defined symbols to addresses, for "sym(%rip)" args.
func symbolAddrs(f *elf.File) map[string]uint64 {
	m := map[string]uint64{}
	for _, get := range []func() ([]elf.Symbol, error){f.DynamicSymbols, f.Symbols} {
		syms, _ := get()
		for _, s := range syms {
			if s.Section != elf.SHN_UNDEF && s.Value != 0 {
				m[s.Name] = s.Value
			}
		}
	}
	return m
}

func align4(n int) int { return (n + 3) &^ 3 }

// fileOffset converts a virtual address to a file offset with the PT_LOAD
// segments, falling back to the section that holds it.
func fileOffset(f *elf.File, vaddr uint64) (uint64, error) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && vaddr >= p.Vaddr && vaddr < p.Vaddr+p.Filesz {
			return vaddr - p.Vaddr + p.Off, nil
		}
	}
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && s.Addr != 0 && vaddr >= s.Addr && vaddr < s.Addr+s.Size {
			return vaddr - s.Addr + s.Offset, nil
		}
	}
	return 0, fmt.Errorf("address %#x is not in the file", vaddr)
}

// Locations returns the locations of provider:name in probes.
func Locations(probes []Probe, provider, name string) []Probe {
	var out []Probe
	for _, p := range probes {
		if p.Provider == provider && p.Name == name {
			out = append(out, p)
		}
	}
	return out
}
