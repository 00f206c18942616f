package runtime

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/codegen"
)

// loaded is a collection in the kernel: maps by spec name, and one program
// per codegen.Program (same index).
type loaded struct {
	maps  map[string]*ebpf.Map
	progs []*ebpf.Program
}

func (l *loaded) close() {
	for _, p := range l.progs {
		if p != nil {
			p.Close()
		}
	}
	for _, m := range l.maps {
		m.Close()
	}
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

// load creates the maps, then loads the programs in parallel (the verifier
// is most of the start-up time of a big script).
func load(obj *codegen.Object, o *Options) (*loaded, error) {
	l := &loaded{maps: make(map[string]*ebpf.Map, len(obj.Maps)), progs: make([]*ebpf.Program, len(obj.Programs))}
	// Maps are created in parallel too: a preallocated per-CPU hash takes a
	// millisecond or two of kernel time each.
	names := make([]string, 0, len(obj.Maps))
	for name := range obj.Maps {
		names = append(names, name)
	}
	sort.Strings(names)
	tMaps := time.Now()
	made := make([]*ebpf.Map, len(names))
	merrs := make([]error, len(names))
	var mwg sync.WaitGroup
	msem := make(chan struct{}, 4)
	for i, name := range names {
		mwg.Add(1)
		msem <- struct{}{}
		go func() {
			defer mwg.Done()
			defer func() { <-msem }()
			spec := obj.Maps[name]
			if name == obj.RingBuf && spec.Type == ebpf.RingBuf && uint32(o.MinRingBuffer) > spec.MaxEntries {
				spec = spec.Copy()
				size := uint32(4096)
				for size < uint32(o.MinRingBuffer) {
					size *= 2
				}
				spec.MaxEntries = size
			}
			made[i], merrs[i] = ebpf.NewMap(lazyAlloc(spec))
		}()
	}
	mwg.Wait()
	for i, name := range names {
		if made[i] != nil {
			l.maps[name] = made[i]
		}
	}
	for i, err := range merrs {
		if err != nil {
			l.close()
			return nil, fmt.Errorf("creating map %s: %w", names[i], err)
		}
	}

	if o.Verbose {
		fmt.Fprintf(o.Stderr, "maps: %.2f ms\n", float64(time.Since(tMaps).Microseconds())/1000)
	}

	errs := make([]error, len(obj.Programs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, p := range obj.Programs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			l.progs[i], errs[i] = loadProgram(p, l.maps, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			l.close()
			return nil, err
		}
	}
	return l, nil
}

func loadProgram(p *codegen.Program, maps map[string]*ebpf.Map, o *Options) (*ebpf.Program, error) {
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
	prog, err := ebpf.NewProgramWithOptions(spec, popts)
	name := probeName(p)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			log := ve.Log
			if !o.Verbose && len(log) > verifierTail {
				log = log[len(log)-verifierTail:]
			}
			return nil, &CompilerBugError{Probe: name, Err: ve.Cause, Log: log}
		}
		return nil, fmt.Errorf("loading the program for %s: %w", name, err)
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

func probeName(p *codegen.Program) string {
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
