package diag

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
)

func sp(s, e int) lang.Span { return lang.Span{Start: lang.Pos(s), End: lang.Pos(e)} }

func TestRender(t *testing.T) {
	f := lang.NewFile("stdin", "i:s:1\t\t\t$a\nkprobe:f { @x = 1\n  + 2 }\nkprobe:g")
	cases := []struct {
		name string
		d    *Diagnostic
		want string
	}{
		{"tabs", &Diagnostic{Span: sp(8, 10), Msg: "syntax error, unexpected variable, expecting {"},
			"stdin:1:9-11: ERROR: syntax error, unexpected variable, expecting {\n" +
				"i:s:1            $a\n" +
				"                 ~~\n"},
		{"multi-line", &Diagnostic{Span: sp(27, 33), Msg: "bad"},
			"stdin:2-3: ERROR: bad\nkprobe:f { @x = 1\n  + 2 }\n"},
		{"end of input", &Diagnostic{Span: sp(45, 45), Msg: "syntax error, unexpected end of file, expecting {"},
			"stdin:4:9-10: ERROR: syntax error, unexpected end of file, expecting {\n" +
				"kprobe:g\n" +
				"        ~\n"},
		{"hint and expansion", &Diagnostic{Span: sp(0, 5), Msg: "m", Hints: []string{"h"}, ExpandedFrom: []lang.Span{sp(22, 24)}},
			"stdin:1:1-6: ERROR: m\ni:s:1            $a\n~~~~~\nHINT: h\n" +
				"stdin:2:12-14: ERROR: expanded from\nkprobe:f { @x = 1\n           ~~\n"},
	}
	for _, c := range cases {
		if got := (List{c.d}).Render(f); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestRenderErrorsFirst(t *testing.T) {
	f := lang.NewFile("stdin", "abc")
	var l List
	l.Warnf(sp(0, 1), "w")
	l.Errorf(sp(1, 2), "e")
	want := "stdin:1:2-3: ERROR: e\nabc\n ~\nstdin:1:1-2: WARNING: w\nabc\n~\n"
	if got := l.Render(f); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if !l.HasErrors() {
		t.Error("HasErrors = false")
	}
}
