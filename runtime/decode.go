package runtime

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
)

var le = binary.LittleEndian

// Decoder turns bytes laid out as a lang/types type into output values,
// and reads @maps (ReadMap). It is shared by the event loop, the map reader
// and the REPL.
type Decoder struct {
	stacks  *stackReader
	trailer string   // appended to truncated strings
	users   sync.Map // uid -> name
	mr      *mapReader
}

// NewDecoder returns a decoder that resolves stack values through the stack
// maps stackMap returns by spec name (nil: stacks print empty), and marks
// truncated strings with trailer ("" for bpftrace's "..").
func NewDecoder(stackMap func(name string) *ebpf.Map, trailer string) *Decoder {
	if trailer == "" {
		trailer = ".."
	}
	d := &Decoder{stacks: &stackReader{lookup: stackMap}, trailer: trailer}
	d.mr = &mapReader{dec: d, ncpu: possibleCPUs()}
	return d
}

// possibleCPUs is how many values a per-CPU map holds per key.
var possibleCPUs = sync.OnceValue(func() int {
	n, err := ebpf.PossibleCPU()
	if err != nil || n < 1 {
		return 1
	}
	return n
})

// Value decodes b (at least t.Size() bytes) as t.
func (d *Decoder) Value(t types.Type, b []byte) output.Value { return d.value(t, b) }

func (d *Decoder) value(t types.Type, b []byte) output.Value {
	if t == nil || len(b) < t.Size() {
		return output.None{}
	}
	switch t := t.(type) {
	case *types.Int:
		return intValue(t, b)
	case *types.Bool:
		return output.Bool(b[0] != 0)
	case *types.String:
		// A string that fills its whole buffer with no NUL was cut short:
		// bpftrace marks it with str_trunc_trailer ("..").
		str := b[:t.N]
		for i, c := range str {
			if c == 0 {
				return output.String(str[:i])
			}
		}
		return output.String(string(str) + d.trailer)
	case *types.Buffer:
		n := int(le.Uint32(b))
		if n > t.N {
			n = t.N
		}
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
		return d.stacks.value(t, b)
	case *types.Timestamp:
		return output.String(output.Strftime(t.Format, bootToWall(le.Uint64(b))))
	case *types.Special:
		return d.special(t, b)
	}
	return output.None{}
}

func (d *Decoder) fields(fs []types.Field, b []byte) output.Record {
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

func intValue(t *types.Int, b []byte) output.Value {
	u := uintN(b, t.Size())
	if !t.Signed {
		return output.Uint(u)
	}
	shift := 64 - uint(t.Bits)
	return output.Int(int64(u<<shift) >> shift)
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

// special decodes the values only the runtime knows how to print. The
// layouts are codegen's (see types.Special); unknown ones fall back to an
// integer or raw bytes.
func (d *Decoder) special(t *types.Special, b []byte) output.Value {
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
		return output.Symbol{Name: strerror(errno), Addr: errno}
	case "inet":
		return inetValue(b, t.Bytes)
	case "macaddr", "mac":
		return output.Symbol{Name: macString(b[:6])}
	case "cgroup_path":
		id := le.Uint64(b)
		return output.Symbol{Name: cgroupPath(id, t.Arg), Addr: id}
	}
	if t.Bytes == 8 {
		return output.Uint(le.Uint64(b))
	}
	return output.Buffer(append([]byte(nil), b[:t.Bytes]...))
}

func (d *Decoder) userName(uid uint64) string {
	if v, ok := d.users.Load(uid); ok {
		return v.(string)
	}
	name := lookupUser(uid)
	d.users.Store(uid, name)
	return name
}

// lookupUser finds uid's name in /etc/passwd (as getpwuid(3) would for local
// users), or returns the number. Reading the file ourselves keeps os/user,
// and with it cgo and libc, out of the binary.
func lookupUser(uid uint64) string {
	id := strconv.FormatUint(uid, 10)
	data, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return id
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 4)
		if len(f) >= 3 && f[2] == id {
			return f[0]
		}
	}
	return id
}

// inetValue decodes ntop()'s {int64 af; u8 addr[16]} (or a bare 4/16-byte
// address), printed as inet_ntop(3) does.
func inetValue(b []byte, n int) output.Value {
	var ip netip.Addr
	switch {
	case n >= 24:
		if le.Uint64(b) == syscall.AF_INET {
			ip = netip.AddrFrom4([4]byte(b[8:12]))
		} else {
			ip = netip.AddrFrom16([16]byte(b[8:24]))
		}
	case n == 4:
		ip = netip.AddrFrom4([4]byte(b[:4]))
	default:
		ip = netip.AddrFrom16([16]byte(b[:16]))
	}
	return output.Symbol{Name: ip.String()}
}

func macString(b []byte) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, 17)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hex[c>>4], hex[c&15])
	}
	return string(out)
}

// strerror is C's strerror(3): Go's errno texts are glibc's, lower-cased.
func strerror(errno uint64) string {
	s := syscall.Errno(errno).Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// bootOffset is wall-clock time minus time since boot, measured once: a
// timestamp taken in BPF (nanoseconds since boot) plus it is a wall time.
var bootOffset = sync.OnceValue(func() time.Duration {
	var ts unix.Timespec
	now := time.Now()
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return 0
	}
	return time.Duration(now.UnixNano() - ts.Nano())
})

func bootToWall(ns uint64) time.Time {
	return time.Unix(0, int64(ns)+int64(bootOffset()))
}
