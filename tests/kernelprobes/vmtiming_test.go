package kernelprobes

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/internal/vmtest"
)

// timingCase times gobpftrace --dry-run with fentry probes in the VM
// (load and attach included, which this host cannot do): the -v phase
// timings of three runs, and their mean wall time from exec to exit
// (/proc/uptime: 10 ms resolution).
var timingCase = vmtest.Case{Name: "startup-timing", Script: `
cs() { read u _ </proc/uptime; echo $(( ${u%.*} * 100 + ${u#*.} )); }
for p in 'fentry:vfs_read { @ = count(); }' 'fentry:vfs_read { @ = count(); } fexit:vfs_write { @w = hist(retval); }' 'kprobe:vfs_read { @ = count(); }' 'tracepoint:syscalls:sys_enter_read { @ = count(); }'; do
	echo "PROG $p"
	t0=$(cs)
	for i in 1 2 3; do
		gobpftrace -v --dry-run -e "$p" >/dev/null 2>/tmp/timing.err
		grep -E '^(parse|check|compile|maps|load|attach): ' /tmp/timing.err
	done
	t1=$(cs)
	echo "wall: $(( (t1 - t0) * 10 / 3 )) ms"
done
`}

var phaseLine = regexp.MustCompile(`^(parse|check|compile|maps|load|attach): ([0-9.]+) ms$`)

// reportTiming logs the median of each phase per program (and the mean wall time): the figures
// issue 4 asks for (start-up < 50 ms on real hardware; the VM emulates
// the CPU, several times slower).
func reportTiming(t *testing.T, r vmtest.CaseResult) {
	type key struct{ prog, phase string }
	vals := map[key][]float64{}
	var progs []string
	prog := ""
	for _, l := range strings.Split(r.Stdout, "\n") {
		switch {
		case strings.HasPrefix(l, "PROG "):
			if p := strings.TrimPrefix(l, "PROG "); p != prog {
				prog = p
				progs = append(progs, p)
			}
		case strings.HasPrefix(l, "wall: "):
			ms, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			vals[key{prog, "wall"}] = append(vals[key{prog, "wall"}], ms)
		default:
			if m := phaseLine.FindStringSubmatch(l); m != nil {
				ms, _ := strconv.ParseFloat(m[2], 64)
				vals[key{prog, m[1]}] = append(vals[key{prog, m[1]}], ms)
			}
		}
	}
	if len(progs) == 0 {
		t.Errorf("no timings from the VM:\n%s\n%s", r.Stdout, r.Stderr)
		return
	}
	for _, p := range progs {
		var b strings.Builder
		for _, ph := range []string{"parse", "check", "compile", "maps", "load", "attach", "wall"} {
			if v := vals[key{p, ph}]; len(v) > 0 {
				b.WriteString(" " + ph + "=" + strconv.FormatFloat(median(v), 'f', 1, 64) + "ms")
			}
		}
		t.Logf("VM start-up %-80q%s", p, b.String())
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
