package repl

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime"
)

// loadedSet is the kernel side of one entry's programs: runtime.Loaded
// (programs indexed as the entry's Object, and the entry's own maps), plus
// the shared maps this entry created and handed to the session.
type loadedSet struct {
	*runtime.Loaded
	created []string
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

// load loads the programs at idx. The session's shared maps are used in
// place of the object's (so @maps keep filling across entries); shared maps
// the entry is the first to use are created and become the session's. The
// ring buffer and loss counter are always the entry's own: its events are
// numbered by its own compile.
func (s *session) load(obj *codegen.Object, idx []int) (*loadedSet, error) {
	repl := map[string]*ebpf.Map{}
	for name, spec := range obj.Maps {
		if !sharedMap(obj, name) {
			continue
		}
		if m := s.shared(name); m != nil {
			if !runtime.SameLayout(m, spec) {
				return nil, fmt.Errorf("map %s changed its layout since it was created; .clear does not help, restart the session", mapDisplayName(obj, name))
			}
			repl[name] = m
		}
	}
	l, err := runtime.Load(obj, runtime.LoadOptions{Programs: idx, MapReplacements: repl})
	if err != nil {
		return nil, err
	}
	set := &loadedSet{Loaded: l}
	for _, name := range l.Created() {
		if sharedMap(obj, name) {
			s.setShared(name, l.Disown(name))
			set.created = append(set.created, name)
		}
	}
	return set, nil
}

func mapDisplayName(obj *codegen.Object, spec string) string {
	for _, um := range obj.UserMaps {
		if um.Spec == spec {
			return um.Name
		}
	}
	return spec
}
