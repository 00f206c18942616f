package runtime

import (
	"errors"
	"syscall"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// errNotSupp is the kernel's ENOTSUPP (524), which has no name in Go.
const errNotSupp = syscall.Errno(524)

// streamChunk is how many keys one batch lookup of a streamed read fetches:
// small enough that decoding a batch overlaps the kernel's copying of the
// next, large enough that the syscalls do not count.
const streamChunk = 8192

// streamMin is the capacity from which a map is read as a stream.
const streamMin = 4 * streamChunk

// batch is one batch lookup's result in a streamed read.
type batch struct {
	keys, vals []byte
	n          int
	err        error
	done       bool
}

// stream reads m with batch lookups in a second goroutine and calls f with
// each batch (keys and values of all CPUs, stride bytes per key) in this
// one, so that decoding a batch overlaps the kernel's copying of the next:
// reading a 100k-key per-CPU map is about as much kernel time as decoding it.
// f must not keep the slices. ok is false, with f not called, when the
// kernel has no batch lookups for m (the caller then reads it another way).
func (r *mapReader) stream(m *ebpf.Map, keySize, stride int, f func(keys, vals []byte, n int)) (ok bool, err error) {
	full := make(chan *batch)
	free := make(chan *batch, 2)
	quit := make(chan struct{})
	defer close(quit)
	newBatch := func(chunk int) *batch {
		return &batch{keys: make([]byte, chunk*keySize), vals: make([]byte, chunk*stride)}
	}
	chunk := streamChunk
	free <- newBatch(chunk)
	free <- newBatch(chunk)
	go func() {
		cursorLen := max(keySize, 4)
		var in []byte
		out := make([]byte, cursorLen)
		for {
			var b *batch
			select {
			case b = <-free:
			case <-quit:
				return
			}
			if len(b.keys) < chunk*keySize {
				b = newBatch(chunk)
			}
			n, done, err := lookupBatch(m.FD(), in, out, b.keys, b.vals, chunk)
			if errors.Is(err, unix.ENOSPC) {
				chunk *= 2 // a hash bucket holds more than chunk entries
				free <- b
				continue
			}
			b.n, b.done, b.err = n, done, err
			select {
			case full <- b:
			case <-quit:
				return
			}
			if done || err != nil {
				return
			}
			if in == nil {
				in = make([]byte, cursorLen)
			}
			copy(in, out)
		}
	}()
	first := true
	for b := range full {
		if b.err != nil {
			if first && (errors.Is(b.err, unix.EINVAL) || errors.Is(b.err, errNotSupp) || errors.Is(b.err, unix.EOPNOTSUPP)) {
				return false, nil
			}
			return true, b.err
		}
		first = false
		f(b.keys, b.vals, b.n)
		if b.done {
			return true, nil
		}
		free <- b
	}
	return true, nil
}
