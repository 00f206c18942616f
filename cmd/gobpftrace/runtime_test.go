package main

// The end-to-end runtime tests: testdata/runtime/*.test, in bpftrace's
// tests/runtime format, run against the built binary as root.
//
// A file holds tests separated by blank lines; lines starting with # are
// comments. Directives (a line starting with spaces continues the previous
// PROG or EXPECT):
//
//	NAME name                 required
//	PROG program              run as: gobpftrace -e 'program'
//	RUN command               run with sh -c; {{BPFTRACE}} is the binary
//	EXPECT text               a whole line (trimmed) of the output equals text
//	EXPECT_NONE text          no line equals text
//	EXPECT_REGEX re           re matches (multi-line mode)
//	EXPECT_REGEX_NONE re      re does not match
//	EXPECT_FILE path          the output after attaching, trimmed, equals the file's
//	EXPECT_JSON path          the output is the JSON (or, for .ndjson, the lines) of the file
//	TIMEOUT seconds           after attaching (default 5); then SIGTERM, as bpftrace's runner
//	AFTER command             run with sh -c once attached; $BPFTRACE_PID is the tracer's pid
//	BEFORE command            started before the tracer
//	ENV K=V ...               extra environment
//	REQUIRES command          skip unless it succeeds ({{BPFTRACE}} allowed)
//	RETURN_CODE n             expected exit code (default 0)
//	WILL_FAIL                 a non-zero exit code is fine
//
// Output is stdout and stderr merged, as bpftrace's runner reads it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type rtExpect struct {
	mode, text string
}

type rtTest struct {
	file, name, prog, run string
	expects               []rtExpect
	exact                 bool
	timeout               time.Duration
	after                 string
	befores               []string
	env                   []string
	requires              []string
	returnCode            int
	willFail              bool
}

