package symbols

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// libDirs are searched after ld.so.cache, as the dynamic loader does.
var libDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
}

// libNameMatches reports whether a file name is the library asked for:
// "libc" matches "libc.so.6", "libssl.so.3" matches only itself.
func libNameMatches(base, name string) bool {
	if base == name || base == name+".so" {
		return true
	}
	return !strings.Contains(name, ".so") && strings.HasPrefix(base, name+".so.")
}

// ResolveBinary turns the binary or library part of a uprobe/usdt attach
// point into a path to open. A name with a '/' is a path (relative to the
// working directory; inside /proc/PID/root when pid > 0). A bare name is
// looked up like the dynamic loader does (the libraries pid has mapped,
// ld.so.cache, the standard directories), then in $PATH.
func ResolveBinary(name string, pid int) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty binary path")
	}
	if strings.Contains(name, "/") {
		p := name
		if pid > 0 && filepath.IsAbs(p) && !strings.HasPrefix(p, "/proc/") {
			p = fmt.Sprintf("/proc/%d/root%s", pid, p)
		} else if !filepath.IsAbs(p) {
			abs, err := filepath.Abs(p)
			if err != nil {
				return "", err
			}
			p = abs
		}
		if st, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		} else if st.IsDir() {
			return "", fmt.Errorf("%s is a directory", name)
		}
		return p, nil
	}
	if pid > 0 {
		if maps, err := ProcMaps(pid); err == nil {
			for _, m := range maps {
				if libNameMatches(filepath.Base(m.Path), name) {
					return fmt.Sprintf("/proc/%d/root%s", pid, m.Path), nil
				}
			}
		}
	}
	if p, ok := findLibrary(name); ok {
		return p, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs, nil
		}
		return p, nil
	}
	return "", fmt.Errorf("could not find binary or library %q", name)
}

// findLibrary looks a library name up in ld.so.cache, then the standard
// directories, preferring 64-bit x86 entries.
func findLibrary(name string) (string, bool) {
	var fallback string
	for _, e := range ldCache() {
		if !libNameMatches(e.Soname, name) && !libNameMatches(filepath.Base(e.Path), name) {
			continue
		}
		if _, err := os.Stat(e.Path); err != nil {
			continue
		}
		if e.Flags&0xff == ldFlagELF6 && e.Flags&0xff00 == ldFlagX86_64 {
			return e.Path, true
		}
		if fallback == "" {
			fallback = e.Path
		}
	}
	if fallback != "" {
		return fallback, true
	}
	for _, dir := range libDirs {
		for _, cand := range []string{name, name + ".so"} {
			p := filepath.Join(dir, cand)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, true
			}
		}
		if strings.Contains(name, ".so") {
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(dir, name+".so.*"))
		sort.Strings(matches)
		if len(matches) > 0 {
			return matches[0], true
		}
	}
	return "", false
}
