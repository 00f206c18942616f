package runtime

import (
	"bufio"
	"io"
)

// outBuffer implements -B. "line" (the default) keeps output in memory while
// events keep coming and flushes whenever the event stream goes idle, so a
// reader sees every line as promptly as with line buffering but a burst of
// printf() costs one write(2), not one per line.
type outBuffer struct {
	mode BufferMode
	w    *bufio.Writer
}

func newOutBuffer(w io.Writer, mode BufferMode) *outBuffer {
	return &outBuffer{mode: mode, w: bufio.NewWriterSize(w, 64<<10)}
}

func (b *outBuffer) Write(p []byte) (int, error) {
	n, err := b.w.Write(p)
	if b.mode == BufferNone {
		b.w.Flush()
	}
	return n, err
}

// WriteString is Write without the copy io.WriteString makes of a string
// for a plain io.Writer (printf output arrives as strings).
func (b *outBuffer) WriteString(s string) (int, error) {
	n, err := b.w.WriteString(s)
	if b.mode == BufferNone {
		b.w.Flush()
	}
	return n, err
}

// idle is called when no event is pending.
func (b *outBuffer) idle() {
	if b.mode != BufferFull {
		b.w.Flush()
	}
}

// buffered reports whether output waits in memory.
func (b *outBuffer) buffered() bool { return b.w.Buffered() > 0 }

// flush writes everything out (at exit).
func (b *outBuffer) flush() { b.w.Flush() }
