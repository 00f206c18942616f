package probe_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/runtime/usdt"
	"github.com/gobpftrace/gobpftrace/runtime/usdt/usdttest"
)

// utAP builds an attach point the way the parser does: split at ':' outside
// quotes, quotes removed.
func utAP(raw string) *ast.AttachPoint {
	var fields []string
	var cur strings.Builder
	inQ := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			inQ = !inQ
		case c == ':' && !inQ:
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	fields = append(fields, cur.String())
	return &ast.AttachPoint{Raw: raw, Provider: fields[0], Parts: fields[1:]}
}

// utExpand parses and expands raw, with pid as -p.
func utExpand(t *testing.T, raw string, pid int) []*probe.Target {
	t.Helper()
	ap := utAP(raw)
	p, ok := probe.Lookup(ap.Provider)
	if !ok {
		t.Fatalf("no provider %q", ap.Provider)
	}
	s, err := p.Parse(ap)
	if err != nil {
		t.Fatalf("Parse(%s): %v", raw, err)
	}
	s.PID = pid
	ts, err := p.Expand(s, nil)
	if err != nil {
		t.Fatalf("Expand(%s): %v", raw, err)
	}
	return ts
}

func utNames(ts []*probe.Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestUprobeParse(t *testing.T) {
	for _, c := range []struct {
		raw              string
		path, fn         string
		off, addr        uint64
		cpp, wild, isErr bool
	}{
		{raw: "uprobe:/bin/bash:readline", path: "/bin/bash", fn: "readline"},
		{raw: "u:./prog:f+16", path: "./prog", fn: "f", off: 16},
		{raw: "uprobe:./prog:0x1234", path: "./prog", addr: 0x1234},
		{raw: "uprobe:libc:mall*", path: "libc", fn: "mall*", wild: true},
		{raw: `uprobe:./prog:cpp:"ns::C::f"`, path: "./prog", fn: "ns::C::f", cpp: true},
		{raw: "uprobe:./prog:cpp:ns::C::f", path: "./prog", fn: "ns::C::f", cpp: true},
		{raw: "uprobe:./prog:ns::f", path: "./prog", fn: "ns::f"},
		{raw: "uretprobe:./prog:f", path: "./prog", fn: "f"},
		{raw: "ur:./prog:f+4", isErr: true},
		{raw: "uretprobe:./prog:0x10", isErr: true},
		{raw: "uprobe:./prog", isErr: true},
		{raw: "uprobe:./prog:f+x", isErr: true},
		{raw: "uprobe:./prog:f*+4", isErr: true},
		{raw: "uprobe:/usr/lib/*:f", isErr: true},
	} {
		ap := utAP(c.raw)
		p, _ := probe.Lookup(ap.Provider)
		s, err := p.Parse(ap)
		if c.isErr {
			if err == nil {
				t.Errorf("Parse(%s) succeeded", c.raw)
			} else if _, ok := err.(*probe.AttachPointError); !ok {
				t.Errorf("Parse(%s) error %T is not an AttachPointError", c.raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%s): %v", c.raw, err)
			continue
		}
		if s.Path != c.path || s.Func != c.fn || s.Offset != c.off || s.Addr != c.addr || s.Cpp != c.cpp || s.Wildcard != c.wild {
			t.Errorf("Parse(%s) = %+v wildcard=%v", c.raw, s.Target, s.Wildcard)
		}
	}
}

func TestUprobeExpand(t *testing.T) {
	tg := usdttest.Build(t)
	f, err := symbols.OpenELF(tg.C)
	if err != nil {
		t.Fatal(err)
	}
	add, _ := f.Sym("add_ints")
	addOff, _ := f.FileOffset(add.Value)

	ts := utExpand(t, "uprobe:"+tg.C+":add_ints", 0)
	if len(ts) != 1 || ts[0].Name != "uprobe:"+tg.C+":add_ints" || ts[0].Func != "add_ints" {
		t.Fatalf("targets %v", utNames(ts))
	}
	if loc := ts[0].Extra.(*probe.UprobeLocation); loc.FileOffset != addOff || loc.Symbol != "add_ints" {
		t.Errorf("location %+v, want offset %#x", loc, addOff)
	}
	ts = utExpand(t, "uprobe:"+tg.C+":add_ints+4", 0)
	if loc := ts[0].Extra.(*probe.UprobeLocation); loc.FileOffset != addOff+4 || ts[0].Name != "uprobe:"+tg.C+":add_ints+4" {
		t.Errorf("+4: %s %+v", ts[0].Name, loc)
	}
	ts = utExpand(t, fmt.Sprintf("uprobe:%s:%#x", tg.C, add.Value), 0)
	if loc := ts[0].Extra.(*probe.UprobeLocation); loc.FileOffset != addOff || loc.Symbol != "add_ints" {
		t.Errorf("address: %s %+v", ts[0].Name, loc)
	}
	ts = utExpand(t, "uprobe:"+tg.C+":{add,many}_*", 0)
	if got := strings.Join(utNames(ts), " "); got != "uprobe:"+tg.C+":add_ints uprobe:"+tg.C+":many_args" {
		t.Errorf("wildcard: %s", got)
	}
	// C++ by demangled name: overloads without parameters, one with them,
	// wildcards over demangled names.
	ts = utExpand(t, "uprobe:"+tg.Cpp+":cpp:gobt::twice", 0)
	if got := strings.Join(utNames(ts), " "); got != "uprobe:"+tg.Cpp+":cpp:gobt::twice(int) uprobe:"+tg.Cpp+":cpp:gobt::twice(long)" {
		t.Errorf("cpp overloads: %s", got)
	}
	ts = utExpand(t, "uprobe:"+tg.Cpp+`:cpp:"gobt::twice(long)"`, 0)
	if len(ts) != 1 || ts[0].Func != "gobt::twice(long)" || !ts[0].Cpp {
		t.Errorf("cpp exact: %v", utNames(ts))
	}
	ts = utExpand(t, "uprobe:"+tg.Cpp+":cpp:gobt::Counter::*", 0)
	if len(ts) != 1 || ts[0].Extra.(*probe.UprobeLocation).Symbol != "_ZN4gobt7Counter4bumpEi" {
		t.Errorf("cpp wildcard: %v", utNames(ts))
	}
	// Mangled names work as plain functions.
	utExpand(t, "uprobe:"+tg.Cpp+":_ZN4gobt5twiceEi", 0)
	// Libraries by name, like the dynamic loader.
	ts = utExpand(t, "uprobe:libc:getpid", 0)
	if len(ts) != 1 || !strings.HasSuffix(ts[0].Path, "/libc.so.6") {
		t.Errorf("libc: %v", utNames(ts))
	}
	// Errors.
	for _, raw := range []string{
		"uprobe:" + tg.C + ":no_such_function",
		"uprobe:" + tg.C + ":add_ints+100000",
		"uprobe:/no/such/binary:f",
		"uprobe:" + tg.C + ":0x1",
	} {
		ap := utAP(raw)
		p, _ := probe.Lookup(ap.Provider)
		s, err := p.Parse(ap)
		if err == nil {
			_, err = p.Expand(s, nil)
		}
		if err == nil {
			t.Errorf("%s: expanded", raw)
		}
	}
}

func TestUprobeList(t *testing.T) {
	tg := usdttest.Build(t)
	p, _ := probe.Lookup("uprobe")
	ls, err := p.(probe.Lister).List(tg.C+":add_*", false, nil)
	if err != nil || len(ls) != 1 || ls[0].Name != "uprobe:"+tg.C+":add_ints" {
		t.Errorf("List = %+v, %v", ls, err)
	}
	ls, err = p.(probe.Lister).List(tg.Cpp+":cpp:gobt::*", false, nil)
	if err != nil || len(ls) != 3 {
		t.Errorf("List cpp = %+v, %v", ls, err)
	}
}

// utRun runs the C target's "run N" mode.
func utRun(t *testing.T, path string, args ...string) {
	t.Helper()
	if b, err := exec.Command(path, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
}

// utAttach expands raw, attaches a recorder of the locs chosen by pick to
// every target, and returns it with a function that detaches.
func utAttach(t *testing.T, raw string, opts probe.AttachOptions, pick func(*probe.Ctx) []probe.Loc) *utRecorder {
	t.Helper()
	ts := utExpand(t, raw, 0)
	p, _ := probe.Lookup(utAP(raw).Provider)
	c, err := p.Context(ts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := utNewRecorder(t, pick(c))
	var links []link.Link
	for _, tgt := range ts {
		l, err := p.Attach(rec.Prog, tgt, opts)
		if err != nil {
			t.Fatalf("attach %s: %v", tgt.Name, err)
		}
		links = append(links, l)
	}
	t.Cleanup(func() {
		for _, l := range links {
			l.Close()
		}
		rec.Close()
	})
	return rec
}

func TestUprobeAttach(t *testing.T) {
	usdttest.NeedRoot(t)
	tg := usdttest.Build(t)

	args := utAttach(t, "uprobe:"+tg.C+":add_ints", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		if c.Retval != nil || !c.HasRegs {
			t.Errorf("uprobe ctx %+v", c)
		}
		return c.ArgN[:2]
	})
	ret := utAttach(t, "uretprobe:"+tg.C+":add_ints", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		if c.Retval == nil || c.ArgN != nil {
			t.Errorf("uretprobe ctx %+v", c)
		}
		return []probe.Loc{*c.Retval}
	})
	stack := utAttach(t, "uprobe:"+tg.C+":many_args", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		return c.ArgN[5:8] // f (register), g and h (stack)
	})
	cpp := utAttach(t, "uprobe:"+tg.Cpp+":cpp:gobt::Counter::bump", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		return c.ArgN[:2] // this, by
	})
	other := utAttach(t, "uprobe:"+tg.C+":add_ints", probe.AttachOptions{PID: os.Getpid()}, func(c *probe.Ctx) []probe.Loc {
		return c.ArgN[:1]
	})

	utRun(t, tg.C, "run", "3")
	utRun(t, tg.Cpp, "2")

	if n, v := args.Values(t); n != 3 || v[0] != 2 || v[1] != 40 {
		t.Errorf("uprobe add_ints: count %d args %v", n, v[:2])
	}
	if n, v := ret.Values(t); n != 3 || v[0] != 42 {
		t.Errorf("uretprobe add_ints: count %d retval %d", n, v[0])
	}
	if n, v := stack.Values(t); n != 3 || v[0] != 6 || v[1] != 70 || v[2] != 80 {
		t.Errorf("many_args: count %d args %v", n, v[:3])
	}
	if n, v := cpp.Values(t); n != 2 || v[1] != 5 || v[0] == 0 {
		t.Errorf("C++ bump: count %d args %v", n, v[:2])
	}
	if n, _ := other.Values(t); n != 0 {
		t.Errorf("uprobe bound to another pid fired %d times", n)
	}
}

