package output

import (
	"testing"
	"time"
)

// Expectations for the C-compatible cases were checked against glibc's
// printf with the ll modifier (bpftrace formats integers as 64-bit).
func TestSprintf(t *testing.T) {
	enum := Symbol{Name: "ONE", Addr: 1, Numeric: true}
	cases := []struct {
		format string
		args   []Value
		want   string
	}{
		{"[%d|%d|%5d|%-5d|%05d|%05d|%+d|% d|%+d]", []Value{Int(42), Int(-42), Int(42), Int(42), Int(42), Int(-42), Int(5), Int(5), Int(-5)},
			"[42|-42|   42|42   |00042|-0042|+5| 5|-5]"},
		{"[%.3d|%8.3d|%-8.3d|%+05d|%-05d|% 05d]", []Value{Int(7), Int(7), Int(-7), Int(42), Int(42), Int(42)},
			"[007|     007|-007    |+0042|42   | 0042]"},
		{"[%u|%hhd|%hhd|%hd|%hhu|%hu]", []Value{Int(-1), Int(255), Int(0x17f), Int(65535), Int(257), Int(65537)},
			"[4294967295|-1|127|-1|1|1]"},
		{"[%x|%X|%#x|%#X|%#x|%08x|%#010x|%o|%#o|%#o|%.4x]", []Value{Uint(255), Uint(255), Uint(255), Uint(255), Uint(0), Uint(0xbeef), Uint(0xbeef), Uint(8), Uint(8), Uint(0), Uint(0xab)},
			"[ff|FF|0xff|0XFF|0|0000beef|0x0000beef|10|010|0|00ab]"},
		{"[%c|%3c|%-3c|%10s|%-10s|%.2s|%5.2s|%-5.2s]", []Value{Int(65), Int(65), Int(65), String("abc"), String("abc"), String("abc"), String("abc"), String("abc")},
			"[A|  A|A  |       abc|abc       |ab|   ab|ab   ]"},
		// Length modifiers l, ll, j, z, t are all 64-bit; no modifier is a
		// C int (bpftrace casts to the length's type before snprintf).
		{"%ld %lld %lu %llu %i %jd %zu %td", []Value{Int(-5), Int(-6), Uint(1 << 63), Uint(123), Int(-1<<40 | 7), Int(7), Uint(8), Int(9)},
			"-5 -6 9223372036854775808 123 7 7 8 9"},
		{"%hhx %hx %x %jx", []Value{Int(0x12345678abcdef), Int(0x12345678abcdef), Int(0x12345678abcdef), Int(0x12345678abcdef)},
			"ef cdef 78abcdef 12345678abcdef"},
		{"%x %lx %d %u", []Value{Int(-1), Int(-1), Uint(1<<32 | 5), Int(-1)}, "ffffffff ffffffffffffffff 5 4294967295"},
		{"%c%c%c%c\n", []Value{Int(0x41), Int(0x42), Int(0x43), Int(0x44)}, "ABCD\n"},
		{"value: %dms100\n", []Value{Int(100)}, "value: 100ms100\n"},
		{"Elapsed time: %llus\n", []Value{Uint(1)}, "Elapsed time: 1s\n"},
		{"%dst: %sa; %dnd: %sb;; %drd: %sc;;; %dth: %sd;;;;", []Value{Int(1), String("a"), Int(2), String("ab"), Int(3), String("abc"), Int(4), String("abcd")},
			"1st: aa; 2nd: abb;; 3rd: abcc;;; 4th: abcdd;;;;"},
		{"100%% done, %d%%", []Value{Int(5)}, "100% done, 5%"},
		{"%-8s %8s %s", []Value{String("TID"), String("PID"), String("COMM")}, "TID           PID COMM"},
		// %s takes any value in its text form.
		{"%s|%s|%s|%s|%s", []Value{Int(5), Tuple{Int(1), String("abc")}, Bool(true), Pointer{Addr: 0x10}, Record{{"a", Int(1)}}},
			"5|(1, abc)|true|0x10|{ .a = 1 }"},
		// Enums: %d prints the number, %s the name.
		{"%d %s %d", []Value{enum, enum, Bool(true)}, "1 ONE 1"},
		{"%p %p %x", []Value{Pointer{Addr: 0x1234}, Uint(0), Pointer{Addr: 0x10}}, "0x1234 0 10"},
		// Buffers.
		{"P: %r-%r", []Value{Buffer("\x09\x08\x07\x06"), Buffer("ok\x00")}, `P: \x09\x08\x07\x06-ok\x00`},
		{"%rx", []Value{Buffer("Hello\x00")}, `\x48\x65\x6c\x6c\x6f\x00`},
		{"%rh", []Value{Buffer("Hello\x00")}, "48 65 6c 6c 6f 00"},
		// Odd formats: missing arguments, trailing and unknown conversions.
		{"%d %d", []Value{Int(1)}, "1 %d"},
		{"50%", nil, "50%"},
		{"%y %d", []Value{Int(3)}, "%y 3"},
		{"no args\n", nil, "no args\n"},
		{"%5s|%-6d|%06.2f", []Value{String("ab"), Int(-3), Int(2)}, "   ab|-3    |002.00"},
	}
	for _, c := range cases {
		if got := Sprintf(c.format, c.args); got != c.want {
			t.Errorf("Sprintf(%q) = %q, want %q", c.format, got, c.want)
		}
	}
}

var testTime = time.Date(2024, time.March, 5, 14, 7, 9, 123456789, time.UTC)

func TestStrftime(t *testing.T) {
	ts := testTime
	cases := []struct{ format, want string }{
		{"%H:%M:%S", "14:07:09"},
		{"%Y-%m-%d %H:%M:%S.%f", "2024-03-05 14:07:09.123456"},
		{"%k ns, %l ms", "123456789 ns, 123 ms"},
		{"1%f", "1123456"},
		{"%m/%d/%y", "03/05/24"},
		{"%a %A %b %B %e %j", "Tue Tuesday Mar March  5 065"},
		{"%I %p %r", "02 PM 02:07:09 PM"},
		{"%F %T %D %R", "2024-03-05 14:07:09 03/05/24 14:07"},
		{"%s %z %Z %%", "1709647629 +0000 UTC %"},
		{"%u %w %U %W %V %G %g %C", "2 2 09 10 10 2024 24 20"},
		{"%c", "Tue Mar  5 14:07:09 2024"},
		{"%q stays", "%q stays"},
	}
	for _, c := range cases {
		if got := Strftime(c.format, ts); got != c.want {
			t.Errorf("Strftime(%q) = %q, want %q", c.format, got, c.want)
		}
	}
	// Rolling over a second keeps the microseconds of that second.
	if got := Strftime("%f", time.Unix(1, 123000).UTC()); got != "000123" {
		t.Errorf("%%f = %q", got)
	}
}
