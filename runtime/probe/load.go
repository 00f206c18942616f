package probe

import (
	"errors"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
)

// LoadProgram loads the program for target t (nil when the program is not
// attached to a target). Programs attached by BTF (AttachTo set: fentry,
// fexit, the kprobe fallback, iter) are loaded with the kernel BTF that the
// checker already decoded (kbtf.Cache): decoding vmlinux BTF and the
// target's type graph again is ~20 ms on a fast machine, most of an fentry
// script's start-up. Load errors of tracing programs are explained by
// LoadError. The runtime should load every program through it.
func LoadProgram(t *Target, spec *ebpf.ProgramSpec, opts ebpf.ProgramOptions) (*ebpf.Program, error) {
	if spec.AttachTo == "" || spec.AttachTarget != nil {
		return ebpf.NewProgramWithOptions(spec, opts)
	}
	const name = "prog"
	coll, err := ebpf.NewCollectionWithOptions(
		&ebpf.CollectionSpec{Programs: map[string]*ebpf.ProgramSpec{name: spec}},
		ebpf.CollectionOptions{Programs: opts, Cache: kbtf.Cache()},
	)
	if err != nil {
		// The collection names the program ("program prog: ..."); the
		// caller names the probe.
		if u := errors.Unwrap(err); u != nil && strings.HasPrefix(err.Error(), "program "+name+": ") {
			err = u
		}
		if t == nil {
			return nil, err
		}
		return nil, LoadError(t, &Ctx{ProgType: spec.Type, AttachTo: spec.AttachTo}, err)
	}
	defer coll.Close()
	return coll.DetachProgram(name), nil
}
