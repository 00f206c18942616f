package probe

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// fixtureHost is a Host with no system behind it: only the parse/expand
// paths that need nothing run on it.
type fixtureHost struct{}

func (fixtureHost) TracepointFormat(c, e string) (string, error) { return "", nil }
func (fixtureHost) Tracepoints() ([]string, error)               { return nil, nil }

func TestParseNames(t *testing.T) {
	cases := []struct{ raw, name string }{
		{"interval:s:1", "interval:s:1"},
		{"interval:1s", "interval:us:1000000"},
		{"i:ms:100", "interval:ms:100"},
		{"i:hz:99", "interval:hz:99"},
		{"interval:1000000000", "interval:us:1000000"},
		{"interval:1_000us", "interval:us:1000"},
		{"profile:hz:99", "profile:hz:99"},
		{"p:ms:10", "profile:ms:10"},
		{"p:1e6", "profile:us:1000"},
		{"software:cpu-clock:100000", "software:cpu-clock:100000"},
		{"s:page-faults:1", "software:page-faults:1"},
		{"s:faults", "software:faults"},
		{"hardware:cache-misses:1000000", "hardware:cache-misses:1000000"},
		{"h:cycles:1e6", "hardware:cycles:1000000"},
		{"BEGIN", "begin"},
		{"begin", "begin"},
		{"END", "end"},
		{"test:okay", "test:okay"},
		{"bench:count", "bench:count"},
		{"self:signal:SIGUSR1", "self:signal:SIGUSR1"},
		{"kprobe:vfs_read", "kprobe:vfs_read"},
		{"k:vfs_read+16", "kprobe:vfs_read+16"},
		{"k:vfs_read+0x10", "kprobe:vfs_read+16"},
		{"kprobe:kvm:x86_emulate_insn", "kprobe:kvm:x86_emulate_insn"},
		{"kr:vfs_read", "kretprobe:vfs_read"},
		{"watchpoint:0x1000:8:wr", "watchpoint:4096:8:rw"},
	}
	for _, c := range cases {
		ap := attachPoint(c.raw)
		p, ok := Lookup(ap.Provider)
		if !ok {
			t.Errorf("%s: no provider", c.raw)
			continue
		}
		s, err := p.Parse(ap)
		if err != nil {
			t.Errorf("%s: %v", c.raw, err)
			continue
		}
		ts, err := p.Expand(s, fixtureHost{})
		if err != nil {
			t.Errorf("%s: expand: %v", c.raw, err)
			continue
		}
		if len(ts) != 1 || ts[0].Name != c.name {
			t.Errorf("%s: got %v, want %s", c.raw, ts, c.name)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ raw, msg string }{
		{"interval:s", "Invalid rate of interval probe: invalid integer: s"},
		{"interval:xs:1", "xs is not an accepted unit of time"},
		{"interval:s:abc", "Invalid rate of interval probe: invalid integer: abc"},
		{"interval:100", "Minimum is 1000 or 1us. Found: 100 nanoseconds"},
		{"interval:s:1:2", "interval probe type requires 1 or 2 arguments, found 3"},
		{"profile:s:0", "profile frequency should be a positive integer"},
		{"software:nope:1", "nope is not a software probe"},
		{"software:cpu-clock:x", "Invalid count for software probe"},
		{"hardware:nope", "nope is not a hardware probe"},
		{"tracepoint:sched", "tracepoint probe type requires 2 arguments, found 1"},
		{"tracepoint:a:b:c", "tracepoint probe type requires 2 arguments, found 3"},
		{"BEGIN:x", "begin probe type requires 0 arguments, found 1"},
		{"test", "test probe type requires 1 arguments, found 0"},
		{"self:signal:SIGFOO", "SIGFOO is not a supported signal"},
		{"self:timer:x", "timer is not a supported trigger"},
		{"kretprobe:f+1", "Offset not allowed"},
		{"kprobe:f+1+2", "Cannot take more than one offset"},
		{"kprobe:a:b:c", "kprobe probe type requires 1 or 2 arguments, found 3"},
		{"fentry:bpf:x", "not supported yet"},
		{"rawtracepoint:a:b:c", "rawtracepoint probe type requires 2 or 1 arguments, found 3"},
		{"watchpoint:0x10:3:w", "watchpoint length must be one of (1,2,4,8)"},
		{"watchpoint:0x10:8:rr", "watchpoint modes may not be duplicated"},
		{"watchpoint:0x10:8:q", "watchpoint mode must be combination of (r,w,x)"},
	}
	for _, c := range cases {
		ap := attachPoint(c.raw)
		p, ok := Lookup(ap.Provider)
		if !ok {
			t.Errorf("%s: no provider", c.raw)
			continue
		}
		_, err := p.Parse(ap)
		if err == nil {
			t.Errorf("%s: no error, want %q", c.raw, c.msg)
			continue
		}
		ape, ok := err.(*AttachPointError)
		if !ok || ape.AP != ap {
			t.Errorf("%s: error %T is not an *AttachPointError for the attach point", c.raw, err)
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: got %q, want %q", c.raw, err, c.msg)
		}
	}
}

func TestParseUint(t *testing.T) {
	cases := map[string]uint64{"10": 10, "0x10": 16, "010": 8, "0b101": 5, "1_000": 1000, "1e3": 1000, "5s": 5e9, "2ms": 2e6, "3us": 3000, "7ns": 7, "1m": 60e9, "10ul": 10}
	for in, want := range cases {
		if got, err := ParseUint(in); err != nil || got != want {
			t.Errorf("ParseUint(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "1q", "99999999999999999999", "10e2"} {
		if _, err := ParseUint(bad); err == nil {
			t.Errorf("ParseUint(%q) did not fail", bad)
		}
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		pat, s string
		ok     bool
	}{
		{"*", "anything", true},
		{"sys_enter_*", "sys_enter_read", true},
		{"sys_enter_*", "sys_exit_read", false},
		{"*read*", "vfs_read_iter", true},
		{"vfs_rea?", "vfs_read", true},
		{"vfs_rea?", "vfs_reads", false},
		{"[a-c]x", "bx", true},
		{"[!a-c]x", "bx", false},
		{"[!a-c]x", "dx", true},
		{"sys_{enter,exit}_read", "sys_exit_read", true},
		{"sys_{enter,exit}_read", "sys_xxx_read", false},
		{"{a*,b}", "abc", true},
		{"a{b,{c,d}}e", "ade", true},
		{"[x", "[x", true},
		{"*a*b*c", "xaxbxc", true},
		{"*a*b*c", "xaxbxcx", false},
	}
	for _, c := range cases {
		if got := Match(c.pat, c.s); got != c.ok {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pat, c.s, got, c.ok)
		}
	}
	if !HasWildcard("a{b,c}") || HasWildcard("plain_name") {
		t.Error("HasWildcard")
	}
}

// Every provider named in the brief is registered under its aliases.
func TestRegistry(t *testing.T) {
	for alias, name := range map[string]string{
		"BEGIN": "begin", "END": "end", "i": "interval", "p": "profile", "s": "software", "h": "hardware",
		"t": "tracepoint", "rt": "rawtracepoint", "k": "kprobe", "kr": "kretprobe", "f": "fentry", "kfunc": "fentry",
		"fr": "fexit", "kretfunc": "fexit", "w": "watchpoint", "it": "iter", "test": "test", "bench": "bench", "self": "self",
	} {
		p, ok := Lookup(alias)
		if !ok || p.Name() != name {
			t.Errorf("Lookup(%q) = %v, want %s", alias, p, name)
		}
	}
}

// Odd attach points give errors, never panics, in every provider.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", ":", "::", "+", "a+", "+1", "*", "{", "[", "0x", "1e99", "-1", "s:", ":1", "a:b:c:d", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		for _, p := range All() {
			ap := &ast.AttachPoint{Raw: p.Name() + ":" + rest, Provider: p.Name(), Parts: strings.Split(rest, ":")}
			s, err := p.Parse(ap)
			if err != nil {
				if _, ok := err.(*AttachPointError); !ok {
					t.Errorf("%s: %T is not an *AttachPointError", ap.Raw, err)
				}
				continue
			}
			if s == nil {
				t.Errorf("%s: nil spec and nil error", ap.Raw)
			}
		}
	})
}
