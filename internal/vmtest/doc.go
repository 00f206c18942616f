// Package vmtest runs tests inside a QEMU virtual machine booting Debian's
// 6.1 cloud kernel, for what this machine's kernel cannot do: kprobes,
// kretprobes, fentry/fexit (the host kernel lacks CONFIG_KPROBES and
// refuses BPF tracing programs). The VM kernel has kprobes, fentry/fexit,
// BTF (/sys/kernel/btf/vmlinux) and a readable available_filter_functions,
// but no kprobe.multi (link.KprobeMulti fails) and, under emulation, no
// KVM. Boots take about 2 s, so batch many checks into one boot.
//
// # Setting up
//
// `make vm-setup` (scripts/vm/setup.sh, run as root) installs
// qemu-system-x86, busybox-static and cpio with apt and caches the newest
// linux-image-6.1.0-*-cloud-amd64's vmlinuz under CacheDir(), with one of
// its modules (binfmt_misc.ko, see ModulePath) for module probes. Tests call
// Require (Run and RunCases do too): it skips with -short or when not
// root, runs setup.sh once when root and something is missing, and fails
// if that does not help. Available reports what is missing.
//
// # What the VM is
//
// An uncompressed newc initramfs holding a static busybox with its applet
// links, the files of Config.Files and Config.Contents, and an /init that
// mounts proc, sysfs, devtmpfs, tracefs (/sys/kernel/tracing), debugfs,
// bpffs (/sys/fs/bpf) and a tmpfs /tmp, runs Config.Script as root with
// sh, prints the results base64-encoded between marker lines on the serial
// console, and powers off. Run parses them into Result (Stdout, Stderr,
// Exit, Dmesg and the Config.Collect files). Everything in the VM must be
// statically linked: build Go programs with BuildStatic (CGO_ENABLED=0)
// and test binaries with BuildStaticTest.
//
// # Writing a VM test of gobpftrace
//
// Build the gobpftrace binary once, then run each check as a Case of one
// RunCases call. Each case gets its own stdout, stderr, exit status and
// timeout (SIGINT on expiry, so gobpftrace prints its maps and exits, then
// SIGKILL); whatever a case leaves running is killed before the next case.
// Scripts can use lib.sh's waitfor FILE REGEX [SECS] to trigger events only
// once the tracer has attached:
//
//	func TestKprobeInVM(t *testing.T) {
//		vmtest.Require(t) // skip early, before building
//		bin := vmtest.BuildGobpftrace(t)
//		res := vmtest.RunCases(t, vmtest.Config{
//			Files: map[string]string{"/bin/gobpftrace": bin},
//		}, []vmtest.Case{
//			{Name: "kprobe-count", Script: `
//	gobpftrace -e 'kprobe:do_sys_openat2 /comm == "cat"/ { @n = count(); }
//	               interval:s:1 { exit(); }' >/tmp/out 2>&1 &
//	waitfor /tmp/out '^Attaching' 30 || exit 1
//	cat /etc/passwd >/dev/null
//	wait
//	cat /tmp/out`},
//			{Name: "fentry-args", Timeout: 20 * time.Second, Script: `
//	gobpftrace -e 'fentry:do_sys_openat2 { printf("%s\n", str(args.filename)); exit(); }' -c 'cat /etc/hostname'`},
//		})
//		if got := res["kprobe-count"]; got.Exit != 0 || !strings.Contains(got.Stdout, "@n: ") {
//			t.Errorf("kprobe-count: %+v", got)
//		}
//		// ...
//	}
//
// Notes for such tests:
//   - The syscall wrappers __x64_sys_* take kprobes but are not in the 6.1
//     BTF, so fentry on them fails; do_sys_openat2 (reached from open) works
//     with kprobe, kretprobe, fentry and fexit.
//   - Go programs make system calls of their own (getpid for preemption
//     signals, opens while loading): filter on comm or pid, or count
//     "at least".
//   - Emulation is slower than the host (about 4 times for CPU-bound code,
//     more for system calls): use generous timeouts and prefer exit() or
//     waitfor over fixed sleeps.
//   - Put t.Parallel() in VM tests: two VMs share the two CPUs well.
//   - testdata/vm/probecheck (run by this package's TestVM) shows the same
//     probes attached directly with cilium/ebpf, and is a quick way to see
//     whether a probe kind works on a kernel: probecheck -func F -trigger open.
//
// # Debugging
//
// Run and RunCases report a VM that dies or hangs with the tail of its
// console. GOBPFTRACE_VM_CONSOLE=1 with go test -v copies the console to
// stderr live; GOBPFTRACE_VM_APPEND="loglevel=7" adds the call traces of
// the guest's stall reports to it. Each case announces itself on the
// console as it starts ("vmtest: case NAME"), so a stall names the case it
// happened in. Result.Console and Result.Dmesg keep it all. The kernel
// booted is KernelPath() (GOBPFTRACE_VM_KERNEL overrides it) and
// KernelPackage() names its Debian package. BenchmarkBoot times one boot.
package vmtest
