package output

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// FormatValue is a value's text form, as print() and printf's %s show it:
// tuples "(1, abc)", records "{ .a = 1, .b = abc }", arrays "[1,2]",
// buffers with \xNN escapes, stacks as indented frame lines.
func FormatValue(v Value) string {
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

func writeValue(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case nil, None:
		b.WriteString("null")
	case Int:
		var buf [24]byte
		b.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case Uint:
		var buf [24]byte
		b.Write(strconv.AppendUint(buf[:0], uint64(x), 10))
	case Bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case String:
		b.WriteString(string(x))
	case Buffer:
		b.WriteString(hexBuffer(x, true, true))
	case Tuple:
		b.WriteByte('(')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ") // tuples get spaces, arrays do not
			}
			writeValue(b, e)
		}
		b.WriteByte(')')
	case Record:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for i, f := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('.')
			b.WriteString(f.Name)
			b.WriteString(" = ")
			writeValue(b, f.Val)
		}
		b.WriteString(" }")
	case Array:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case Pointer:
		b.WriteString("0x")
		b.WriteString(strconv.FormatUint(x.Addr, 16))
	case Symbol:
		b.WriteString(x.Name)
	case Stack:
		b.WriteString(formatStack(x))
	case Timestamp:
		t := time.Time(x)
		b.WriteString(t.Format("2006-01-02T15:04:05"))
		fmt.Fprintf(b, ".%09d", t.Nanosecond())
	case Avg:
		writeValue(b, average(x))
	case Stats:
		writeValue(b, reduce(x, types.AggStats, 1))
	case Hist:
		// A histogram is only printed through a Map; show the raw counts.
		fmt.Fprint(b, map[uint64]uint64(x.Counts))
	default:
		fmt.Fprint(b, v)
	}
}

// hexBuffer is bpftrace's hex_format_buffer: printable ASCII kept when
// keepASCII, other bytes as \xNN (escape) or NN.
func hexBuffer(data []byte, keepASCII, escape bool) string {
	var b strings.Builder
	for _, c := range data {
		switch {
		case keepASCII && c >= 32 && c <= 126:
			b.WriteByte(c)
		case escape:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			fmt.Fprintf(&b, "%02x", c)
		}
	}
	return b.String()
}

// formatStack lays out a stack as bpftrace's get_stack: a leading newline,
// then one line per frame: 8 spaces and "sym+off" (bpftrace mode), a tab,
// the hex address and the symbol (perf mode), or the hex address (raw).
func formatStack(s Stack) string {
	var b strings.Builder
	b.WriteByte('\n')
	for _, f := range s.Frames {
		switch s.Mode {
		case types.StackRaw:
			b.WriteString(strconv.FormatUint(f.Addr, 16))
		case types.StackPerf:
			b.WriteByte('\t')
			b.WriteString(strconv.FormatUint(f.Addr, 16))
			b.WriteByte(' ')
			b.WriteString(frameSym(f))
			if f.Module != "" {
				b.WriteString(" (" + f.Module + ")")
			}
		default:
			b.WriteString("        ")
			b.WriteString(frameSym(f))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func frameSym(f Frame) string {
	if f.Sym == "" {
		return "0x" + strconv.FormatUint(f.Addr, 16)
	}
	return f.Sym + "+" + strconv.FormatUint(f.Off, 10)
}
