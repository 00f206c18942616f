package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// userMap is a @map with its kernel object.
type userMap struct {
	desc *codegen.UserMap
	m    *ebpf.Map
}

// handle processes one ring-buffer message. It returns false once the
// program asked to exit.
func (e *engine) handle(msg []byte) bool {
	if len(msg) < 8 {
		return true
	}
	id := le.Uint64(msg)
	if id >= uint64(len(e.obj.Events)) {
		e.w.RuntimeError(fmt.Sprintf("unknown event id %d", id), nil)
		return true
	}
	ev := e.obj.Events[id]
	payload := msg[8:]
	switch ev.Kind {
	case codegen.EvExit:
		e.exitCode = 0
		if args := e.args(ev, payload); len(args) > 0 {
			e.exitCode = int(asInt(args[0]))
		}
		return false
	case codegen.EvPrintf:
		// The hot path: the argument slice is reused (Sprintf keeps nothing).
		e.argBuf = e.decodeArgs(e.argBuf[:0], ev, payload)
		e.w.Printf(e.printf(ev, e.argBuf))
	case codegen.EvPrint, codegen.EvPrintMap:
		args := e.args(ev, payload)
		if ev.Map == "" { // print(value) sent as EvPrint
			if len(args) > 0 {
				e.w.Value(args[0])
			}
			return true
		}
		top, div := 0, 0
		if len(args) > 0 {
			top = int(asInt(args[0]))
			if len(args) > 1 {
				div = int(asInt(args[1]))
			}
		}
		if um := e.maps[ev.Map]; um != nil {
			if m, err := e.mr.read(um.desc, um.m); err != nil {
				e.w.RuntimeError(err.Error(), e.locs(ev))
			} else {
				e.w.Map(m, top, div)
			}
		}
	case codegen.EvPrintNonMap:
		if args := e.args(ev, payload); len(args) > 0 {
			e.w.Value(args[0])
		}
	case codegen.EvClear, codegen.EvZero:
		if um := e.maps[ev.Map]; um != nil {
			op, do := "zero", e.mr.zero
			if ev.Kind == codegen.EvClear {
				op, do = "clear", e.mr.clear
			}
			if err := do(um.m); err != nil {
				e.w.RuntimeError(fmt.Sprintf("%s(%s): %v", op, ev.Map, err), e.locs(ev))
			}
		}
	case codegen.EvTime:
		f := ev.Fmt
		if f == "" {
			f = "%H:%M:%S\n"
		}
		e.w.Time(output.Strftime(f, time.Now()))
	case codegen.EvCat:
		e.cat(ev, output.Sprintf(ev.Fmt, e.args(ev, payload)))
	case codegen.EvSystem:
		e.system(ev, output.Sprintf(ev.Fmt, e.args(ev, payload)))
	case codegen.EvJoin:
		e.join(ev, e.args(ev, payload))
	case codegen.EvErrorf:
		e.w.Errorf(output.Sprintf(ev.Fmt, e.args(ev, payload)), e.locs(ev))
	case codegen.EvWarnf:
		e.w.Warnf(output.Sprintf(ev.Fmt, e.args(ev, payload)), e.locs(ev))
	case codegen.EvSignal:
		e.signal(ev, e.args(ev, payload))
	}
	return true
}

// printf formats a printf event, through the compiled fast path when the
// format and arguments allow it.
func (e *engine) printf(ev *codegen.Event, args []output.Value) string {
	if e.fast == nil {
		e.fast = make([]*fastFormat, len(e.obj.Events))
		e.fastDone = make([]bool, len(e.obj.Events))
	}
	if id := ev.ID; id >= 0 && id < len(e.fast) {
		if !e.fastDone[id] {
			e.fast[id], e.fastDone[id] = compileFast(ev.Fmt), true
		}
		if f := e.fast[id]; f != nil {
			var ok bool
			if e.fmtBuf, ok = f.appendTo(e.fmtBuf[:0], args); ok {
				// No copy: Writer.Printf writes the text out before
				// returning and keeps nothing (output.Writer's contract
				// for Printf), and fmtBuf is not touched until then.
				return unsafe.String(unsafe.SliceData(e.fmtBuf), len(e.fmtBuf))
			}
		}
	}
	return output.Sprintf(ev.Fmt, args)
}

// args decodes the payload as the event's argument tuple.
func (e *engine) args(ev *codegen.Event, payload []byte) []output.Value {
	return e.decodeArgs(nil, ev, payload)
}

