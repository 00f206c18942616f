package repl

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/parser"
)

// bpfLinks counts this process's BPF links and perf events: what stays
// attached. Detached perf events are closed in the background (closing
// one takes the kernel tens of milliseconds), so it waits up to a few
// seconds for the count to drop to want.
func bpfLinksSettle(t *testing.T, want int) int {
	n := bpfLinks(t)
	for deadline := time.Now().Add(5 * time.Second); n > want && time.Now().Before(deadline); n = bpfLinks(t) {
		time.Sleep(20 * time.Millisecond)
	}
	return n
}

func bpfLinks(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil {
			continue
		}
		if strings.Contains(target, "bpf_link") || strings.Contains(target, "perf_event") {
			n++
		}
	}
	return n
}

// self is this process's pid as text, for predicates: other processes on
// the machine call getppid too.
func self() string { return strconv.Itoa(os.Getpid()) }

func getppid(n int) {
	for i := 0; i < n; i++ {
		syscall.Getppid()
	}
}

func TestTracepointProbeMapDetach(t *testing.T) {
	c := startConsole(t)
	before := bpfLinks(t)
	out := c.enter("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/ { @c = count(); }")
	if !strings.Contains(out, "[1] Attached 1 probe") {
		t.Fatalf("no attach message:\n%s", out)
	}
	if bpfLinks(t) <= before {
		t.Fatalf("nothing attached")
	}
	getppid(5)
	out = c.enter("@c")
	if !strings.Contains(out, "@c: ") {
		t.Fatalf("@c not printed:\n%s", out)
	}
	out = c.enter(".probes")
	if !strings.Contains(out, "[1] tracepoint:syscalls:sys_enter_getppid") || !strings.Contains(out, "events:") {
		t.Fatalf(".probes:\n%s", out)
	}
	out = c.enter(".detach 1")
	if !strings.Contains(out, "[1] detached") {
		t.Fatalf(".detach:\n%s", out)
	}
	if n := bpfLinksSettle(t, before); n != before {
		t.Fatalf("%d links/perf events left after .detach (had %d before)", n, before)
	}
	// The map stays, and no longer fills.
	out = c.enter("print(@c)")
	first := mapValue(t, out, "@c: ")
	getppid(5)
	out = c.enter("@c")
	if second := mapValue(t, out, "@c: "); second != first {
		t.Fatalf("@c changed after detach: %s -> %s", first, second)
	}
	out = c.enter(".probes")
	if !strings.Contains(out, "no probes attached") {
		t.Fatalf(".probes after detach:\n%s", out)
	}
}

// mapValue returns the text after prefix up to the end of its line.
func mapValue(t *testing.T, out, prefix string) string {
	t.Helper()
	i := strings.Index(out, prefix)
	if i < 0 {
		t.Fatalf("no %q in:\n%s", prefix, out)
	}
	v := out[i+len(prefix):]
	if j := strings.IndexByte(v, '\n'); j >= 0 {
		v = v[:j]
	}
	return strings.TrimSpace(v)
}

func TestMultiLineEntry(t *testing.T) {
	c := startConsole(t)
	c.send("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/\r")
	c.expect("...> ")
	c.send("{\r")
	c.expect("...> ")
	c.send("  @n[comm] = count();\r")
	c.expect("...> ")
	out := c.enter("}")
	if !strings.Contains(out, "[1] Attached 1 probe") {
		t.Fatalf("multi-line probe not attached:\n%s", out)
	}
	getppid(3)
	out = c.enter("@n")
	if !strings.Contains(out, "@n[") {
		t.Fatalf("@n not printed:\n%s", out)
	}
	// A statement over two lines.
	c.send("printf(\"%s\\n\",\r")
	c.expect("...> ")
	out = c.enter("\"two lines\")")
	if !strings.Contains(out, "two lines") {
		t.Fatalf("multi-line statement:\n%s", out)
	}
}

