package probe_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/runtime/usdt/usdttest"
)

func TestUsdtParse(t *testing.T) {
	for _, c := range []struct {
		raw, path, prov, name string
		wild, isErr           bool
	}{
		{raw: "usdt:/bin/x:loop", path: "/bin/x", name: "loop"},
		{raw: "U:/bin/x:prov:loop", path: "/bin/x", prov: "prov", name: "loop"},
		{raw: "usdt:*:loop", path: "*", name: "loop", wild: true},
		{raw: "usdt:./x:p*:*", path: "./x", prov: "p*", name: "*", wild: true},
		{raw: "usdt:./x", isErr: true},
		{raw: "usdt:./x:a:b:c", isErr: true},
		{raw: "usdt::a", isErr: true},
	} {
		ap := utAP(c.raw)
		p, _ := probe.Lookup(ap.Provider)
		s, err := p.Parse(ap)
		if c.isErr {
			if err == nil {
				t.Errorf("Parse(%s) succeeded", c.raw)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%s): %v", c.raw, err)
			continue
		}
		if s.Path != c.path || s.Category != c.prov || s.Func != c.name || s.Wildcard != c.wild {
			t.Errorf("Parse(%s) = %+v wildcard=%v", c.raw, s.Target, s.Wildcard)
		}
	}
}

func TestUsdtExpandContext(t *testing.T) {
	tg := usdttest.Build(t)
	ts := utExpand(t, "usdt:"+tg.C+":gobt:tick", 0)
	if len(ts) != 1 || ts[0].Name != "usdt:"+tg.C+":gobt:tick" || ts[0].Category != "gobt" || ts[0].Func != "tick" {
		t.Fatalf("tick: %v", utNames(ts))
	}
	p, _ := probe.Lookup("usdt")
	c, err := p.Context(ts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	// -4@-52(%rbp) -4@$-7 -8@%rax (the -O0 build)
	want := []probe.Loc{
		{Kind: probe.LocDeref, Offset: 32, Disp: -52, Size: 4, Signed: true, Space: types.AddrUser},
		{Kind: probe.LocConst, Const: -7, Size: 4, Signed: true, Space: types.AddrUser},
		{Kind: probe.LocCtx, Offset: 80, Size: 8, Signed: true, Space: types.AddrUser},
	}
	if len(c.ArgN) != 3 {
		t.Fatalf("ArgN = %+v", c.ArgN)
	}
	for i := range want {
		if c.ArgN[i] != want[i] {
			t.Errorf("arg%d = %+v, want %+v", i, c.ArgN[i], want[i])
		}
	}
	if c.Retval != nil || !c.HasRegs {
		t.Errorf("ctx %+v", c)
	}
	// Name alone, provider implied; several locations give several targets.
	ts = utExpand(t, "usdt:"+tg.C+":multi", 0)
	if len(ts) != 2 || ts[0].Name != ts[1].Name {
		t.Errorf("multi: %v", utNames(ts))
	}
	loc0, loc1 := ts[0].Extra.(*probe.UsdtLocation), ts[1].Extra.(*probe.UsdtLocation)
	if loc0.Count != 2 || loc0.Index != 0 || loc1.Index != 1 || loc0.Probe.PC == loc1.Probe.PC {
		t.Errorf("multi locations %+v %+v", loc0, loc1)
	}
	// Wildcards over provider and name.
	ts = utExpand(t, "usdt:"+tg.C+":gobt:*", 0)
	if len(ts) != 6 {
		t.Errorf("gobt:* = %v", utNames(ts))
	}
	ts = utExpand(t, "usdt:"+tg.C+":g*", 0)
	if got := strings.Join(utNames(ts), " "); got != "usdt:"+tg.C+":gobt:global usdt:"+tg.C+":gobt:guarded" {
		t.Errorf("g* = %s", got)
	}
	for _, raw := range []string{"usdt:" + tg.C + ":nope", "usdt:" + tg.C + ":other:tick", "usdt:" + tg.Cpp + ":tick"} {
		ap := utAP(raw)
		s, err := p.Parse(ap)
		if err == nil {
			_, err = p.Expand(s, nil)
		}
		if err == nil {
			t.Errorf("%s expanded", raw)
		}
	}
}

func TestUsdtList(t *testing.T) {
	tg := usdttest.Build(t)
	p, _ := probe.Lookup("usdt")
	ls, err := p.(probe.Lister).List(tg.C+":*", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range ls {
		names = append(names, strings.TrimPrefix(l.Name, "usdt:"+tg.C+":"))
	}
	if got := strings.Join(names, " "); got != "gobt:global gobt:guarded gobt:indexed gobt:multi gobt:tick" {
		t.Errorf("List = %s", got)
	}
	if len(ls[4].Params) != 3 || ls[4].Params[1] != "arg1: -4@$-7" {
		t.Errorf("tick params %q", ls[4].Params)
	}
}

// TestUsdtWildcardPath finds probes in the files of the libraries and binary a process has
// mapped with `usdt:*:NAME` and -p.
func TestUsdtWildcardPath(t *testing.T) {
	tg := usdttest.Build(t)
	cmd := exec.Command(tg.C, "wait")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); cmd.Wait() }()
	buf := make([]byte, 64)
	out.Read(buf) // wait until it runs
	ts := utExpand(t, "usdt:*:gobt:tick", cmd.Process.Pid)
	if len(ts) != 1 || !strings.HasSuffix(ts[0].Path, tg.C) || !strings.HasPrefix(ts[0].Path, "/proc/") {
		t.Errorf("usdt:*:gobt:tick with -p: %v", utNames(ts))
	}
}

