package main

import (
	"reflect"
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		argv []string
		want func(a *args) bool
	}{
		{[]string{"-e", "begin {}"}, func(a *args) bool { return a.hasProgram && a.program == "begin {}" }},
		{[]string{"-ebegin{}"}, func(a *args) bool { return a.program == "begin{}" }},
		{[]string{"-qe", "x"}, func(a *args) bool { return a.quiet && a.program == "x" }},
		{[]string{"script.bt", "a", "b"}, func(a *args) bool {
			return a.filename == "script.bt" && reflect.DeepEqual(a.params, []string{"a", "b"})
		}},
		{[]string{"-e", "p", "p1", "--", "--aa=20", "--bb", "p2"}, func(a *args) bool {
			return reflect.DeepEqual(a.params, []string{"p1", "p2"}) && a.named["aa"] == "20" && a.named["bb"] == ""
		}},
		{[]string{"-lv", "tracepoint:*"}, func(a *args) bool { return a.listing && a.verbose && a.search == "tracepoint:*" }},
		{[]string{"-l"}, func(a *args) bool { return a.listing && a.search == "" }},
		{[]string{"--dry-run", "-f", "json", "-B", "none", "-o", "out", "x.bt"}, func(a *args) bool {
			return a.dryRun && a.format == "json" && a.buffer == "none" && a.outFile == "out" && a.filename == "x.bt"
		}},
		{[]string{"--emit=asm", "-e", "x"}, func(a *args) bool { return a.emit == "asm" }},
		{[]string{"--emit", "ast", "-e", "x"}, func(a *args) bool { return a.emit == "ast" }},
		{[]string{"-d", "ast,verifier", "-e", "x"}, func(a *args) bool { return a.debugs("ast") && a.debugs("verifier") && !a.debugs("asm") }},
		{[]string{"-d", "all", "-e", "x"}, func(a *args) bool { return a.debugs("asm") }},
		{[]string{"--no-feature", "kprobe,fentry", "-e", "x"}, func(a *args) bool {
			return reflect.DeepEqual(a.noFeatures, []string{"kprobe", "fentry"})
		}},
		{[]string{"-c", "ls -l", "-e", "x"}, func(a *args) bool { return a.cmd == "ls -l" }},
		{[]string{"-p", "42", "-e", "x"}, func(a *args) bool { return a.pid == "42" }},
		{[]string{"--fmt", "f.bt"}, func(a *args) bool { return a.fmtWanted && a.fmtFile == "f.bt" }},
		{[]string{"-"}, func(a *args) bool { return a.filename == "-" }},
		{[]string{"-V"}, func(a *args) bool { return a.version }},
		{[]string{"--unsafe", "-e", "x"}, func(a *args) bool { return a.unsafe }},
	}
	for _, tc := range tests {
		a, err := parseArgs(tc.argv)
		if err != nil {
			t.Errorf("%q: %v", tc.argv, err)
			continue
		}
		if !tc.want(a) {
			t.Errorf("%q: parsed as %+v", tc.argv, a)
		}
	}
	for _, bad := range [][]string{{"-e"}, {"--nope"}, {"-B", "x"}, {"-c", "a", "-p", "1"}, {"-Z"}, {"--emit", "elf"}, {"-d", "nope"}, {"--unsafe=1"}} {
		if _, err := parseArgs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSplitCommandIsShellLike(t *testing.T) {
	// runtime.SplitCommand is what -c uses.
	got, err := runtime.SplitCommand(`sh -c 'echo "a b"' x\ y "q\"z"`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sh", "-c", `echo "a b"`, "x y", `q"z`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
