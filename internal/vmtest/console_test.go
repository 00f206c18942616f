package vmtest

import (
	"encoding/base64"
	"strings"
	"testing"
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
