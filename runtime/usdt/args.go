package usdt

import (
	"fmt"
	"strconv"
	"strings"
)

// ArgKind says where a USDT argument lives.
type ArgKind int

const (
	ArgReg   ArgKind = iota // in a register: "-4@%edi"
	ArgMem                  // in memory at disp(%base[,%index,scale]): "8@-16(%rbp)"
	ArgConst                // an immediate: "4@$5"
)

func (k ArgKind) String() string {
	switch k {
	case ArgReg:
		return "reg"
	case ArgMem:
		return "mem"
	}
	return "const"
}

// Arg is one decoded x86_64 argument spec of a USDT probe.
type Arg struct {
	Spec   string // as written in the note
	Size   int    // 1, 2, 4 or 8 bytes
	Signed bool   // the size was negative
	Kind   ArgKind

	// ArgReg: the register; ArgMem: the base register ("" when absent).
	Reg       string // 64-bit name: "rdi", "rbp", "rip"
	RegOffset int    // offset in struct pt_regs (+1 for %ah..%dh)

	// ArgMem only.
	Disp        int64  // numeric displacement
	Sym         string // symbol in the displacement ("counter" of "counter+8(%rip)")
	SymAddr     uint64 // its ELF virtual address, filled in by Read; 0 when unknown
	Index       string // index register, "" when absent
	IndexOffset int    // its offset in struct pt_regs
	Scale       int    // 1, 2, 4, 8; 0 when there is no index

	Const int64 // ArgConst only
}

// ParseArgs splits and decodes a note's argument string ("-4@%edi 8@%rax").
func ParseArgs(s string) ([]Arg, error) {
	var out []Arg
	for _, f := range strings.Fields(s) {
		a, err := ParseArg(f)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ParseArg decodes one argument spec: "[-]SIZE@OPERAND" in AT&T syntax.
func ParseArg(spec string) (Arg, error) {
	a := Arg{Spec: spec, Size: 8}
	op := spec
	if sz, rest, ok := strings.Cut(spec, "@"); ok {
		n, err := strconv.Atoi(sz)
		if err != nil {
			return a, fmt.Errorf("usdt argument %q: bad size %q", spec, sz)
		}
		if n < 0 {
			a.Signed, n = true, -n
		}
		switch n {
		case 1, 2, 4, 8:
		default:
			return a, fmt.Errorf("usdt argument %q: unsupported size %d", spec, n)
		}
		a.Size, op = n, rest
	}
	if op == "" {
		return a, fmt.Errorf("usdt argument %q: empty operand", spec)
	}
	switch {
	case op[0] == '$':
		v, err := parseInt(op[1:])
		if err != nil {
			return a, fmt.Errorf("usdt argument %q: bad immediate", spec)
		}
		a.Kind, a.Const = ArgConst, v
		return a, nil
	case op[0] == '%':
		off, full, ok := PtRegsOffset(op)
		if !ok {
			return a, fmt.Errorf("usdt argument %q: unknown register %s", spec, op)
		}
		a.Kind, a.Reg, a.RegOffset = ArgReg, full, off
		return a, nil
	}
	// Memory: DISP(%base[,%index[,scale]]), DISP may be a number, a symbol
	// or symbol±number.
	open := strings.IndexByte(op, '(')
	if open < 0 || !strings.HasSuffix(op, ")") {
		return a, fmt.Errorf("usdt argument %q: unsupported operand %q", spec, op)
	}
	a.Kind = ArgMem
	if err := a.parseDisp(op[:open]); err != nil {
		return a, fmt.Errorf("usdt argument %q: %v", spec, err)
	}
	parts := strings.Split(op[open+1:len(op)-1], ",")
	if len(parts) > 3 {
		return a, fmt.Errorf("usdt argument %q: bad memory operand", spec)
	}
	if base := strings.TrimSpace(parts[0]); base != "" {
		off, full, ok := PtRegsOffset(base)
		if !ok || !strings.HasPrefix(base, "%") {
			return a, fmt.Errorf("usdt argument %q: unknown register %s", spec, base)
		}
		a.Reg, a.RegOffset = full, off
	}
	if len(parts) >= 2 {
		idx := strings.TrimSpace(parts[1])
		off, full, ok := PtRegsOffset(idx)
		if !ok || !strings.HasPrefix(idx, "%") {
			return a, fmt.Errorf("usdt argument %q: unknown index register %s", spec, idx)
		}
		a.Index, a.IndexOffset, a.Scale = full, off, 1
		if len(parts) == 3 {
			sc, err := strconv.Atoi(strings.TrimSpace(parts[2]))
			if err != nil || (sc != 1 && sc != 2 && sc != 4 && sc != 8) {
				return a, fmt.Errorf("usdt argument %q: bad scale %q", spec, parts[2])
			}
			a.Scale = sc
		}
	}
	if a.Reg == "" && a.Index == "" {
		return a, fmt.Errorf("usdt argument %q: memory operand without a register", spec)
	}
	return a, nil
}

func (a *Arg) parseDisp(d string) error {
	if d == "" {
		return nil
	}
	if v, err := parseInt(d); err == nil {
		a.Disp = v
		return nil
	}
	// symbol, symbol+N or symbol-N
	i := strings.LastIndexAny(d, "+-")
	if i > 0 {
		v, err := parseInt(d[i:])
		if err != nil {
			return fmt.Errorf("bad displacement %q", d)
		}
		a.Sym, a.Disp = d[:i], v
		return nil
	}
	a.Sym = d
	return nil
}

func parseInt(s string) (int64, error) {
	neg := false
	if strings.HasPrefix(s, "+") {
		s = s[1:]
	} else if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	u, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}
