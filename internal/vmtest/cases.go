package vmtest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Case is one independent check run inside a shared VM boot by RunCases.
type Case struct {
	// Name identifies the case in results and failure messages; it must
	// be unique and match [A-Za-z0-9_.-]+ (subtest names work).
	Name string
	// Script is a busybox sh snippet, run in its own session with the
	// lib.sh helpers (waitfor) defined and $CASE_DIR naming a directory
	// where $CASE_DIR/stdout and $CASE_DIR/stderr collect its output.
	Script string
	// Timeout bounds the case; 0 means DefaultCaseTimeout. On expiry the
	// case's processes get SIGINT (gobpftrace, like bpftrace, then prints
	// its maps and exits), and SIGKILL 5 s later; TimedOut is set, and
	// Exit is usually 130 because the case's shell dies of the SIGINT
	// after its foreground command ends, so a timed-out case's last
	// command should be the tracer whose output is checked.
	Timeout time.Duration
}

// DefaultCaseTimeout bounds a Case whose Timeout is 0.
const DefaultCaseTimeout = 60 * time.Second

// CaseResult is what one Case produced.
type CaseResult struct {
	Stdout, Stderr string
	Exit           int
	TimedOut       bool
	Duration       time.Duration // as the VM's clock measured it
}

var caseNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// RunCases boots one VM holding cfg's files and runs the cases one after
// another, each with its own stdout, stderr, exit status and timeout, so
// many checks share a single boot (about 2.5 s each under emulation).
// cfg.Script, if set, runs first (for common setup); cfg.Timeout, if 0,
// is the sum of the case timeouts plus a margin. Infrastructure failures
// and cases that produced no result fail the test; results are keyed by
// Case.Name.
func RunCases(t testing.TB, cfg Config, cases []Case) map[string]CaseResult {
	t.Helper()
	Require(t)
	// Add to copies, not to the caller's map and slice.
	cfg.Contents = maps.Clone(cfg.Contents)
	if cfg.Contents == nil {
		cfg.Contents = map[string]string{}
	}
	cfg.Collect = slices.Clone(cfg.Collect)
	var script strings.Builder
	script.WriteString(cfg.Script)
	script.WriteString("\nmkdir -p " + guestDir + "/cases\n")
	total := 30 * time.Second
	seen := map[string]bool{}
	for _, c := range cases {
		if !caseNameRE.MatchString(c.Name) || seen[c.Name] {
			t.Fatalf("vmtest: case name %q must be unique and match %s", c.Name, caseNameRE)
		}
		seen[c.Name] = true
		timeout := c.Timeout
		if timeout == 0 {
			timeout = DefaultCaseTimeout
		}
		total += timeout + 5*time.Second
		secs := int((timeout + time.Second - 1) / time.Second)
		dir := guestDir + "/cases/" + c.Name
		cfg.Contents[dir+"/script"] = c.Script
		fmt.Fprintf(&script, "runcase %s %d\n", dir, secs)
		cfg.Collect = append(cfg.Collect, dir+"/stdout", dir+"/stderr", dir+"/exit", dir+"/timedout", dir+"/time")
	}
	cfg.Script = runcaseFunc + script.String()
	if cfg.Timeout == 0 {
		cfg.Timeout = total
	}
	res, err := Run(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stderr != "" {
		t.Logf("vmtest: stderr outside the cases:\n%s", res.Stderr)
	}
	out := map[string]CaseResult{}
	for _, c := range cases {
		dir := guestDir + "/cases/" + c.Name
		exit, ok := res.Files[dir+"/exit"]
		if !ok {
			t.Fatalf("vmtest: case %s left no result; VM stdout:\n%s\nstderr:\n%s", c.Name, res.Stdout, res.Stderr)
		}
		n, err := strconv.Atoi(strings.TrimSpace(exit))
		if err != nil {
			t.Fatalf("vmtest: case %s: bad exit status %q", c.Name, exit)
		}
		_, timedOut := res.Files[dir+"/timedout"]
		out[c.Name] = CaseResult{
			Stdout:   res.Files[dir+"/stdout"],
			Stderr:   res.Files[dir+"/stderr"],
			Exit:     n,
			TimedOut: timedOut,
			Duration: uptimeSpan(res.Files[dir+"/time"]),
		}
	}
	return out
}

// runcaseFunc runs $1/script in a new session (so that a timeout can
// signal every process it started) with a watchdog, leaving stdout,
// stderr, exit and, on timeout, timedout in $1. The case runs in the
// foreground because a non-interactive shell starts background commands
// with SIGINT ignored. Whatever the case left running is killed after
// it, so it cannot disturb the next case.
const runcaseFunc = `runcase() {
	(
		sleep "$2"
		_rc_pid=$(cat "$1/pid" 2>/dev/null)
		if [ -n "$_rc_pid" ] && kill -0 "$_rc_pid" 2>/dev/null; then
			: >"$1/timedout"
			kill -INT -- "-$_rc_pid" 2>/dev/null
			sleep 5
			kill -KILL -- "-$_rc_pid" 2>/dev/null
		fi
	) &
	_rc_wd=$!
	echo "vmtest: case $1" >/dev/console 2>/dev/null
	read _rc_t0 _rc_rest </proc/uptime
	setsid sh -c "echo \$\$ >$1/pid; export CASE_DIR=$1; . ` + guestLib + `; . $1/script" </dev/null >"$1/stdout" 2>"$1/stderr"
	echo $? >"$1/exit"
	read _rc_t1 _rc_rest </proc/uptime
	echo "$_rc_t0 $_rc_t1" >"$1/time"
	kill "$_rc_wd" 2>/dev/null
	kill -KILL -- "-$(cat "$1/pid")" 2>/dev/null
}
`

// uptimeSpan turns "t0 t1" (seconds from /proc/uptime) into t1-t0.
func uptimeSpan(s string) time.Duration {
	var t0, t1 float64
	if _, err := fmt.Sscan(s, &t0, &t1); err != nil {
		return 0
	}
	return time.Duration((t1 - t0) * float64(time.Second))
}
