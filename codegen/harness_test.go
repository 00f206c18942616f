package codegen_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/sema"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/parser"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// build parses, checks and compiles src; it fails the test on any error.
func build(t testing.TB, src string, opts sema.Options) (*codegen.Object, *ast.Program) {
	t.Helper()
	f := lang.NewFile("stdin", src)
	prog, diags := parser.Parse(f)
	if diags.HasErrors() {
		t.Fatalf("parse %q:\n%s", src, diags.Render(f))
	}
	info, diags := sema.Check(prog, opts)
	if diags.HasErrors() {
		t.Fatalf("check %q:\n%s", src, diags.Render(f))
	}
	obj, err := codegen.Compile(prog, info)
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return obj, prog
}

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to load BPF programs")
	}
}

// loaded is an Object in the kernel.
type loaded struct {
	obj   *codegen.Object
	coll  *ebpf.Collection
	progs []*ebpf.Program
	rd    *ringbuf.Reader
}

func load(t testing.TB, obj *codegen.Object) *loaded {
	t.Helper()
	spec := &ebpf.CollectionSpec{Maps: obj.Maps, Programs: map[string]*ebpf.ProgramSpec{}}
	for i, p := range obj.Programs {
		spec.Programs[fmt.Sprintf("p%d", i)] = p.Spec
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			t.Fatalf("verifier rejected:\n%+v\n%s", ve, codegen.Dump(obj))
		}
		t.Fatalf("load: %v\n%s", err, codegen.Dump(obj))
	}
	l := &loaded{obj: obj, coll: coll}
	for i := range obj.Programs {
		l.progs = append(l.progs, coll.Programs[fmt.Sprintf("p%d", i)])
	}
	if obj.RingBuf != "" {
		rd, err := ringbuf.NewReader(coll.Maps[obj.RingBuf])
		if err != nil {
			t.Fatal(err)
		}
		l.rd = rd
	}
	t.Cleanup(func() {
		if l.rd != nil {
			l.rd.Close()
		}
		coll.Close()
	})
	return l
}

// run runs the programs of targets named name (begin, end) in order.
func (l *loaded) run(t testing.TB, name string) {
	t.Helper()
	for i, p := range l.obj.Programs {
		if p.Target.Provider != name {
			continue
		}
		ret, err := l.progs[i].Run(&ebpf.RunOptions{})
		if err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
		if ret != 0 {
			t.Fatalf("run %s: returned %d", name, ret)
		}
	}
}

// output reads every pending event and renders it: printf text, "exit(N)" and so on.
func (l *loaded) output(t testing.TB) string {
	t.Helper()
	if l.rd == nil {
		return ""
	}
	var b strings.Builder
	l.rd.SetDeadline(time.Now())
	for {
		rec, err := l.rd.Read()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			t.Fatal(err)
		}
		data := rec.RawSample
		id := binary.LittleEndian.Uint64(data)
		ev := l.obj.Events[id]
		var vals []output.Value
		if ev.ArgsType != nil {
			for _, f := range ev.ArgsType.Fields {
				vals = append(vals, decode(f.Type, data[8+f.Offset:]))
			}
		}
		switch ev.Kind {
		case codegen.EvPrintf:
			b.WriteString(output.Sprintf(ev.Fmt, vals))
		case codegen.EvJoin:
			var parts []string
			for _, v := range vals[0].(output.Array) {
				if v.(output.String) != "" {
					parts = append(parts, string(v.(output.String)))
				}
			}
			b.WriteString(strings.Join(parts, ev.Fmt) + "\n")
		case codegen.EvExit:
			fmt.Fprintf(&b, "exit(%v)\n", vals[0])
		default:
			fmt.Fprintf(&b, "event %d %s %v\n", ev.Kind, ev.Map, vals)
		}
	}
	return b.String()
}

func decode(t types.Type, b []byte) output.Value {
	switch t := t.(type) {
	case *types.Int:
		var v uint64
		switch t.Bits {
		case 8:
			v = uint64(b[0])
		case 16:
			v = uint64(binary.LittleEndian.Uint16(b))
		case 32:
			v = uint64(binary.LittleEndian.Uint32(b))
		default:
			v = binary.LittleEndian.Uint64(b)
		}
		if t.Signed {
			sh := 64 - t.Bits
			return output.Int(int64(v<<sh) >> sh)
		}
		return output.Uint(v)
	case *types.Bool:
		return output.Bool(b[0] != 0)
	case *types.String:
		s := b[:t.N]
		if i := strings.IndexByte(string(s), 0); i >= 0 {
			s = s[:i]
		}
		return output.String(s)
	case *types.Array:
		var out output.Array
		for i := 0; i < t.Len; i++ {
			out = append(out, decode(t.Elem, b[i*t.Elem.Size():]))
		}
		return out
	case *types.Tuple:
		var out output.Tuple
		for _, f := range t.Fields {
			out = append(out, decode(f.Type, b[f.Offset:]))
		}
		return out
	}
	return output.String(fmt.Sprintf("<%s>", t))
}

// kernelMap is @map name and its kernel map.
func (l *loaded) kernelMap(t testing.TB, name string) (*codegen.UserMap, *ebpf.Map) {
	t.Helper()
	for _, um := range l.obj.UserMaps {
		if um.Name == name {
			return um, l.coll.Maps[um.Spec]
		}
	}
	t.Fatalf("no map %s", name)
	return nil, nil
}

// scalar reads a map's value for key (nil: the scalar key 0), summing per-CPU values.
func (l *loaded) scalar(t testing.TB, name string, key []byte) int64 {
	t.Helper()
	um, m := l.kernelMap(t, name)
	if key == nil {
		key = make([]byte, m.KeySize())
	}
	if um.PerCPU {
		var vals [][]byte
		if err := m.Lookup(key, &vals); err != nil {
			t.Fatalf("lookup %s: %v", name, err)
		}
		var sum int64
		for _, v := range vals {
			sum += int64(binary.LittleEndian.Uint64(v))
		}
		return sum
	}
	val := make([]byte, um.ValueSize)
	if err := m.Lookup(key, &val); err != nil {
		t.Fatalf("lookup %s: %v", name, err)
	}
	return int64(binary.LittleEndian.Uint64(val))
}