// TestUprobeAttachPID binds a uprobe to a process before it execs the
// target (as -c does): only that process's calls are counted.
func TestUprobeAttachPID(t *testing.T) {
	usdttest.NeedRoot(t)
	tg := usdttest.Build(t)
	cmd := exec.Command("/bin/sh", "-c", `read x; exec "$0" run 2`, tg.C)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rec := utAttach(t, "uprobe:"+tg.C+":add_ints", probe.AttachOptions{PID: cmd.Process.Pid}, func(c *probe.Ctx) []probe.Loc {
		return c.ArgN[:1]
	})
	utRun(t, tg.C, "run", "5") // another process: not counted
	in.Write([]byte("go\n"))
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if n, v := rec.Values(t); n != 2 || v[0] != 1 {
		t.Errorf("pid-bound uprobe: count %d arg0 %d, want 2 and 1", n, v[0])
	}
}

func TestUprobeGo(t *testing.T) {
	usdttest.NeedRoot(t)
	tg := usdttest.Build(t)
	ax, _, _ := usdt.PtRegsOffset("ax") // Go passes the first integer argument in RAX
	rec := utAttach(t, "uprobe:"+tg.GoStripped+":main.add", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		return []probe.Loc{{Kind: probe.LocCtx, Offset: ax, Size: 8}}
	})
	utRun(t, tg.GoStripped, "x", "y")
	if n, v := rec.Values(t); n != 3 || v[0] != 2 {
		t.Errorf("main.add: count %d, reg(ax) %d", n, v[0])
	}
}