func TestErrorKeepsSession(t *testing.T) {
	c := startConsole(t)
	out := c.enter("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/ { @x = nosuchfunc(1); }")
	if !strings.Contains(out, "ERROR") || !strings.Contains(out, "~") {
		t.Fatalf("no caret error:\n%s", out)
	}
	out = c.enter("printf(\"%d\\n\", 1 +)")
	if !strings.Contains(out, "ERROR") {
		t.Fatalf("no syntax error:\n%s", out)
	}
	out = c.enter("printf(\"still %s\\n\", \"here\")")
	if !strings.Contains(out, "still here") {
		t.Fatalf("session not usable after errors:\n%s", out)
	}
	out = c.enter(".nosuch")
	if !strings.Contains(out, "unknown command") {
		t.Fatalf("unknown command:\n%s", out)
	}
}

func TestSaveReparses(t *testing.T) {
	c := startConsole(t)
	c.enter("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/ { @c[pid] = count(); }")
	c.enter("@total = 1")
	path := filepath.Join(t.TempDir(), "s.bt")
	out := c.enter(".save " + path)
	if !strings.Contains(out, "saved to") {
		t.Fatalf(".save:\n%s", out)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := lang.NewFile(path, string(src))
	prog, diags := parser.Parse(f)
	if diags.HasErrors() {
		t.Fatalf("saved script does not parse:\n%s\n%s", src, diags.Render(f))
	}
	if len(prog.Probes()) != 2 || !strings.Contains(string(src), "sys_enter_getppid") {
		t.Fatalf("saved script:\n%s", src)
	}
	// .load runs it in a new session.
	c2 := startConsole(t)
	out = c2.enter(".load " + path)
	if !strings.Contains(out, "Attached") {
		t.Fatalf(".load:\n%s", out)
	}
}

func TestCtrlDPrintsMaps(t *testing.T) {
	c := startConsole(t)
	c.enter("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/ { @calls = count(); }")
	getppid(2)
	c.send("\x04")
	select {
	case <-c.done:
		if c.code != 0 {
			t.Fatalf("exit code %d", c.code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-D did not end the session")
	}
	c.expect("@calls: ")
}

func TestCtrlCMutesOutput(t *testing.T) {
	c := startConsole(t)
	c.enter("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/ { printf(\"tick %d\\n\", pid); }")
	getppid(1)
	c.expect("tick ")
	c.send("\x03")
	c.expect("output of 1 entry stopped")
	c.expect("gobpftrace> ")
	getppid(3)
	time.Sleep(200 * time.Millisecond)
	out := c.enter(".probes")
	if strings.Contains(out, "tick") {
		t.Fatalf("output after Ctrl-C:\n%s", out)
	}
	if !strings.Contains(out, "muted") {
		t.Fatalf(".probes:\n%s", out)
	}
}

func TestTabCompletesTracepoint(t *testing.T) {
	c := startConsole(t)
	c.send("tracepoint:syscalls:sys_enter_getpp\t")
	c.expect("tracepoint:syscalls:sys_enter_getppid")
	out := c.enter(" { @tab = count(); }")
	if !strings.Contains(out, "[1] Attached 1 probe") {
		t.Fatalf("completed entry not attached:\n%s", out)
	}
	// Several candidates are listed.
	c.send("tracepoint:syscalls:sys_enter_getp\t\t")
	c.expect("sys_enter_getppid")
	// A first Ctrl-C leaves the candidate list, a second abandons the line.
	c.send("\x03")
	time.Sleep(100 * time.Millisecond)
	c.send("\x03")
	c.expect("^C")
	c.expect("gobpftrace> ")
	out = c.enter("printf(\"after %s\\n\", \"tab\")")
	if !strings.Contains(out, "after tab") {
		t.Fatalf("session unusable after the candidate list:\n%s", out)
	}
}

// TestOutputWhileTyping: probe output arrives while a line is half typed;
// the line survives and runs when finished.
func TestOutputWhileTyping(t *testing.T) {
	c := startConsole(t)
	c.enter("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/ { printf(\"fired\\n\"); }")
	c.send("printf(\"typed %s\\n\", ")
	c.expect("typed %s")
	getppid(1)
	c.expect("fired")
	out := c.enter("\"intact\")")
	if !strings.Contains(out, "typed intact") {
		t.Fatalf("the half-typed line was lost:\n%s", out)
	}
}

func TestHistoryFile(t *testing.T) {
	requireRoot(t)
	master, slave, err := openPty()
	if err != nil {
		t.Skip(err)
	}
	defer master.Close()
	defer slave.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := master.Read(buf); err != nil {
				return
			}
		}
	}()
	hist := filepath.Join(t.TempDir(), "hist")
	done := make(chan int)
	go func() { done <- Run(Options{Stdin: slave, Stdout: slave, HistoryFile: hist, Quiet: true}) }()
	master.WriteString("printf(\"a\\n\")\r")
	master.WriteString("begin {\r printf(\"b\\n\");\r}\r")
	master.WriteString(".quit\r")
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("session did not end")
	}
	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `printf("a\n")`) || !strings.Contains(s, `begin {  printf("b\n"); }`) {
		t.Fatalf("history:\n%s", s)
	}
}

