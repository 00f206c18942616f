package repl

import (
	"encoding/binary"
	"fmt"
	"net"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

// This decoder mirrors runtime's (runtime/decode.go, stacks.go), which is
// unexported; it should move into an exported runtime API.

var le = binary.LittleEndian

// decoder turns bytes laid out as a lang/types type into output values.
// Stack values are resolved through the session's shared stack maps.
type decoder struct {
	stackMap func(name string) *ebpf.Map
	users    sync.Map // uid -> name
}

func (d *decoder) value(t types.Type, b []byte) output.Value {
	if t == nil || len(b) < t.Size() {
		return output.None{}
	}
	switch t := t.(type) {
	case *types.Int:
		u := uintN(b, t.Size())
		if !t.Signed {
			return output.Uint(u)
		}
		shift := 64 - uint(t.Bits)
		return output.Int(int64(u<<shift) >> shift)
	case *types.Bool:
		return output.Bool(b[0] != 0)
	case *types.String:
		return output.String(cstring(b[:t.N]))
	case *types.Buffer:
		n := min(int(le.Uint32(b)), t.N)
		return output.Buffer(append([]byte(nil), b[4:4+n]...))
	case *types.Tuple:
		out := make(output.Tuple, len(t.Fields))
		for i, f := range t.Fields {
			out[i] = d.value(f.Type, b[f.Offset:])
		}
		return out
	case *types.Record:
		return d.fields(t.Fields, b)
	case *types.Struct:
		return d.fields(t.Fields, b)
	case *types.Array:
		out := make(output.Array, t.Len)
		es := t.Elem.Size()
		for i := range out {
			out[i] = d.value(t.Elem, b[i*es:])
		}
		return out
	case *types.Pointer:
		return output.Pointer{Addr: le.Uint64(b)}
	case *types.Enum:
		v := uintN(b, t.Size())
		for name, ev := range t.Values {
			if uint64(ev) == v {
				return output.Symbol{Name: name, Addr: v, Numeric: true}
			}
		}
		return output.Uint(v)
	case *types.Stack:
		return d.stack(t, b)
	case *types.Special:
		return d.special(t, b)
	}
	return output.None{}
}

func (d *decoder) fields(fs []types.Field, b []byte) output.Record {
	out := make(output.Record, len(fs))
	for i, f := range fs {
		var v output.Value
		if f.BitWidth > 0 {
			raw := uintN(b[f.Offset:], f.Type.Size())
			v = output.Uint((raw >> f.BitOff) & (1<<f.BitWidth - 1))
		} else {
			v = d.value(f.Type, b[f.Offset:])
		}
		out[i] = output.Field{Name: f.Name, Val: v}
	}
	return out
}

func uintN(b []byte, n int) uint64 {
	switch n {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(le.Uint16(b))
	case 4:
		return uint64(le.Uint32(b))
	default:
		return le.Uint64(b)
	}
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// stack decodes {int64 stackid; uint64 pid_tgid}.
func (d *decoder) stack(t *types.Stack, b []byte) output.Value {
	st := output.Stack{Mode: t.Mode, User: t.User}
	id := int64(le.Uint64(b))
	pid := int(le.Uint64(b[8:]) >> 32)
	if id < 0 || d.stackMap == nil {
		return st
	}
	m := d.stackMap(codegen.StackMapName(t))
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

func (d *decoder) special(t *types.Special, b []byte) output.Value {
	switch t.Name {
	case "ksym":
		addr := le.Uint64(b)
		name, _ := symbols.Ksym(addr)
		if name == "" {
			name = fmt.Sprintf("0x%x", addr)
		}
		return output.Symbol{Name: name, Addr: addr}
	case "usym":
		addr := le.Uint64(b)
		pid := 0
		if len(b) >= 12 && t.Bytes >= 12 {
			pid = int(int32(le.Uint32(b[8:])))
		}
		name, _, _ := symbols.Usym(pid, addr)
		if name == "" {
			name = fmt.Sprintf("0x%x", addr)
		}
		return output.Symbol{Name: name, Addr: addr}
	case "username":
		uid := le.Uint64(b)
		return output.Symbol{Name: d.userName(uid), Addr: uid}
	case "strerror":
		errno := le.Uint64(b)
		return output.Symbol{Name: syscall.Errno(errno).Error(), Addr: errno}
	case "inet":
		var ip net.IP
		switch n := t.Bytes; {
		case n >= 24 && le.Uint64(b) == syscall.AF_INET:
			ip = net.IP(append([]byte(nil), b[8:12]...))
		case n >= 24:
			ip = net.IP(append([]byte(nil), b[8:24]...))
		case n == 4:
			ip = net.IP(append([]byte(nil), b[:4]...))
		default:
			ip = net.IP(append([]byte(nil), b[:16]...))
		}
		return output.Symbol{Name: ip.String()}
	case "macaddr", "mac":
		return output.Symbol{Name: strings.ToUpper(net.HardwareAddr(b[:6]).String())}
	}
	if t.Bytes == 8 {
		return output.Uint(le.Uint64(b))
	}
	return output.Buffer(append([]byte(nil), b[:t.Bytes]...))
}

func (d *decoder) userName(uid uint64) string {
	if v, ok := d.users.Load(uid); ok {
		return v.(string)
	}
	name := strconv.FormatUint(uid, 10)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	d.users.Store(uid, name)
	return name
}
