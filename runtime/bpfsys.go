package runtime

import (
	goruntime "runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Raw bpf(2) commands the runtime issues itself: cilium/ebpf's wrappers want
// typed Go slices (batch lookups) or run a feature probe first (test runs),
// and the runtime has neither the types nor the time.

const (
	bpfProgTestRun    = 10
	bpfMapLookupBatch = 24
)

type batchAttr struct {
	inBatch   uint64
	outBatch  uint64
	keys      uint64
	values    uint64
	count     uint32
	mapFD     uint32
	elemFlags uint64
	flags     uint64
}

// lookupBatch reads up to count entries after the cursor in (nil: from the
// start) into keys and values; it returns how many it read and whether the
// map has no more. The kernel writes the next cursor into out.
func lookupBatch(fd int, in, out []byte, keys, values []byte, count int) (int, bool, error) {
	attr := batchAttr{
		outBatch: uint64(uintptr(unsafe.Pointer(&out[0]))),
		keys:     uint64(uintptr(unsafe.Pointer(&keys[0]))),
		values:   uint64(uintptr(unsafe.Pointer(&values[0]))),
		count:    uint32(count),
		mapFD:    uint32(fd),
	}
	if in != nil {
		attr.inBatch = uint64(uintptr(unsafe.Pointer(&in[0])))
	}
	_, _, errno := unix.Syscall(unix.SYS_BPF, bpfMapLookupBatch, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	goruntime.KeepAlive(in)
	goruntime.KeepAlive(out)
	goruntime.KeepAlive(keys)
	goruntime.KeepAlive(values)
	if errno == unix.ENOENT {
		return int(attr.count), true, nil
	}
	if errno != 0 {
		return 0, false, errno
	}
	return int(attr.count), false, nil
}

type testRunAttr struct {
	progFD      uint32
	retval      uint32
	dataSizeIn  uint32
	dataSizeOut uint32
	dataIn      uint64
	dataOut     uint64
	repeat      uint32
	duration    uint32
	ctxSizeIn   uint32
	ctxSizeOut  uint32
	ctxIn       uint64
	ctxOut      uint64
	flags       uint32
	cpu         uint32
	batchSize   uint32
	_           uint32
}

// testRun runs a program once with no input (BPF_PROG_TEST_RUN), as
// bpftrace runs begin and end probes.
func testRun(fd int) (uint32, error) {
	attr := testRunAttr{progFD: uint32(fd)}
	{
		_, _, errno := unix.Syscall(unix.SYS_BPF, bpfProgTestRun, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
		// EINTR with no repeat count means the program did run (see
		// cilium/ebpf's Program.Run); running it again would run it twice.
		if errno != 0 && errno != unix.EINTR {
			return 0, errno
		}
		return attr.retval, nil
	}
}

type elemAttr struct {
	mapFD uint32
	_     uint32
	key   uint64
	value uint64
	flags uint64
}

// updatePerCPURaw writes value (all CPUs' values, each padded to 8 bytes)
// under key, which must exist (BPF_EXIST).
func updatePerCPURaw(m interface{ FD() int }, key, value []byte) error {
	const bpfMapUpdateElem, bpfExist = 2, 2
	attr := elemAttr{
		mapFD: uint32(m.FD()),
		key:   uint64(uintptr(unsafe.Pointer(&key[0]))),
		value: uint64(uintptr(unsafe.Pointer(&value[0]))),
		flags: bpfExist,
	}
	_, _, errno := unix.Syscall(unix.SYS_BPF, bpfMapUpdateElem, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	goruntime.KeepAlive(key)
	goruntime.KeepAlive(value)
	if errno != 0 {
		return errno
	}
	return nil
}
