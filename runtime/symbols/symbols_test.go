package symbols_test

import (
	"bufio"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/runtime/usdt/usdttest"
)

const kallsymsFixture = `ffffffff81000000 T _stext
ffffffff81000000 T _text
ffffffff81001000 t helper
ffffffff81001040 T vfs_read
ffffffff81001100 D some_data
ffffffffc0201000 t ext4_fill_super	[ext4]
0000000000000000 A fixed_percpu_data
`

func TestParseKallsyms(t *testing.T) {
	tab, err := symbols.ParseKallsyms(strings.NewReader(kallsymsFixture))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		addr uint64
		name string
		off  uint64
		mod  string
	}{
		{0xffffffff81000000, "_stext", 0, ""},
		{0xffffffff81001050, "vfs_read", 0x10, ""},
		{0xffffffff81001000, "helper", 0, ""},
		{0xffffffffc0201234, "ext4_fill_super", 0x234, "ext4"},
	} {
		s, ok := tab.Lookup(c.addr)
		if !ok || s.Name != c.name || c.addr-s.Addr != c.off || s.Module != c.mod {
			t.Errorf("Lookup(%#x) = %+v, %v; want %s+%#x [%s]", c.addr, s, ok, c.name, c.off, c.mod)
		}
	}
	if _, ok := tab.Lookup(0x1000); ok {
		t.Errorf("Lookup below every symbol succeeded")
	}
	if s, ok := tab.Addr("ext4:ext4_fill_super"); !ok || s.Addr != 0xffffffffc0201000 {
		t.Errorf("Addr(ext4:ext4_fill_super) = %+v, %v", s, ok)
	}
	hidden := "0000000000000000 T a\n0000000000000000 T b\n"
	if _, err := symbols.ParseKallsyms(strings.NewReader(hidden)); err == nil {
		t.Errorf("all-zero kallsyms should be an error")
	}
}

// kallsymsAddr reads a symbol's address straight from /proc/kallsyms.
func kallsymsAddr(t *testing.T, name string) uint64 {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) >= 3 && fl[2] == name {
			a, _ := strconv.ParseUint(fl[0], 16, 64)
			return a
		}
	}
	t.Skipf("%s not in kallsyms", name)
	return 0
}

func TestKsymKernel(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("kallsyms addresses need root")
	}
	addr := kallsymsAddr(t, "vfs_read")
	if name, off := symbols.Ksym(addr + 5); name != "vfs_read" || off != 5 {
		t.Errorf("Ksym(vfs_read+5) = %s+%d", name, off)
	}
	if a, err := symbols.Kaddr("vfs_read"); err != nil || a != addr {
		t.Errorf("Kaddr(vfs_read) = %#x, %v; want %#x", a, err, addr)
	}
	if _, err := symbols.Kaddr("no_such_symbol_xyz"); err == nil {
		t.Errorf("Kaddr of a missing symbol succeeded")
	}
	fr := symbols.KernelFrames([]uint64{addr + 1, 1})
	if fr[0].Sym != "vfs_read" || fr[0].Off != 1 || fr[1].Sym != "" {
		t.Errorf("KernelFrames = %+v", fr)
	}
}

func TestDemangle(t *testing.T) {
	for in, want := range map[string]string{
		"_ZN4gobt7Counter4bumpEi":                "gobt::Counter::bump(int)",
		"_ZN4gobt5twiceEl":                       "gobt::twice(long)",
		"_ZNSt6vectorIiSaIiEE9push_backERKi":     "std::vector<int, std::allocator<int> >::push_back(int const&)",
		"_RNvCs15kBYyAo9fc_7mycrate7example":     "mycrate::example",
		"_ZN4core3fmt5write17h0123456789abcdefE": "core::fmt::write",
		"main.main":                              "main.main",
		"add_ints":                               "add_ints",
		"_Zinvalid":                              "_Zinvalid",
	} {
		if got := symbols.Demangle(in); got != want {
			t.Errorf("Demangle(%q) = %q, want %q", in, got, want)
		}
	}
	if got := symbols.DemangleNoParams("_ZN4gobt7Counter4bumpEi"); got != "gobt::Counter::bump" {
		t.Errorf("DemangleNoParams = %q", got)
	}
}

