package repl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime"
)

// Loading a subset of an Object's programs, with some maps shared across
// entries, is what runtime does not offer (its load creates every map of
// the object). This mirrors runtime/load.go for that case.

// loadedSet is the kernel side of one entry's programs.
type loadedSet struct {
	private map[string]*ebpf.Map // maps of this entry only (ring buffer, scratch...)
	progs   []*ebpf.Program      // parallel to the entry's program indices
	created []string             // shared maps this entry created
}

func (l *loadedSet) close() {
	for _, p := range l.progs {
		if p != nil {
			p.Close()
		}
	}
	for _, m := range l.private {
		m.Close()
	}
}

// sharedMap reports whether a map lives as long as the session: @maps, and
// the stack maps that @map values refer to.
func sharedMap(obj *codegen.Object, name string) bool {
	for _, um := range obj.UserMaps {
		if um.Spec == name {
			return true
		}
	}
	return strings.HasPrefix(name, "kstack_") || strings.HasPrefix(name, "ustack_")
}

// references lists the maps a program's instructions refer to.
func references(p *codegen.Program) []string {
	var out []string
	seen := map[string]bool{}
	for _, ins := range p.Spec.Instructions {
		if ref := ins.Reference(); ref != "" && ins.IsLoadFromMap() && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

// load creates the maps the programs at idx need (reusing the session's
// shared ones) and loads the programs.
func (s *session) load(obj *codegen.Object, idx []int) (*loadedSet, error) {
	l := &loadedSet{private: map[string]*ebpf.Map{}}
	fail := func(err error) (*loadedSet, error) {
		l.close()
		for _, name := range l.created {
			s.dropShared(name)
		}
		return nil, err
	}
	want := map[string]bool{}
	for _, i := range idx {
		for _, ref := range references(obj.Programs[i]) {
			want[ref] = true
		}
	}
	// The ring buffer and loss counter are always the entry's own: the
	// entry's events are numbered by its own compile.
	if obj.RingBuf != "" {
		want[obj.RingBuf] = true
	}
	maps := map[string]*ebpf.Map{}
	for name := range want {
		spec := obj.Maps[name]
		if spec == nil {
			return fail(fmt.Errorf("program refers to unknown map %q", name))
		}
		if sharedMap(obj, name) {
			if m := s.shared(name); m != nil {
				if !sameLayout(m, spec) {
					return fail(fmt.Errorf("map %s changed its layout since it was created; .clear does not help, restart the session", mapDisplayName(obj, name)))
				}
				maps[name] = m
				continue
			}
			m, err := ebpf.NewMap(spec)
			if err != nil {
				return fail(fmt.Errorf("creating map %s: %w", name, err))
			}
			s.setShared(name, m)
			l.created = append(l.created, name)
			maps[name] = m
			continue
		}
		m, err := ebpf.NewMap(spec)
		if err != nil {
			return fail(fmt.Errorf("creating map %s: %w", name, err))
		}
		l.private[name] = m
		maps[name] = m
	}
	for _, i := range idx {
		p, err := loadProgram(obj.Programs[i], maps)
		if err != nil {
			return fail(err)
		}
		l.progs = append(l.progs, p)
	}
	return l, nil
}

func sameLayout(m *ebpf.Map, spec *ebpf.MapSpec) bool {
	return m.Type() == spec.Type && m.KeySize() == spec.KeySize &&
		m.ValueSize() == spec.ValueSize && m.MaxEntries() == spec.MaxEntries
}

func mapDisplayName(obj *codegen.Object, spec string) string {
	for _, um := range obj.UserMaps {
		if um.Spec == spec {
			return um.Name
		}
	}
	return spec
}

func loadProgram(p *codegen.Program, maps map[string]*ebpf.Map) (*ebpf.Program, error) {
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
	prog, err := ebpf.NewProgram(spec)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			log := ve.Log
			if len(log) > 12 {
				log = log[len(log)-12:]
			}
			return nil, &runtime.CompilerBugError{Probe: progName(p), Err: ve.Cause, Log: log}
		}
		return nil, fmt.Errorf("loading the program for %s: %w", progName(p), err)
	}
	return prog, nil
}

func progName(p *codegen.Program) string {
	if p.Target != nil && p.Target.Name != "" {
		return p.Target.Name
	}
	if p.Spec != nil {
		return p.Spec.Name
	}
	return "?"
}
