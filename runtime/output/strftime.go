package output

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Strftime formats t as C's strftime(3) in t's location, after bpftrace's
// own extensions are substituted: %f is microseconds (6 digits), %k
// nanoseconds (9 digits) and %l milliseconds (3 digits) of t's second.
// Unknown conversions are printed as written.
func Strftime(format string, t time.Time) string {
	ns := t.Nanosecond()
	// bpftrace substitutes these textually before calling strftime.
	format = strings.ReplaceAll(format, "%f", fmt.Sprintf("%06d", ns/1000))
	format = strings.ReplaceAll(format, "%k", fmt.Sprintf("%09d", ns))
	format = strings.ReplaceAll(format, "%l", fmt.Sprintf("%03d", ns/1000000))
	return cStrftime(format, t)
}

// CStrftime is plain strftime(3) with no bpftrace extensions: what time()
// prints (bpftrace formats time(fmt) with the C library directly).
func CStrftime(format string, t time.Time) string { return cStrftime(format, t) }

var (
	longDays   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	longMonths = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// cStrftime implements strftime(3) for the C/POSIX locale.
func cStrftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		// glibc accepts E and O modifiers; the C locale ignores them.
		if (format[i] == 'E' || format[i] == 'O') && i+1 < len(format) {
			i++
		}
		if s, ok := strftimeConv(format[i], t); ok {
			b.WriteString(s)
		} else {
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

func strftimeConv(c byte, t time.Time) (string, bool) {
	two := func(n int) string { return fmt.Sprintf("%02d", n) }
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch c {
	case 'a':
		return longDays[t.Weekday()][:3], true
	case 'A':
		return longDays[t.Weekday()], true
	case 'b', 'h':
		return longMonths[t.Month()-1][:3], true
	case 'B':
		return longMonths[t.Month()-1], true
	case 'c':
		return cStrftime("%a %b %e %H:%M:%S %Y", t), true
	case 'C':
		return two(t.Year() / 100), true
	case 'd':
		return two(t.Day()), true
	case 'D':
		return cStrftime("%m/%d/%y", t), true
	case 'e':
		return fmt.Sprintf("%2d", t.Day()), true
	case 'F':
		return cStrftime("%Y-%m-%d", t), true
	case 'g':
		y, _ := t.ISOWeek()
		return two(y % 100), true
	case 'G':
		y, _ := t.ISOWeek()
		return strconv.Itoa(y), true
	case 'H':
		return two(t.Hour()), true
	case 'I':
		return two(hour12), true
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay()), true
	case 'm':
		return two(int(t.Month())), true
	case 'M':
		return two(t.Minute()), true
	case 'n':
		return "\n", true
	case 'p':
		if t.Hour() < 12 {
			return "AM", true
		}
		return "PM", true
	case 'P':
		if t.Hour() < 12 {
			return "am", true
		}
		return "pm", true
	case 'r':
		return cStrftime("%I:%M:%S %p", t), true
	case 'R':
		return cStrftime("%H:%M", t), true
	case 's':
		return strconv.FormatInt(t.Unix(), 10), true
	case 'S':
		return two(t.Second()), true
	case 't':
		return "\t", true
	case 'T':
		return cStrftime("%H:%M:%S", t), true
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return strconv.Itoa(wd), true
	case 'U':
		return two((t.YearDay() + 6 - int(t.Weekday())) / 7), true
	case 'V':
		_, w := t.ISOWeek()
		return two(w), true
	case 'w':
		return strconv.Itoa(int(t.Weekday())), true
	case 'W':
		return two((t.YearDay() + 6 - (int(t.Weekday())+6)%7) / 7), true
	case 'x':
		return cStrftime("%m/%d/%y", t), true
	case 'X':
		return cStrftime("%H:%M:%S", t), true
	case 'y':
		return two(t.Year() % 100), true
	case 'Y':
		return strconv.Itoa(t.Year()), true
	case 'z':
		_, off := t.Zone()
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		return fmt.Sprintf("%c%02d%02d", sign, off/3600, off%3600/60), true
	case 'Z':
		name, _ := t.Zone()
		return name, true
	case '%':
		return "%", true
	}
	return "", false
}
