package kbtf

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Definition prints a struct, union or enum the way C declares it, for
// `-lv 'struct task_struct'`. name is "struct NAME", "union NAME" or "enum NAME".
func (k *Kernel) Definition(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	kind, bare, _ := strings.Cut(name, " ")
	var t btf.Type
	var err error
	switch kind {
	case "struct":
		t, err = lookup[*btf.Struct](k.spec, bare)
	case "union":
		t, err = lookup[*btf.Union](k.spec, bare)
	case "enum":
		t, err = lookup[*btf.Enum](k.spec, bare)
	default:
		t, err = lookup[*btf.Struct](k.spec, name)
	}
	if err != nil {
		return "", fmt.Errorf("%s not found in kernel BTF", name)
	}
	var b strings.Builder
	writeRecord(&b, t, 0)
	b.WriteString(";\n")
	return b.String(), nil
}

func writeRecord(b *strings.Builder, t btf.Type, indent int) {
	switch t := t.(type) {
	case *btf.Struct:
		writeMembers(b, "struct", t.Name, t.Members, indent)
	case *btf.Union:
		writeMembers(b, "union", t.Name, t.Members, indent)
	case *btf.Enum:
		b.WriteString("enum " + t.Name + " {\n")
		for _, v := range t.Values {
			val := fmt.Sprint(v.Value)
			if t.Signed {
				val = fmt.Sprint(signExtend(v.Value, int(t.Size)))
			}
			fmt.Fprintf(b, "%s%s = %s,\n", tabs(indent+1), v.Name, val)
		}
		b.WriteString(tabs(indent) + "}")
	}
}

func writeMembers(b *strings.Builder, kind, name string, ms []btf.Member, indent int) {
	b.WriteString(kind)
	if name != "" {
		b.WriteString(" " + name)
	}
	b.WriteString(" {\n")
	for _, m := range ms {
		b.WriteString(tabs(indent + 1))
		mt := skipQualifiers(m.Type)
		switch r := mt.(type) {
		case *btf.Struct:
			if r.Name == "" {
				writeRecord(b, r, indent+1)
				writeName(b, m)
				continue
			}
		case *btf.Union:
			if r.Name == "" {
				writeRecord(b, r, indent+1)
				writeName(b, m)
				continue
			}
		}
		b.WriteString(declare(m.Type, m.Name))
		if m.BitfieldSize > 0 {
			fmt.Fprintf(b, ": %d", m.BitfieldSize)
		}
		b.WriteString(";\n")
	}
	b.WriteString(tabs(indent) + "}")
}

func writeName(b *strings.Builder, m btf.Member) {
	if m.Name != "" {
		b.WriteString(" " + m.Name)
	}
	b.WriteString(";\n")
}

// declare writes "TYPE NAME" with C's inside-out syntax for arrays and
// function pointers: "char comm[16]", "int (*fn)(int)".
func declare(t btf.Type, name string) string {
	switch r := t.(type) {
	case *btf.Array:
		return declare(r.Type, fmt.Sprintf("%s[%d]", name, r.Nelems))
	case *btf.Pointer:
		if fp, ok := skipQualifiers(r.Target).(*btf.FuncProto); ok {
			return CName(fp.Return) + " (*" + name + ")(" + paramList(fp, 0) + ")"
		}
		if _, ok := r.Target.(*btf.Array); ok {
			return declare(r.Target, "(*"+name+")")
		}
	}
	n := CName(t)
	if strings.HasSuffix(n, "*") {
		return n + name
	}
	return n + " " + name
}

func tabs(n int) string { return strings.Repeat("\t", n) }
