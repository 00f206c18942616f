package vmtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"
)

// Guest paths the harness itself uses inside the VM.
const (
	guestDir    = "/vmtest"
	guestScript = guestDir + "/script.sh"
	guestLib    = guestDir + "/lib.sh"
	guestStdout = guestDir + "/stdout"
	guestStderr = guestDir + "/stderr"
)

// initScript is the VM's /init. It mounts the pseudo file systems BPF
// tools expect, runs the test script (with lib.sh's helpers) capturing
// stdout and stderr to files (both would otherwise share the one serial
// console), then prints each capture and each collected file base64-encoded
// between marker lines, so that console line-ending translation and kernel
// messages cannot corrupt them, and powers off. marker is unique per run.
func initScript(marker string, collect []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `#!/bin/busybox sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
ulimit -l unlimited 2>/dev/null
echo "%[1]s begin"
cd /
sh -c '. %[2]s; . %[3]s' </dev/null >%[4]s 2>%[5]s
status=$?
dmesg -n 1
echo "%[1]s stdout"
base64 %[4]s
echo "%[1]s stderr"
base64 %[5]s
echo "%[1]s dmesg"
dmesg | base64
`, marker, guestLib, guestScript, guestStdout, guestStderr)
	for _, p := range collect {
		fmt.Fprintf(&b, "[ -f %[2]s ] && { echo \"%[1]s file %[2]s\"; base64 %[2]s; }\n", marker, p)
	}
	fmt.Fprintf(&b, `echo "%[1]s exit $status"
sync
poweroff -f
`, marker)
	return b.String()
}

// libScript holds shell helpers sourced before the test script.
const libScript = `# waitfor FILE REGEX [SECS]: wait until FILE has a line matching the
# grep regex REGEX, polling every 0.1 s for up to SECS (default 60) s.
# Use it to trigger events only once a tracer has attached:
#   gobpftrace -e '...' >/tmp/out 2>&1 &
#   waitfor /tmp/out '^Attaching' && cat /etc/hostname
waitfor() {
	_wf_n=$(( ${3:-60} * 10 ))
	while [ "$_wf_n" -gt 0 ]; do
		grep -q -e "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
	echo "waitfor: no line matching '$2' in $1 after ${3:-60} s" >&2
	return 1
}
`

// image describes the initramfs contents before they are written.
type image struct {
	dirs     map[string]bool
	symlinks map[string]string // guest path -> target
	files    map[string]imageFile
}

type imageFile struct {
	host string // host file to copy, or "" for data
	data []byte
	perm uint32
}

func newImage() *image {
	return &image{dirs: map[string]bool{}, symlinks: map[string]string{}, files: map[string]imageFile{}}
}

// parents records every ancestor directory of p.
func (im *image) parents(p string) {
	for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
		im.dirs[d] = true
	}
}

func (im *image) addDir(p string) { im.dirs[p] = true; im.parents(p) }

func (im *image) addFile(p string, f imageFile) { im.files[p] = f; im.parents(p) }

func (im *image) addSymlink(p, target string) { im.symlinks[p] = target; im.parents(p) }

// buildImage assembles the initramfs for cfg with the given marker.
func buildImage(cfg Config, marker string) (*image, error) {
	bb, err := busyboxPath()
	if err != nil {
		return nil, err
	}
	im := newImage()
	for _, d := range []string{"/proc", "/sys", "/dev", "/tmp", "/root", "/run", "/etc", "/var/tmp", guestDir} {
		im.addDir(d)
	}
	im.addFile("/bin/busybox", imageFile{host: bb, perm: 0o755})
	applets, err := busyboxApplets(bb)
	if err != nil {
		return nil, err
	}
	for _, a := range applets {
		if a != "/bin/busybox" {
			im.addSymlink(a, "/bin/busybox")
		}
	}
	// /bin/sh must exist even if the applet list ever lacks it.
	im.addSymlink("/bin/sh", "/bin/busybox")
	im.addFile("/etc/passwd", imageFile{data: []byte("root:x:0:0:root:/root:/bin/sh\n"), perm: 0o644})
	im.addFile("/etc/hostname", imageFile{data: []byte("vmtest\n"), perm: 0o644})
	im.addFile("/etc/group", imageFile{data: []byte("root:x:0:\n"), perm: 0o644})

	for guest, host := range cfg.Files {
		if !path.IsAbs(guest) {
			return nil, fmt.Errorf("vmtest: guest path %q is not absolute", guest)
		}
		st, err := os.Stat(host)
		if err != nil {
			return nil, fmt.Errorf("vmtest: file for %s: %w", guest, err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("vmtest: %s: directories are not supported; list files", host)
		}
		im.addFile(path.Clean(guest), imageFile{host: host, perm: uint32(st.Mode().Perm())})
	}
	for guest, data := range cfg.Contents {
		if !path.IsAbs(guest) {
			return nil, fmt.Errorf("vmtest: guest path %q is not absolute", guest)
		}
		im.addFile(path.Clean(guest), imageFile{data: []byte(data), perm: 0o755})
	}
	im.addFile(guestScript, imageFile{data: []byte(cfg.Script), perm: 0o755})
	for _, p := range cfg.Collect {
		if !path.IsAbs(p) || strings.ContainsAny(p, " \t\n'\"$`\\;&|<>*?") {
			return nil, fmt.Errorf("vmtest: Collect path %q must be absolute, without spaces or shell characters", p)
		}
	}
	im.addFile(guestLib, imageFile{data: []byte(libScript), perm: 0o644})
	im.addFile("/init", imageFile{data: []byte(initScript(marker, cfg.Collect)), perm: 0o755})
	return im, nil
}

// busyboxApplets lists the applets' install paths ("/usr/bin/awk") as the
// host's busybox reports them.
func busyboxApplets(bb string) ([]string, error) {
	out, err := exec.Command(bb, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("vmtest: %s --list-full: %w", bb, err)
	}
	var list []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			list = append(list, "/"+strings.TrimPrefix(l, "/"))
		}
	}
	return list, nil
}

// writeTo writes the image as a newc cpio archive to the file at dst.
func (im *image) writeTo(dst string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	cw := newCPIOWriter(bw)

	// Directories sorted, so parents precede children.
	dirs := make([]string, 0, len(im.dirs))
	for d := range im.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		perm := uint32(0o755)
		if d == "/tmp" || d == "/var/tmp" {
			perm = 0o1777
		}
		cw.Dir(d, perm)
	}
	// The kernel opens /dev/console for init's stdio before /init can
	// mount devtmpfs, so the node must be in the archive.
	cw.CharDev("/dev/console", 0o600, 5, 1)
	cw.CharDev("/dev/null", 0o666, 1, 3)
	for _, p := range sortedKeys(im.symlinks) {
		if _, isFile := im.files[p]; isFile {
			continue // a file given by the test wins over an applet
		}
		cw.Symlink(p, im.symlinks[p])
	}
	for _, p := range sortedKeys(im.files) {
		f := im.files[p]
		if f.host == "" {
			cw.File(p, f.perm, int64(len(f.data)), bytes.NewReader(f.data))
			continue
		}
		if err := copyHostFile(cw, p, f); err != nil {
			out.Close()
			return err
		}
	}
	if err := cw.Close(); err != nil {
		out.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func copyHostFile(cw *cpioWriter, guest string, f imageFile) error {
	in, err := os.Open(f.host)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	cw.File(guest, f.perm, st.Size(), in)
	return cw.err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
