package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// globRef is a plain backtracking matcher with globmatch's documented
// semantics: ? * [abc] [a-z] [!abc], the whole string, '/' not special.
func globRef(s, p string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globRef(s[i:], p[1:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globRef(s[1:], p[1:])
	case '[':
		if end := strings.IndexByte(p[2:], ']'); end >= 0 {
			class, rest := p[1:end+2], p[end+3:]
			if s == "" {
				return false
			}
			neg := strings.HasPrefix(class, "!")
			if neg {
				class = class[1:]
				if strings.HasPrefix(class, "]") { // "[!]...]": ']' is a member
					if e := strings.IndexByte(p[3:], ']'); e >= 0 {
						class, rest = p[2:e+3], p[e+4:]
						class = class[1:]
					}
				}
			}
			in := false
			for i := 0; i < len(class); i++ {
				if i+2 < len(class) && class[i+1] == '-' {
					in = in || (s[0] >= class[i] && s[0] <= class[i+2])
					i += 2
				} else {
					in = in || s[0] == class[i]
				}
			}
			return in != neg && globRef(s[1:], rest)
		}
	}
	return s != "" && s[0] == p[0] && globRef(s[1:], p[1:])
}

// TestGlobmatch runs globmatch() in the kernel over a table of strings and
// patterns and compares with globRef.
func TestGlobmatch(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("kernel test: needs root, not -short")
	}
	strs := []string{"", "a", "abc", "abcabc", "hello world", "sshd", "systemd-journal", "x[y", "a*b", "kworker/0:1", "aaaaaaaaab"}
	pats := []string{"", "*", "a", "a*", "*c", "a?c", "*b*", "abc", "abc*abc", "*abc", "a*c*c", "[a-c]*", "[!a]*", "?",
		"h*o w*d", "s[sy]*", "*[0-9]:[0-9]", "kworker/*", "x[y", "a\\*b", "a*b", "[ab]*[!c]", "*a*a*a*b", "**", "*?", "??*?", "[]]", "*d"}
	var prog strings.Builder
	prog.WriteString("begin {\n")
	for _, s := range strs {
		for _, p := range pats {
			fmt.Fprintf(&prog, "printf(\"%%d\\n\", globmatch(%q, %q));\n", s, p)
		}
	}
	prog.WriteString("exit(); }\n")
	out, err := exec.Command(binary(t), "-q", "-e", prog.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	i := 0
	for _, s := range strs {
		for _, p := range pats {
			want := "0"
			if globRef(s, p) {
				want = "1"
			}
			if i >= len(got) {
				t.Fatalf("output ends early:\n%s", out)
			}
			if got[i] != want {
				t.Errorf("globmatch(%q, %q) = %s, want %s", s, p, got[i], want)
			}
			i++
		}
	}
}
