package vmtest

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestParseConsole checks the console protocol without a VM: carriage
// returns from the serial line, kernel lines before the script, and
// missing end markers.
func TestParseConsole(t *testing.T) {
	const m = "@@VMTEST-0123"
	console := strings.Join([]string{
		"[    0.1] kernel noise",
		m + " begin",
		m + " stdout", b64("out\nput\n"),
		m + " stderr", b64(""),
		m + " dmesg", b64("log"),
		m + " file /tmp/x", b64("x"),
		m + " exit 2",
		"[    3.0] reboot: Power down",
	}, "\r\n")
	res := &Result{Console: console}
	if err := parseConsole(res, m); err != nil {
		t.Fatal(err)
	}
	if res.Stdout != "out\nput\n" || res.Stderr != "" || res.Dmesg != "log" || res.Exit != 2 || res.Files["/tmp/x"] != "x" {
		t.Errorf("parsed %+v", res)
	}

	res = &Result{Console: m + " begin\r\n[  2.0] Kernel panic\r\n"}
	if err := parseConsole(res, m); err != errNoEnd {
		t.Errorf("truncated console: err %v, want errNoEnd", err)
	}
	// A marker from another run is only data.
	res = &Result{Console: "@@VMTEST-9999 exit 0\n"}
	if err := parseConsole(res, m); err != errNoEnd {
		t.Errorf("foreign marker: err %v, want errNoEnd", err)
	}
}

// TestConsoleWatch: a stall marker split across writes is seen once, the
// output passes through whole, case lines are progress, and a stalled guest
// counts as hung only after a quiet spell.
func TestConsoleWatch(t *testing.T) {
	var out bytes.Buffer
	calls := 0
	w := &consoleWatch{w: &out, marker: "@@M", progressAt: time.Now(), onStall: func() { calls++ }}
	for _, chunk := range []string{"boot ok\r\nvmtest: case /vmtest/cases/kprobe-args\n[ 30.1] rcu: INFO: rcu_sched self-det", "ected stall on CPU\n", "[ 38.5] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"} {
		w.Write([]byte(chunk))
	}
	if !w.isStalled() || calls != 1 {
		t.Errorf("stalled %v, onStall called %d times", w.isStalled(), calls)
	}
	if !strings.Contains(out.String(), "self-detected stall on CPU\n[ 38.5]") {
		t.Errorf("output not passed through: %q", out.String())
	}
	if got := w.caseName(); got != "kprobe-args" {
		t.Errorf("case %q, want kprobe-args", got)
	}
	if w.hung(time.Minute) || !w.hung(0) {
		t.Errorf("hung: %v within a minute of the stall, %v at once", w.hung(time.Minute), w.hung(0))
	}
	w.stallAt = time.Now().Add(-time.Hour)
	w.progressAt = w.stallAt
	w.Write([]byte("@@M stdout\n"))
	if w.hung(time.Minute) {
		t.Error("results being printed counted as hung")
	}
	preempt := &consoleWatch{w: &out}
	preempt.Write([]byte("[ 38.5] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"))
	if !preempt.isStalled() {
		t.Error("rcu_preempt's stall report not seen")
	}
	quiet := &consoleWatch{w: &out}
	quiet.Write([]byte("a normal boot\n"))
	if quiet.isStalled() || quiet.hung(0) {
		t.Error("a normal console reported as a stall")
	}
}
