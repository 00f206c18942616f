package probe

import (
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"strings"
	"testing"
	"time"
)

// Start-up cost of resolving probes in a fresh process (nothing cached):
// issue 4 asks for < 50 ms with fentry probes, issue 3 for ~11 ms from exec
// to attached, so tracepoints must not pay for BTF.
func TestStartupTiming(t *testing.T) {
	requireRoot(t)
	if raw := os.Getenv("PROBE_STARTUP_CHILD"); raw != "" {
		h := newHost(t)
		t0 := time.Now()
		for _, r := range strings.Split(raw, ",") {
			p, ts := resolve(t, h, r)
			for _, tg := range ts {
				if _, err := p.Context(tg, h); err != nil {
					t.Fatal(err)
				}
			}
		}
		fmt.Printf("STARTUP %d\n", time.Since(t0).Microseconds())
		return
	}
	for _, c := range []struct {
		probes string
		limit  time.Duration
	}{
		{"tracepoint:syscalls:sys_enter_openat,tracepoint:sched:sched_switch", 10 * time.Millisecond},
		{"interval:s:1,profile:hz:99,software:cs:1", 5 * time.Millisecond},
		{"fentry:vfs_read,fexit:vfs_write", 50 * time.Millisecond},
		{"rawtracepoint:sched_switch", 50 * time.Millisecond},
		{"kprobe:vfs_read,kretprobe:vfs_read", 50 * time.Millisecond},
		{"fentry:vfs_*", 100 * time.Millisecond},
	} {
		// The best of three fresh processes: other packages' tests (VMs)
		// may be using the CPUs at the same time.
		var us int64 = -1
		for run := 0; run < 3; run++ {
			cmd := exec.Command(os.Args[0], "-test.run", "^TestStartupTiming$")
			cmd.Env = append(os.Environ(), "PROBE_STARTUP_CHILD="+c.probes)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", c.probes, err, out)
			}
			for _, line := range strings.Split(string(out), "\n") {
				if v, ok := strings.CutPrefix(line, "STARTUP "); ok {
					var n int64
					fmt.Sscan(v, &n)
					if us < 0 || n < us {
						us = n
					}
				}
			}
		}
		d := time.Duration(us) * time.Microsecond
		t.Logf("%-70s %v", c.probes, d)
		if load, busy := machineBusy(); busy {
			t.Logf("machine busy (load average %.1f): not checked", load)
		} else if d > c.limit {
			t.Errorf("%s: %v, want < %v", c.probes, d, c.limit)
		}
	}
}

// machineBusy reports whether the 1-minute load average exceeds the CPU
// count (other packages' VM tests running alongside under go test ./...),
// when wall-clock limits would measure the contention, not the code.
func machineBusy() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	var load float64
	fmt.Sscan(string(b), &load)
	return load, load > float64(goruntime.NumCPU())
}
