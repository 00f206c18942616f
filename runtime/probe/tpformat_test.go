package probe

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dumpFormat renders what the tracepoint provider makes of a format file:
// each field's declaration, layout, type and load location.
func dumpFormat(f *TPFormat, user bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name %s id %d\n", f.Name, f.ID)
	for _, fld := range f.Fields {
		ty := fld.Type(nil, user)
		l := fld.Loc(ty)
		kind := "ctx"
		if l.Kind == LocCtxDataLoc {
			kind = "data_loc"
		}
		fmt.Fprintf(&b, "%-22s off=%-3d size=%-3d signed=%v common=%v -> %s (%s off=%d size=%d signed=%v space=%d)\n",
			fld.Name, fld.Offset, fld.Size, fld.Signed, fld.Common, ty, kind, l.Offset, l.Size, l.Signed, l.Space)
	}
	return b.String()
}

func TestFormatGoldens(t *testing.T) {
	files, _ := filepath.Glob("testdata/formats/*.format")
	if len(files) == 0 {
		t.Fatal("no format files")
	}
	for _, path := range files {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFormat(string(text))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got := dumpFormat(f, strings.Contains(path, "sys_enter"))
		golden := strings.TrimSuffix(path, ".format") + ".golden"
		if *update {
			os.WriteFile(golden, []byte(got), 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", path, got, want)
		}
	}
}

// The goldens were taken from this machine's kernel; check they still match it.
func TestFormatGoldensMatchKernel(t *testing.T) {
	requireRoot(t)
	tf, err := MountTracefs()
	if err != nil {
		t.Fatal(err)
	}
	for _, ce := range []string{"syscalls:sys_enter_openat", "sched:sched_switch", "sched:sched_process_exec"} {
		c, e, _ := strings.Cut(ce, ":")
		live, err := tf.Format(c, e)
		if err != nil {
			t.Fatal(err)
		}
		saved, _ := os.ReadFile("testdata/formats/" + e + ".format")
		lf, _ := ParseFormat(live)
		sf, _ := ParseFormat(string(saved))
		if dumpFormat(lf, false) != dumpFormat(sf, false) {
			t.Logf("%s: this kernel's format differs from the saved one (golden from another kernel)", ce)
		}
	}
}

func TestTracepointContext(t *testing.T) {
	requireRoot(t)
	h := newHost(t)
	p, ts := resolve(t, h, "tracepoint:syscalls:sys_enter_openat")
	ctx, err := p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range ctx.Args {
		got[a.Name] = fmt.Sprintf("%s@%d/%d", a.Type, a.Loc.Offset, a.Loc.Size)
	}
	want := map[string]string{"filename": "int8 *@24/8", "dfd": "int64@16/8", "flags": "int64@32/8", "mode": "uint64@40/8", "__syscall_nr": "int32@8/4"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("args.%s = %s, want %s", k, got[k], v)
		}
	}
	for _, a := range ctx.Args {
		if a.Name == "filename" && a.Loc.Space != 2 {
			t.Errorf("syscall pointer not in user space: %+v", a.Loc)
		}
	}
	_, ts = resolve(t, h, "tracepoint:sched:sched_process_exec")
	ctx, err = p.Context(ts[0], h)
	if err != nil {
		t.Fatal(err)
	}
	if a := ctx.Args[4]; a.Name != "filename" || a.Loc.Kind != LocCtxDataLoc || a.Type.String() != "int8[0]" {
		t.Errorf("data_loc field: %+v %v", a, a.Type)
	}
}