func TestUprobeDWARFArgs(t *testing.T) {
	tg := usdttest.Build(t)
	p, _ := probe.Lookup("uprobe")
	ts := utExpand(t, "uprobe:"+tg.C+":many_args", 0)
	c, err := p.Context(ts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Args) != 8 || c.Args[0].Name != "a" || c.Args[7].Name != "h" || c.ArgsStruct == nil || c.ArgsStruct.Bytes != 64 {
		t.Fatalf("args %+v struct %+v", c.Args, c.ArgsStruct)
	}
	if l := c.Args[7].Loc; l.Kind != probe.LocDeref || l.Disp != 16 || !l.Signed {
		t.Errorf("h is the second stack slot: %+v", l)
	}
	ls, err := p.(probe.Lister).List(tg.C+":greet", true, nil)
	if err != nil || len(ls) != 1 || strings.Join(ls[0].Params, ",") != "const char* who" {
		t.Errorf("-lv greet = %+v, %v", ls, err)
	}
	usdttest.NeedRoot(t)
	rec := utAttach(t, "uprobe:"+tg.C+":many_args", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		return []probe.Loc{c.Args[0].Loc, c.Args[5].Loc, c.Args[6].Loc, c.Args[7].Loc}
	})
	add := utAttach(t, "uprobe:"+tg.C+":add_ints", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		return []probe.Loc{c.Args[0].Loc, c.Args[1].Loc}
	})
	utRun(t, tg.C, "run", "2")
	if n, v := rec.Values(t); n != 2 || v[0] != 1 || v[1] != 6 || v[2] != 70 || v[3] != 80 {
		t.Errorf("args.a/f/g/h: count %d values %v", n, v[:4])
	}
	if n, v := add.Values(t); n != 2 || v[0] != 1 || v[1] != 40 {
		t.Errorf("args.a/b: count %d values %v", n, v[:2])
	}
}
