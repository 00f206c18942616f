package repl

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTranscripts replays testdata/repl/*.txt (format in its README).
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("../testdata/repl/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			replay(t, path, strings.ReplaceAll(string(src), "{{pid}}", strconv.Itoa(os.Getpid())))
		})
	}
}

func replay(t *testing.T, path, src string) {
	c := startConsole(t)
	before := bpfLinks(t)
	var out, full string // unmatched and whole output of the last entry
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		where := path + ":" + strconv.Itoa(i+1)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "> "):
			entry := strings.TrimPrefix(line, "> ")
			// Continuation lines are typed before waiting for the prompt.
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], ">>") {
				c.send(entry + "\r")
				c.expect("...> ")
				i++
				entry = strings.TrimPrefix(strings.TrimPrefix(lines[i], ">>"), " ")
			}
			out = c.enter(entry)
			full = out
		case strings.HasPrefix(line, "! getppid "):
			n, _ := strconv.Atoi(strings.TrimPrefix(line, "! getppid "))
			getppid(n)
		case strings.HasPrefix(line, "! sleep "):
			ms, _ := strconv.Atoi(strings.TrimPrefix(line, "! sleep "))
			time.Sleep(time.Duration(ms) * time.Millisecond)
		case strings.HasPrefix(line, "!! "):
			if strings.Contains(out, line[3:]) {
				t.Errorf("%s: %q should not appear in:\n%s", where, line[3:], out)
			}
		case line == "= links 0":
			if n := bpfLinksSettle(t, before); n != before {
				t.Errorf("%s: %d BPF links or perf events open, want %d", where, n, before)
			}
		default:
			j := strings.Index(out, line)
			if j < 0 {
				t.Fatalf("%s: want %q after what matched in the output of the last entry:\n%s", where, line, full)
			}
			out = out[j+len(line):]
		}
	}
}
