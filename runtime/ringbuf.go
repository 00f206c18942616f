package runtime

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ringReader consumes a BPF ring buffer straight from its mapping: records
// are handed out in place (no copy) and the consumer position is published
// in batches, not per record. At millions of printf() per second the
// per-record lock, copy and atomic store of a general reader are most of the
// cost of reading.
//
// Layout (kernel/bpf/ringbuf.c): page 0 holds the consumer position (ours
// to write); the next page the producer position; then the data, which the
// kernel offers mapped twice in a row so that a record that wraps is still
// contiguous. We map it once: the kernel fills in every page of a ring
// mapping up front, all counted in our RSS, so the second copy would cost
// as much memory as the ring for what is one record per lap; that record is
// copied together instead. Each
// record is an 8-byte header {u32 len | BUSY<<31 | DISCARD<<30; u32 pgoff}
// and the data, padded to 8 bytes.
type ringReader struct {
	cons, prod *uint64
	data       []byte
	mask       uint64
	consMem    []byte
	prodMem    []byte

	pos       uint64 // next record to read; published to *cons in batches
	published uint64
	// Both scale with the ring so a small one is not filled by what the
	// reader holds back: publishEvery a sixteenth of it, nap as long as the
	// fastest producer takes to fill a quarter.
	publishEvery uint64
	nap          time.Duration
	prodSeen     uint64 // the producer position last read
	wrapped      []byte // a record that wraps, copied together

	epfd, evfd int
	deadline   time.Time
	woken      bool
}

const (
	ringBusy    = 1 << 31
	ringDiscard = 1 << 30
	ringHdr     = 8
	// maxPublishEvery bounds how far the published position lags behind.
	maxPublishEvery = 64 << 10
	// maxNap is the longest pause of wait, once caught up, before it
	// publishes the consumer position and sleeps until woken.
	maxNap = time.Millisecond
	// fastestProducer is the output rate, in bytes/s, that a nap must
	// survive with room to spare: printf from every CPU at full speed.
	fastestProducer = 800 << 20
)

func newRingReader(fd int, size int) (*ringReader, error) {
	page := os.Getpagesize()
	consMem, err := unix.Mmap(fd, 0, page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mapping the ring consumer page: %w", err)
	}
	prodMem, err := unix.Mmap(fd, int64(page), page+size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		unix.Munmap(consMem)
		return nil, fmt.Errorf("mapping the ring data: %w", err)
	}
	r := &ringReader{
		cons:    (*uint64)(unsafe.Pointer(&consMem[0])),
		prod:    (*uint64)(unsafe.Pointer(&prodMem[0])),
		data:    prodMem[page:],
		mask:    uint64(size - 1),
		consMem: consMem,
		prodMem: prodMem,
	}
	r.publishEvery = min(maxPublishEvery, uint64(size)/16)
	r.nap = min(maxNap, time.Duration(uint64(size)/4*uint64(time.Second)/fastestProducer))
	if r.nap < 20*time.Microsecond {
		r.nap = 0 // below what a timed sleep can do
	}
	r.pos = atomic.LoadUint64(r.cons)
	r.published = r.pos
	if r.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		r.close()
		return nil, err
	}
	if r.evfd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		unix.Close(r.epfd)
		r.close()
		return nil, err
	}
	for i, f := range []int{fd, r.evfd} {
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}
		if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, f, &ev); err != nil {
			r.close()
			return nil, err
		}
	}
	return r, nil
}

// peek returns the next committed record without consuming it; ok is false
// when none is ready.
func (r *ringReader) peek() (rec []byte, ok bool) {
	for {
		if r.pos >= r.prodSeen {
			// The producer position shares a cache line that every
			// reservation writes: read it once per batch, not per record.
			r.prodSeen = atomic.LoadUint64(r.prod)
			if r.pos >= r.prodSeen {
				return nil, false
			}
		}
		off := r.pos & r.mask
		hdr := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[off])))
		if hdr&ringBusy != 0 {
			return nil, false
		}
		n := uint64(hdr &^ (ringBusy | ringDiscard))
		if hdr&ringDiscard != 0 {
			r.pos += (ringHdr + n + 7) &^ 7
			continue
		}
		start := (off + ringHdr) & r.mask
		if end := start + n; end <= uint64(len(r.data)) {
			return r.data[start:end:end], true
		}
		// The record wraps around the end of the ring.
		r.wrapped = append(append(r.wrapped[:0], r.data[start:]...), r.data[:start+n-uint64(len(r.data))]...)
		return r.wrapped, true
	}
}