func TestELFSymbols(t *testing.T) {
	tg := usdttest.Build(t)
	f, err := symbols.OpenELF(tg.C)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != elf.ET_DYN {
		t.Errorf("target should be PIE, is %v", f.Type)
	}
	s, ok := f.Sym("add_ints")
	if !ok || s.Size == 0 {
		t.Fatalf("add_ints: %+v %v", s, ok)
	}
	if got, ok := f.Lookup(s.Value + 3); !ok || got.Name != "add_ints" {
		t.Errorf("Lookup(add_ints+3) = %+v", got)
	}
	off, err := f.FileOffset(s.Value)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.Vaddr(off); !ok || v != s.Value {
		t.Errorf("Vaddr(FileOffset(x)) = %#x, want %#x", v, s.Value)
	}
	if a, err := symbols.Uaddr(tg.C, "add_ints"); err != nil || a != s.Value {
		t.Errorf("Uaddr = %#x, %v", a, err)
	}
	if _, err := symbols.Uaddr(tg.C, "nope"); err == nil {
		t.Errorf("Uaddr of a missing symbol succeeded")
	}
	// C++: by mangled and demangled name.
	a1, err1 := symbols.Uaddr(tg.Cpp, "_ZN4gobt7Counter4bumpEi")
	a2, err2 := symbols.Uaddr(tg.Cpp, "gobt::Counter::bump(int)")
	if err1 != nil || err2 != nil || a1 != a2 {
		t.Errorf("Uaddr C++: %#x %v, %#x %v", a1, err1, a2, err2)
	}
	// Same table for the same file reached by another path.
	g, err := symbols.OpenELF(filepath.Join(filepath.Dir(tg.C), ".", filepath.Base(tg.C)))
	if err != nil || g != f {
		t.Errorf("OpenELF did not reuse the cached table")
	}
}

func TestResolveBinary(t *testing.T) {
	p, err := symbols.ResolveBinary("libc", 0)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "libc.so.6" {
		t.Errorf("libc resolved to %s", p)
	}
	if p2, err := symbols.ResolveBinary("libc.so.6", 0); err != nil || p2 != p {
		t.Errorf("libc.so.6 resolved to %s, %v", p2, err)
	}
	sh, err := symbols.ResolveBinary("sh", 0)
	if err != nil || !filepath.IsAbs(sh) {
		t.Errorf("sh resolved to %q, %v", sh, err)
	}
	if _, err := symbols.ResolveBinary("libdoesnotexist_xyz", 0); err == nil {
		t.Errorf("missing library resolved")
	}
	if _, err := symbols.ResolveBinary("./no/such/file", 0); err == nil {
		t.Errorf("missing path resolved")
	}
	// With a pid, paths go through /proc/PID/root and libraries come from its maps.
	self := os.Getpid()
	if p, err := symbols.ResolveBinary("/bin/sh", self); err != nil || p != fmt.Sprintf("/proc/%d/root/bin/sh", self) {
		t.Errorf("/bin/sh with pid = %q, %v", p, err)
	}
}

// startWaiting runs the target in "wait" mode and returns its pid, the
// run-time address of add_ints, and a function that ends it.
func startWaiting(t *testing.T, path string) (int, uint64, func()) {
	cmd := exec.Command(path, "wait")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(line), "0x"), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	stop := func() {
		stdin.Close()
		io.Copy(io.Discard, stdout)
		cmd.Wait()
	}
	return cmd.Process.Pid, addr, stop
}

