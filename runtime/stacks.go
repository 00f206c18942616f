package runtime

import (
	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

// stackReader turns {int64 stackid; uint64 pid_tgid} values into symbolized
// stacks, reading the stack trace maps named by codegen.StackMapName (looked
// up by name: the REPL adds stack maps as entries come).
type stackReader struct {
	lookup func(name string) *ebpf.Map
}

func (s *stackReader) value(t *types.Stack, b []byte) output.Value {
	st := output.Stack{Mode: t.Mode, User: t.User}
	id := int64(le.Uint64(b))
	pid := int(le.Uint64(b[8:]) >> 32)
	if s == nil || s.lookup == nil || id < 0 {
		return st
	}
	m := s.lookup(codegen.StackMapName(t))
	if m == nil {
		return st
	}
	raw, err := m.LookupBytes(uint32(id))
	if err != nil || raw == nil {
		return st
	}
	var addrs []uint64
	for i := 0; i+8 <= len(raw); i += 8 {
		a := le.Uint64(raw[i:])
		if a == 0 {
			break
		}
		addrs = append(addrs, a)
	}
	if t.Limit > 0 && len(addrs) > t.Limit {
		addrs = addrs[:t.Limit]
	}
	if t.User {
		st.Frames = symbols.UserFrames(pid, addrs)
	} else {
		st.Frames = symbols.KernelFrames(addrs)
	}
	return st
}
