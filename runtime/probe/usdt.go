package probe

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/symbols"
	"github.com/gobpftrace/gobpftrace/runtime/usdt"
)

// usdtProvider is usdt/U:
//
//	usdt:PATH:NAME  usdt:PATH:PROVIDER:NAME  (wildcards in every field)
//
// A PATH of "*" means every binary and library mapped by the -p process
// (Spec.PID), or by every process when there is none. Each location of a
// probe is its own Target, since argument specs differ per location.
type usdtProvider struct{}

func init() { Register(usdtProvider{}) }

func (usdtProvider) Name() string      { return "usdt" }
func (usdtProvider) Aliases() []string { return []string{"U"} }

// UsdtLocation is Target.Extra of a usdt target: one location of a probe.
type UsdtLocation struct {
	Probe usdt.Probe
	Index int // which location of the probe (0-based, in note order)
	Count int // how many locations the probe has in this file
}

func (p usdtProvider) Parse(ap *ast.AttachPoint) (*Spec, error) {
	parts := ap.Parts
	s := &Spec{Provider: p, AP: ap}
	s.Target = Target{Provider: p.Name()}
	switch len(parts) {
	case 2:
		s.Path, s.Func = parts[0], parts[1]
	case 3:
		s.Path, s.Category, s.Func = parts[0], parts[1], parts[2]
	default:
		return nil, &AttachPointError{AP: ap, Msg: "usdt probe type requires 2 or 3 arguments: usdt:PATH:[PROVIDER:]NAME"}
	}
	if s.Path == "" || s.Func == "" {
		return nil, &AttachPointError{AP: ap, Msg: "usdt probe needs a binary path and a probe name"}
	}
	s.Wildcard = HasWildcard(s.Path) || HasWildcard(s.Category) || HasWildcard(s.Func)
	return s, nil
}

