package codegen_test

import (
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang/sema"
)

// TestHelperErrors: with -k a failed probe_read sends EvHelperError with
// the helper and its return code; the value read stays usable.
func TestHelperErrors(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, "BEGIN {\n  $x = *(int64 *)8;\n  printf(\"%d %s.\\n\", $x, str(uptr(0)));\n}", sema.Options{HelperErrors: true})
	var kinds []string
	for _, ev := range obj.Events {
		if ev.Kind == codegen.EvHelperError {
			kinds = append(kinds, ev.Fmt+"@"+ev.Loc)
		}
	}
	if got := strings.Join(kinds, " "); got != "probe_read_kernel@stdin:2:3 probe_read_user_str@stdin:3:3" {
		t.Errorf("helper error events: %s", got)
	}
	l := load(t, obj)
	l.run(t, "begin")
	got := l.output(t)
	// Address 8 gives -ERANGE; the str() error is reserved after the printf
	// record it is written into, so it follows it.
	want := "event 14  [113 -34]\n0 .\nevent 14  [114 -14]\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
