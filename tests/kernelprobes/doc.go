// Package kernelprobes proves kernel-function probes and BTF-typed kernel
// data end to end through the real gobpftrace binary (issue 4):
//
//   - vm_test.go: in a QEMU VM booting Debian's 6.1 kernel (kprobes,
//     fentry/fexit, BTF; see internal/vmtest), kprobe/kretprobe arguments
//     and return values, fentry/fexit args and nested struct fields,
//     wildcards, +offset, module:function, the --no-feature kprobe
//     fallback, kernel stacks and the func/probe builtins, listings and
//     start-up timings — all in one boot;
//   - host_test.go: on this machine (no kprobes, no fentry), struct access
//     through curtask, casts, BTF enums, raw tracepoint args, kstack from a
//     tracepoint, ksym/kaddr, struct printing, sizeof/offsetof, the errors
//     for kprobe/fentry here, and -l/-lv listings checked against tracefs
//     and BTF;
//   - startup_test.go: BenchmarkStartup* time a fresh gobpftrace process
//     up to loading (parse, check with BTF, codegen) for fentry probes.
//
// The tests need root (they skip otherwise) and, for the VM, what `make
// vm-setup` installs. GOBPFTRACE_BIN=path runs them against a prebuilt
// binary instead of building ./cmd/gobpftrace.
package kernelprobes
