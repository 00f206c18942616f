package stdlib

import (
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// Output and control functions: they send a ring-buffer event that the
// runtime formats or acts on.

func init() {
	register(
		&Entry{Name: "printf", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: -1,
			Check: checkFormatted(EvPrintf), Emit: emitArgsEvent(1)},
		&Entry{Name: "errorf", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: -1,
			Check: checkFormatted(EvErrorf), Emit: emitArgsEvent(1)},
		&Entry{Name: "warnf", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: -1,
			Check: checkFormatted(EvWarnf), Emit: emitArgsEvent(1)},
		&Entry{Name: "cat", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: -1,
			Check: checkFormatted(EvCat), Emit: emitArgsEvent(1)},
		&Entry{Name: "system", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: -1,
			Check: func(c Checker, call *Call) types.Type {
				if !c.Unsafe() {
					c.Errorf(call.Span(), "system() is an unsafe function being used in safe mode")
				}
				return checkFormatted(EvSystem)(c, call)
			}, Emit: emitArgsEvent(1)},
		&Entry{Name: "exit", Kind: Async, Paren: true, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				if len(call.Args) == 1 {
					if _, ok := wantInt(c, "exit", call.Args[0]); !ok {
						return &types.Void{}
					}
				}
				c.Event(call, EvExit, "", []types.Type{types.Int64}, "")
				return &types.Void{}
			},
			Emit: func(g Gen, call *Call, _ Loc) {
				args := call.Args
				if len(args) == 0 {
					args = []ast.Expr{&ast.IntLit{Base: ast.Base{Sp: call.Span()}}}
				}
				g.SendEvent(call, args)
				g.ExitProgram()
			}},
		&Entry{Name: "print", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: 3,
			Check: checkPrint, Emit: emitPrint},
		&Entry{Name: "clear", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: checkMapEvent(EvClear), Emit: emitArgsEvent(1)},
		&Entry{Name: "zero", Kind: Async, Paren: true, MinArgs: 1, MaxArgs: 1,
			Check: checkMapEvent(EvZero), Emit: emitArgsEvent(1)},
		&Entry{Name: "time", Kind: Async, Paren: true, MaxArgs: 1,
			Check: func(c Checker, call *Call) types.Type {
				f := ""
				if len(call.Args) == 1 {
					s, ok := c.ConstString(call.Args[0])
					if !ok {
						c.Errorf(call.Args[0].Span(), "time() expects a string literal format")
					}
					f = s
				}
				c.Event(call, EvTime, f, nil, "")
				return &types.Void{}
			}, Emit: emitArgsEvent(-1)},
	)
}

// emitArgsEvent sends the call's event with the arguments from index skip
// on (skip -1: no payload).
func emitArgsEvent(skip int) func(g Gen, call *Call, _ Loc) {
	return func(g Gen, call *Call, _ Loc) {
		if skip < 0 || skip > len(call.Args) {
			g.SendEvent(call, nil)
			return
		}
		g.SendEvent(call, call.Args[skip:])
	}
}

func checkFormatted(kind EventKind) func(c Checker, call *Call) types.Type {
	return func(c Checker, call *Call) types.Type {
		f, ok := formatLiteral(c, call)
		if !ok {
			return &types.Void{}
		}
		var argTypes, checked []types.Type
		good := true
		for _, a := range call.Args[1:] {
			t := c.Check(a)
			if t == nil {
				good = false
				continue
			}
			if _, void := t.(*types.Void); void {
				c.Errorf(a.Span(), "%s(): argument has no value", call.Name)
				good = false
				continue
			}
			argTypes = append(argTypes, payload(t))
			checked = append(checked, t)
		}
		if !good {
			return &types.Void{}
		}
		if !checkFormat(c, call, f, argTypes) {
			return &types.Void{}
		}
		promoteNarrowUnsigned(f, checked, argTypes)
		c.Event(call, kind, escapeLoneMarks(f), argTypes, "")
		return &types.Void{}
	}
}

// formatLiteral is the format string a printf-like call starts with, which
// must be a literal.
func formatLiteral(c Checker, call *Call) (string, bool) {
	f, ok := c.ConstString(call.Args[0])
	if !ok {
		c.Check(call.Args[0])
		c.Errorf(call.Args[0].Span(), "%s() expects a string literal as its first argument", call.Name)
	}
	return f, ok
}

// checkFormat matches printf conversions against the argument types.
func checkFormat(c Checker, call *Call, f string, args []types.Type) bool {
	convs, err := ParseFormat(f)
	if err != "" {
		c.Errorf(call.Args[0].Span(), "%s: %s", call.Name, err)
		return false
	}
	if len(convs) > len(args) {
		c.Errorf(call.Span(), "%s: Not enough arguments for format string (%d supplied, %d expected)", call.Name, len(args), len(convs))
		return false
	}
	if len(convs) < len(args) {
		c.Errorf(call.Span(), "%s: Too many arguments for format string (%d supplied, %d expected)", call.Name, len(args), len(convs))
		return false
	}
	ok := true
	for i, v := range convs {
		switch v {
		case 's', 'r':
		default:
			if !isIntLike(args[i]) {
				if _, sp := args[i].(*types.Special); !sp {
					c.Errorf(call.Args[i+1].Span(), "%s: %%%c specifier expects a value of type integer (%s supplied)", call.Name, v, args[i])
					ok = false
				}
			}
		}
	}
	return ok
}

