package runtime

import (
	"bytes"
	"strconv"

	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// fastFormat is a printf format compiled once per event, for the formats
// most scripts use: text and bare %d %i %u %x %X %s %% (with an optional
// l/ll/z length, which changes nothing for 64-bit values). Anything else —
// flags, widths, precisions, other conversions or argument types — goes
// through output.Sprintf, which owns printf's semantics; the fast path must
// print exactly what Sprintf prints (fastprintf_test.go checks).
type fastFormat struct {
	segs  []fastSeg
	nargs int
	// direct is set (by bind) when every argument is an integer or a
	// string: appendPayload then formats straight from the message bytes,
	// with no decoding into output.Values (no allocation per event).
	direct bool
	// maxStrlen is max_strlen: a %s string exactly one shorter fills
	// str()'s buffer, and bpftrace's printf marks it as truncated.
	maxStrlen int
}

type fastSeg struct {
	text string // literal text when conv == 0
	conv byte
	// narrow: no length modifier, so an integer is cast to a C int
	// (32 bits) as bpftrace's printf does; l, ll and z keep 64 bits.
	narrow bool
	// Where the argument lies in the payload, for appendPayload.
	off    int
	size   int  // integer width in bytes; 0 for a string
	signed bool // integer signedness
	strN   int  // string buffer size
}

// compileFast returns nil when the format needs output.Sprintf.
func compileFast(format string) *fastFormat {
	f := &fastFormat{}
	lit := []byte{}
	flush := func() {
		if len(lit) > 0 {
			f.segs = append(f.segs, fastSeg{text: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			lit = append(lit, c)
			continue
		}
		i++
		if i >= len(format) {
			return nil
		}
		if format[i] == '%' {
			lit = append(lit, '%')
			continue
		}
		narrow := true
		switch {
		case format[i] == 'z':
			i++
			narrow = false
		case format[i] == 'l':
			i++
			narrow = false
			if i < len(format) && format[i] == 'l' {
				i++
			}
		}
		if i >= len(format) {
			return nil
		}
		switch conv := format[i]; conv {
		case 'd', 'i', 'u', 'x', 'X', 's':
			flush()
			f.segs = append(f.segs, fastSeg{conv: conv, narrow: narrow && conv != 's'})
			f.nargs++
		default:
			return nil
		}
	}
	flush()
	return f
}

// bind records where each argument lies in the event's payload (args) and
// enables appendPayload when all of them are integers or strings.
func (f *fastFormat) bind(args *types.Tuple) {
	if args == nil || len(args.Fields) < f.nargs {
		return
	}
	n := 0
	for i := range f.segs {
		s := &f.segs[i]
		if s.conv == 0 {
			continue
		}
		fld := args.Fields[n]
		n++
		s.off = fld.Offset
		switch t := fld.Type.(type) {
		case *types.Int:
			s.size, s.signed = t.Size(), t.Signed
		case *types.String:
			if s.conv != 's' {
				return
			}
			s.strN = t.N
		default:
			return
		}
	}
	f.direct = true
}

// appendPayload formats the event payload after dst, as Decoder.value and
// appendTo would (truncated strings end with trailer); ok is false when the
// payload is too short for the bound layout.
func (f *fastFormat) appendPayload(dst, payload []byte, trailer string) ([]byte, bool) {
	for _, s := range f.segs {
		if s.conv == 0 {
			dst = append(dst, s.text...)
			continue
		}
		if s.size == 0 { // string
			if s.off+s.strN > len(payload) {
				return dst, false
			}
			str := payload[s.off : s.off+s.strN]
			if i := bytes.IndexByte(str, 0); i >= 0 {
				dst = append(dst, str[:i]...)
				if i+1 == f.maxStrlen {
					dst = append(dst, trailer...)
				}
			} else {
				dst = append(dst, str...)
				dst = append(dst, trailer...)
			}
			continue
		}
		if s.off+s.size > len(payload) {
			return dst, false
		}
		u := uintN(payload[s.off:], s.size)
		if s.narrow {
			if s.signed { // as the 64-bit value bpftrace holds
				shift := 64 - 8*uint(s.size)
				u = uint64(int64(u<<shift) >> shift)
			}
			dst = appendNarrow(dst, s.conv, u)
			continue
		}
		if s.signed {
			shift := 64 - 8*uint(s.size)
			dst = appendSigned(dst, s.conv, int64(u<<shift)>>shift)
		} else {
			dst = appendUnsigned(dst, s.conv, u)
		}
	}
	return dst, true
}

// appendSigned and appendUnsigned print an integer for one of the fast
// conversions: %s prints an integer as %d would, in its signedness.
func appendSigned(dst []byte, conv byte, v int64) []byte {
	switch conv {
	case 'd', 'i', 's':
		return strconv.AppendInt(dst, v, 10)
	case 'u':
		return strconv.AppendUint(dst, uint64(v), 10)
	case 'x':
		return strconv.AppendUint(dst, uint64(v), 16)
	case 'X':
		return appendUpperHex(dst, uint64(v))
	}
	return dst
}

func appendUnsigned(dst []byte, conv byte, u uint64) []byte {
	switch conv {
	case 'd', 'i':
		return strconv.AppendInt(dst, int64(u), 10)
	case 'u', 's':
		return strconv.AppendUint(dst, u, 10)
	case 'x':
		return strconv.AppendUint(dst, u, 16)
	case 'X':
		return appendUpperHex(dst, u)
	}
	return dst
}

// appendTo formats args after dst; ok is false when an argument's type is
// not one the fast path handles.
func (f *fastFormat) appendTo(dst []byte, args []output.Value) ([]byte, bool) {
	if len(args) < f.nargs {
		return dst, false
	}
	n := 0
	for _, s := range f.segs {
		if s.conv == 0 {
			dst = append(dst, s.text...)
			continue
		}
		a := args[n]
		n++
		switch v := a.(type) {
		case output.Int:
			if s.narrow {
				dst = appendNarrow(dst, s.conv, uint64(v))
				continue
			}
			dst = appendSigned(dst, s.conv, int64(v))
		case output.Uint:
			if s.narrow {
				dst = appendNarrow(dst, s.conv, uint64(v))
				continue
			}
			dst = appendUnsigned(dst, s.conv, uint64(v))
		case output.String:
			if s.conv != 's' {
				return dst, false
			}
			dst = append(dst, v...)
		default:
			return dst, false
		}
	}
	return dst, true
}

// appendNarrow prints the low 32 bits of an integer for a conversion with
// no length modifier: %d and %i as a C int, %u, %x and %X as unsigned.
func appendNarrow(dst []byte, conv byte, u uint64) []byte {
	if conv == 'd' || conv == 'i' {
		return strconv.AppendInt(dst, int64(int32(u)), 10)
	}
	return appendUnsigned(dst, conv, uint64(uint32(u)))
}

func appendUpperHex(dst []byte, u uint64) []byte {
	start := len(dst)
	dst = strconv.AppendUint(dst, u, 16)
	for i := start; i < len(dst); i++ {
		if c := dst[i]; c >= 'a' && c <= 'f' {
			dst[i] = c - 'a' + 'A'
		}
	}
	return dst
}
