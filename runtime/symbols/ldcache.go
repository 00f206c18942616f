package symbols

import (
	"bytes"
	"encoding/binary"
	"os"
	"sync"
)

// ldCacheEntry is one library of /etc/ld.so.cache.
type ldCacheEntry struct {
	Soname string // "libc.so.6"
	Path   string // "/lib/x86_64-linux-gnu/libc.so.6"
	Flags  int32
}

const (
	ldMagicNew   = "glibc-ld.so.cache1.1"
	ldFlagELF6   = 0x0003 // FLAG_ELF_LIBC6
	ldFlagX86_64 = 0x0300 // FLAG_X8664_LIB64
)

var (
	ldCachePath = "/etc/ld.so.cache"
	ldOnce      sync.Once
	ldEntries   []ldCacheEntry
)

// ldCache returns the entries of /etc/ld.so.cache, read once.
func ldCache() []ldCacheEntry {
	ldOnce.Do(func() {
		data, err := os.ReadFile(ldCachePath)
		if err == nil {
			ldEntries = parseLDCache(data)
		}
	})
	return ldEntries
}

// parseLDCache decodes the "new" (glibc 2.7+) cache format, alone or
// embedded after an old-format table. String offsets are relative to the
// new header.
func parseLDCache(data []byte) []ldCacheEntry {
	i := bytes.Index(data, []byte(ldMagicNew))
	if i < 0 {
		return nil
	}
	d := data[i:]
	const hdr, entSize = 48, 24
	if len(d) < hdr {
		return nil
	}
	le := binary.LittleEndian
	n := int(le.Uint32(d[20:24]))
	str := func(off uint32) string {
		if int(off) >= len(d) {
			return ""
		}
		s := d[off:]
		if j := bytes.IndexByte(s, 0); j >= 0 {
			s = s[:j]
		}
		return string(s)
	}
	var out []ldCacheEntry
	for k := 0; k < n; k++ {
		e := d[hdr+k*entSize:]
		if len(e) < entSize {
			break
		}
		out = append(out, ldCacheEntry{
			Flags:  int32(le.Uint32(e[0:4])),
			Soname: str(le.Uint32(e[4:8])),
			Path:   str(le.Uint32(e[8:12])),
		})
	}
	return out
}
