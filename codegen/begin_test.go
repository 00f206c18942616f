package codegen_test

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/sema"
)

// beginCases run a BEGIN program in the kernel and compare what it printed.
var beginCases = []struct {
	name, src, want string
}{
	{"hello", `BEGIN { printf("hi\n"); exit(); }`, "hi\nexit(0)\n"},
	{"ints", `BEGIN { printf("%d %d %u\n", 1, -2, 3); }`, "1 -2 3\n"},
	{"string", `BEGIN { printf("%s|%s\n", "abc", "a longer string"); }`, "abc|a longer string\n"},
}

func TestBegin(t *testing.T) {
	needRoot(t)
	for _, c := range beginCases {
		t.Run(c.name, func(t *testing.T) {
			obj, _ := build(t, c.src, sema.Options{})
			l := load(t, obj)
			l.run(t, "begin")
			if got := l.output(t); got != c.want {
				t.Errorf("%s\ngot:  %q\nwant: %q", c.src, got, c.want)
			}
		})
	}
}
