package runtime

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// cgroupPath prints cgroup_path(id, filter) as bpftrace does: for every
// mounted cgroup hierarchy whose name matches filter ("unified" for
// cgroup2 mounts, the mount directory's name for v1 ones; * wildcards; ""
// matches all), "name:path" where path is the directory, relative to the
// mount, whose inode number is id. cgroup2 hierarchies come first, then the
// v1 ones sorted by name; hierarchies without such a directory are left
// out, and the entries are joined by commas.
func cgroupPath(id uint64, filter string) string {
	var out []string
	for _, h := range cgroupHierarchies() {
		if filter != "" && !wildcardMatch(filter, h.name) {
			continue
		}
		if p := cgroupPaths.find(id, h.root); p != "" {
			out = append(out, h.name+":"+p)
		}
	}
	return strings.Join(out, ",")
}

type cgroupHierarchy struct{ name, root string }

// cgroupHierarchies lists the cgroup mounts of /proc/mounts in bpftrace's
// order: cgroup2 ones (named "unified"), then v1 ones sorted by name.
func cgroupHierarchies() []cgroupHierarchy {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return nil
	}
	defer f.Close()
	var v2, v1 []cgroupHierarchy
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		root := fields[1]
		if st, err := os.Stat(root); err != nil || !st.IsDir() {
			continue
		}
		switch fields[2] {
		case "cgroup2":
			v2 = append(v2, cgroupHierarchy{"unified", root})
		case "cgroup":
			v1 = append(v1, cgroupHierarchy{filepath.Base(root), root})
		}
	}
	sort.SliceStable(v1, func(i, j int) bool {
		if v1[i].name != v1[j].name {
			return v1[i].name < v1[j].name
		}
		return v1[i].root < v1[j].root
	})
	return append(v2, v1...)
}

// cgroupPathCache remembers where each (id, root) was found, so a script
// printing the same cgroup on every event walks the tree once. An entry is
// trusted only while the directory still has that inode number (cgroups
// come and go).
type cgroupPathCache struct {
	mu    sync.Mutex
	paths map[cgroupKey]string
}

type cgroupKey struct {
	id   uint64
	root string
}

var cgroupPaths = &cgroupPathCache{paths: map[cgroupKey]string{}}

func (c *cgroupPathCache) find(id uint64, root string) string {
	key := cgroupKey{id, root}
	c.mu.Lock()
	p, ok := c.paths[key]
	c.mu.Unlock()
	if ok && inodeOf(filepath.Join(root, p)) == id {
		return p
	}
	p = walkCgroup(id, root)
	if p != "" {
		c.mu.Lock()
		c.paths[key] = p
		c.mu.Unlock()
	}
	return p
}

// walkCgroup finds the directory under root whose inode number is id (a
// cgroup's id is its kernfs inode number) and returns it relative to root,
// "/" for root itself, or "" if there is none.
func walkCgroup(id uint64, root string) string {
	if inodeOf(root) == id {
		return "/"
	}
	found := ""
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || path == root {
			return nil
		}
		if inodeOf(path) == id {
			found = strings.TrimPrefix(path, root)
			return fs.SkipAll
		}
		return nil
	})
	return found
}

func inodeOf(path string) uint64 {
	var st syscall.Stat_t
	if syscall.Stat(path, &st) != nil {
		return 0
	}
	return st.Ino
}

// wildcardMatch matches name against pattern, where * stands for any run
// of characters (bpftrace's wildcards; no other metacharacters).
func wildcardMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(name) >= len(last) && strings.HasSuffix(name, last)
}
