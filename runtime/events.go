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
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Dispatcher turns an object's messages (ring-buffer records: a uint64
// event ID, then the event's argument tuple) into output: printf, print,
// clear/zero, time, cat, system, join, errorf/warnf, signal and exit. Run
// uses one per run; the REPL one per entry's output.
type Dispatcher struct {
	Obj *codegen.Object
	W   output.Writer
	Dec *Decoder
	// UserMap finds a @map by name (print/clear/zero); a nil kernel map
	// (never created) prints nothing.
	UserMap func(name string) (*codegen.UserMap, *ebpf.Map)
	// Unsafe allows system().
	Unsafe bool
	// File is the script, for errorf/warnf and runtime error locations
	// (nil: the events' own Loc).
	File *lang.File
	// TracedPID is signal()'s target when it names no pid (-c/-p), 0 for none.
	TracedPID func() int
	// BeforeSystem flushes buffered output before system() runs a command.
	BeforeSystem func()
	// Unwatch detaches the watchpoints on an address (unwatch()); nil
	// ignores it.
	Unwatch func(addr uint64)
	// ExitCode is exit()'s argument, once Handle returned false.
	ExitCode int

	argBuf   []output.Value // reused by printf
	fast     []*fastFormat  // compiled printf formats by event ID
	fastDone []bool
	fmtBuf   []byte
}

// IsExit reports whether msg is an exit() message of obj.
func IsExit(obj *codegen.Object, msg []byte) bool {
	if len(msg) < 8 {
		return false
	}
	id := le.Uint64(msg)
	return id < uint64(len(obj.Events)) && obj.Events[id].Kind == codegen.EvExit
}