func TestUsymLivePIE(t *testing.T) {
	tg := usdttest.Build(t)
	pid, addr, stop := startWaiting(t, tg.C)
	defer stop()
	f, _ := symbols.OpenELF(tg.C)
	if s, _ := f.Sym("add_ints"); s.Value == addr {
		t.Fatalf("add_ints at its link address %#x: not loaded as PIE", addr)
	}
	name, off, mod := symbols.Usym(pid, addr+2)
	if name != "add_ints" || off != 2 || mod != tg.C {
		t.Errorf("Usym = %s+%d in %s", name, off, mod)
	}
	// A libc function through the process's maps.
	maps, err := symbols.ProcMaps(pid)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range maps {
		if !m.Exec || filepath.Base(m.Path) != "libc.so.6" {
			continue
		}
		lf, err := symbols.OpenELF(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := symbols.Uaddr(m.Path, "getpid")
		if err != nil {
			t.Fatal(err)
		}
		fo, _ := lf.FileOffset(v)
		if fo < m.Off || fo >= m.Off+(m.End-m.Start) {
			continue
		}
		found = true
		name, off, mod := symbols.Usym(pid, m.Start+fo-m.Off+1)
		if name == "" || off != 1 || mod != m.Path {
			t.Errorf("Usym(getpid+1) = %s+%d in %s", name, off, mod)
		}
	}
	if !found {
		t.Errorf("libc.so.6 is not mapped executable in the target")
	}
	fr := symbols.UserFrames(pid, []uint64{addr, 8})
	if fr[0].Sym != "add_ints" || fr[1].Sym != "" || fr[1].Module != "" {
		t.Errorf("UserFrames = %+v", fr)
	}
	// After the process exits, the cached maps still resolve.
	stop()
	if name, _, _ := symbols.Usym(pid, addr); name != "add_ints" {
		t.Errorf("Usym after exit = %q", name)
	}
	symbols.ForgetProcess(pid)
	if name, _, _ := symbols.Usym(pid, addr); name != "" {
		t.Errorf("Usym after ForgetProcess = %q", name)
	}
}

func TestUsymCppDemangleSwitch(t *testing.T) {
	tg := usdttest.Build(t)
	pid, addr, stop := startWaiting(t, tg.Cpp)
	defer stop()
	if name, off, _ := symbols.Usym(pid, addr); name != "gobt::Counter::bump(int)" || off != 0 {
		t.Errorf("Usym = %s+%d", name, off)
	}
	symbols.SetDemangle(false)
	defer symbols.SetDemangle(true)
	if name, _, _ := symbols.Usym(pid, addr); name != "_ZN4gobt7Counter4bumpEi" {
		t.Errorf("Usym with cpp_demangle off = %s", name)
	}
}

func TestGoSymbols(t *testing.T) {
	tg := usdttest.Build(t)
	full, err := symbols.OpenELF(tg.Go)
	if err != nil {
		t.Fatal(err)
	}
	stripped, err := symbols.OpenELF(tg.GoStripped)
	if err != nil {
		t.Fatal(err)
	}
	a, ok1 := full.Sym("main.add")
	b, ok2 := stripped.Sym("main.add")
	if !ok1 || !ok2 || a.Value != b.Value {
		t.Fatalf("main.add: %+v %v / from pclntab %+v %v", a, ok1, b, ok2)
	}
	if s, ok := stripped.Lookup(b.Value + 1); !ok || s.Name != "main.add" {
		t.Errorf("Lookup in stripped Go binary = %+v", s)
	}
	// Non-PIE executables resolve without maps once known (a process that
	// exited before its maps were read).
	symbols.AddKnownBinary(tg.GoStripped)
	if name, off, mod := symbols.Usym(1<<30, b.Value+2); name != "main.add" || off != 2 || mod != tg.GoStripped {
		t.Errorf("Usym via known binary = %s+%d in %s", name, off, mod)
	}
}

func TestTrackProcess(t *testing.T) {
	tg := usdttest.Build(t)
	pid, addr, stop := startWaiting(t, tg.C)
	untrack := symbols.TrackProcess(pid, 10*time.Millisecond)
	defer untrack()
	stop() // exits; never symbolized while alive
	if name, _, _ := symbols.Usym(pid, addr); name != "add_ints" {
		t.Errorf("Usym of a tracked process after exit = %q", name)
	}
	symbols.ForgetProcess(pid)
}

func TestFuncParams(t *testing.T) {
	tg := usdttest.Build(t)
	var got []string
	for _, fn := range []string{"add_ints", "greet", "main"} {
		ps, err := symbols.FuncParams(tg.C, fn)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			got = append(got, fmt.Sprintf("%s %s %v", p.CType, p.Name, p.Type))
		}
	}
	want := "int a int32|int b int32|const char* who int8 *|int argc int32|char** argv int8 * *"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("params:\n got %s\nwant %s", g, want)
	}
	if _, err := symbols.FuncParams(tg.C, "no_such_fn"); err == nil {
		t.Errorf("missing function has params")
	}
	if _, err := symbols.FuncParams(tg.GoStripped, "main.add"); err == nil {
		t.Errorf("stripped binary has DWARF")
	}
}

// TestDebugLink: a stripped binary whose symbols live in a separate debug
// file named by .gnu_debuglink (next to it, or in its .debug directory)
// still resolves a static function; a debug file with the wrong CRC is not
// used.
func TestDebugLink(t *testing.T) {
	for _, tool := range []string{"gcc", "objcopy", "strip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "prog.c")
	os.WriteFile(src, []byte("static int __attribute__((noinline)) hidden_fn(int x) { return x * 3; }\nint main(int c, char **v) { return hidden_fn(c); }\n"), 0o644)
	bin := filepath.Join(dir, "prog")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("gcc", "-O1", "-g", "-Wl,--build-id=none", "-o", bin, src)
	os.Mkdir(filepath.Join(dir, ".debug"), 0o755)
	dbg := filepath.Join(dir, ".debug", "prog.dbg")
	run("objcopy", "--only-keep-debug", bin, dbg)
	run("strip", "--strip-all", bin)
	run("objcopy", "--add-gnu-debuglink="+dbg, bin)
	f, err := symbols.OpenELF(bin)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := f.Sym("hidden_fn"); !ok || s.Value == 0 {
		t.Fatalf("hidden_fn not found through .gnu_debuglink: %+v %v", s, ok)
	}
	// The same binary with a debug file that does not match its CRC.
	bin2 := filepath.Join(dir, "prog2")
	b, _ := os.ReadFile(bin)
	os.WriteFile(bin2, b, 0o755)
	d, _ := os.ReadFile(dbg)
	os.WriteFile(dbg, append(d, 0), 0o644)
	g, err := symbols.OpenELF(bin2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.Sym("hidden_fn"); ok {
		t.Errorf("a debug file with the wrong CRC was used")
	}
}
