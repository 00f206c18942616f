package probe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang/ast"
)

// Helpers every provider's Parse uses: bpftrace's messages and numbers.

// apErrorf makes an *AttachPointError.
func apErrorf(ap *ast.AttachPoint, format string, args ...any) error {
	return &AttachPointError{AP: ap, Msg: fmt.Sprintf(format, args...)}
}

// argCountError is bpftrace's message for a wrong number of fields.
func argCountError(ap *ast.AttachPoint, provider string, want ...int) error {
	w := strconv.Itoa(want[0])
	if len(want) > 1 {
		w += " or " + strconv.Itoa(want[1])
	}
	return apErrorf(ap, "%s probe type requires %s arguments, found %d", provider, w, len(ap.Parts))
}

// ParseUint parses an integer the way bpftrace's attach points do: decimal,
// 0x hex, 0b binary, 0-prefixed octal, '_' separators, "1e6" exponents, and
// time suffixes ns/us/ms/s/m/h/d (in nanoseconds).
func ParseUint(s string) (uint64, error) {
	n := strings.ReplaceAll(s, "_", "")
	if n == "" {
		return 0, fmt.Errorf("invalid integer: %s", s)
	}
	base := 10
	switch {
	case len(n) > 2 && (n[:2] == "0x" || n[:2] == "0X"):
		base, n = 16, n[2:]
	case len(n) > 2 && (n[:2] == "0b" || n[:2] == "0B"):
		base, n = 2, n[2:]
	case len(n) > 1 && n[0] == '0' && n[1] >= '0' && n[1] <= '7':
		base, n = 8, n[1:]
	}
	end := 0
	for end < len(n) && digitOK(n[end], base) {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("invalid integer: %s", s)
	}
	v, err := strconv.ParseUint(n[:end], base, 64)
	if err != nil {
		return 0, fmt.Errorf("overflow error, maximum value is 18446744073709551615: %s", s)
	}
	rest := n[end:]
	if base == 10 && len(rest) >= 2 && (rest[0] == 'e' || rest[0] == 'E') && rest[1] >= '1' && rest[1] <= '9' {
		if v < 1 || v > 9 {
			return 0, fmt.Errorf("coefficient part of scientific literal must be 1-9: %s", s)
		}
		k := 1
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		exp, _ := strconv.Atoi(rest[1:k])
		for ; exp > 0; exp-- {
			if v > ^uint64(0)/10 {
				return 0, fmt.Errorf("overflow error, maximum value is 18446744073709551615: %s", s)
			}
			v *= 10
		}
		rest = rest[k:]
	}
	mult := map[string]uint64{"": 1, "u": 1, "ul": 1, "ull": 1, "l": 1, "ll": 1,
		"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9, "d": 86400e9}
	suffix := rest
	if strings.Trim(suffix, "uUlL") == "" {
		suffix = strings.ToLower(suffix)
	}
	m, ok := mult[suffix]
	if !ok {
		return 0, fmt.Errorf("invalid trailing bytes: %s", s)
	}
	if v > ^uint64(0)/m {
		return 0, fmt.Errorf("overflow error, maximum value is 18446744073709551615: %s", s)
	}
	return v * m, nil
}

func digitOK(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '9':
		return int(c-'0') < base
	case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		return base == 16
	}
	return false
}
