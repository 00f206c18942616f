package kbtf

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

func kernel(t *testing.T) *Kernel {
	t.Helper()
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no kernel BTF")
	}
	k, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The first lookup must be cheap: issue 4 wants < 50 ms start-up for a
// script with fentry probes.
func TestFirstLookupTiming(t *testing.T) {
	t0 := time.Now()
	k := kernel(t)
	loadT := time.Since(t0)
	t1 := time.Now()
	s, err := k.Struct("struct task_struct")
	if err != nil {
		t.Fatal(err)
	}
	lookT := time.Since(t1)
	t2 := time.Now()
	if _, err := k.Func("", "vfs_read"); err != nil {
		t.Fatal(err)
	}
	fnT := time.Since(t2)
	t.Logf("load %v, first struct lookup %v, func lookup %v (%d fields)", loadT, lookT, fnT, len(s.Fields))
	if total := loadT + lookT + fnT; total > 50*time.Millisecond {
		t.Errorf("load + first lookups took %v, want < 50ms", total)
	}
}

func TestTaskStructPid(t *testing.T) {
	k := kernel(t)
	s, err := k.Struct("task_struct")
	if err != nil {
		t.Fatal(err)
	}
	f, ok := s.Field("pid")
	if !ok {
		t.Fatal("no pid field")
	}
	if it, ok := f.Type.(*types.Int); !ok || it.Bits != 32 || !it.Signed {
		t.Errorf("pid type %v, want int32", f.Type)
	}
	if f.Offset <= 0 || f.Offset >= s.Bytes {
		t.Errorf("pid offset %d out of range (size %d)", f.Offset, s.Bytes)
	}
	comm, ok := s.Field("comm")
	if !ok {
		t.Fatal("no comm")
	}
	if st, ok := comm.Type.(*types.String); !ok || st.N != 16 {
		t.Errorf("comm type %v, want string[16]", comm.Type)
	}
	parent, _ := s.Field("real_parent")
	p, ok := parent.Type.(*types.Pointer)
	if !ok || p.Space != types.AddrKernel {
		t.Fatalf("real_parent %v, want a kernel pointer", parent.Type)
	}
	shell, ok := p.Elem.(*types.Struct)
	if !ok || shell.Name != "task_struct" {
		t.Fatalf("real_parent elem %v", p.Elem)
	}
	// Through a pointer we get the same fully converted struct, or a shell
	// that Struct resolves.
	full, err := k.Resolve(shell)
	if err != nil || full.Bytes != shell.Bytes || len(full.Fields) == 0 {
		t.Errorf("resolving shell: %v %v", full, err)
	}
	// Nested fields through the resolved pointer: task->mm->pgd.
	mmf, _ := s.Field("mm")
	mm, err := k.Resolve(mmf.Type.(*types.Pointer).Elem.(*types.Struct))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := mm.Field("pgd"); !ok {
		t.Error("mm_struct has no pgd")
	}
}

func TestBitfield(t *testing.T) {
	k := kernel(t)
	// struct sock has sk_type etc; task_struct has "unsigned int sched_reset_on_fork: 1" etc.
	s, err := k.Struct("task_struct")
	if err != nil {
		t.Fatal(err)
	}
	var found *types.Field
	for i := range s.Fields {
		if s.Fields[i].BitWidth > 0 {
			found = &s.Fields[i]
			break
		}
	}
	if found == nil {
		t.Fatal("no bitfield in task_struct")
	}
	if found.BitOff < 0 || found.BitOff+found.BitWidth > found.Type.Size()*8 {
		t.Errorf("bitfield %s: off %d width %d in unit of %d bytes", found.Name, found.BitOff, found.BitWidth, found.Type.Size())
	}
	if found.Offset%found.Type.Size() != 0 {
		t.Errorf("bitfield %s: unit offset %d not aligned to %d", found.Name, found.Offset, found.Type.Size())
	}
	t.Logf("bitfield %s: unit %v at %d, bits %d..%d", found.Name, found.Type, found.Offset, found.BitOff, found.BitOff+found.BitWidth)
}

func TestEnum(t *testing.T) {
	k := kernel(t)
	ty, err := k.Type("enum bpf_prog_type")
	if err != nil {
		t.Fatal(err)
	}
	e := ty.(*types.Enum)
	if e.Values["BPF_PROG_TYPE_KPROBE"] != 2 || e.Bits != 32 {
		t.Errorf("enum bpf_prog_type: %v", e.Values["BPF_PROG_TYPE_KPROBE"])
	}
	v, en, ok := k.EnumConstant("BPF_PROG_TYPE_TRACEPOINT")
	if !ok || v != 5 || en.Name != "bpf_prog_type" {
		t.Errorf("EnumConstant: %v %v %v", v, en, ok)
	}
}

func TestTypedefAndFunc(t *testing.T) {
	k := kernel(t)
	ty, err := k.Type("pid_t")
	if err != nil || !types.Equal(ty, types.Int32) {
		t.Errorf("pid_t = %v, %v", ty, err)
	}
	f, err := k.Func("", "vfs_read")
	if err != nil {
		t.Fatal(err)
	}
	var decls []string
	for _, p := range f.Params {
		decls = append(decls, p.Decl())
	}
	got := strings.Join(decls, ", ") + " -> " + f.RetC
	want := "struct file * file, char * buf, size_t count, loff_t * pos -> ssize_t"
	if got != want {
		t.Errorf("vfs_read: got %q, want %q", got, want)
	}
}

func TestRawTracepoint(t *testing.T) {
	k := kernel(t)
	f, err := k.RawTracepoint("", "sched_switch")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range f.Params {
		names = append(names, p.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "prev,next") {
		t.Errorf("sched_switch args %v", names)
	}
}

func TestIndex(t *testing.T) {
	k := kernel(t)
	t0 := time.Now()
	fns, err := k.FuncNames("")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("raw index and func names: %v, %d funcs", time.Since(t0), len(fns))
	has := false
	for _, f := range fns {
		if f == "vfs_read" {
			has = true
		}
	}
	if !has {
		t.Error("vfs_read not listed")
	}
	rts, _ := k.RawTracepointNames("")
	if len(rts) < 100 {
		t.Errorf("only %d raw tracepoints", len(rts))
	}
}

func TestDefinition(t *testing.T) {
	k := kernel(t)
	d, err := k.Definition("struct list_head")
	if err != nil {
		t.Fatal(err)
	}
	want := "struct list_head {\n\tstruct list_head *next;\n\tstruct list_head *prev;\n};\n"
	if d != want {
		t.Errorf("got\n%s\nwant\n%s", d, want)
	}
	d, err = k.Definition("struct task_struct")
	if err != nil || !strings.Contains(d, "\tchar comm[16];\n") || !strings.Contains(d, "\tpid_t pid;\n") {
		t.Errorf("task_struct definition lacks comm/pid: %v", err)
	}
}
