package output

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// TestAgainstInstalledBpftrace runs the system's bpftrace (Debian's 0.17
// when installed) on a fixed program and compares the parts of its output
// whose format has not changed since: histogram and lhist bucket lines
// (with step >= 2; newer versions print one-value buckets as "[n]"),
// sorted keyed maps, tuples and printf. Headers differ ("@x: " then,
// "@x:" now) and are normalized.
func TestAgainstInstalledBpftrace(t *testing.T) {
	bin, err := exec.LookPath("bpftrace")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and an installed bpftrace")
	}
	prog := `BEGIN {
		@a = hist(-5); @a = hist(0); @a = hist(3); @a = hist(1000); @a = hist(1000); @a = hist(70000);
		@b = lhist(3000, 0, 10240, 1024); @b = lhist(20000, 0, 10240, 1024); @b = lhist(-3, 0, 10240, 1024);
		@c = lhist(7, 0, 100, 20); @c = lhist(55, 0, 100, 20); @c = lhist(55, 0, 100, 20);
		@d[1, "x"] = count(); @d[2, "y"] = count(); @d[2, "y"] = count(); @d[3, "z"] = count(); @d[3, "z"] = count(); @d[3, "z"] = count();
		@e = (1, "two", (3, 4));
		@f[-5] = sum(-3); @f[7] = sum(10); @f[8] = sum(4);
		@g = min(-4); @g = min(3); @h[1] = max(9); @h[2] = max(2); @i = avg(7); @i = avg(8);
		@j["bash"] = count(); @j["sshd"] = count(); @j["sshd"] = count();
		print((1, "a")); print(@j);
		printf("%-5d|%5s|%x|%c|%%|%lu|%05d|%-8s|\n", 42, "ab", 255, 65, 123, 42, "left");
		exit();
	}`
	cmd := exec.Command(bin, "-e", prog)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("bpftrace failed: %v\n%s", err, stderr.String())
	}
	got := strings.ReplaceAll(string(out), ": \n", ":\n") // old header style
	h0 := histAgg(0)
	lk := lhistAgg(0, 10240, 1024)
	l20 := lhistAgg(0, 100, 20)
	want := []string{
		Sprintf("%-5d|%5s|%x|%c|%%|%lu|%05d|%-8s|\n", []Value{Int(42), String("ab"), Int(255), Int(65), Uint(123), Int(42), String("left")}),
		FormatMapText(scalar("@a", h0, histOf(h0, -5, 0, 3, 1000, 1000, 70000)), 0, 0),
		FormatMapText(scalar("@b", lk, histOf(lk, 3000, 20000, -3)), 0, 0),
		FormatMapText(scalar("@c", l20, histOf(l20, 7, 55, 55)), 0, 0),
		FormatMapText(keyed("@d", agg(types.AggCount), Tuple{Int(1), String("x")}, Uint(1), Tuple{Int(2), String("y")}, Uint(2), Tuple{Int(3), String("z")}, Uint(3)), 0, 0),
		FormatMapText(scalar("@e", nil, Tuple{Int(1), String("two"), Tuple{Int(3), Int(4)}}), 0, 0),
		FormatMapText(keyed("@f", &types.Agg{Kind: types.AggSum, Signed: true}, Int(-5), Int(-3), Int(7), Int(10), Int(8), Int(4)), 0, 0),
	}
	want = append(want,
		FormatMapText(scalar("@g", &types.Agg{Kind: types.AggMin, Signed: true}, Int(-4)), 0, 0),
		FormatMapText(keyed("@h", agg(types.AggMax), Int(1), Uint(9), Int(2), Uint(2)), 0, 0),
		FormatMapText(scalar("@i", agg(types.AggAvg), Avg{Total: 15, Count: 2}), 0, 0),
		FormatValue(Tuple{Int(1), String("a")})+"\n"+FormatMapText(keyed("@j", agg(types.AggCount), String("bash"), Uint(1), String("sshd"), Uint(2)), 0, 0),
	)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("bpftrace output lacks:\n%s\nfull output:\n%s", w, got)
		}
	}
}
