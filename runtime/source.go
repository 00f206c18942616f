package runtime

import (
	"errors"
	"os"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/perf"
)

// source is where events come from: the ring buffer, or per-CPU perf
// buffers on kernels without one.
type source interface {
	// next returns the next message, errIdle when the deadline passed with
	// nothing to read, or errWoken after wake.
	next() ([]byte, error)
	setDeadline(t time.Time)
	// pending reports whether more messages are ready right now.
	pending() bool
	// wake makes a blocked next return (errWoken once the ring is empty).
	wake()
	// lost returns messages the kernel dropped since the last call (perf only).
	lost() uint64
	close()
}

var (
	errIdle  = errors.New("no events before the deadline")
	errWoken = errors.New("woken")
)

func openSource(m *ebpf.Map, pages int) (source, error) {
	if m.Type() == ebpf.PerfEventArray {
		if pages <= 0 {
			pages = 64
		}
		rd, err := perf.NewReader(m, pages*os.Getpagesize())
		if err != nil {
			return nil, err
		}
		return &perfSource{rd: rd}, nil
	}
	size := int(m.MaxEntries())
	if size <= 0 || size&(size-1) != 0 {
		return nil, errRingSize
	}
	r, err := newRingReader(m.FD(), size)
	if err != nil {
		return nil, err
	}
	return &ringSource{r: r}, nil
}

// perfSource is the perf-buffer fallback.
type perfSource struct {
	rd      *perf.Reader
	rec     perf.Record
	dropped uint64
}

func (s *perfSource) next() ([]byte, error) {
	for {
		err := s.rd.ReadInto(&s.rec)
		switch {
		case err == nil:
			if s.rec.LostSamples > 0 {
				s.dropped += s.rec.LostSamples
				continue
			}
			return s.rec.RawSample, nil
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, errIdle
		case errors.Is(err, perf.ErrFlushed):
			return nil, errWoken
		}
		return nil, err
	}
}

func (s *perfSource) setDeadline(t time.Time) { s.rd.SetDeadline(t) }

// pending is conservative for perf buffers: the reader does not say, so the
// output is flushed after every message.
func (s *perfSource) pending() bool { return false }
func (s *perfSource) wake()         { s.rd.Flush() }
func (s *perfSource) lost() uint64 {
	n := s.dropped
	s.dropped = 0
	return n
}
func (s *perfSource) close() { s.rd.Close() }

// HaveRingBuf reports whether the kernel has BPF ring buffers (Linux 5.8):
// without them codegen must send output through a perf event array
// (sema.Options.NoRingBuf), which openSource reads per CPU. Kernels from
// 5.8 on are trusted without a probe (it would cost every start-up a map);
// older ones are asked once.
var HaveRingBuf = sync.OnceValue(func() bool {
	if kernelAtLeast(5, 8) {
		return true
	}
	return features.HaveMapType(ebpf.RingBuf) == nil
})

// EventSource reads an object's output buffer (its RingBuf map: a ring
// buffer, or per-CPU perf buffers on kernels without one), as Run does; the
// REPL reads each entry's output through one.
type EventSource struct{ s source }

// ErrIdle is EventSource.Next's error when the deadline passed with nothing
// to read; ErrWoken after Wake, once everything queued was read.
var (
	ErrIdle  = errIdle
	ErrWoken = errWoken
)

// OpenEventSource reads m; perfPages is the perf buffer size per CPU, in
// pages, when m is a perf event array (0: 64).
func OpenEventSource(m *ebpf.Map, perfPages int) (*EventSource, error) {
	s, err := openSource(m, perfPages)
	if err != nil {
		return nil, err
	}
	return &EventSource{s}, nil
}

// Next returns the next message, valid until the next call: an event ID
// (uint64) and its arguments, for Dispatcher.Handle.
func (s *EventSource) Next() ([]byte, error) { return s.s.next() }

// SetDeadline makes Next return ErrIdle at t (zero: no deadline). Only the
// reading goroutine may call it.
func (s *EventSource) SetDeadline(t time.Time) { s.s.setDeadline(t) }

// Pending reports whether more messages are ready now.
func (s *EventSource) Pending() bool { return s.s.pending() }

// Wake makes a blocked Next return ErrWoken once the buffer is empty; any
// goroutine may call it.
func (s *EventSource) Wake() { s.s.wake() }

// Lost returns how many messages the kernel dropped since the last call
// (perf buffers; a ring buffer's losses are counted by the program).
func (s *EventSource) Lost() uint64 { return s.s.lost() }

// Close releases the buffer.
func (s *EventSource) Close() { s.s.close() }
