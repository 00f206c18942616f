package repl

import (
	"io"
	"slices"
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

func testCompleter(t *testing.T) *completer {
	t.Helper()
	host, err := probe.NewHost(probe.HostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(Options{}, host, &terminal{w: io.Discard})
	t.Cleanup(func() { s.finish(false) })
	return &completer{s: s}
}

func TestCompletion(t *testing.T) {
	requireRoot(t) // tracefs and BTF are readable by root
	c := testCompleter(t)
	c.s.mapNames = []string{"@calls", "@bytes"}
	for _, tc := range []struct {
		pending, line string
		word          string
		want          string // one of the candidates
		only          bool   // the only candidate
	}{
		{line: "tracepoint:syscalls:sys_enter_getpp", word: "tracepoint:syscalls:sys_enter_getpp", want: "tracepoint:syscalls:sys_enter_getppid", only: true},
		{line: "tracepoint:sysca", word: "tracepoint:sysca", want: "tracepoint:syscalls:", only: true},
		{line: "t:syscalls:sys_exit_getpp", word: "t:syscalls:sys_exit_getpp", want: "t:syscalls:sys_exit_getppid", only: true},
		{line: "tracepoint:syscalls:sys_enter_getppid, tracepoint:syscalls:sys_exit_getpp", word: "tracepoint:syscalls:sys_exit_getpp", want: "tracepoint:syscalls:sys_exit_getppid"},
		{line: "kprobe:vfs_rea", word: "kprobe:vfs_rea", want: "kprobe:vfs_read"},
		{line: "tracep", word: "tracep", want: "tracepoint:"},
		{line: "interval:", word: "interval:", want: "interval:ms:"},
		{line: "begin { printf(\"%d\\n\", nse", word: "nse", want: "nsecs"},
		{line: "begin { print(@ca", word: "@ca", want: "@calls", only: true},
		{pending: "tracepoint:syscalls:sys_enter_getppid {", line: "  @x = @by", word: "@by", want: "@bytes", only: true},
		{line: "begin { $p = curtask->real_pare", word: "real_pare", want: "real_parent", only: true},
		{line: "begin { $p = curtask->mm->mmap_ba", word: "mmap_ba", want: "mmap_base"},
		{line: "begin { $t = (struct task_struct *)curtask; print($t->pi", word: "pi", want: "pid"},
		{line: "begin { print(((struct file *)0)->f_po", word: "f_po", want: "f_pos"},
		{line: "tracepoint:syscalls:sys_enter_openat { print(str(args.filen", word: "filen", want: "filename", only: true},
		{pending: "tracepoint:syscalls:sys_enter_openat\n{", line: "  printf(\"%s\", str(args.fil", word: "fil", want: "filename", only: true},
		{line: "begin { $t = (struct task_stru", word: "task_stru", want: "task_struct"},
		{line: "uprobe:/bin/b", word: "uprobe:/bin/b", want: "uprobe:/bin/bash"},
		{line: "uprobe:/bin/bash:readl", word: "uprobe:/bin/bash:readl", want: "uprobe:/bin/bash:readline"},
		{line: ".det", word: ".det", want: ".detach", only: true},
		{line: ".clear @", word: "@", want: "@calls"},
		{line: ".list tracepoint:syscalls:sys_enter_getpp", word: "tracepoint:syscalls:sys_enter_getpp", want: "tracepoint:syscalls:sys_enter_getppid"},
	} {
		word, cands := c.candidates(tc.pending, tc.line)
		if word != tc.word || !slices.Contains(cands, tc.want) || (tc.only && len(cands) != 1) {
			n := min(len(cands), 10)
			t.Errorf("complete %q: word %q, %d candidates %q; want word %q with %q (only: %v)", tc.line, word, len(cands), cands[:n], tc.word, tc.want, tc.only)
		}
	}
}

// TestCompletionDo checks what readline receives: suffixes and the word length.
func TestCompletionDo(t *testing.T) {
	requireRoot(t)
	c := testCompleter(t)
	line := []rune("tracepoint:syscalls:sys_enter_getpp")
	got, n := c.Do(line, len(line))
	if n != len(line) || len(got) != 1 || string(got[0]) != "id" {
		t.Fatalf("Do = %q, %d", got, n)
	}
}
