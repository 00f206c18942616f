package parser

import (
	"fmt"
	"math/bits"
	"strings"
)

// durations are bpftrace's integer duration suffixes, in nanoseconds.
var durations = map[string]uint64{
	"ns": 1,
	"us": 1_000,
	"ms": 1_000_000,
	"s":  1_000_000_000,
	"m":  60 * 1_000_000_000,
	"h":  3600 * 1_000_000_000,
	"d":  86400 * 1_000_000_000,
}

// parseInt decodes an integer literal: decimal, 0x hex, 0b binary, 0o or
// leading-0 octal, '_' separators, "<m>e<n>" scientific, C suffixes
// (u, l, ul, ll, ull in any case) and duration suffixes (ns..d).
// It returns the value and the C suffix, lower-cased.
func parseInt(raw string) (val uint64, suffix string, err error) {
	s := raw
	base := uint64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'):
		base, s = 2, s[2:]
	case len(s) > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'):
		base, s = 8, s[2:]
	case len(s) > 1 && s[0] == '0' && isDigit(s[1]):
		base, s = 8, s[1:]
	}
	// Split digits from the suffix.
	i := 0
	for i < len(s) && (digitVal(s[i]) < base || s[i] == '_') {
		i++
	}
	digits, rest := s[:i], s[i:]
	if digits == "" || digits[0] == '_' || digits[len(digits)-1] == '_' {
		return 0, "", fmt.Errorf("invalid integer: %s", raw)
	}
	val, ok := accumulate(digits, base)
	if !ok {
		return 0, "", overflow(raw)
	}
	// Scientific notation, decimal only: 1e6, 2e3.
	if base == 10 && len(rest) > 1 && (rest[0] == 'e' || rest[0] == 'E') && isDigit(rest[1]) {
		if val < 1 || val > 9 || digits != strings.TrimLeft(digits, "0") || len(digits) != 1 {
			return 0, "", fmt.Errorf("coefficient part of scientific literal must be 1-9: %s", raw)
		}
		j := 1
		for j < len(rest) && (isDigit(rest[j]) || rest[j] == '_') {
			j++
		}
		if rest[j-1] == '_' {
			return 0, "", fmt.Errorf("invalid integer: %s", raw)
		}
		exp, ok := accumulate(rest[1:j], 10)
		if !ok {
			return 0, "", overflow(raw)
		}
		if val != 0 && exp > 19 {
			return 0, "", overflow(raw)
		}
		for ; exp > 0 && val != 0; exp-- {
			hi, lo := bits.Mul64(val, 10)
			if hi != 0 {
				return 0, "", overflow(raw)
			}
			val = lo
		}
		rest = rest[j:]
	}
	if rest == "" {
		return val, "", nil
	}
	if mult, ok := durations[rest]; ok {
		hi, lo := bits.Mul64(val, mult)
		if hi != 0 {
			return 0, "", overflow(raw)
		}
		return lo, "", nil
	}
	switch low := strings.ToLower(rest); low {
	case "u", "l", "ul", "lu", "ll", "ull", "llu":
		return val, low, nil
	}
	return 0, "", fmt.Errorf("invalid integer: %s", raw)
}

func overflow(raw string) error {
	return fmt.Errorf("overflow error, maximum value is 18446744073709551615: %s", raw)
}

func digitVal(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}

func accumulate(digits string, base uint64) (uint64, bool) {
	var v uint64
	for i := 0; i < len(digits); i++ {
		if digits[i] == '_' {
			continue
		}
		hi, lo := bits.Mul64(v, base)
		if hi != 0 {
			return 0, false
		}
		lo2, carry := bits.Add64(lo, digitVal(digits[i]), 0)
		if carry != 0 {
			return 0, false
		}
		v = lo2
	}
	return v, true
}

// unquote decodes the C escapes of a quoted literal (quotes included in raw).
// bad reports an invalid escape: the offset of its backslash within the
// text between the quotes, and its length.
func unquote(raw string, bad func(off, n int, msg string)) string {
	if len(raw) < 2 {
		return ""
	}
	body := raw[1:]
	if body[len(body)-1] == raw[0] {
		body = body[:len(body)-1]
	}
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(body) {
			bad(i, 1, "invalid escape character '\\'")
			break
		}
		i++
		switch e := body[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e':
			b.WriteByte(0x1b)
		case '\\', '"', '\'', '?':
			b.WriteByte(e)
		case 'x':
			j := i + 1
			var v uint64
			for j < len(body) && j < i+3 && digitVal(body[j]) < 16 {
				v = v*16 + digitVal(body[j])
				j++
			}
			if j == i+1 {
				bad(i-1, 2, "invalid escape character '\\x'")
				continue
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			if e >= '0' && e <= '7' {
				j := i
				var v uint64
				for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
					v = v*8 + uint64(body[j]-'0')
					j++
				}
				if v > 255 {
					bad(i-1, j-i+1, "octal escape out of range")
				}
				b.WriteByte(byte(v))
				i = j - 1
				continue
			}
			bad(i-1, 2, fmt.Sprintf("invalid escape character '\\%s'", printable(e)))
		}
	}
	return b.String()
}
