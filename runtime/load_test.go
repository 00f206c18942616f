package runtime

import (
	"bytes"
	"slices"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// TestLoadWithReplacements loads an object's programs one at a time, as the
// REPL loads entries: the second load uses the map the first one created
// (and handed over with Disown), and the map's contents are read and printed
// through a Decoder and a Dispatcher.
func TestLoadWithReplacements(t *testing.T) {
	needRoot(t)
	b := newObj()
	spec := b.userMap("@m", types.Int64, types.Int64, false)
	b.special("begin", updateMap(spec, 1, 10))
	b.special("begin", updateMap(spec, 2, 20))
	obj := b.obj

	first, err := Load(obj, LoadOptions{Programs: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	if first.Programs[1] != nil {
		t.Fatal("a program that was not asked for was loaded")
	}
	if !slices.Contains(first.Created(), spec) {
		t.Fatalf("created %v, want %s among them", first.Created(), spec)
	}
	m := first.Disown(spec)
	defer m.Close()
	if _, err := testRun(first.Programs[0].FD()); err != nil {
		t.Fatal(err)
	}
	first.Close()

	second, err := Load(obj, LoadOptions{Programs: []int{1}, MapReplacements: map[string]*ebpf.Map{spec: m}})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if slices.Contains(second.Created(), spec) || second.Maps[spec] != m {
		t.Fatalf("the replacement was not used (created %v)", second.Created())
	}
	if _, err := testRun(second.Programs[1].FD()); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	d := &Dispatcher{Obj: obj, W: output.NewText(&out, &out), Dec: NewDecoder(nil, ""), UserMap: UserMapsOf(obj, map[string]*ebpf.Map{spec: m})}
	d.PrintMap("@m", 0, 0, nil)
	if got, want := out.String(), "@m[1]: 10\n@m[2]: 20\n"; got != want {
		t.Fatalf("print(@m) = %q, want %q", got, want)
	}
	if n, err := CountEntries(m); err != nil || n != 2 {
		t.Fatalf("CountEntries = %d, %v", n, err)
	}
	if err := ClearMap(m); err != nil {
		t.Fatal(err)
	}
	if n, _ := CountEntries(m); n != 0 {
		t.Fatalf("%d entries after ClearMap", n)
	}

	// A replacement of another layout is refused.
	other, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := Load(obj, LoadOptions{Programs: []int{0}, MapReplacements: map[string]*ebpf.Map{spec: other}}); err == nil {
		t.Fatal("a replacement with another key size was accepted")
	}
}