func parseRuntimeTests(path string) ([]*rtTest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tests []*rtTest
	var cur *rtTest
	prev := ""
	flush := func() error {
		if cur == nil {
			return nil
		}
		if cur.name == "" {
			return fmt.Errorf("%s: a test has no NAME", path)
		}
		if (cur.prog == "") == (cur.run == "") {
			return fmt.Errorf("%s: %s: exactly one of PROG and RUN is needed", path, cur.name)
		}
		tests = append(tests, cur)
		cur = nil
		return nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			prev = ""
			continue
		}
		if cur == nil {
			cur = &rtTest{file: filepath.Base(path), timeout: 5 * time.Second}
		}
		if line[0] == ' ' || line[0] == '\t' {
			// Continuation: drop the indentation that lines it up with the
			// previous directive's text.
			text := line
			if n := len(prev) + 1; len(text) >= n && strings.TrimSpace(text[:n]) == "" {
				text = text[n:]
			} else {
				text = strings.TrimLeft(text, " \t")
			}
			switch prev {
			case "PROG":
				cur.prog += "\n" + text
			case "RUN":
				cur.run += "\n" + text
			case "EXPECT", "EXPECT_NONE", "EXPECT_REGEX", "EXPECT_REGEX_NONE":
				cur.expects[len(cur.expects)-1].text += "\n" + text
			default:
				return nil, fmt.Errorf("%s: continuation line after %s", path, prev)
			}
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		prev = key
		switch key {
		case "NAME":
			cur.name = rest
		case "PROG":
			cur.prog = rest
		case "RUN":
			cur.run = rest
		case "EXPECT", "EXPECT_NONE", "EXPECT_REGEX", "EXPECT_REGEX_NONE":
			cur.expects = append(cur.expects, rtExpect{key, rest})
		case "EXPECT_FILE", "EXPECT_JSON":
			cur.expects = append(cur.expects, rtExpect{key, filepath.Join(filepath.Dir(path), rest)})
			cur.exact = true
		case "TIMEOUT":
			n, err := strconv.Atoi(rest)
			if err != nil {
				return nil, fmt.Errorf("%s: bad TIMEOUT %q", path, rest)
			}
			cur.timeout = time.Duration(n) * time.Second
		case "AFTER":
			cur.after = rest
		case "BEFORE":
			cur.befores = append(cur.befores, rest)
		case "ENV":
			cur.env = append(cur.env, strings.Fields(rest)...)
		case "REQUIRES":
			cur.requires = append(cur.requires, rest)
		case "RETURN_CODE":
			n, err := strconv.Atoi(rest)
			if err != nil {
				return nil, fmt.Errorf("%s: bad RETURN_CODE %q", path, rest)
			}
			cur.returnCode = n
		case "WILL_FAIL":
			cur.willFail = true
		case "ARCH", "MIN_KERNEL", "MAX_KERNEL", "REQUIRES_FEATURE", "CLEANUP", "NEW_PIDNS", "SKIP_IF_ENV_HAS":
			// bpftrace directives that do not matter on this machine.
		default:
			return nil, fmt.Errorf("%s: unknown directive %q", path, key)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return tests, nil
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds gobpftrace once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gobpftrace-test")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "gobpftrace")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

const notify = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

// lockedBuffer collects output written by one process and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runOne runs a test and returns the output, the exit code and whether it
// had to be stopped after its timeout.
func runOne(t *testing.T, bin string, tc *rtTest) (string, int, bool) {
	t.Helper()
	env := append(os.Environ(), notify+"=1")
	env = append(env, tc.env...)
	var cmd *exec.Cmd
	if tc.prog != "" {
		cmd = exec.Command(bin, "-e", tc.prog)
	} else {
		cmd = exec.Command("/bin/sh", "-c", strings.ReplaceAll(tc.run, "{{BPFTRACE}}", bin))
	}
	cmd.Dir = filepath.Join("..", "..", "testdata", "runtime")
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	var befores []*exec.Cmd
	for _, b := range tc.befores {
		bc := exec.Command("/bin/sh", "-c", b)
		bc.Dir = cmd.Dir
		bc.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := bc.Start(); err != nil {
			t.Fatalf("BEFORE %q: %v", b, err)
		}
		befores = append(befores, bc)
	}
	defer func() {
		for _, bc := range befores {
			syscall.Kill(-bc.Process.Pid, syscall.SIGKILL)
			bc.Wait()
		}
	}()
	if len(befores) > 0 {
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	var out lockedBuffer
	attached := make(chan int, 1) // offset of the output after the notify line
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		r := bufio.NewReader(pr)
		seen := false
		for {
			line, err := r.ReadString('\n')
			out.Write([]byte(line))
			if !seen && line == notify+"\n" {
				seen = true
				attached <- len(out.String())
			}
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()

	timedOut := false
	start := 0
	select {
	case start = <-attached:
	case <-exited:
	case <-time.After(10 * time.Second):
		timedOut = true
	}
	var after *exec.Cmd
	if !timedOut && tc.after != "" && start > 0 {
		after = exec.Command("/bin/sh", "-c", tc.after)
		after.Dir = cmd.Dir
		after.Env = append(env, fmt.Sprintf("BPFTRACE_PID=%d", cmd.Process.Pid))
		after.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		after.Stdout, after.Stderr = nil, nil
		if err := after.Start(); err != nil {
			t.Fatalf("AFTER %q: %v", tc.after, err)
		}
	}
	if !timedOut {
		select {
		case <-exited:
		case <-time.After(tc.timeout):
			timedOut = true
		}
	}
	if timedOut {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	<-readDone
	pr.Close()
	if after != nil {
		syscall.Kill(-after.Process.Pid, syscall.SIGKILL)
		after.Wait()
	}
	s := out.String()
	if tc.exact {
		// Exact expectations ignore what comes before attaching, as
		// bpftrace's runner does.
		if i := strings.Index(s, notify+"\n"); i >= 0 {
			s = s[i+len(notify)+1:]
		}
	}
	return s, cmd.ProcessState.ExitCode(), timedOut
}

func checkExpect(e rtExpect, out string) error {
	switch e.mode {
	case "EXPECT", "EXPECT_NONE":
		re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(e.text) + `\s*$`)
		if re.MatchString(out) != (e.mode == "EXPECT") {
			return fmt.Errorf("%s %q", e.mode, e.text)
		}
	case "EXPECT_REGEX", "EXPECT_REGEX_NONE":
		re, err := regexp.Compile("(?m)" + e.text)
		if err != nil {
			return fmt.Errorf("bad regexp %q: %v", e.text, err)
		}
		if re.MatchString(out) != (e.mode == "EXPECT_REGEX") {
			return fmt.Errorf("%s %q", e.mode, e.text)
		}
	case "EXPECT_FILE":
		want, err := os.ReadFile(e.text)
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != strings.TrimSpace(string(want)) {
			return fmt.Errorf("EXPECT_FILE %s:\n--- want\n%s\n--- got\n%s", e.text, want, out)
		}
	case "EXPECT_JSON":
		want, err := os.ReadFile(e.text)
		if err != nil {
			return err
		}
		wl := strings.Split(strings.TrimSpace(string(want)), "\n")
		gl := strings.Split(strings.TrimSpace(out), "\n")
		if !strings.HasSuffix(e.text, ".ndjson") {
			wl = []string{strings.TrimSpace(string(want))}
		}
		if len(wl) != len(gl) {
			return fmt.Errorf("EXPECT_JSON %s: %d lines, got %d:\n%s", e.text, len(wl), len(gl), out)
		}
		for i := range wl {
			var w, g any
			if err := json.Unmarshal([]byte(wl[i]), &w); err != nil {
				return fmt.Errorf("EXPECT_JSON %s line %d: %v", e.text, i+1, err)
			}
			if err := json.Unmarshal([]byte(gl[i]), &g); err != nil {
				return fmt.Errorf("output line %d is not JSON (%v): %s", i+1, err, gl[i])
			}
			wj, _ := json.Marshal(w)
			gj, _ := json.Marshal(g)
			if !bytes.Equal(wj, gj) {
				return fmt.Errorf("EXPECT_JSON line %d:\nwant %s\ngot  %s", i+1, wj, gj)
			}
		}
	}
	return nil
}

func TestRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("kernel test (-short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("runtime tests need root")
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "runtime", "*.test"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no runtime tests found: %v", err)
	}
	bin := binary(t)
	for _, f := range files {
		tests, err := parseRuntimeTests(f)
		if err != nil {
			t.Fatal(err)
		}
		suite := strings.TrimSuffix(filepath.Base(f), ".test")
		for _, tc := range tests {
			t.Run(suite+"/"+tc.name, func(t *testing.T) {
				for _, req := range tc.requires {
					rc := exec.Command("/bin/sh", "-c", strings.ReplaceAll(req, "{{BPFTRACE}}", bin))
					rc.Dir = filepath.Join("..", "..", "testdata", "runtime")
					if rc.Run() != nil {
						t.Skipf("requirement not met: %s", req)
					}
				}
				out, code, timedOut := runOne(t, bin, tc)
				if !timedOut && !tc.willFail && code != tc.returnCode {
					t.Errorf("exit code %d, want %d\noutput:\n%s", code, tc.returnCode, out)
				}
				for _, e := range tc.expects {
					if err := checkExpect(e, out); err != nil {
						t.Errorf("%v\noutput:\n%s", err, out)
					}
				}
			})
		}
	}
}