func TestUsdtAttach(t *testing.T) {
	usdttest.NeedRoot(t)
	tg := usdttest.Build(t)
	all := func(c *probe.Ctx) []probe.Loc { return c.ArgN }

	tick := utAttach(t, "usdt:"+tg.C+":gobt:tick", probe.AttachOptions{}, all)
	guarded := utAttach(t, "usdt:"+tg.C+":guarded", probe.AttachOptions{}, all)
	global := utAttach(t, "usdt:"+tg.C+":global", probe.AttachOptions{}, all)
	multi := utAttach(t, "usdt:"+tg.C+":multi", probe.AttachOptions{}, all)
	indexed := utAttach(t, "usdt:"+tg.C+":gobt:indexed", probe.AttachOptions{}, func(c *probe.Ctx) []probe.Loc {
		if l := c.ArgN[0]; l.Kind != probe.LocDeref || l.Offset != 80 || l.Index != 96 || l.Scale != 8 {
			t.Errorf("indexed arg0 loc %+v", l)
		}
		return c.ArgN
	})

	utRun(t, tg.C, "run", "3")

	if n, v := tick.Values(t); n != 3 || v[0] != 2 || v[1] != -7 || v[2] != 1234 {
		t.Errorf("tick: count %d args %v (stack, const, register)", n, v[:3])
	}
	// The semaphore is set by the kernel (ref_ctr_offset) while attached, so
	// the guarded probe fires: i+100 and arr[i&3] for i = 2.
	if n, v := guarded.Values(t); n != 3 || v[0] != 102 || v[1] != 30 {
		t.Errorf("guarded: count %d args %v", n, v[:2])
	}
	if n, v := global.Values(t); n != 3 || v[0] != 5678 {
		t.Errorf("global (%%rip operand): count %d arg %d", n, v[0])
	}
	if n, v := indexed.Values(t); n != 3 || v[0] != 33 || v[1] != 2 {
		t.Errorf("indexed (-8@(%%rax,%%rdx,8)): count %d args %v", n, v[:2])
	}
	if n, _ := multi.Values(t); n != 6 {
		t.Errorf("multi (2 locations): count %d, want 6", n)
	}
}
