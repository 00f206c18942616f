package runtime

import (
	"strconv"

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
}

type fastSeg struct {
	text string // literal text when conv == 0
	conv byte
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
		switch {
		case format[i] == 'z':
			i++
		case format[i] == 'l':
			i++
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
			f.segs = append(f.segs, fastSeg{conv: conv})
			f.nargs++
		default:
			return nil
		}
	}
	flush()
	return f
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
			switch s.conv {
			case 'd', 'i', 's':
				dst = strconv.AppendInt(dst, int64(v), 10)
			case 'u':
				dst = strconv.AppendUint(dst, uint64(v), 10)
			case 'x':
				dst = strconv.AppendUint(dst, uint64(v), 16)
			case 'X':
				dst = appendUpperHex(dst, uint64(v))
			}
		case output.Uint:
			switch s.conv {
			case 'd', 'i':
				dst = strconv.AppendInt(dst, int64(v), 10)
			case 'u', 's':
				dst = strconv.AppendUint(dst, uint64(v), 10)
			case 'x':
				dst = strconv.AppendUint(dst, uint64(v), 16)
			case 'X':
				dst = appendUpperHex(dst, uint64(v))
			}
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
