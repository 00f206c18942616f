package probe

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gobpftrace/gobpftrace/lang/ast"
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
			h.fentErr = errors.New("switched off with --no-feature")
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
	prog, err := ebpf.NewProgram(spec)
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

// ---------------------------------------------------------------- shared helpers

// apErrorf makes an *AttachPointError.
func apErrorf(ap *ast.AttachPoint, format string, args ...any) error {
	return &AttachPointError{AP: ap, Msg: fmt.Sprintf(format, args...)}
}

// argCountError is bpftrace's message for a wrong number of fields.
func argCountError(ap *ast.AttachPoint, provider string, want ...int) error {
	w := strconv.Itoa(want[0])
	if len(want) > 1 {
		w += " or " + strconv.Itoa(want[1])
	}
	return apErrorf(ap, "%s probe type requires %s arguments, found %d", provider, w, len(ap.Parts))
}

// ParseUint parses an integer the way bpftrace's attach points do: decimal,
// 0x hex, 0b binary, 0-prefixed octal, '_' separators, "1e6" exponents, and
// time suffixes ns/us/ms/s/m/h/d (in nanoseconds).
func ParseUint(s string) (uint64, error) {
	n := strings.ReplaceAll(s, "_", "")
	if n == "" {
		return 0, fmt.Errorf("invalid integer: %s", s)
	}
	base := 10
	switch {
	case len(n) > 2 && (n[:2] == "0x" || n[:2] == "0X"):
		base, n = 16, n[2:]
	case len(n) > 2 && (n[:2] == "0b" || n[:2] == "0B"):
		base, n = 2, n[2:]
	case len(n) > 1 && n[0] == '0' && n[1] >= '0' && n[1] <= '7':
		base, n = 8, n[1:]
	}
	end := 0
	for end < len(n) && digitOK(n[end], base) {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("invalid integer: %s", s)
	}
	v, err := strconv.ParseUint(n[:end], base, 64)
	if err != nil {
		return 0, fmt.Errorf("overflow error, maximum value is 18446744073709551615: %s", s)
	}
	rest := n[end:]
	if base == 10 && len(rest) >= 2 && (rest[0] == 'e' || rest[0] == 'E') && rest[1] >= '1' && rest[1] <= '9' {
		if v < 1 || v > 9 {
			return 0, fmt.Errorf("coefficient part of scientific literal must be 1-9: %s", s)
		}
		k := 1
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		exp, _ := strconv.Atoi(rest[1:k])
		for ; exp > 0; exp-- {
			if v > ^uint64(0)/10 {
				return 0, fmt.Errorf("overflow error, maximum value is 18446744073709551615: %s", s)
			}
			v *= 10
		}
		rest = rest[k:]
	}
	mult := map[string]uint64{"": 1, "u": 1, "ul": 1, "ull": 1, "l": 1, "ll": 1,
		"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9, "d": 86400e9}
	suffix := rest
	if strings.Trim(suffix, "uUlL") == "" {
		suffix = strings.ToLower(suffix)
	}
	m, ok := mult[suffix]
	if !ok {
		return 0, fmt.Errorf("invalid trailing bytes: %s", s)
	}
	if v > ^uint64(0)/m {
		return 0, fmt.Errorf("overflow error, maximum value is 18446744073709551615: %s", s)
	}
	return v * m, nil
}

func digitOK(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '9':
		return int(c-'0') < base
	case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		return base == 16
	}
	return false
}

// btfOf returns the host's kernel BTF.
func btfOf(h Host) (*kbtf.Kernel, error) {
	if bh, ok := h.(BTFHost); ok {
		return bh.KernelBTF()
	}
	return nil, kbtf.ErrNoBTF
}
