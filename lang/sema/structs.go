package sema

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/parser"
	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// Structs come from the script's C preamble first, then from kernel BTF.

// collectCDecls lays out the preamble's records, enums and typedefs.
func collectCDecls(c *checker) {
	c.cstructs = map[string]*types.Struct{}
	c.ctypedefs = map[string]types.Type{}
	c.cenums = map[string]int64{}
	c.defines = map[string]ast.Expr{}
	for _, d := range c.prog.Decls {
		switch d := d.(type) {
		case *ast.Preproc:
			c.define(d)
		case *ast.CRecord:
			c.crecord(d)
		case *ast.CTypedef:
			c.inCDecl = true
			t := c.typeExpr(d.Type)
			c.inCDecl = false
			if t != nil {
				c.ctypedefs[d.Name] = t
			}
		case *ast.CEnum:
			next := int64(0)
			for _, v := range d.Values {
				if v.Value != nil {
					if k, ok := c.constOf(v.Value); ok && !k.IsStr {
						next = k.Int
					} else {
						c.errorf(v.Value.Span(), "enum values must be integer constants")
					}
				}
				c.cenums[v.Name] = next
				next++
			}
		}
	}
}

// crecord lays out a C struct or union with C alignment rules.
func (c *checker) crecord(r *ast.CRecord) *types.Struct {
	kind := "struct"
	if r.Union {
		kind = "union"
	}
	key := kind + " " + r.Name
	if r.Name != "" {
		if s, ok := c.cstructs[key]; ok && (s.Fields != nil || r.Fields == nil) {
			return s
		}
	}
	s := &types.Struct{Kind: kind, Name: r.Name}
	if r.Name != "" {
		c.cstructs[key] = s // before the fields: self-referencing pointers
	}
	if r.Fields == nil {
		return s
	}
	off, align := 0, 1
	bitPos := 0 // bits used in the current bitfield unit
	for _, f := range r.Fields {
		var ft types.Type
		if f.Record != nil {
			ft = c.crecord(f.Record)
		} else {
			c.inCDecl = true
			ft = c.typeExpr(f.Type)
			c.inCDecl = false
		}
		if ft == nil {
			continue
		}
		a := ft.Align()
		if a > align {
			align = a
		}
		fld := types.Field{Name: f.Name, Type: ft}
		switch {
		case r.Union:
			fld.Offset = 0
			if ft.Size() > off {
				off = ft.Size()
			}
		case f.Bits > 0:
			unit := ft.Size() * 8
			start := types.AlignUp(off, a)
			if bitPos == 0 || bitPos+f.Bits > unit {
				if bitPos > 0 {
					start = types.AlignUp(off, a)
				}
				bitPos = 0
				fld.Offset = start
				off = start + ft.Size()
			} else {
				fld.Offset = off - ft.Size()
			}
			fld.BitOff, fld.BitWidth = bitPos, f.Bits
			bitPos += f.Bits
		default:
			bitPos = 0
			fld.Offset = types.AlignUp(off, a)
			off = fld.Offset + ft.Size()
		}
		s.Fields = append(s.Fields, fld)
	}
	s.Bytes, s.Algn = types.AlignUp(off, align), align
	return s
}

// kernel returns the kernel's BTF when the host has it.
func (c *checker) kernel() *kbtf.Kernel {
	if c.kbtfTried {
		return c.kbtf
	}
	c.kbtfTried = true
	if bh, ok := c.opts.Host.(probe.BTFHost); ok {
		if k, err := bh.KernelBTF(); err == nil {
			c.kbtf = k
		}
	}
	return c.kbtf
}

// namedType resolves struct/union/enum/typedef names.
func (c *checker) namedType(name string) (types.Type, bool) {
	name = strings.Join(strings.Fields(name), " ")
	if s, ok := c.cstructs[name]; ok {
		return s, true
	}
	if t, ok := c.ctypedefs[name]; ok {
		return t, true
	}
	if strings.HasPrefix(name, "enum ") {
		return types.Int64, true
	}
	if k := c.kernel(); k != nil {
		if t, err := k.Type(name); err == nil {
			return t, true
		}
	}
	// bpftrace resolves a bare name to the struct (or union) of that name:
	// "(task_struct *)curtask", "(nameidata *)arg0".
	if !strings.Contains(name, " ") {
		for _, kind := range []string{"struct ", "union "} {
			if t, ok := c.namedType(kind + name); ok {
				return t, true
			}
		}
	}
	return nil, false
}

// complete fills in a struct reached through a pointer (BTF shells).
func (c *checker) complete(s *types.Struct) *types.Struct {
	if s.Fields != nil {
		return s
	}
	if cs, ok := c.cstructs[s.String()]; ok && cs.Fields != nil {
		return cs
	}
	if k := c.kernel(); k != nil && kbtf.IsShell(s) {
		if full, err := k.Resolve(s); err == nil {
			return full
		}
	}
	return s
}

// KernelStruct is "struct NAME" from the preamble or BTF (for curtask).
func (c *checker) KernelStruct(name string) (*types.Struct, bool) {
	t, ok := c.namedType("struct " + name)
	if !ok {
		return nil, false
	}
	s, ok := t.(*types.Struct)
	return s, ok
}

// define records an object-like "#define NAME value" whose value is an
// expression (numbers, strings): bpftrace runs the C preprocessor over the
// script; function-like macros and other directives are ignored.
func (c *checker) define(d *ast.Preproc) {
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d.Text), "#"))
	rest, ok := strings.CutPrefix(text, "define")
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return
	}
	rest = strings.TrimSpace(rest)
	i := strings.IndexAny(rest, " \t(")
	if i <= 0 || rest[i] == '(' {
		return
	}
	name, value := rest[:i], strings.TrimSpace(rest[i:])
	if value == "" {
		return
	}
	e, diags := parser.ParseExpr(lang.NewFile(name, value))
	if diags.HasErrors() || e == nil {
		return
	}
	c.defines[name] = e
}
