package output

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// spec is one parsed printf conversion: %[flags][width][.prec][length]conv.
type spec struct {
	flags  string // any of "-+ #0", as written
	width  int    // -1 when absent
	prec   int    // -1 when absent
	length string // hh, h, l, ll, j, z, t, L
	conv   string // d i u o x X c s p e E f F g G a A r rx rh %
	text   string // the spec as written
}

// parseSpec parses a conversion at format[i] == '%'; ok is false when what
// follows is not a conversion (then the '%' is printed as is).
func parseSpec(format string, i int) (s spec, end int, ok bool) {
	j := i + 1
	for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
		j++
	}
	s.flags = format[i+1 : j]
	s.width, s.prec = -1, -1
	if n, k := digits(format, j); k > j {
		s.width, j = n, k
	}
	if j < len(format) && format[j] == '.' {
		n, k := digits(format, j+1)
		s.prec, j = n, k
	}
	k := j
	for k < len(format) && strings.IndexByte("hlLjzt", format[k]) >= 0 {
		k++
	}
	s.length = format[j:k]
	j = k
	if j >= len(format) {
		return s, i + 1, false
	}
	switch c := format[j]; {
	case c == 'r':
		s.conv = "r"
		if j+1 < len(format) && (format[j+1] == 'x' || format[j+1] == 'h') {
			s.conv = format[j : j+2]
		}
	case strings.IndexByte("diouxXeEfFgGaAcsp%", c) >= 0:
		s.conv = string(c)
	default:
		return s, i + 1, false
	}
	end = j + len(s.conv)
	s.text = format[i:end]
	return s, end, true
}

func digits(s string, i int) (n, end int) {
	for end = i; end < len(s) && s[end] >= '0' && s[end] <= '9'; end++ {
		if n < 1<<20 {
			n = n*10 + int(s[end]-'0')
		}
	}
	return n, end
}

// Sprintf formats args as bpftrace's printf (and cat, system, errorf...):
// C conversions and flags; an integer is cast to the C type the
// conversion's length names, as bpftrace does before calling snprintf: a
// plain %d, %u or %x takes 32 bits, hh 8, h 16, l, ll, j, z and t 64; %s
// taking any value in its text form, %r/%rx/%rh for buffers, and %% for a
// percent sign. A conversion with no argument left is printed as written.
func Sprintf(format string, args []Value) string {
	var b strings.Builder
	next := 0
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			i++
			continue
		}
		s, end, ok := parseSpec(format, i)
		if !ok {
			b.WriteByte('%')
			i = end
			continue
		}
		i = end
		if s.conv == "%" {
			b.WriteByte('%')
			continue
		}
		if next >= len(args) {
			b.WriteString(s.text)
			continue
		}
		b.WriteString(s.apply(args[next]))
		next++
	}
	return b.String()
}

// verb builds a Go format verb with the spec's flags, width and precision.
func (s spec) verb(conv byte, flags string, prec bool) string {
	v := "%" + flags
	if s.width >= 0 {
		v += fmt.Sprint(s.width)
	}
	if prec && s.prec >= 0 {
		v += "." + fmt.Sprint(s.prec)
	}
	return v + string(conv)
}

// keep returns the spec's flags that are among allowed.
func (s spec) keep(allowed string) string {
	var f []byte
	for i := 0; i < len(s.flags); i++ {
		if strings.IndexByte(allowed, s.flags[i]) >= 0 {
			f = append(f, s.flags[i])
		}
	}
	return string(f)
}