// usdtPaths returns the files a usdt attach point's PATH stands for.
func usdtPaths(path string, pid int) ([]string, error) {
	if !HasWildcard(path) {
		p, err := symbols.ResolveBinary(path, pid)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	}
	pids := []int{pid}
	if pid == 0 {
		pids = nil
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			if n, err := strconv.Atoi(e.Name()); err == nil && n != os.Getpid() {
				pids = append(pids, n)
			}
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, pp := range pids {
		maps, err := symbols.ProcMaps(pp)
		if err != nil {
			if pid != 0 {
				return nil, fmt.Errorf("process %d: %w", pid, err)
			}
			continue
		}
		for _, m := range maps {
			if !m.Exec || !Match(path, m.Path) {
				continue
			}
			file := m.Path
			if pid != 0 {
				file = fmt.Sprintf("/proc/%d/root%s", pid, m.Path)
			}
			if !seen[file] {
				seen[file] = true
				out = append(out, file)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// usdtMatch reports whether a note matches the provider and name patterns
// ("" provider: any).
func usdtMatch(provPat, namePat string, pr usdt.Probe) bool {
	if provPat != "" && !Match(provPat, pr.Provider) {
		return false
	}
	return Match(namePat, pr.Name)
}

func (p usdtProvider) Expand(s *Spec, _ Host) ([]*Target, error) {
	paths, err := usdtPaths(s.Path, s.PID)
	if err != nil {
		return nil, &AttachPointError{AP: s.AP, Msg: err.Error()}
	}
	var out []*Target
	for _, path := range paths {
		probes, err := usdt.ReadFile(path)
		if err != nil {
			if !HasWildcard(s.Path) {
				return nil, &AttachPointError{AP: s.AP, Msg: err.Error()}
			}
			continue
		}
		providers := map[string]bool{}
		count := map[string]int{}
		for _, pr := range probes {
			if usdtMatch(s.Category, s.Func, pr) {
				providers[pr.Provider] = true
				count[pr.Provider+":"+pr.Name]++
			}
		}
		if s.Category == "" && !s.Wildcard && len(providers) > 1 {
			var names []string
			for n := range providers {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, &AttachPointError{AP: s.AP, Msg: fmt.Sprintf("usdt probe %q is ambiguous in %s: it exists in providers %s; write usdt:PATH:PROVIDER:NAME", s.Func, path, strings.Join(names, ", "))}
		}
		index := map[string]int{}
		for _, pr := range probes {
			if !usdtMatch(s.Category, s.Func, pr) {
				continue
			}
			key := pr.Provider + ":" + pr.Name
			t := s.Target
			t.Path, t.Category, t.Func = path, pr.Provider, pr.Name
			t.Name = "usdt:" + path + ":" + key
			t.Extra = &UsdtLocation{Probe: pr, Index: index[key], Count: count[key]}
			index[key]++
			out = append(out, &t)
		}
	}
	if len(out) == 0 {
		what := s.Func
		if s.Category != "" {
			what = s.Category + ":" + s.Func
		}
		return nil, &AttachPointError{AP: s.AP, Msg: fmt.Sprintf("no usdt probe matching %q in %s", what, s.Path)}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// usdtArgLoc turns a decoded argument spec into how codegen reads it.
func usdtArgLoc(a usdt.Arg, pc uint64) (Loc, error) {
	l := Loc{Size: a.Size, Signed: a.Signed, Space: types.AddrUser}
	switch a.Kind {
	case usdt.ArgConst:
		l.Kind, l.Const = LocConst, a.Const
	case usdt.ArgReg:
		l.Kind, l.Offset = LocCtx, a.RegOffset
	case usdt.ArgMem:
		if a.Reg == "" {
			return l, fmt.Errorf("usdt argument %q: memory operands without a base register are not supported", a.Spec)
		}
		l.Kind, l.Offset, l.Disp = LocDeref, a.RegOffset, a.Disp
		if a.Index != "" {
			l.Index, l.Scale = a.IndexOffset, a.Scale
		}
		if a.Sym != "" {
			if a.SymAddr == 0 {
				return l, fmt.Errorf("usdt argument %q: symbol %s not found", a.Spec, a.Sym)
			}
			if a.Reg == "rip" {
				// At the probe, ip holds the probe's own run-time address, so
				// the symbol is at ip + (symbol - pc) whatever the load bias.
				l.Disp = int64(a.SymAddr) - int64(pc) + a.Disp
			} else {
				l.Disp += int64(a.SymAddr)
			}
		}
	}
	return l, nil
}

func (p usdtProvider) Context(t *Target, _ Host) (*Ctx, error) {
	loc, ok := t.Extra.(*UsdtLocation)
	if !ok {
		return nil, fmt.Errorf("%s: target was not expanded by the usdt provider", t.Name)
	}
	c := &Ctx{ProgType: ebpf.Kprobe, HasRegs: true, ArgN: []Loc{}}
	for _, a := range loc.Probe.Args {
		l, err := usdtArgLoc(a, loc.Probe.PC)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		c.ArgN = append(c.ArgN, l)
	}
	return c, nil
}

// Attach puts a uprobe on the location; when the probe has a semaphore, the
// kernel counts it up in every process mapping the file (ref_ctr_offset),
// so `if (PROBE_ENABLED())` guards in the target see it.
func (p usdtProvider) Attach(prog *ebpf.Program, t *Target, opts AttachOptions) (link.Link, error) {
	loc, ok := t.Extra.(*UsdtLocation)
	if !ok {
		return nil, fmt.Errorf("%s: target was not expanded by the usdt provider", t.Name)
	}
	pid := pidOf(t, opts)
	l, err := uprobeAttach(prog, t.Path, loc.Probe.FileOffset, loc.Probe.SemaphoreOff, false, pid)
	if err == nil || loc.Probe.Semaphore == 0 || pid == 0 || !errors.Is(err, link.ErrNotSupported) {
		return l, err
	}
	// No ref_ctr_offset in this kernel: with -p, count the semaphore up in
	// the process's memory ourselves, and down again on detach.
	l, err = uprobeAttach(prog, t.Path, loc.Probe.FileOffset, 0, false, pid)
	if err != nil {
		return nil, err
	}
	if _, err := usdt.AddSemaphore(pid, t.Path, loc.Probe, 1); err != nil {
		l.Close()
		return nil, err
	}
	return &usdtSemaphoreLink{Link: l, pid: pid, path: t.Path, probe: loc.Probe}, nil
}

// usdtSemaphoreLink undoes AddSemaphore when the probe is detached.
type usdtSemaphoreLink struct {
	link.Link
	pid   int
	path  string
	probe usdt.Probe
}

func (l *usdtSemaphoreLink) Close() error {
	err := l.Link.Close()
	usdt.AddSemaphore(l.pid, l.path, l.probe, -1) // the process may be gone
	return err
}

// List lists the probes of binaries: search is "PATH[:[PROVIDER:]NAME]",
// each probe once however many locations it has. With verbose, each probe's
// argument specs of its first location are shown.
func (p usdtProvider) List(search string, verbose bool, h Host) ([]Listing, error) {
	path, pat, _ := strings.Cut(search, ":")
	if path == "" {
		path = "*"
	}
	provPat, namePat := "", pat
	if a, b, ok := strings.Cut(pat, ":"); ok {
		provPat, namePat = a, b
	}
	if namePat == "" {
		namePat = "*"
	}
	paths, err := usdtPaths(path, 0)
	if err != nil {
		return nil, err
	}
	var out []Listing
	seen := map[string]bool{}
	for _, file := range paths {
		probes, err := usdt.ReadFile(file)
		if err != nil {
			if !HasWildcard(path) {
				return nil, err
			}
			continue
		}
		for _, pr := range probes {
			if !usdtMatch(provPat, namePat, pr) {
				continue
			}
			name := "usdt:" + file + ":" + pr.Provider + ":" + pr.Name
			if seen[name] {
				continue
			}
			seen[name] = true
			l := Listing{Name: name}
			if verbose {
				for i, a := range pr.Args {
					l.Params = append(l.Params, fmt.Sprintf("arg%d: %s", i, a.Spec))
				}
			}
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
