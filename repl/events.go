package repl

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

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

// dispatcher returns what handles entry e's messages, writing to out.
func (s *session) dispatcher(e *entry, out *entryOutput) *runtime.Dispatcher {
	return &runtime.Dispatcher{
		Obj:     e.obj,
		W:       out.w,
		Dec:     s.dec,
		UserMap: func(name string) (*codegen.UserMap, *ebpf.Map) { return s.userMap(e.obj, name) },
		Unsafe:  s.opts.Unsafe,
		// signal() without a pid goes to the -p process, if any.
		TracedPID:    func() int { return s.opts.PID },
		BeforeSystem: out.flush,
		Unwatch: func(addr uint64) {
			e.mu.Lock()
			ls := e.links
			e.mu.Unlock()
			if ls != nil {
				ls.DetachWatchpoints(addr)
			}
		},
	}
}
