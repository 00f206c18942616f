package output

import (
	"strconv"
	"syscall"
)

// Strerror is glibc's strerror(3) text for errno e ("Bad address"), as
// bpftrace prints for strerror() and failed helper calls. Go's errno table
// holds the same messages, uncapitalized.
func Strerror(e int) string {
	if e <= 0 {
		if e == 0 {
			return "Success"
		}
		return "Unknown error " + strconv.Itoa(e)
	}
	s := syscall.Errno(e).Error()
	if len(s) > 0 && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	if len(s) > 6 && s[:6] == "Errno " {
		return "Unknown error " + strconv.Itoa(e)
	}
	return s
}

// helperErrorText is the text-mode message for a failed helper call,
// with bpftrace's friendlier wording for common map errors.
func helperErrorText(helper string, retcode int) string {
	switch {
	case helper == "map_update_elem" && retcode == -int(syscall.E2BIG):
		return "Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`"
	case helper == "map_delete_elem" && retcode == -int(syscall.ENOENT):
		return "Can't delete map element because it does not exist."
	case helper == "map_lookup_elem":
		return "Can't lookup map element because it does not exist."
	}
	return Strerror(-retcode)
}
