package vmtest

import (
	"strings"
	"testing"
)

func TestBootSmoke(t *testing.T) {
	res, err := Run(t, Config{Script: `uname -r; ls /sys/kernel/btf/vmlinux; grep -c . /sys/kernel/tracing/available_filter_functions; echo err >&2; exit 3`})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("duration %v\nstdout:\n%s\nstderr:\n%s\nexit %d", res.Duration, res.Stdout, res.Stderr, res.Exit)
	if !strings.HasPrefix(res.Stdout, "6.1.") {
		t.Errorf("console:\n%s", res.Console)
	}
}
