package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// jsonWriter prints bpftrace's -f json output: one JSON object per line,
// with bpftrace's exact key order and spacing.
type jsonWriter struct {
	out io.Writer
}

// NewJSON returns a Writer printing bpftrace's NDJSON output to w.
func NewJSON(w io.Writer) Writer { return &jsonWriter{out: w} }

func (w *jsonWriter) Map(m *Map, top, div int) {
	if s := FormatMapJSON(m, top, div); s != "" {
		io.WriteString(w.out, s)
	}
}

// FormatMapJSON is the JSON line print(@m, top, div) produces, "" when
// bpftrace prints nothing (a map with no entries).
func FormatMapJSON(m *Map, top, div int) string {
	s := shape(m, top, div)
	if len(s.entries) == 0 && !s.stats {
		return ""
	}
	typ := "map"
	switch {
	case s.stats:
		typ = "stats"
	case s.tseries:
		typ = "tseries"
	case s.hist:
		typ = "hist"
	}
	var b strings.Builder
	b.Grow(len(s.entries) * 24)
	b.WriteString(`{"type": "` + typ + `", "data": {`)
	jsonString(&b, s.name)
	b.WriteString(": ")
	if s.scalar {
		e := s.entries[0]
		if e.isTs {
			jsonTseries(&b, e.ts)
		} else if e.hist != nil {
			jsonHistogram(&b, e.hist)
		} else {
			jsonValue(&b, e.val)
		}
	} else {
		b.WriteByte('{')
		for i, e := range s.entries {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSONKey(&b, e.key)
			b.WriteString(": ")
			if e.isTs {
				jsonTseries(&b, e.ts)
			} else if e.hist != nil {
				jsonHistogram(&b, e.hist)
			} else {
				jsonValue(&b, e.val)
			}
		}
		b.WriteByte('}')
	}
	b.WriteString("}}\n")
	return b.String()
}

// jsonKey is a key as an object member name: its text, tuple parentheses
// dropped, and every space removed (bpftrace does both).
func jsonKey(k Value) string {
	return strings.ReplaceAll(keyText(k), " ", "")
}

// writeJSONKey writes jsonString(jsonKey(k)) without temporaries for the
// common keys.
func writeJSONKey(b *strings.Builder, k Value) {
	switch x := k.(type) {
	case Int, Uint:
		b.WriteByte('"')
		writeValue(b, x)
		b.WriteByte('"')
		return
	case String:
		if strings.IndexByte(string(x), ' ') < 0 && (len(x) < 2 || x[0] != '(' || x[len(x)-1] != ')') {
			jsonString(b, string(x))
			return
		}
	}
	jsonString(b, jsonKey(k))
}

// FormatValueJSON is a value in bpftrace's JSON encoding.
func FormatValueJSON(v Value) string {
	var b strings.Builder
	jsonValue(&b, v)
	return b.String()
}

func jsonValue(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case nil, None:
		b.WriteString("null")
	case Int:
		jsonInt(b, int64(x))
	case Uint:
		jsonUint(b, uint64(x))
	case Bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case String:
		jsonString(b, string(x))
	case Buffer:
		// bpftrace emits a buffer as an array of (signed) chars.
		b.WriteByte('[')
		for i, c := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(int(int8(c))))
		}
		b.WriteByte(']')
	case Tuple:
		jsonArray(b, x)
	case Array:
		jsonArray(b, x)
	case Record:
		b.WriteByte('{')
		for i, f := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			jsonString(b, f.Name)
			b.WriteString(": ")
			jsonValue(b, f.Val)
		}
		b.WriteByte('}')
	case Pointer:
		jsonUint(b, x.Addr)
	case Symbol:
		if x.Numeric {
			jsonUint(b, x.Addr)
		} else {
			jsonString(b, x.Name)
		}
	case Stack:
		jsonString(b, formatStack(x))
	case Timestamp:
		// C++'s operator<< for a system_clock time point: UTC, nanoseconds.
		t := time.Time(x).UTC()
		jsonString(b, t.Format("2006-01-02 15:04:05")+fmt.Sprintf(".%09d", t.Nanosecond()))
	case Avg:
		jsonValue(b, average(x))
	case Stats:
		jsonValue(b, reduce(x, types.AggStats, 1))
	default:
		jsonString(b, FormatValue(v))
	}
}

func jsonArray(b *strings.Builder, vs []Value) {
	b.WriteByte('[')
	for i, e := range vs {
		if i > 0 {
			b.WriteByte(',') // arrays are unspaced, objects spaced
		}
		jsonValue(b, e)
	}
	b.WriteByte(']')
}