// Handle processes one message. It returns false once the program asked to
// exit (ExitCode is then set).
func (d *Dispatcher) Handle(msg []byte) bool {
	if len(msg) < 8 {
		return true
	}
	id := le.Uint64(msg)
	if id >= uint64(len(d.Obj.Events)) {
		d.W.RuntimeError(fmt.Sprintf("unknown event id %d", id), nil)
		return true
	}
	ev := d.Obj.Events[id]
	payload := msg[8:]
	switch ev.Kind {
	case codegen.EvExit:
		d.ExitCode = 0
		if args := d.args(ev, payload); len(args) > 0 {
			d.ExitCode = int(asInt(args[0]))
		}
		return false
	case codegen.EvPrintf:
		// The hot path. Formats of plain integers and strings print straight
		// from the payload; others decode into a reused argument slice
		// (Sprintf keeps nothing).
		if f := d.fastFor(ev); f != nil && f.direct {
			var ok bool
			if d.fmtBuf, ok = f.appendPayload(d.fmtBuf[:0], payload, d.Dec.trailer); ok {
				// No copy: Writer.Printf writes the text out before
				// returning and keeps nothing (output.Writer's contract).
				d.W.Printf(unsafe.String(unsafe.SliceData(d.fmtBuf), len(d.fmtBuf)))
				return true
			}
		}
		d.argBuf = d.decodeArgs(d.argBuf[:0], ev, payload)
		d.markFullStrings(ev, d.argBuf)
		d.W.Printf(d.printf(ev, d.argBuf))
	case codegen.EvPrint, codegen.EvPrintMap:
		args := d.args(ev, payload)
		if ev.Map == "" { // print(value) sent as EvPrint
			if len(args) > 0 {
				d.W.Value(args[0])
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
		d.PrintMap(ev.Map, top, div, d.locs(ev))
	case codegen.EvPrintNonMap:
		if args := d.args(ev, payload); len(args) > 0 {
			d.W.Value(args[0])
		}
	case codegen.EvClear, codegen.EvZero:
		if um, m := d.userMap(ev.Map); um != nil && m != nil {
			op, do := "zero", ZeroMap
			if ev.Kind == codegen.EvClear {
				op, do = "clear", ClearMap
			}
			if err := do(m); err != nil {
				d.W.RuntimeError(fmt.Sprintf("%s(%s): %v", op, ev.Map, err), d.locs(ev))
			}
		}
	case codegen.EvTime:
		f := ev.Fmt
		if f == "" {
			f = "%H:%M:%S\n"
		}
		d.W.Time(output.Strftime(f, time.Now()))
	case codegen.EvCat:
		d.cat(ev, output.Sprintf(ev.Fmt, d.args(ev, payload)))
	case codegen.EvSystem:
		d.system(ev, output.Sprintf(ev.Fmt, d.args(ev, payload)))
	case codegen.EvJoin:
		d.join(ev, d.args(ev, payload))
	case codegen.EvErrorf:
		d.W.Errorf(output.Sprintf(ev.Fmt, d.args(ev, payload)), d.locs(ev))
	case codegen.EvWarnf:
		d.W.Warnf(output.Sprintf(ev.Fmt, d.args(ev, payload)), d.locs(ev))
	case codegen.EvSignal:
		d.signal(d.args(ev, payload))
	case codegen.EvUnwatch:
		if args := d.args(ev, payload); len(args) > 0 && d.Unwatch != nil {
			d.Unwatch(uint64(asInt(args[0])))
		}
	case codegen.EvHelperError:
		// -k: {helper number, negative return code}; Fmt names the helper.
		if args := d.args(ev, payload); len(args) > 1 {
			d.W.HelperError(ev.Fmt, int(asInt(args[1])), d.locs(ev))
		}
	}
	return true
}

func (d *Dispatcher) userMap(name string) (*codegen.UserMap, *ebpf.Map) {
	if d.UserMap == nil {
		return nil, nil
	}
	return d.UserMap(name)
}

// PrintMap prints @name (print(@m, top, div)); a map with no kernel map
// prints nothing. A read error is reported at locs.
func (d *Dispatcher) PrintMap(name string, top, div int, locs []output.Location) {
	um, m := d.userMap(name)
	if um == nil || m == nil {
		return
	}
	om, err := d.Dec.ReadMap(um, m)
	if err != nil {
		d.W.RuntimeError(err.Error(), locs)
		return
	}
	d.W.Map(om, top, div)
}

// printf formats a printf event, through the compiled fast path when the
// format and arguments allow it.
func (d *Dispatcher) printf(ev *codegen.Event, args []output.Value) string {
	if f := d.fastFor(ev); f != nil {
		var ok bool
		if d.fmtBuf, ok = f.appendTo(d.fmtBuf[:0], args); ok {
			// No copy: Writer.Printf writes the text out before
			// returning and keeps nothing (output.Writer's contract
			// for Printf), and fmtBuf is not touched until then.
			return unsafe.String(unsafe.SliceData(d.fmtBuf), len(d.fmtBuf))
		}
	}
	return output.Sprintf(ev.Fmt, args)
}

// fastFor returns the event's compiled printf format (nil when its format
// needs output.Sprintf), compiling it on first use.
func (d *Dispatcher) fastFor(ev *codegen.Event) *fastFormat {
	if d.fast == nil {
		d.fast = make([]*fastFormat, len(d.Obj.Events))
		d.fastDone = make([]bool, len(d.Obj.Events))
	}
	id := ev.ID
	if id < 0 || id >= len(d.fast) {
		return nil
	}
	if !d.fastDone[id] {
		f := compileFast(ev.Fmt)
		if f != nil {
			f.bind(ev.ArgsType)
			f.maxStrlen = d.Obj.Config.MaxStrlen
		}
		d.fast[id], d.fastDone[id] = f, true
	}
	return d.fast[id]
}

// args decodes the payload as the event's argument tuple.
func (d *Dispatcher) args(ev *codegen.Event, payload []byte) []output.Value {
	return d.decodeArgs(nil, ev, payload)
}

// markFullStrings adds the truncation trailer to printf's string arguments
// that are exactly max_strlen-1 long: bpftrace's printf takes such a string
// as cut short by str()'s buffer.
func (d *Dispatcher) markFullStrings(ev *codegen.Event, args []output.Value) {
	n := d.Obj.Config.MaxStrlen
	if ev.ArgsType == nil || n <= 0 {
		return
	}
	for i, f := range ev.ArgsType.Fields {
		if i >= len(args) {
			break
		}
		if _, ok := f.Type.(*types.String); !ok {
			continue
		}
		if s, ok := args[i].(output.String); ok && len(s)+1 == n {
			args[i] = s + output.String(d.Dec.trailer)
		}
	}
}

// decodeArgs appends the decoded arguments to out.
func (d *Dispatcher) decodeArgs(out []output.Value, ev *codegen.Event, payload []byte) []output.Value {
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
		out = append(out, d.Dec.value(f.Type, payload[f.Offset:]))
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

func (d *Dispatcher) cat(ev *codegen.Event, path string) {
	limit := d.Obj.Config.MaxCatBytes
	if limit <= 0 {
		limit = 10240
	}
	f, err := os.Open(path)
	if err != nil {
		// bpftrace's words, without a source location; the run goes on.
		d.W.Errorf(fmt.Sprintf("failed to open file '%s' (%s)", path, errText(err)), nil)
		return
	}
	defer f.Close()
	buf := make([]byte, limit)
	n, _ := readFull(f, buf)
	d.W.Cat(string(buf[:n]))
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

func (d *Dispatcher) system(ev *codegen.Event, cmd string) {
	if !d.Unsafe {
		d.W.RuntimeError("system() not allowed in safe mode. Use '--unsafe'.", d.locs(ev))
		return
	}
	if d.BeforeSystem != nil {
		d.BeforeSystem()
	}
	// The command's output as it printed it (trailing newline included),
	// as bpftrace passes it on.
	out, _ := exec.Command("/bin/sh", "-c", cmd).Output()
	d.W.Syscall(string(out))
}

func (d *Dispatcher) join(ev *codegen.Event, args []output.Value) {
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
	d.W.Join(strings.Join(parts, sep))
}

func (d *Dispatcher) signal(args []output.Value) {
	if len(args) == 0 {
		return
	}
	sig := syscall.Signal(asInt(args[0]))
	pid := 0
	if d.TracedPID != nil {
		pid = d.TracedPID()
	}
	if len(args) > 1 {
		pid = int(asInt(args[1]))
	}
	if pid > 0 {
		syscall.Kill(pid, sig)
	}
}

// locs renders the event's call site for errorf/warnf and runtime errors.
func (d *Dispatcher) locs(ev *codegen.Event) []output.Location {
	f := d.File
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

// LostCount reads an event-loss counter map (the object's EventLoss),
// summing per-CPU values.
func LostCount(m *ebpf.Map) uint64 {
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