// advance consumes the record peek returned.
func (r *ringReader) advance(rec []byte) {
	r.pos += (ringHdr + uint64(len(rec)) + 7) &^ 7
	if r.pos-r.published >= r.publishEvery {
		r.publish()
	}
}

func (r *ringReader) publish() {
	if r.pos != r.published {
		atomic.StoreUint64(r.cons, r.pos)
		r.published = r.pos
	}
}

// wait blocks until the ring may have data, the deadline passes (errIdle)
// or wake is called (errWoken).
func (r *ringReader) wait() error {
	if r.pos != r.published && !r.woken && r.nap > 0 {
		// Caught up with records still unpublished: nap before publishing.
		// The kernel wakes the reader only for a record committed when the
		// published consumer position equals it, so while we hold back the
		// position a fast producer commits without a wakeup (an irq_work
		// per record otherwise, which costs the traced task more than the
		// record) and the next batch is read in one go.
		nap := r.nap
		if !r.deadline.IsZero() {
			if d := time.Until(r.deadline); d < nap {
				nap = d
			}
		}
		if nap > 0 {
			fds := []unix.PollFd{{Fd: int32(r.evfd), Events: unix.POLLIN}}
			ts := unix.NsecToTimespec(int64(nap))
			if n, _ := unix.Ppoll(fds, &ts, nil); n > 0 {
				var b [8]byte
				unix.Read(r.evfd, b[:])
				r.woken = true
			}
			if _, ok := r.peek(); ok {
				return nil
			}
		}
	}
	r.publish()
	if _, ok := r.peek(); ok {
		return nil
	}
	if r.woken {
		r.woken = false
		return errWoken
	}
	timeout := -1
	if !r.deadline.IsZero() {
		d := time.Until(r.deadline)
		if d <= 0 {
			return errIdle
		}
		timeout = int(d.Milliseconds()) + 1
	}
	var evs [2]unix.EpollEvent
	n, err := unix.EpollWait(r.epfd, evs[:], timeout)
	if err == unix.EINTR {
		return nil
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return errIdle
	}
	for _, ev := range evs[:n] {
		if ev.Fd == 1 {
			var b [8]byte
			unix.Read(r.evfd, b[:])
			r.woken = true
		}
	}
	if _, ok := r.peek(); ok {
		return nil // records first; the wake is reported once they are read
	}
	if r.woken {
		r.woken = false
		return errWoken
	}
	return nil
}

func (r *ringReader) wake() {
	var one = [8]byte{1}
	unix.Write(r.evfd, one[:])
}

func (r *ringReader) close() {
	if r.epfd > 0 {
		unix.Close(r.epfd)
	}
	if r.evfd > 0 {
		unix.Close(r.evfd)
	}
	if r.consMem != nil {
		unix.Munmap(r.consMem)
	}
	if r.prodMem != nil {
		unix.Munmap(r.prodMem)
	}
}

// ringSource adapts ringReader to source. A message returned by next stays
// valid until the following call (the slot is released then).
type ringSource struct {
	r    *ringReader
	last []byte
	held bool
}

func (s *ringSource) next() ([]byte, error) {
	if s.held {
		s.r.advance(s.last)
		s.held = false
	}
	for {
		if rec, ok := s.r.peek(); ok {
			s.last, s.held = rec, true
			return rec, nil
		}
		if err := s.r.wait(); err != nil {
			return nil, err
		}
	}
}

func (s *ringSource) setDeadline(t time.Time) { s.r.deadline = t }

func (s *ringSource) pending() bool {
	if s.held {
		// The current record still counts; look past it.
		save := s.r.pos
		s.r.pos += (ringHdr + uint64(len(s.last)) + 7) &^ 7
		_, ok := s.r.peek()
		s.r.pos = save
		return ok
	}
	_, ok := s.r.peek()
	return ok
}

func (s *ringSource) wake()        { s.r.wake() }
func (s *ringSource) lost() uint64 { return 0 }
func (s *ringSource) close() {
	if s.held {
		s.r.advance(s.last)
		s.held = false
	}
	s.r.publish()
	s.r.close()
}

var errRingSize = errors.New("ring buffer size is not a power of two")
