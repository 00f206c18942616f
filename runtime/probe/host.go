package probe

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
)

// HostOptions configure the real host.
type HostOptions struct {
	// NoFeatures switches features off as if the kernel lacked them
	// (bpftrace's --no-feature): "kprobe", "kprobe_multi", "fentry" (or
	// "kfunc"), "pmu" (or "hardware"), "iter".
	NoFeatures []string
}

// KnownFeatures are the names NoFeatures accepts.
var KnownFeatures = []string{"kprobe", "kprobe_multi", "fentry", "kfunc", "pmu", "hardware", "iter"}

// RealHost is the probe.Host of the running system: tracefs, kernel BTF,
// kallsyms, and feature probes, each read lazily and once.
type RealHost struct {
	opts HostOptions

	featOnce sync.Once
	feat     Features
	fentErr  error // why fentry does not work here, for messages

	funcsOnce sync.Once
	funcs     []KFunc
	funcsErr  error
}

// NewHost returns the host for this machine.
func NewHost(opts HostOptions) (*RealHost, error) {
	for _, f := range opts.NoFeatures {
		ok := false
		for _, k := range KnownFeatures {
			ok = ok || f == k
		}
		if !ok {
			return nil, fmt.Errorf("unknown feature %q for --no-feature (known: %s)", f, strings.Join(KnownFeatures, ", "))
		}
	}
	return &RealHost{opts: opts}, nil
}

// TracepointFormat reads a tracepoint's format file, mounting tracefs if needed.
func (h *RealHost) TracepointFormat(category, event string) (string, error) {
	tf, err := MountTracefs()
	if err != nil {
		return "", err
	}
	return tf.Format(category, event)
}

// Tracepoints lists "category:event" from tracefs.
func (h *RealHost) Tracepoints() ([]string, error) {
	tf, err := MountTracefs()
	if err != nil {
		return nil, err
	}
	return tf.Events()
}

// KernelBTF returns vmlinux BTF (modules load on demand).
func (h *RealHost) KernelBTF() (*kbtf.Kernel, error) { return kbtf.Load() }

// KernelFuncs lists traceable kernel functions: available_filter_functions
// where it is readable; otherwise (it is EPERM under lockdown here) the BTF
// functions of vmlinux and modules, as bpftrace does. (Intersecting with
// /proc/kallsyms would drop inlined functions, but reading kallsyms costs
// ~350 ms here.)
func (h *RealHost) KernelFuncs() ([]KFunc, error) {
	h.funcsOnce.Do(func() {
		if tf, err := MountTracefs(); err == nil {
			if fs, err := tf.FilterFunctions(); err == nil && len(fs) > 0 {
				h.funcs = fs
				return
			}
		}
		h.funcs, h.funcsErr = btfFuncs()
	})
	return h.funcs, h.funcsErr
}

// btfFuncs lists BTF functions of vmlinux and of modules with BTF.
func btfFuncs() ([]KFunc, error) {
	k, err := kbtf.Load()
	if err != nil {
		return nil, err
	}
	var out []KFunc
	for _, m := range append([]string{"vmlinux"}, k.Modules()...) {
		names, err := k.FuncNames(m)
		if err != nil {
			if m == "vmlinux" {
				return nil, err
			}
			continue
		}
		seen := make(map[string]bool, len(names))
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, KFunc{Module: m, Name: n})
			}
		}
	}
	return out, nil
}

// Features probes what the kernel can do, once.
func (h *RealHost) Features() Features {
	h.featOnce.Do(func() {
		off := map[string]bool{}
		for _, f := range h.opts.NoFeatures {
			off[f] = true
		}
		f := Features{}
		f.Kprobe = !off["kprobe"] && haveKprobes()
		f.KprobeMulti = f.Kprobe && !off["kprobe_multi"] && haveKprobeMulti()
		// Only the kprobe fallback needs to know whether fentry works, so
		// the probe (a program load, ~15 ms) runs only without kprobes.
		switch {
		case off["fentry"] || off["kfunc"]:
			h.fentErr = errors.New("fentry is switched off (--no-feature)")
		case f.Kprobe:
			f.Fentry = true
		default:
			h.fentErr = probeFentry()
			f.Fentry = h.fentErr == nil
		}
		f.Iter = f.Fentry && !off["iter"]
		f.PMU = !off["pmu"] && !off["hardware"] && havePMU()
		h.feat = f
	})
	return h.feat
}

// FentryError says why fentry is unavailable (nil when it works), probing
// it if Features did not need to.
func (h *RealHost) FentryError() error {
	if h.Features().Kprobe && h.fentErr == nil {
		return probeFentry()
	}
	return h.fentErr
}

func haveKprobes() bool {
	if _, err := os.Stat("/sys/bus/event_source/devices/kprobe/type"); err == nil {
		return true
	}
	if tf, err := MountTracefs(); err == nil {
		return tf.HasKprobeEvents()
	}
	return false
}

func haveKprobeMulti() bool {
	return featureKprobeMulti() == nil
}

// probeFentry loads and attaches an empty fentry program to a function that
// every kernel has; the kernel's answer (EPERM here) is the reason we report.
func probeFentry() error {
	spec := &ebpf.ProgramSpec{
		Type:       ebpf.Tracing,
		AttachType: ebpf.AttachTraceFEntry,
		AttachTo:   "security_file_open",
		License:    "GPL",
		Instructions: asm.Instructions{
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
	}
	prog, err := LoadProgram(nil, spec, ebpf.ProgramOptions{}) // shares the checker's decoded BTF
	if err != nil {
		if errors.Is(err, unix.EPERM) { // not cilium's MEMLOCK hint: the kernel refuses the type
			err = unix.EPERM
		}
		return fmt.Errorf("loading a tracing program: %w", unwrapVerifier(err))
	}
	defer prog.Close()
	l, err := link.AttachTracing(link.TracingOptions{Program: prog})
	if err != nil {
		return fmt.Errorf("attaching a tracing program: %w", err)
	}
	return l.Close()
}

// unwrapVerifier drops a verifier log from an error: the errno is the reason.
func unwrapVerifier(err error) error {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return ve.Cause
	}
	return err
}

// havePMU reports whether hardware perf events can be opened.
func havePMU() bool {
	attr := unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_HARDWARE,
		Config: unix.PERF_COUNT_HW_CPU_CYCLES,
		Size:   uint32(perfAttrSize),
		Bits:   unix.PerfBitDisabled,
	}
	fd, err := unix.PerfEventOpen(&attr, -1, 0, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// btfOf returns the host's kernel BTF.
func btfOf(h Host) (*kbtf.Kernel, error) {
	if bh, ok := h.(BTFHost); ok {
		return bh.KernelBTF()
	}
	return nil, kbtf.ErrNoBTF
}
