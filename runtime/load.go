package runtime

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// Loaded is (part of) an Object in the kernel: its maps by spec name, and
// its programs. Runtime.Run loads a whole object; the REPL loads each entry's
// programs against the maps of earlier entries (LoadOptions.MapReplacements).
type Loaded struct {
	// Maps are every map the loaded programs may use, by spec name:
	// the ones Load created and the replacements it was given.
	Maps map[string]*ebpf.Map
	// Programs is parallel to the object's Programs; a program that was not
	// asked for is nil.
	Programs []*ebpf.Program
	// owned are the maps Load created (and Close closes).
	owned map[string]bool
}

// Created lists the maps this load created (not the replacements), sorted.
func (l *Loaded) Created() []string {
	var out []string
	for name := range l.owned {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Disown hands a map Load created over to the caller: Close leaves it
// open. It returns nil for a map Load did not create.
func (l *Loaded) Disown(name string) *ebpf.Map {
	if !l.owned[name] {
		return nil
	}
	delete(l.owned, name)
	return l.Maps[name]
}

// Close closes the programs and the maps Load created and still owns.
func (l *Loaded) Close() {
	for _, p := range l.Programs {
		if p != nil {
			p.Close()
		}
	}
	for name := range l.owned {
		l.Maps[name].Close()
	}
	l.owned = nil
}

// LoadOptions say which programs Load loads and which maps already exist.
type LoadOptions struct {
	// Programs are the indices (in the object's Programs) to load; nil
	// loads them all. With a subset, only the maps those programs refer to
	// (and the output ring buffer and loss counter) are made.
	Programs []int
	// MapReplacements are kernel maps to use instead of creating the
	// object's maps of those spec names. Load neither checks them beyond
	// their layout nor closes them.
	MapReplacements map[string]*ebpf.Map
	// MinRingBuffer is Options.MinRingBuffer.
	MinRingBuffer int
	// Verbose and DebugVerifier print load summaries and verifier logs on
	// Stderr (nil: nothing is printed).
	Verbose, DebugVerifier bool
	Stderr                 io.Writer
}

// CompilerBugError is a program the kernel's verifier rejected: codegen made
// code the kernel does not accept, which is a bug in gobpftrace, not in the
// script.
type CompilerBugError struct {
	Probe string
	Err   error
	// Log is the verifier's log (the last lines, or all of it with -v).
	Log []string
}

func (e *CompilerBugError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "internal compiler error: the kernel's BPF verifier rejected the program for %s: %v", e.Probe, e.Err)
	if len(e.Log) > 0 {
		b.WriteString("\nverifier log:\n  ")
		b.WriteString(strings.Join(e.Log, "\n  "))
	}
	return b.String()
}

func (e *CompilerBugError) Unwrap() error { return e.Err }

// verifierTail is how many verifier log lines a rejection shows without -v.
const verifierTail = 12

// Load creates the maps (those not replaced), then loads the programs in
// parallel (the verifier is most of the start-up time of a big script).
func Load(obj *codegen.Object, o LoadOptions) (*Loaded, error) {
	l := &Loaded{Maps: make(map[string]*ebpf.Map, len(obj.Maps)), Programs: make([]*ebpf.Program, len(obj.Programs)), owned: map[string]bool{}}
	idx := o.Programs
	if idx == nil {
		idx = make([]int, len(obj.Programs))
		for i := range idx {
			idx[i] = i
		}
	}
	names, err := mapsToMake(obj, o.Programs)
	if err != nil {
		return nil, err
	}
	var toMake []string
	for _, name := range names {
		if m := o.MapReplacements[name]; m != nil {
			if !SameLayout(m, obj.Maps[name]) {
				return nil, fmt.Errorf("map %s: the existing map's layout differs from the program's", name)
			}
			l.Maps[name] = m
			continue
		}
		toMake = append(toMake, name)
	}
	tMaps := time.Now()
	// Maps are created in parallel too: a preallocated per-CPU hash takes a
	// millisecond or two of kernel time each.
	made := make([]*ebpf.Map, len(toMake))
	merrs := make([]error, len(toMake))
	parallel(len(toMake), func(i int) {
		spec := obj.Maps[toMake[i]]
		if toMake[i] == obj.RingBuf && spec.Type == ebpf.RingBuf && uint32(o.MinRingBuffer) > spec.MaxEntries {
			spec = spec.Copy()
			size := uint32(4096)
			for size < uint32(o.MinRingBuffer) {
				size *= 2
			}
			spec.MaxEntries = size
		}
		made[i], merrs[i] = ebpf.NewMap(lazyAlloc(spec))
	})
	for i, name := range toMake {
		if made[i] != nil {
			l.Maps[name] = made[i]
			l.owned[name] = true
		}
	}
	for i, err := range merrs {
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("creating map %s: %w", toMake[i], err)
		}
	}
	if o.Verbose && o.Stderr != nil {
		fmt.Fprintf(o.Stderr, "maps: %.2f ms\n", float64(time.Since(tMaps).Microseconds())/1000)
	}

	errs := make([]error, len(idx))
	parallel(len(idx), func(k int) {
		i := idx[k]
		l.Programs[i], errs[k] = loadProgram(obj.Programs[i], l.Maps, &o)
	})
	for _, err := range errs {
		if err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// parallel runs f(0..n-1), at most 4 at a time.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// mapsToMake lists (sorted) the maps a load needs: all of the object's, or
// for a subset of programs the ones they refer to plus the output buffer
// and the loss counter.
func mapsToMake(obj *codegen.Object, idx []int) ([]string, error) {
	var names []string
	if idx == nil {
		for name := range obj.Maps {
			names = append(names, name)
		}
		sort.Strings(names)
		return names, nil
	}
	want := map[string]bool{}
	for _, name := range []string{obj.RingBuf, obj.EventLoss} {
		if name != "" && obj.Maps[name] != nil {
			want[name] = true
		}
	}
	for _, i := range idx {
		for _, ins := range obj.Programs[i].Spec.Instructions {
			if ref := ins.Reference(); ref != "" && ins.IsLoadFromMap() {
				if obj.Maps[ref] == nil {
					return nil, fmt.Errorf("program %s refers to unknown map %q", ProbeName(obj.Programs[i]), ref)
				}
				want[ref] = true
			}
		}
	}
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// SameLayout reports whether an existing map can stand for spec (as a
// LoadOptions.MapReplacements entry): same type, sizes and capacity.
func SameLayout(m *ebpf.Map, spec *ebpf.MapSpec) bool {
	return m.Type() == spec.Type && m.KeySize() == spec.KeySize &&
		m.ValueSize() == spec.ValueSize && m.MaxEntries() == spec.MaxEntries
}

func loadProgram(p *codegen.Program, maps map[string]*ebpf.Map, o *LoadOptions) (*ebpf.Program, error) {
	spec := p.Spec.Copy()
	if spec.License == "" {
		spec.License = "GPL"
	}
	for i := range spec.Instructions {
		ins := &spec.Instructions[i]
		if ref := ins.Reference(); ref != "" && ins.IsLoadFromMap() {
			if m := maps[ref]; m != nil {
				_ = ins.AssociateMap(m)
			}
		}
	}
	fixLineInfo(spec.Instructions)
	var popts ebpf.ProgramOptions
	if o.DebugVerifier || o.Verbose {
		popts.LogLevel = ebpf.LogLevelStats
		if o.DebugVerifier {
			popts.LogLevel |= ebpf.LogLevelInstruction
		}
	}
	// Through the provider package: BTF-attached programs (fentry...)
	// reuse the kernel BTF the checker decoded.
	prog, err := probe.LoadProgram(p.Target, spec, popts)
	name := ProbeName(p)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			if kerr := kernelRefusal(name, ve.Log); kerr != nil {
				return nil, kerr
			}
			log := ve.Log
			if !o.Verbose && len(log) > verifierTail {
				log = log[len(log)-verifierTail:]
			}
			return nil, &CompilerBugError{Probe: name, Err: ve.Cause, Log: log}
		}
		if p.Target != nil {
			// EPERM for a tracing program is the kernel refusing the
			// kind, not MEMLOCK (as cilium/ebpf's message suggests).
			if le := probe.LoadError(p.Target, &probe.Ctx{ProgType: spec.Type, AttachTo: spec.AttachTo}, err); le != err {
				return nil, le
			}
		}
		return nil, fmt.Errorf("loading the program for %s: %w", name, err)
	}
	if o.Stderr == nil {
		return prog, nil
	}
	if o.DebugVerifier && prog.VerifierLog != "" {
		fmt.Fprintf(o.Stderr, "verifier log for %s:\n%s\n", name, prog.VerifierLog)
	}
	if o.Verbose {
		id := 0
		if info, err := prog.Info(); err == nil {
			if pid, ok := info.ID(); ok {
				id = int(pid)
			}
		}
		fmt.Fprintf(o.Stderr, "load %s: %d instructions, program ID %d, verifier: %s\n", name, len(spec.Instructions), id, lastLine(prog.VerifierLog))
	}
	return prog, nil
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// ProbeName names a program as messages do: its attach point, or its
// BPF name.
func ProbeName(p *codegen.Program) string {
	if p.Target != nil && p.Target.Name != "" {
		return p.Target.Name
	}
	if p.Spec != nil {
		return p.Spec.Name
	}
	return "?"
}

// fixLineInfo makes sure that, when a program carries BTF line info at all,
// its first instruction has some: the kernel rejects a program whose line
// info does not start at instruction 0 ("missing bpf_line_info for func#0").
func fixLineInfo(insns asm.Instructions) {
	if len(insns) == 0 {
		return
	}
	if _, ok := insns[0].Source().(*btf.Line); ok {
		return
	}
	for _, ins := range insns[1:] {
		if l, ok := ins.Source().(*btf.Line); ok {
			insns[0] = insns[0].WithSource(l)
			return
		}
	}
}

// lazyAlloc creates hash maps without preallocating every entry. A
// preallocated per-CPU hash of 4096 entries takes 1-3 ms of kernel time
// under the per-CPU allocator's global lock (so creating maps in parallel
// does not help): most of a script's start-up. Since Linux 6.1 (bpf_mem_alloc)
// tracing programs, perf-event ones included, may use maps allocated as
// they fill; on older kernels the maps stay preallocated.
func lazyAlloc(spec *ebpf.MapSpec) *ebpf.MapSpec {
	if spec.Type != ebpf.Hash && spec.Type != ebpf.PerCPUHash {
		return spec
	}
	if spec.Flags&unix.BPF_F_NO_PREALLOC != 0 || !kernelAtLeast(6, 1) {
		return spec
	}
	spec = spec.Copy()
	spec.Flags |= unix.BPF_F_NO_PREALLOC
	return spec
}

var kernelVersion = sync.OnceValues(func() (int, int) {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return 0, 0
	}
	var major, minor int
	fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &major, &minor)
	return major, minor
})

func kernelAtLeast(major, minor int) bool {
	ma, mi := kernelVersion()
	return ma > major || (ma == major && mi >= minor)
}