func TestCtrlDDetachesEverything(t *testing.T) {
	c := startConsole(t)
	before := bpfLinks(t)
	c.enter("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/ { @a = count(); }")
	c.enter("tracepoint:syscalls:sys_exit_getppid /pid == " + self() + "/ { @b = count(); }")
	getppid(1)
	c.send("\x04")
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-D did not end the session")
	}
	c.expect("@a: 1")
	c.expect("@b: 1")
	if n := bpfLinksSettle(t, before); n > before {
		t.Fatalf("%d links/perf events open after Ctrl-D, %d before", n, before)
	}
}

// TestPipedInput: with input that is not a terminal (gobpftrace -i < file),
// entries are read line by line and output goes straight to stdout.
func TestPipedInput(t *testing.T) {
	requireRoot(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	save := filepath.Join(t.TempDir(), "piped.bt")
	var stderr strings.Builder // written by Run's goroutine, read after it returned
	go func() {
		w.WriteString("@x = 6 * 7\n")
		w.WriteString("tracepoint:syscalls:sys_enter_getppid /pid == " + self() + "/\n{\n  @calls = count();\n}\n")
		w.WriteString("printf(\"x=%d\\n\", @x)\n")
		w.WriteString(".save " + save + "\n")
		w.WriteString("printf(\"unfinished\"\n") // its error shows at the end of input
		w.Close()
	}()
	done := make(chan int, 1)
	go func() {
		done <- Run(Options{Stdin: r, Stdout: outW, Stderr: &stderr, HistoryFile: "-"})
		outW.Close()
	}()
	var got strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := outR.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d", code)
	}
	out := got.String()
	for _, want := range []string{"x=42", "@x: 42"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in stdout:\n%s", want, out)
		}
	}
	// Notices go to stderr, as bpftrace's "Attached N probes".
	if e := stderr.String(); !strings.Contains(e, "[1] Attached 1 probe") || !strings.Contains(e, "ERROR") || strings.Contains(out, "Attached") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, e)
	}
	if t.Failed() {
		return
	}
	src, _ := os.ReadFile(save)
	t.Logf("saved:\n%s", src)
}

func TestExitStatementEndsSession(t *testing.T) {
	c := startConsole(t)
	c.enter("@answer = 42")
	c.send("exit()\r")
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("exit() did not end the session")
	}
	c.expect("@answer: 42")
}

// TestOutputWhileAdding: a probe prints a map continuously while new
// entries create maps (run with -race).
func TestOutputWhileAdding(t *testing.T) {
	c := startConsole(t)
	c.enter("interval:ms:10 { @ticks = count(); print(@ticks); }")
	c.expect("@ticks: ")
	// Prompts are redrawn after every tick: wait for each entry's effect.
	for i := 0; i < 5; i++ {
		c.send("@made" + strconv.Itoa(i) + " = " + strconv.Itoa(i) + "\r")
		c.send("printf(\"made%d\\n\", @made" + strconv.Itoa(i) + ")\r")
		c.expect("made" + strconv.Itoa(i) + "\n")
	}
	c.quit()
}

func TestJSONOutput(t *testing.T) {
	requireRoot(t)
	r, w, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	go func() {
		w.WriteString("@j = 5\nprintf(\"hi\\n\")\n")
		w.Close()
	}()
	go func() {
		Run(Options{Stdin: r, Stdout: outW, HistoryFile: "-", Quiet: true, Format: "json"})
		outW.Close()
	}()
	var got strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := outR.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, want := range []string{`{"type": "printf", "data": "hi\n"}`, `"@j": 5`} {
		if !strings.Contains(got.String(), want) {
			t.Errorf("missing %s in:\n%s", want, got.String())
		}
	}
}
