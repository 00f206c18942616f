package sema_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/diag"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/sema/sematest"
	"github.com/gobpftrace/gobpftrace/parser"
)

// TestCheckFiles runs testdata/check/*.bt: chunks separated by "---" lines;
// `### "regex"` at the end of a line expects an error matching regex on
// that line (several may follow each other). A chunk without markers must
// check cleanly.
func TestCheckFiles(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/check/*.bt")
	if len(files) == 0 {
		t.Fatal("no testdata/check/*.bt files")
	}
	host := sematest.NewHost()
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, chunk := range splitChunks(string(data)) {
			src, want := expectations(chunk.text)
			f := lang.NewFile(filepath.Base(file), src)
			prog, diags := parser.Parse(f)
			if !diags.HasErrors() {
				opts := sema.Options{Host: host, Params: []string{"42", "hello"}, NCPUs: 2}
				_, diags = sema.Check(prog, opts)
			}
			check(t, file, chunk.line, i, f, diags, want)
		}
	}
}

type chunk struct {
	text string
	line int // first line in the file
}

func splitChunks(s string) []chunk {
	var out []chunk
	var cur []string
	start := 1
	for n, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "---" {
			out = append(out, chunk{strings.Join(cur, "\n"), start})
			cur, start = nil, n+2
			continue
		}
		cur = append(cur, line)
	}
	return append(out, chunk{strings.Join(cur, "\n"), start})
}

var marker = regexp.MustCompile(`###\s*"((?:[^"\\]|\\.)*)"`)

// expectations strips the markers and returns the regexes per 1-based line.
func expectations(text string) (string, map[int][]*regexp.Regexp) {
	want := map[int][]*regexp.Regexp{}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		j := strings.Index(line, "###")
		if j < 0 {
			continue
		}
		for _, m := range marker.FindAllStringSubmatch(line[j:], -1) {
			want[i+1] = append(want[i+1], regexp.MustCompile(strings.ReplaceAll(m[1], `\"`, `"`)))
		}
		lines[i] = strings.TrimRight(line[:j], " \t")
	}
	return strings.Join(lines, "\n"), want
}

func check(t *testing.T, file string, first, idx int, f *lang.File, diags diag.List, want map[int][]*regexp.Regexp) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != diag.Error {
			continue
		}
		line := f.Position(d.Span.Start).Line
		matched := false
		for k, re := range want[line] {
			if re != nil && re.MatchString(d.Msg) {
				want[line][k] = nil
				matched = true
				break
			}
		}
		if !matched {
			t.Errorf("%s:%d (chunk %d): unexpected error: %s\n%s", file, first+line-1, idx, d.Msg, diag.List{d}.Render(f))
		}
	}
	for line, res := range want {
		for _, re := range res {
			if re != nil {
				t.Errorf("%s:%d (chunk %d): expected error matching %q", file, first+line-1, idx, re)
			}
		}
	}
}
