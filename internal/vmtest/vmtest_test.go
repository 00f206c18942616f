package vmtest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestVM boots the VM once and checks, from one script, that the kernel
// is the 6.1 cloud kernel with BTF and kprobe support, that the harness
// separates stdout, stderr and the exit status, and that kprobes,
// kretprobes, fentry and fexit really count calls (testdata/vm/probecheck).
func TestVM(t *testing.T) {
	Require(t)
	probecheck := BuildStatic(t, "./testdata/vm/probecheck")

	res, err := Run(t, Config{
		Files:    map[string]string{"/bin/probecheck": probecheck},
		Contents: map[string]string{"/etc/vmtest-note": "hello from the host\n"},
		Script: `
echo "uname $(uname -r)"
ls /sys/kernel/btf/vmlinux
test -e /sys/kernel/tracing/kprobe_events && echo kprobe_events present
echo "filter_functions $(grep -c . /sys/kernel/tracing/available_filter_functions)"
cat /etc/vmtest-note
probecheck -func do_sys_openat2 -trigger open -calls 10
echo "to stderr" >&2
exit 7
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("VM run took %v (%s)", res.Duration, KernelPackage())
	if testing.Verbose() {
		t.Logf("stdout:\n%s", res.Stdout)
	}

	if res.Exit != 7 {
		t.Errorf("exit status %d, want 7", res.Exit)
	}
	if res.Stderr != "to stderr\n" {
		t.Errorf("stderr %q, want %q", res.Stderr, "to stderr\n")
	}
	out := res.Stdout
	for _, want := range []string{
		"/sys/kernel/btf/vmlinux\n",
		"kprobe_events present\n",
		"hello from the host\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^uname 6\.1\.`).MatchString(out) {
		t.Errorf("kernel is not 6.1:\n%s", out)
	}
	if m := regexp.MustCompile(`(?m)^filter_functions (\d+)$`).FindStringSubmatch(out); m == nil {
		t.Errorf("available_filter_functions unreadable:\n%s", out)
	} else if n, _ := strconv.Atoi(m[1]); n < 1000 {
		t.Errorf("only %d traceable functions", n)
	}
	// Each probe fires at least once per open (the probes attached first
	// also see the opens made while attaching the others). kprobe.multi
	// is reported for information only: 6.1's cloud kernel lacks it.
	for _, kind := range []string{"kprobe", "kretprobe", "fentry", "fexit"} {
		m := regexp.MustCompile(`(?m)^` + kind + ` (\d+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("%s did not work:\n%s", kind, out)
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n < 10 {
			t.Errorf("%s counted %d calls, want at least 10", kind, n)
		}
	}
	if m := regexp.MustCompile(`(?m)^kprobe_multi .*$`).FindString(out); m != "" {
		t.Logf("%s", m)
	}
}