// Integers that a double cannot hold exactly are emitted as strings.
func jsonInt(b *strings.Builder, v int64) {
	var buf [24]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	if f := float64(v); f >= 9223372036854775807 || int64(f) != v {
		jsonString(b, string(s))
		return
	}
	b.Write(s)
}

func jsonUint(b *strings.Builder, v uint64) {
	var buf [24]byte
	s := strconv.AppendUint(buf[:0], v, 10)
	if f := float64(v); f >= 18446744073709551615 || uint64(f) != v {
		jsonString(b, string(s))
		return
	}
	b.Write(s)
}

// jsonString escapes as bpftrace: \" \\ \n \r \t, and \u00XX for other
// control characters. Bytes >= 0x80 are emitted as they are.
func jsonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c <= 0x1f {
				fmt.Fprintf(b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// jsonHistogram prints buckets as {"min": lo, "max": hi-1, "count": n}; the
// first bucket may lack "min" and the last "max".
func jsonHistogram(b *strings.Builder, h *histogram) {
	b.WriteByte('[')
	for i, c := range h.counts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		if i == 0 && h.lower != nil {
			b.WriteString(`"min": `)
			jsonLabel(b, *h.lower)
			b.WriteString(", ")
		} else if i > 0 {
			b.WriteString(`"min": `)
			jsonLabel(b, h.labels[i-1])
			b.WriteString(", ")
		}
		if i < len(h.labels) {
			// Upper bounds are printed as closed intervals: one less.
			b.WriteString(`"max": `)
			l := h.labels[i]
			if l.sym {
				if l.unum == 0 {
					jsonInt(b, -1)
				} else {
					jsonInt(b, int64(l.unum-1))
				}
			} else {
				jsonInt(b, l.num-1)
			}
			b.WriteString(", ")
		}
		b.WriteString(`"count": ` + strconv.FormatUint(c, 10) + "}")
	}
	b.WriteByte(']')
}

func jsonLabel(b *strings.Builder, l label) {
	if l.sym {
		jsonUint(b, l.unum)
		return
	}
	jsonInt(b, l.num)
}

func (w *jsonWriter) emit(typ, data string) {
	var b strings.Builder
	b.WriteString(`{"type": "` + typ + `", "data": `)
	jsonString(&b, data)
	b.WriteString("}\n")
	io.WriteString(w.out, b.String())
}

func (w *jsonWriter) Value(v Value) {
	io.WriteString(w.out, `{"type": "value", "data": `+FormatValueJSON(v)+"}\n")
}

func (w *jsonWriter) Printf(s string)  { w.emit("printf", s) }
func (w *jsonWriter) Time(s string)    { w.emit("time", s) }
func (w *jsonWriter) Cat(s string)     { w.emit("cat", s) }
func (w *jsonWriter) Join(s string)    { w.emit("join", s) }
func (w *jsonWriter) Syscall(s string) { w.emit("syscall", s) }

func (w *jsonWriter) Errorf(msg string, locs []Location) { w.located("errorf", msg, locs) }
func (w *jsonWriter) Warnf(msg string, locs []Location)  { w.located("warnf", msg, locs) }
func (w *jsonWriter) RuntimeError(msg string, locs []Location) {
	w.located("runtime_error", msg, locs)
}

func (w *jsonWriter) HelperError(helper string, retcode int, locs []Location) {
	var b strings.Builder
	b.WriteString(`{"type": "helper_error", "msg": `)
	jsonString(&b, Strerror(-retcode))
	b.WriteString(`, "helper": `)
	jsonString(&b, helper)
	b.WriteString(`, "retcode": ` + strconv.Itoa(retcode))
	w.location(&b, locs)
}

// located prints a message with its top-level location only.
func (w *jsonWriter) located(typ, msg string, locs []Location) {
	var b strings.Builder
	b.WriteString(`{"type": "` + typ + `", "msg": `)
	jsonString(&b, msg)
	w.location(&b, locs)
}

// location ends an object with the first location's file, line and column.
func (w *jsonWriter) location(b *strings.Builder, locs []Location) {
	var l Location
	if len(locs) > 0 {
		l = locs[0]
	}
	b.WriteString(`, "filename": `)
	jsonString(b, l.Filename)
	b.WriteString(`, "line": ` + strconv.Itoa(l.Line) + `, "col": ` + strconv.Itoa(l.Col) + "}\n")
	io.WriteString(w.out, b.String())
}

func (w *jsonWriter) LostEvents(n uint64) {
	fmt.Fprintf(w.out, "{\"type\": \"lost_events\", \"count\": %d, \"data\": {\"events\": %d}}\n", n, n)
}

func (w *jsonWriter) AttachedProbes(n int) {
	fmt.Fprintf(w.out, "{\"type\": \"attached_probes\", \"count\": %d, \"data\": {\"probes\": %d}}\n", n, n)
}

func (w *jsonWriter) End() {}
