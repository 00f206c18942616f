package vmtest

import (
	"fmt"
	"io"
	"strings"
)

// cpioWriter writes an uncompressed "newc" (SVR4, no CRC) cpio archive,
// the format the kernel unpacks as an initramfs. The format is tiny: a
// 110-byte ASCII header, the NUL-terminated name and the data, each
// padded to 4 bytes.
type cpioWriter struct {
	w   io.Writer
	off int64
	ino uint32
	err error
}

// File-type bits of a cpio mode (as in stat(2)).
const (
	cpioDir     = 0o040000
	cpioRegular = 0o100000
	cpioSymlink = 0o120000
	cpioCharDev = 0o020000
)

func newCPIOWriter(w io.Writer) *cpioWriter { return &cpioWriter{w: w} }

func (c *cpioWriter) write(b []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(b)
	c.off += int64(n)
	c.err = err
}

func (c *cpioWriter) pad() {
	if r := c.off % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}

// header writes one entry's header and name; size bytes of data must follow.
func (c *cpioWriter) header(name string, mode uint32, size int64) {
	c.headerDev(name, mode, size, 0, 0)
}

// headerDev is header with a device number, for device nodes.
func (c *cpioWriter) headerDev(name string, mode uint32, size int64, rdevMajor, rdevMinor uint32) {
	if c.err != nil {
		return
	}
	if size > 0xffffffff {
		c.err = fmt.Errorf("cpio: %s: %d bytes is too large for newc", name, size)
		return
	}
	name = strings.TrimPrefix(name, "/")
	c.ino++
	nlink := 1
	if mode&0o170000 == cpioDir {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		c.ino, mode, 0, 0, nlink, 0, size, 0, 0, rdevMajor, rdevMinor, len(name)+1, 0)
	c.write([]byte(hdr))
	c.write(append([]byte(name), 0))
	c.pad()
}

// Dir adds a directory; parents must have been added before.
func (c *cpioWriter) Dir(name string, perm uint32) {
	c.header(name, cpioDir|perm, 0)
}

// Symlink adds a symbolic link name pointing at target.
func (c *cpioWriter) Symlink(name, target string) {
	c.header(name, cpioSymlink|0o777, int64(len(target)))
	c.write([]byte(target))
	c.pad()
}

// File adds a regular file whose size bytes are read from r.
func (c *cpioWriter) File(name string, perm uint32, size int64, r io.Reader) {
	c.header(name, cpioRegular|perm, size)
	if c.err != nil {
		return
	}
	n, err := io.CopyN(c.w, r, size)
	c.off += n
	if err != nil {
		c.err = fmt.Errorf("cpio: %s: %w", name, err)
		return
	}
	c.pad()
}

// CharDev adds a character device node.
func (c *cpioWriter) CharDev(name string, perm, major, minor uint32) {
	c.headerDev(name, cpioCharDev|perm, 0, major, minor)
}

// Close writes the trailer entry; it does not close the underlying writer.
func (c *cpioWriter) Close() error {
	c.header("TRAILER!!!", 0, 0)
	return c.err
}
