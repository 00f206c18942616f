package probe

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// MountTracefs mounts tracefs when it is missing. The test unmounts it in a
// private mount namespace (on a thread of its own, which dies afterwards) so
// that the rest of the machine keeps its mount.
func TestMountTracefsFromUnmounted(t *testing.T) {
	requireRoot(t)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the namespace
		done <- func() error {
			if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
				return err
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return err
			}
			for _, d := range tracefsCandidates {
				for isTracefs(d) {
					if err := unix.Unmount(d, unix.MNT_DETACH); err != nil {
						break
					}
				}
			}
			if isTracefs(tracefsCandidates[0]) {
				t.Log("could not unmount tracefs; checking idempotence only")
			}
			tracefsMu.Lock()
			tracefsOnce = nil
			tracefsMu.Unlock()
			tf, err := MountTracefs()
			if err != nil {
				return err
			}
			if !isTracefs(tf.Dir) {
				t.Errorf("%s is not tracefs after MountTracefs", tf.Dir)
			}
			tf2, err := MountTracefs()
			if err != nil || tf2.Dir != tf.Dir {
				t.Errorf("second MountTracefs: %v %v", tf2, err)
			}
			if _, err := tf.Format("sched", "sched_switch"); err != nil {
				t.Errorf("reading a format file: %v", err)
			}
			return nil
		}()
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	tracefsMu.Lock()
	tracefsOnce = nil // the namespace's mount is gone with its thread
	tracefsMu.Unlock()
}
