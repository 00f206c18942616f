package probe

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
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

func TestParseFormatRelLocAndArrays(t *testing.T) {
	text := "name: x\nID: 7\nformat:\n" +
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n" +
		"\tfield:__rel_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n" +
		"\tfield:u8 saddr[4];\toffset:12;\tsize:4;\tsigned:0;\n" +
		"\tfield:__u32 ids[TASK_COMM_LEN];\toffset:16;\tsize:64;\tsigned:0;\n" +
		"\tfield:struct sk_buff * skb;\toffset:80;\tsize:8;\tsigned:0;\n" +
		"\tfield:bool ok;\toffset:88;\tsize:1;\tsigned:0;\n" +
		"\tfield:gfp_t flags;\toffset:92;\tsize:4;\tsigned:0;\n"
	f, err := ParseFormat(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"common_type uint16 0",
		"name int8[0] 4",
		"saddr uint8[4] 0",
		"ids uint32[16] 0",
		"skb struct sk_buff * 0",
		"ok bool 0",
		"flags uint32 0",
	}
	resolve := func(ct string) types.Type { return nil }
	for i, fld := range f.Fields {
		ty := fld.Type(resolve, false)
		got := fmt.Sprintf("%s %s %d", fld.Name, ty, fld.Loc(ty).Kind)
		if got != want[i] {
			t.Errorf("field %d: got %q, want %q", i, got, want[i])
		}
	}
	if _, err := ParseFormat("name: y\n"); err == nil {
		t.Error("format without fields accepted")
	}
}

func FuzzParseFormat(f *testing.F) {
	for _, p := range []string{"sys_enter_openat", "sched_switch", "sched_process_exec"} {
		b, _ := os.ReadFile("testdata/formats/" + p + ".format")
		f.Add(string(b))
	}
	f.Add("field:char x[;offset:0;size:0;signed:0;")
	f.Fuzz(func(t *testing.T, text string) {
		fm, err := ParseFormat(text)
		if err != nil {
			return
		}
		for i := range fm.Fields {
			ty := fm.Fields[i].Type(nil, true)
			fm.Fields[i].Loc(ty)
			_ = ty.String()
		}
	})
}