func (s spec) apply(v Value) string {
	switch s.conv {
	case "d", "i":
		return fmt.Sprintf(s.verb('d', s.keep("-+ 0"), true), s.signed(v))
	case "u":
		return fmt.Sprintf(s.verb('d', s.keep("-0"), true), s.unsigned(v))
	case "o", "x", "X":
		return s.radix(s.unsigned(v))
	case "c":
		return s.pad(string([]byte{byte(asUint(v))}))
	case "p":
		u := asUint(v)
		if u == 0 {
			return s.pad("0")
		}
		return s.pad(fmt.Sprintf("0x%x", u))
	case "e", "E", "f", "F", "g", "G", "a", "A":
		return s.float(v)
	case "r":
		return s.buffer(v, true, true, "")
	case "rx":
		return s.buffer(v, false, true, "")
	case "rh":
		return s.buffer(v, false, false, " ")
	}
	str := FormatValue(v) // %s
	if s.prec >= 0 && s.prec < len(str) {
		str = str[:s.prec]
	}
	return s.pad(str)
}

// radix formats %o, %x and %X as C does ('#' prefix, precision as minimum
// digits, '0' padding after the prefix).
func (s spec) radix(u uint64) string {
	base, prefix := 16, ""
	if s.conv == "o" {
		base = 8
	}
	digits := strconv.FormatUint(u, base)
	if s.conv == "X" {
		digits = strings.ToUpper(digits)
	}
	if s.prec == 0 && u == 0 {
		digits = ""
	}
	if len(digits) < s.prec {
		digits = strings.Repeat("0", s.prec-len(digits)) + digits
	}
	if strings.IndexByte(s.flags, '#') >= 0 {
		switch {
		case s.conv == "x" && u != 0:
			prefix = "0x"
		case s.conv == "X" && u != 0:
			prefix = "0X"
		case s.conv == "o" && !strings.HasPrefix(digits, "0"):
			prefix = "0"
		}
	}
	left := strings.IndexByte(s.flags, '-') >= 0
	if n := s.width - len(prefix) - len(digits); n > 0 && !left && s.prec < 0 && strings.IndexByte(s.flags, '0') >= 0 {
		digits = strings.Repeat("0", n) + digits
	}
	return s.pad(prefix + digits)
}

// pad right-aligns str in the field width, or left-aligns with '-'.
func (s spec) pad(str string) string {
	if len(str) >= s.width {
		return str
	}
	fill := strings.Repeat(" ", s.width-len(str))
	if strings.IndexByte(s.flags, '-') >= 0 {
		return str + fill
	}
	return fill + str
}

func (s spec) buffer(v Value, keepASCII, escape bool, sep string) string {
	buf, ok := v.(Buffer)
	if !ok {
		return s.pad(FormatValue(v))
	}
	if sep == "" {
		return s.pad(hexBuffer(buf, keepASCII, escape))
	}
	parts := make([]string, len(buf))
	for i, c := range buf {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return s.pad(strings.Join(parts, sep))
}

func (s spec) float(v Value) string {
	f := float64(int64(asUint(v)))
	switch x := v.(type) {
	case Int:
		f = float64(x)
	case Uint:
		f = float64(x)
	}
	conv := s.conv[0]
	switch conv {
	case 'F':
		conv = 'f'
	case 'a', 'A':
		conv = 'x' - 'a' + conv
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return s.pad(fmt.Sprint(f))
	}
	prec := s.prec
	if prec < 0 && conv != 'x' && conv != 'X' {
		prec = 6
	}
	t := s
	t.prec = prec
	return fmt.Sprintf(t.verb(conv, s.keep("-+ 0#"), true), f)
}

// signed is the argument as a C signed integer of the spec's length.
func (s spec) signed(v Value) int64 {
	n := int64(asUint(v))
	if x, ok := v.(Int); ok {
		n = int64(x)
	}
	switch s.length {
	case "hh":
		return int64(int8(n))
	case "h":
		return int64(int16(n))
	case "":
		return int64(int32(n)) // a plain %d takes a C int
	}
	return n
}

// unsigned is the argument as a C unsigned integer of the spec's length.
func (s spec) unsigned(v Value) uint64 {
	n := asUint(v)
	switch s.length {
	case "hh":
		return uint64(uint8(n))
	case "h":
		return uint64(uint16(n))
	case "":
		return uint64(uint32(n)) // a plain %u or %x takes a C unsigned int
	}
	return n
}
