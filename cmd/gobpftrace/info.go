package main

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// info answers --info: the system and what its kernel can do, as far as
// gobpftrace cares.
func info(a *args, stdout, stderr io.Writer) int {
	var u unix.Utsname
	unix.Uname(&u)
	fmt.Fprintf(stdout, "System\n  OS: %s %s %s\n  Arch: %s\n\n",
		unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]),
		unix.ByteSliceToString(u.Version[:]), unix.ByteSliceToString(u.Machine[:]))
	fmt.Fprintf(stdout, "Build\n  version: %s\n  LLVM: none (pure-Go eBPF code generator)\n\n", version)
	host, err := probe.NewHost(probe.HostOptions{NoFeatures: a.noFeatures})
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	f := host.Features()
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintln(stdout, "Kernel features")
	fmt.Fprintf(stdout, "  ring buffer: %s\n", yes(features.HaveMapType(ebpf.RingBuf) == nil))
	fmt.Fprintf(stdout, "  kprobe: %s\n  kprobe_multi: %s\n  fentry/fexit: %s\n  hardware PMU: %s\n  iter: %s\n",
		yes(f.Kprobe), yes(f.KprobeMulti), yes(f.Fentry), yes(f.PMU), yes(f.Iter))
	fmt.Fprintf(stdout, "  bpf_loop: %s\n", yes(features.HaveProgramHelper(ebpf.Kprobe, asm.FnLoop) == nil))
	// bpftrace's own section, with its names for the map types.
	fmt.Fprintln(stdout, "\nMap types")
	for _, m := range []struct {
		name string
		typ  ebpf.MapType
	}{
		{"hash", ebpf.Hash}, {"percpu hash", ebpf.PerCPUHash}, {"array", ebpf.Array},
		{"percpu array", ebpf.PerCPUArray}, {"stack_trace", ebpf.StackTrace},
		{"perf_event_array", ebpf.PerfEventArray}, {"ringbuf", ebpf.RingBuf},
	} {
		fmt.Fprintf(stdout, "  %s: %s\n", m.name, yes(features.HaveMapType(m.typ) == nil))
	}
	return 0
}
