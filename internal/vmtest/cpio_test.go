package vmtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCPIOReadable checks the newc writer against GNU cpio, which lists
// and extracts what the kernel would unpack. No VM needed.
func TestCPIOReadable(t *testing.T) {
	cpio, err := exec.LookPath("cpio")
	if err != nil {
		t.Skip("cpio not installed")
	}
	var buf bytes.Buffer
	w := newCPIOWriter(&buf)
	w.Dir("/bin", 0o755)
	w.File("/bin/hello", 0o755, 5, strings.NewReader("hello"))
	w.Symlink("/bin/hi", "hello")
	w.File("/odd", 0o644, 3, strings.NewReader("abc"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len()%4 != 0 {
		t.Errorf("archive length %d not padded to 4", buf.Len())
	}

	dir := t.TempDir()
	cmd := exec.Command(cpio, "-id", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -i: %v\n%s", err, out)
	}
	for name, want := range map[string]string{"bin/hello": "hello", "odd": "abc"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if target, err := os.Readlink(filepath.Join(dir, "bin/hi")); err != nil || target != "hello" {
		t.Errorf("bin/hi -> %q, %v", target, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "bin/hello")); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("bin/hello mode: %v, %v", st, err)
	}
}
