// Command probecheck proves that kernel-function probes work on the
// running kernel: it attaches a kprobe, a kretprobe, fentry, fexit and
// (where the kernel has it) kprobe.multi to one kernel function reached
// from a system call (do_sys_openat2 from open by default), makes that
// call a known number of times and prints one line per probe kind:
// "<kind> <count>", or "<kind> error: <reason>". Counts only include
// calls from this process, but the Go runtime may make a few calls of
// its own, so a count can exceed the number asked for.
//
// It is built statically and run inside the vmtest VM by
// internal/vmtest's self-test; it needs root.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
)

// probe is one way of attaching a counting program to the function.
type probe struct {
	kind   string
	spec   func(fn string) *ebpf.ProgramSpec
	attach func(fn string, p *ebpf.Program) (link.Link, error)
}

var probes = []probe{
	{"kprobe", kprobeSpec(ebpf.AttachNone),
		func(fn string, p *ebpf.Program) (link.Link, error) { return link.Kprobe(fn, p, nil) }},
	{"kretprobe", kprobeSpec(ebpf.AttachNone),
		func(fn string, p *ebpf.Program) (link.Link, error) { return link.Kretprobe(fn, p, nil) }},
	{"fentry", tracingSpec(ebpf.AttachTraceFEntry),
		func(_ string, p *ebpf.Program) (link.Link, error) {
			return link.AttachTracing(link.TracingOptions{Program: p})
		}},
	{"fexit", tracingSpec(ebpf.AttachTraceFExit),
		func(_ string, p *ebpf.Program) (link.Link, error) {
			return link.AttachTracing(link.TracingOptions{Program: p})
		}},
	{"kprobe_multi", kprobeSpec(ebpf.AttachTraceKprobeMulti),
		func(fn string, p *ebpf.Program) (link.Link, error) {
			return link.KprobeMulti(p, link.KprobeMultiOptions{Symbols: []string{fn}})
		}},
}

// triggers make one system call each.
var triggers = map[string]func(){
	"open": func() {
		if fd, err := syscall.Open("/", syscall.O_RDONLY, 0); err == nil {
			syscall.Close(fd)
		}
	},
	"getpid": func() { syscall.Getpid() },
}

func kprobeSpec(at ebpf.AttachType) func(string) *ebpf.ProgramSpec {
	return func(string) *ebpf.ProgramSpec {
		return &ebpf.ProgramSpec{Type: ebpf.Kprobe, AttachType: at}
	}
}

func tracingSpec(at ebpf.AttachType) func(string) *ebpf.ProgramSpec {
	return func(fn string) *ebpf.ProgramSpec {
		return &ebpf.ProgramSpec{Type: ebpf.Tracing, AttachType: at, AttachTo: fn}
	}
}

func main() {
	fn := flag.String("func", "do_sys_openat2", "kernel function to probe")
	trigger := flag.String("trigger", "open", "syscall that reaches the function: open or getpid")
	calls := flag.Int("calls", 10, "number of syscalls to make")
	wait := flag.Bool("wait", false, "instead of making calls, print \"Attached\" and count every process's calls until SIGINT or SIGTERM (as a tracer would)")
	flag.Parse()
	call, ok := triggers[*trigger]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown -trigger", *trigger)
		os.Exit(2)
	}

	counts, err := ebpf.NewMap(&ebpf.MapSpec{
		Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: uint32(len(probes)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating map:", err)
		os.Exit(1)
	}
	pid := os.Getpid()
	// Catch the stop signal from the start, so that one arriving while
	// loading still ends in printed counts.
	stop := make(chan os.Signal, 1)
	if *wait {
		pid = 0
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	}

	var links []link.Link
	failed := map[string]error{}
	for i, p := range probes {
		spec := p.spec(*fn)
		spec.Name = p.kind
		spec.License = "GPL"
		spec.Instructions = counter(counts, uint32(i), pid)
		prog, err := ebpf.NewProgram(spec)
		if err != nil {
			failed[p.kind] = fmt.Errorf("load: %w", err)
			continue
		}
		l, err := p.attach(*fn, prog)
		if err != nil {
			prog.Close()
			failed[p.kind] = fmt.Errorf("attach: %w", err)
			continue
		}
		links = append(links, l)
	}

	if *wait {
		fmt.Println("Attached")
		<-stop
	} else {
		for range *calls {
			call()
		}
	}
	for _, l := range links {
		l.Close()
	}

	for i, p := range probes {
		if err := failed[p.kind]; err != nil {
			fmt.Printf("%s error: %v\n", p.kind, oneLine(err))
			continue
		}
		var n uint64
		if err := counts.Lookup(uint32(i), &n); err != nil {
			fmt.Printf("%s error: lookup: %v\n", p.kind, err)
			continue
		}
		fmt.Printf("%s %d\n", p.kind, n)
	}
}

// counter returns a program that adds one to counts[slot] when the
// current process is pid (any process if pid is 0), so that other
// processes calling the function do not disturb the count.
func counter(counts *ebpf.Map, slot uint32, pid int) asm.Instructions {
	var filter asm.Instructions
	if pid != 0 {
		filter = asm.Instructions{
			asm.FnGetCurrentPidTgid.Call(),
			asm.RSh.Imm(asm.R0, 32),
			asm.JNE.Imm(asm.R0, int32(pid), "out"),
		}
	}
	return append(filter, asm.Instructions{
		asm.StoreImm(asm.RFP, -8, 0, asm.Word),
		asm.StoreImm(asm.RFP, -4, int64(slot), asm.Word),
		asm.LoadMapPtr(asm.R1, counts.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	}...)
}

// oneLine keeps a verifier log or wrapped error on one output line.
func oneLine(err error) string {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return fmt.Sprintf("%v", ve)
	}
	s := err.Error()
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