// decodeArgs appends the decoded arguments to out.
func (e *engine) decodeArgs(out []output.Value, ev *codegen.Event, payload []byte) []output.Value {
	t := ev.ArgsType
	if t == nil || len(t.Fields) == 0 {
		return out
	}
	if len(payload) < t.Size() {
		// A short message is a codegen bug; print what we can.
		padded := make([]byte, t.Size())
		copy(padded, payload)
		payload = padded
	}
	for _, f := range t.Fields {
		out = append(out, e.dec.value(f.Type, payload[f.Offset:]))
	}
	return out
}

func asInt(v output.Value) int64 {
	switch v := v.(type) {
	case output.Int:
		return int64(v)
	case output.Uint:
		return int64(v)
	case output.Bool:
		if v {
			return 1
		}
	}
	return 0
}

func (e *engine) cat(ev *codegen.Event, path string) {
	limit := e.obj.Config.MaxCatBytes
	if limit <= 0 {
		limit = 10240
	}
	f, err := os.Open(path)
	if err != nil {
		e.w.RuntimeError(fmt.Sprintf("failed to open file '%s': %s", path, errText(err)), e.locs(ev))
		return
	}
	defer f.Close()
	buf := make([]byte, limit)
	n, _ := readFull(f, buf)
	e.w.Cat(string(buf[:n]))
}

func readFull(f *os.File, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil || m == 0 {
			return n, err
		}
	}
	return n, nil
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

func (e *engine) system(ev *codegen.Event, cmd string) {
	if !e.o.Unsafe {
		e.w.RuntimeError("system() not allowed in safe mode. Use '--unsafe'.", e.locs(ev))
		return
	}
	e.buf.flush()
	// The command's output as it printed it (trailing newline included),
	// as bpftrace passes it on.
	out, _ := exec.Command("/bin/sh", "-c", cmd).Output()
	e.w.Syscall(string(out))
}

func (e *engine) join(ev *codegen.Event, args []output.Value) {
	if len(args) == 0 {
		return
	}
	var parts []string
	switch a := args[0].(type) {
	case output.Array:
		for _, v := range a {
			s, _ := v.(output.String)
			if s == "" {
				break
			}
			parts = append(parts, string(s))
		}
	case output.String:
		parts = append(parts, string(a))
	}
	sep := ev.Fmt
	e.w.Join(strings.Join(parts, sep))
}

func (e *engine) signal(ev *codegen.Event, args []output.Value) {
	if len(args) == 0 {
		return
	}
	sig := syscall.Signal(asInt(args[0]))
	pid := e.tracedPID()
	if len(args) > 1 {
		pid = int(asInt(args[1]))
	}
	if pid > 0 {
		syscall.Kill(pid, sig)
	}
}

// locs renders the event's call site for errorf/warnf and runtime errors.
func (e *engine) locs(ev *codegen.Event) []output.Location {
	f := e.o.File
	if f == nil || (ev.Span == lang.Span{}) {
		if ev.Loc != "" {
			return []output.Location{{Pos: ev.Loc}}
		}
		return nil
	}
	return []output.Location{location(f, ev.Span)}
}

// location renders span like lang/diag does: "file:line:col-col", the source
// line and ~~~ under the span.
func location(f *lang.File, sp lang.Span) output.Location {
	start := f.Position(sp.Start)
	endOff := sp.End
	if endOff > sp.Start {
		endOff--
	}
	end := f.Position(endOff)
	l := output.Location{Filename: f.Name, Line: start.Line, Col: start.Col}
	line := f.Line(start.Line)
	n := len(line) - start.Col + 1
	if start.Line == end.Line {
		l.Pos = fmt.Sprintf("%s:%d:%d-%d", f.Name, start.Line, start.Col, end.Col+1)
		n = end.Col - start.Col + 1
	} else {
		l.Pos = fmt.Sprintf("%s:%d-%d", f.Name, start.Line, end.Line)
	}
	if n < 1 {
		n = 1
	}
	var pad strings.Builder
	for i := 0; i < start.Col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	l.Context = []string{line, pad.String() + strings.Repeat("~", n)}
	return l
}

// lostCount reads the event-loss counter map (summing per-CPU values).
func (e *engine) lostCount() uint64 {
	m := e.lossMap
	if m == nil {
		return 0
	}
	raw, err := m.LookupBytes(uint32(0))
	if err != nil || raw == nil {
		return 0
	}
	var n uint64
	for i := 0; i+8 <= len(raw); i += 8 {
		n += le.Uint64(raw[i:])
	}
	return n
}
