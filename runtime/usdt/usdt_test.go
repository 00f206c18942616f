package usdt_test

import (
	"debug/elf"
	"fmt"
	"os/exec"
	"reflect"
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime/usdt"
	"github.com/gobpftrace/gobpftrace/runtime/usdt/usdttest"
)

func TestParseArg(t *testing.T) {
	for _, c := range []struct {
		spec string
		want usdt.Arg
	}{
		{"-4@%edi", usdt.Arg{Size: 4, Signed: true, Kind: usdt.ArgReg, Reg: "rdi", RegOffset: 112}},
		{"8@%rax", usdt.Arg{Size: 8, Kind: usdt.ArgReg, Reg: "rax", RegOffset: 80}},
		{"1@%ah", usdt.Arg{Size: 1, Kind: usdt.ArgReg, Reg: "rax", RegOffset: 81}},
		{"-2@%r9w", usdt.Arg{Size: 2, Signed: true, Kind: usdt.ArgReg, Reg: "r9", RegOffset: 64}},
		{"4@$5", usdt.Arg{Size: 4, Kind: usdt.ArgConst, Const: 5}},
		{"-4@$-7", usdt.Arg{Size: 4, Signed: true, Kind: usdt.ArgConst, Const: -7}},
		{"8@$0x10", usdt.Arg{Size: 8, Kind: usdt.ArgConst, Const: 16}},
		{"8@-16(%rbp)", usdt.Arg{Size: 8, Kind: usdt.ArgMem, Reg: "rbp", RegOffset: 32, Disp: -16}},
		{"-4@(%rsp)", usdt.Arg{Size: 4, Signed: true, Kind: usdt.ArgMem, Reg: "rsp", RegOffset: 152}},
		{"8@(%rax,%rdx,8)", usdt.Arg{Size: 8, Kind: usdt.ArgMem, Reg: "rax", RegOffset: 80, Index: "rdx", IndexOffset: 96, Scale: 8}},
		{"4@24(%rbx,%rcx)", usdt.Arg{Size: 4, Kind: usdt.ArgMem, Reg: "rbx", RegOffset: 40, Disp: 24, Index: "rcx", IndexOffset: 88, Scale: 1}},
		{"-8@gobt_counter(%rip)", usdt.Arg{Size: 8, Signed: true, Kind: usdt.ArgMem, Reg: "rip", RegOffset: 128, Sym: "gobt_counter"}},
		{"8@tab+16(%rip)", usdt.Arg{Size: 8, Kind: usdt.ArgMem, Reg: "rip", RegOffset: 128, Sym: "tab", Disp: 16}},
		{"%esi", usdt.Arg{Size: 8, Kind: usdt.ArgReg, Reg: "rsi", RegOffset: 104}},
	} {
		got, err := usdt.ParseArg(c.spec)
		if err != nil {
			t.Errorf("ParseArg(%q): %v", c.spec, err)
			continue
		}
		c.want.Spec = c.spec
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseArg(%q) =\n %+v\nwant\n %+v", c.spec, got, c.want)
		}
	}
	for _, bad := range []string{"3@%eax", "x@%eax", "8@%xmm0", "8@", "8@$zz", "8@16", "8@(%rax,%rbx,3)", "8@(%foo)"} {
		if _, err := usdt.ParseArg(bad); err == nil {
			t.Errorf("ParseArg(%q) succeeded", bad)
		}
	}
	args, err := usdt.ParseArgs("-4@%edi  8@-16(%rbp) 4@$5")
	if err != nil || len(args) != 3 || args[2].Const != 5 {
		t.Errorf("ParseArgs = %+v, %v", args, err)
	}
}

func TestPtRegsOffset(t *testing.T) {
	for name, want := range map[string]int{"di": 112, "%rdi": 112, "ip": 128, "sp": 152, "orig_ax": 120, "flags": 144, "r15": 0, "r8d": 72, "bp": 32} {
		if off, _, ok := usdt.PtRegsOffset(name); !ok || off != want {
			t.Errorf("PtRegsOffset(%q) = %d, %v; want %d", name, off, ok, want)
		}
	}
	if _, _, ok := usdt.PtRegsOffset("xmm0"); ok {
		t.Errorf("xmm0 has no pt_regs slot")
	}
}

