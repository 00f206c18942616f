package sema

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// ctxIdent types argN and retval from the probe's context description.
// handled is false when the name is neither.
func (c *checker) ctxIdent(e *ast.Ident) (t types.Type, handled bool) {
	t = c.ctxIdent1(e)
	if _, void := t.(*types.Void); void {
		return nil, true
	}
	return t, t != nil
}

func (c *checker) ctxIdent1(e *ast.Ident) types.Type {
	switch {
	case e.Name == "retval":
		if c.ctx == nil || c.ctx.Retval == nil {
			c.errorf(e.Span(), "The retval builtin can only be used with return probes")
			return &types.Void{}
		}
		c.info.Ctx[e] = CtxRef{Retval: true, ArgN: -1}
		return locType(c.ctx.Retval.Size, c.ctx.Retval.Signed)
	case strings.HasPrefix(e.Name, "arg") && len(e.Name) > 3 && e.Name != "args":
		n, err := strconv.Atoi(e.Name[3:])
		if err != nil {
			return nil
		}
		if c.ctx == nil || c.ctx.ArgN == nil {
			c.errorf(e.Span(), "The %s builtin can not be used with '%s' probes", e.Name, c.provider)
			return &types.Void{}
		}
		if n >= len(c.ctx.ArgN) {
			c.errorf(e.Span(), "%s is out of range: this probe has %d arguments", e.Name, len(c.ctx.ArgN))
			return &types.Void{}
		}
		c.info.Ctx[e] = CtxRef{ArgN: n}
		l := c.ctx.ArgN[n]
		return locType(l.Size, l.Signed)
	case e.Name == "args":
		if c.ctx == nil || c.ctx.ArgsStruct == nil {
			c.errorf(e.Span(), "The args builtin can not be used with '%s' probes", c.provider)
			return &types.Void{}
		}
		c.info.Ctx[e] = CtxRef{Arg: "*", ArgN: -1}
		// The common_* header is not filled in when BPF runs; bpftrace
		// leaves it out of args.
		st := *c.ctx.ArgsStruct
		st.Fields = nil
		for _, f := range c.ctx.ArgsStruct.Fields {
			if !strings.HasPrefix(f.Name, "common_") {
				st.Fields = append(st.Fields, f)
			}
		}
		return &st
	}
	return nil
}

func locType(size int, sign bool) types.Type {
	switch size {
	case 1, 2, 4, 8:
		return &types.Int{Bits: size * 8, Signed: sign}
	}
	return types.Uint64
}

// field types x.name and x->name: tracepoint/function args, records.
func (c *checker) field(e *ast.FieldAccess) types.Type {
	if id, ok := e.X.(*ast.Ident); ok && id.Name == "args" {
		if c.ctx == nil || c.ctx.Args == nil {
			c.errorf(id.Span(), "The args builtin can not be used with '%s' probes", c.provider)
			return nil
		}
		for _, a := range c.ctx.Args {
			if a.Name == e.Name {
				if missing := c.targetsWithoutArg(a.Name); missing != "" {
					c.errorf(e.Span(), "Can't find field '%s' in the args of %s", e.Name, missing)
					return nil
				}
				c.info.Ctx[e] = CtxRef{Arg: a.Name, ArgN: -1}
				if a.Loc.Kind == probe.LocCtxDataLoc {
					if _, ok := a.Type.(*types.String); !ok {
						return &types.String{N: c.info.Config.MaxStrlen}
					}
				}
				switch t := a.Type.(type) {
				case *types.Array:
					if it, ok := t.Elem.(*types.Int); ok && it.Bits == 8 && it.Signed {
						return &types.String{N: t.Len}
					}
				}
				return a.Type
			}
		}
		c.errorf(e.Span(), "Can't find field '%s' in this probe's args", e.Name)
		return nil
	}
	t := c.expr(e.X)
	if t == nil {
		return nil
	}
	switch t := t.(type) {
	case *types.Pointer:
		if st, ok := t.Elem.(*types.Struct); ok {
			return c.structField(e, c.complete(st))
		}
	case *types.Struct:
		return c.structField(e, c.complete(t))
	case *types.Record:
		for _, f := range t.Fields {
			if f.Name == e.Name {
				return f.Type
			}
		}
		c.errorf(e.Span(), "Record does not contain a field named '%s'", e.Name)
		return nil
	}
	c.errorf(e.Span(), "Can not access field '%s' on expression of type '%s'", e.Name, t)
	return nil
}

// structField types s.name; char arrays read as strings, as bpftrace does.
func (c *checker) structField(e *ast.FieldAccess, s *types.Struct) types.Type {
	if s.Fields == nil {
		c.errorf(e.Span(), "Unknown struct layout for '%s' (no definition and no kernel BTF)", s)
		return nil
	}
	f, ok := s.Field(e.Name)
	if !ok {
		c.errorf(e.Span(), "Struct/union of type '%s' does not contain a field named '%s'", s, e.Name)
		return nil
	}
	c.info.Fields[e] = f
	return fieldType(f.Type)
}

// fieldType is how a member reads: char arrays become strings.
func fieldType(t types.Type) types.Type {
	if a, ok := t.(*types.Array); ok {
		if it, ok := a.Elem.(*types.Int); ok && it.Bits == 8 && it.Signed {
			return &types.String{N: a.Len}
		}
	}
	if st, ok := t.(*types.Struct); ok {
		return st
	}
	return t
}

// targetsWithoutArg names a target of the current probe whose context has
// no argument name ("" when all have it): wildcards must agree.
func (c *checker) targetsWithoutArg(name string) string {
	if c.probe == nil {
		return ""
	}
	for _, t := range c.probe.Targets {
		found := false
		for _, a := range t.Ctx.Args {
			found = found || a.Name == name
		}
		if !found {
			return t.Target.Name
		}
	}
	return ""
}
