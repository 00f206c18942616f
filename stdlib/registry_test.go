package stdlib

import (
	"reflect"
	"testing"
)

func TestRegistryEntries(t *testing.T) {
	for _, name := range Names() {
		e, _ := Lookup(name)
		if e.Name != name {
			t.Errorf("%s registered as %s", e.Name, name)
		}
		if e.Check == nil {
			t.Errorf("%s: no Check hook", name)
		}
		if e.Kind == Agg && e.EmitAgg == nil || e.Kind != Agg && e.Emit == nil {
			t.Errorf("%s: no code generator", name)
		}
		if !e.Bare && !e.Paren {
			t.Errorf("%s: neither bare nor callable", name)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		err  bool
	}{
		{"hi %d %s\n", "ds", false},
		{"%-10s|%5d|%%|%llu|%lx|%c|%p|%08.3f", "sduxcpf", false},
		{"100%", "", false}, // a lone '%' is printed as it is (bpftrace)
		{"%5s%\n", "s", false},
		{"%5%", "", true},
		{"%y", "", true},
	} {
		got, err := ParseFormat(c.in)
		if (err != "") != c.err {
			t.Errorf("%q: error %q", c.in, err)
			continue
		}
		if !c.err && !reflect.DeepEqual(string(got), c.want) {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEscapeLoneMarks(t *testing.T) {
	for in, want := range map[string]string{"%5s%\n": "%5s%%\n", "100%": "100%%", "%%d %d": "%%d %d", "a % b": "a %% b"} {
		if got := escapeLoneMarks(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