func TestReadTarget(t *testing.T) {
	tg := usdttest.Build(t)
	probes, err := usdt.ReadFile(tg.C)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]usdt.Probe{}
	for _, p := range probes {
		if p.Provider != "gobt" {
			t.Errorf("unexpected provider %q", p.Provider)
		}
		byName[p.Name] = append(byName[p.Name], p)
	}
	if n := len(byName["multi"]); n != 2 {
		t.Errorf("gobt:multi has %d locations, want 2", n)
	}
	if l := usdt.Locations(probes, "gobt", "multi"); len(l) != 2 || l[0].PC == l[1].PC {
		t.Errorf("Locations(multi) = %+v", l)
	}
	tick := byName["tick"]
	if len(tick) != 1 {
		t.Fatalf("gobt:tick: %+v", tick)
	}
	if tick[0].Semaphore != 0 || tick[0].SemaphoreOff != 0 {
		t.Errorf("tick should have no semaphore: %+v", tick[0])
	}
	if a := tick[0].Args; len(a) != 3 || a[0].Kind != usdt.ArgMem || a[0].Reg != "rbp" || a[1].Kind != usdt.ArgConst || a[1].Const != -7 {
		t.Errorf("tick args = %+v (spec %q)", a, tick[0].ArgSpec)
	}
	g := byName["guarded"]
	if len(g) != 1 || g[0].Semaphore == 0 || g[0].SemaphoreOff == 0 {
		t.Fatalf("gobt:guarded should have a semaphore: %+v", g)
	}
	if a := g[0].Args; len(a) != 2 || a[0].Kind != usdt.ArgReg || a[0].Size != 4 || !a[0].Signed || a[1].Size != 8 {
		t.Errorf("guarded args = %+v (spec %q)", a, g[0].ArgSpec)
	}
	if ix := byName["indexed"]; len(ix) != 1 || ix[0].Args[0].Index != "rdx" || ix[0].Args[0].Scale != 8 {
		t.Errorf("gobt:indexed: %+v", ix)
	}
	glob := byName["global"]
	if len(glob) != 1 || glob[0].Args[0].Sym != "gobt_counter" || glob[0].Args[0].SymAddr == 0 {
		t.Fatalf("gobt:global: %+v", glob)
	}

	// Cross-check addresses with the ELF file.
	f, err := elf.Open(tg.C)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, _ := f.Symbols()
	var semAddr, counterAddr uint64
	for _, s := range syms {
		switch s.Name {
		case "gobt_guarded_semaphore":
			semAddr = s.Value
		case "gobt_counter":
			counterAddr = s.Value
		}
	}
	if g[0].Semaphore != semAddr {
		t.Errorf("semaphore at %#x, symbol at %#x", g[0].Semaphore, semAddr)
	}
	if glob[0].Args[0].SymAddr != counterAddr {
		t.Errorf("gobt_counter at %#x, arg says %#x", counterAddr, glob[0].Args[0].SymAddr)
	}
	// The semaphore's file offset holds its initial value (0) in .probes.
	sec := f.Section(".probes")
	if sec == nil || g[0].SemaphoreOff != g[0].Semaphore-sec.Addr+sec.Offset {
		t.Errorf("semaphore file offset %#x, .probes %+v", g[0].SemaphoreOff, sec)
	}
	text := f.Section(".text")
	if tick[0].FileOffset != tick[0].PC-text.Addr+text.Offset {
		t.Errorf("tick file offset %#x, pc %#x", tick[0].FileOffset, tick[0].PC)
	}
	// Cached.
	again, _ := usdt.ReadFile(tg.C)
	if &again[0] != &probes[0] {
		t.Errorf("ReadFile did not cache")
	}
	// A file without notes.
	if ps, err := usdt.ReadFile(tg.Cpp); err != nil || len(ps) != 0 {
		t.Errorf("C++ target: %v, %v", ps, err)
	}
}

func TestAddSemaphore(t *testing.T) {
	usdttest.NeedRoot(t)
	tg := usdttest.Build(t)
	probes, err := usdt.ReadFile(tg.C)
	if err != nil {
		t.Fatal(err)
	}
	g := usdt.Locations(probes, "gobt", "guarded")[0]
	cmd := exec.Command(tg.C, "wait")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); cmd.Wait() }()
	out.Read(make([]byte, 64)) // running
	pid := cmd.Process.Pid
	if v, err := usdt.AddSemaphore(pid, tg.C, g, 1); err != nil || v != 1 {
		t.Fatalf("AddSemaphore(+1) = %d, %v", v, err)
	}
	if v, err := usdt.AddSemaphore(pid, fmt.Sprintf("/proc/%d/root%s", pid, tg.C), g, 1); err != nil || v != 2 {
		t.Fatalf("AddSemaphore(+1) via /proc/PID/root = %d, %v", v, err)
	}
	if v, err := usdt.AddSemaphore(pid, tg.C, g, -2); err != nil || v != 0 {
		t.Fatalf("AddSemaphore(-2) = %d, %v", v, err)
	}
	tick := usdt.Locations(probes, "gobt", "tick")[0]
	if _, err := usdt.AddSemaphore(pid, tg.C, tick, 1); err == nil {
		t.Errorf("a probe without a semaphore was activated")
	}
}