// ParseFormat returns the conversion characters of a printf format, in
// order, or an error for an unknown or unterminated conversion.
func ParseFormat(f string) ([]byte, string) {
	var out []byte
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' || loneMark(f, i) {
			continue
		}
		for i < len(f) && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0') {
			i++
		}
		for i < len(f) && (f[i] >= '0' && f[i] <= '9' || f[i] == '.' || f[i] == '*') {
			i++
		}
		for i < len(f) && (f[i] == 'h' || f[i] == 'l' || f[i] == 'z' || f[i] == 'j' || f[i] == 't' || f[i] == 'L' || f[i] == 'q') {
			i++
		}
		if i >= len(f) {
			return nil, "Invalid format string: unterminated conversion"
		}
		switch f[i] {
		case 'd', 'i', 'u', 'x', 'X', 'o', 'c', 's', 'p', 'r', 'e', 'f', 'g':
			out = append(out, f[i])
		default:
			return nil, "Invalid format specifier '%" + string(f[i]) + "'"
		}
	}
	return out, ""
}

func checkMapEvent(kind EventKind) func(c Checker, call *Call) types.Type {
	return func(c Checker, call *Call) types.Type {
		name, ok := c.MapArg(call.Args[0])
		if ok {
			c.Event(call, kind, "", nil, name)
		}
		return &types.Void{}
	}
}

func checkPrint(c Checker, call *Call) types.Type {
	if _, isMap := call.Args[0].(*ast.MapRef); isMap {
		name, ok := c.MapArg(call.Args[0])
		if !ok {
			return &types.Void{}
		}
		if len(call.Args) == 1 {
			c.Event(call, EvPrint, "", nil, name)
			return &types.Void{}
		}
		var args []types.Type
		for _, a := range call.Args[1:] {
			if _, ok := wantInt(c, "print", a); !ok {
				return &types.Void{}
			}
			args = append(args, types.Uint64)
		}
		for len(args) < 2 {
			args = append(args, types.Uint64)
		}
		c.Event(call, EvPrintMap, "", args, name)
		return &types.Void{}
	}
	if len(call.Args) > 1 {
		c.Errorf(call.Span(), "Non-map print() only takes 1 argument, %d found", len(call.Args))
		return &types.Void{}
	}
	t := c.Check(call.Args[0])
	if t == nil {
		return &types.Void{}
	}
	if _, void := t.(*types.Void); void {
		c.Errorf(call.Args[0].Span(), "print(): argument has no value")
		return &types.Void{}
	}
	c.Event(call, EvPrintNonMap, "", []types.Type{printPayload(t)}, "")
	return &types.Void{}
}

func emitPrint(g Gen, call *Call, _ Loc) {
	if _, isMap := call.Args[0].(*ast.MapRef); isMap {
		args := call.Args[1:]
		for len(args) > 0 && len(args) < 2 {
			args = append(args, &ast.IntLit{Base: ast.Base{Sp: call.Span()}})
		}
		g.SendEvent(call, args)
		return
	}
	g.SendEvent(call, call.Args)
}

// loneMark reports whether the '%' before f[i] starts no conversion: it ends
// the format or is followed by white space ("%5s%\n"). bpftrace prints such
// a '%' as it is, and published scripts rely on it.
func loneMark(f string, i int) bool {
	return i >= len(f) || f[i] == ' ' || f[i] == '\n' || f[i] == '\t'
}

// escapeLoneMarks doubles every lone '%' so that the runtime's formatter
// prints it literally.
func escapeLoneMarks(f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		b.WriteByte(f[i])
		if f[i] != '%' {
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			b.WriteByte('%')
			i++
		} else if loneMark(f, i+1) {
			b.WriteByte('%')
		}
	}
	return b.String()
}

// promoteNarrowUnsigned: bpftrace passes integers narrower than 64 bits to
// printf as C does, promoted to a 32-bit int, so "%u" or "%x" of an int32
// (or int8, int16) -1 prints 4294967295 or ffffffff, not a 64-bit value.
// Such arguments travel as uint32.
func promoteNarrowUnsigned(f string, checked, argTypes []types.Type) {
	convs, _ := ParseFormat(f)
	for i, v := range convs {
		if i >= len(checked) {
			return
		}
		switch v {
		case 'u', 'x', 'X', 'o':
			if it, ok := checked[i].(*types.Int); ok && it.Signed && it.Bits < 64 {
				argTypes[i] = types.Uint32
			}
		}
	}
}
