package repl

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// Event dispatch mirrors runtime/events.go (unexported there).

// terminal serialises writes onto the terminal. While readline is running,
// w is readline's stdout, which redraws the prompt and the line being typed
// after each write.
type terminal struct {
	mu sync.Mutex
	w  io.Writer
}

func (t *terminal) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.w.Write(b)
}

func (t *terminal) set(w io.Writer) {
	t.mu.Lock()
	t.w = w
	t.mu.Unlock()
}

// entryOutput buffers one entry's output and writes it to the terminal in
// whole batches, unless the entry was muted with Ctrl-C.
type entryOutput struct {
	e   *entry // nil for session-level output
	t   *terminal
	buf bytes.Buffer
	w   output.Writer
}

func (s *session) newOutput(e *entry) *entryOutput {
	o := &entryOutput{e: e, t: s.term}
	if s.opts.Format == "json" {
		o.w = output.NewJSON(&o.buf)
	} else {
		o.w = output.NewText(&o.buf, &o.buf)
	}
	return o
}

func (o *entryOutput) flush() {
	if o.buf.Len() == 0 {
		return
	}
	if o.e == nil || !o.e.muted.Load() {
		o.t.Write(o.buf.Bytes())
	}
	o.buf.Reset()
}

func (o *entryOutput) printf(format string, args ...any) {
	fmt.Fprintf(&o.buf, format, args...)
	o.flush()
}

// handle processes one ring-buffer message of entry e. It returns false
// for exit().
func (s *session) handle(e *entry, out *entryOutput, msg []byte) bool {
	if len(msg) < 8 {
		return true
	}
	w := out.w
	id := le.Uint64(msg)
	if id >= uint64(len(e.obj.Events)) {
		w.RuntimeError(fmt.Sprintf("unknown event id %d", id), nil)
		return true
	}
	ev := e.obj.Events[id]
	args := s.args(ev, msg[8:])
	switch ev.Kind {
	case codegen.EvExit:
		return false
	case codegen.EvPrintf:
		w.Printf(output.Sprintf(ev.Fmt, args))
	case codegen.EvPrint, codegen.EvPrintMap:
		top, div := 0, 0
		if len(args) > 0 {
			top = int(asInt(args[0]))
		}
		if len(args) > 1 {
			div = int(asInt(args[1]))
		}
		s.printMap(w, e.obj, ev.Map, top, div)
	case codegen.EvPrintNonMap:
		if len(args) > 0 {
			w.Value(args[0])
		}
	case codegen.EvClear, codegen.EvZero:
		if um, m := s.userMap(e.obj, ev.Map); um != nil && m != nil {
			var err error
			if ev.Kind == codegen.EvClear {
				err = clearMap(m)
			} else {
				err = zeroMap(m)
			}
			if err != nil {
				w.RuntimeError(fmt.Sprintf("%s: %v", ev.Map, err), nil)
			}
		}
	case codegen.EvTime:
		f := ev.Fmt
		if f == "" {
			f = "%H:%M:%S\n"
		}
		w.Time(output.CStrftime(f, time.Now()))
	case codegen.EvCat:
		path := output.Sprintf(ev.Fmt, args)
		b, err := os.ReadFile(path)
		if err != nil {
			w.RuntimeError(fmt.Sprintf("failed to open file '%s': %v", path, err), nil)
		} else {
			w.Cat(string(b[:min(len(b), 10240)]))
		}
	case codegen.EvSystem:
		if !s.opts.Unsafe {
			w.RuntimeError("system() not allowed in safe mode. Use '--unsafe'.", nil)
			break
		}
		res, _ := exec.Command("/bin/sh", "-c", output.Sprintf(ev.Fmt, args)).Output()
		w.Syscall(strings.TrimSuffix(string(res), "\n"))
	case codegen.EvJoin:
		var parts []string
		if len(args) > 0 {
			if a, ok := args[0].(output.Array); ok {
				for _, v := range a {
					if str, _ := v.(output.String); str != "" {
						parts = append(parts, string(str))
					} else {
						break
					}
				}
			}
		}
		w.Join(strings.Join(parts, ev.Fmt))
	case codegen.EvErrorf:
		w.Errorf(output.Sprintf(ev.Fmt, args), nil)
	case codegen.EvWarnf:
		w.Warnf(output.Sprintf(ev.Fmt, args), nil)
	case codegen.EvSignal:
		if len(args) > 1 {
			if pid := int(asInt(args[1])); pid > 0 {
				syscall.Kill(pid, syscall.Signal(asInt(args[0])))
			}
		}
	}
	return true
}

// args decodes an event's payload as its argument tuple.
func (s *session) args(ev *codegen.Event, payload []byte) []output.Value {
	t := ev.ArgsType
	if t == nil || len(t.Fields) == 0 {
		return nil
	}
	if len(payload) < t.Size() {
		padded := make([]byte, t.Size())
		copy(padded, payload)
		payload = padded
	}
	out := make([]output.Value, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = s.dec.value(f.Type, payload[f.Offset:])
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
