package repl

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/format"
	"github.com/gobpftrace/gobpftrace/parser"
	"github.com/gobpftrace/gobpftrace/runtime"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
)

// commandHelp lists the dot commands, for .help and completion.
var commandHelp = []struct{ name, args, help string }{
	{".probes", "[-v]", "list the entries with attached probes and how often they fired (-v: per probe)"},
	{".detach", "N|all", "detach entry N (its end blocks run; its maps stay)"},
	{".clear", "@m", "delete every entry of a map"},
	{".maps", "", "list the maps with their types and sizes"},
	{".list", "[-v] SEARCH", "list probes like -l (tracepoint:syscalls:*, kprobe:vfs_*...)"},
	{".load", "FILE", "run a script's probes and declarations in this session"},
	{".save", "FILE", "write the session as a runnable .bt script"},
	{".unmute", "", "show the output of entries silenced with Ctrl-C again"},
	{".help", "", "this help"},
	{".quit", "", "detach everything and exit without printing the maps"},
}

const helpIntro = `Enter bpftrace probes, declarations or statements:
  tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }
                      attached at once; stays attached until .detach
  @opens              print a map (same as print(@opens))
  printf("%d\n", 1)   statements run once, like a begin block
Entries continue on the next line until braces balance; an empty line
shows the error of an unfinished entry. Tab completes probe names, struct
fields after -> and ., builtins and maps. Ctrl-C stops the output of
running probes; Ctrl-D or exit() print every map, as a script does on
exit, and quit.
Commands:
`

// command runs a dot command; false ends the session.
func (s *session) command(line string) bool {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ".help", ".h", ".?":
		var b strings.Builder
		b.WriteString(helpIntro)
		for _, c := range commandHelp {
			fmt.Fprintf(&b, "  %-22s %s\n", c.name+" "+c.args, c.help)
		}
		s.printf("%s", b.String())
	case ".quit", ".q", ".exit":
		return false
	case ".probes":
		s.listEntries(arg == "-v")
	case ".detach":
		s.detachCmd(arg)
	case ".clear":
		s.clearCmd(arg)
	case ".maps":
		s.listMaps()
	case ".list", ".l":
		s.listProbes(arg)
	case ".load":
		s.loadFile(arg)
	case ".save":
		s.saveFile(arg)
	case ".unmute":
		for _, e := range s.live() {
			e.muted.Store(false)
		}
	default:
		s.errorf("ERROR: unknown command %s (.help lists them)\n", name)
	}
	return true
}

func (s *session) listEntries(verbose bool) {
	live := s.live()
	if len(live) == 0 {
		s.printf("no probes attached\n")
		return
	}
	var b strings.Builder
	for _, e := range live {
		count := "?"
		if n := e.count(); n >= 0 {
			count = strconv.FormatInt(n, 10)
		}
		state := fmt.Sprintf("%d attached", e.nlinks())
		if e.exited.Load() {
			state = "exited"
		}
		if e.muted.Load() {
			state += ", muted"
		}
		fmt.Fprintf(&b, "[%d] %s  (%s, events: %s)\n", e.id, e.label, state, count)
		if verbose {
			for _, pc := range e.counts() {
				fmt.Fprintf(&b, "      %-50s %d\n", pc.name, pc.n)
			}
		}
	}
	s.printf("%s", b.String())
}

func (s *session) detachCmd(arg string) {
	if arg == "all" {
		live := s.live()
		for _, e := range live {
			e.detach()
		}
		s.errorf("detached %d entr%s\n", len(live), map[bool]string{true: "y", false: "ies"}[len(live) == 1])
		return
	}
	n, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
	if err != nil || n < 1 || n > len(s.entries) || s.entries[n-1].detached {
		s.errorf("ERROR: .detach wants the number of an attached entry (see .probes) or all\n")
		return
	}
	s.entries[n-1].detach()
	s.errorf("[%d] detached\n", n)
}

func (s *session) clearCmd(arg string) {
	s.mu.Lock()
	um := s.userMaps[arg]
	s.mu.Unlock()
	if um == nil {
		s.errorf("ERROR: no map %s (.maps lists them)\n", arg)
		return
	}
	if m := s.shared(um.Spec); m != nil {
		if err := runtime.ClearMap(m); err != nil {
			s.errorf("ERROR: clearing %s: %v\n", arg, err)
		}
	}
}

func (s *session) listMaps() {
	s.mu.Lock()
	names := append([]string(nil), s.mapNames...)
	s.mu.Unlock()
	if len(names) == 0 {
		s.printf("no maps\n")
		return
	}
	var b strings.Builder
	for _, n := range names {
		s.mu.Lock()
		um := s.userMaps[n]
		s.mu.Unlock()
		key := ""
		if um.Key != nil {
			key = "[" + um.Key.String() + "]"
		}
		entries := "not created yet"
		if m := s.shared(um.Spec); m != nil {
			if n, err := runtime.CountEntries(m); err == nil {
				entries = fmt.Sprintf("%d entr%s", n, map[bool]string{true: "y", false: "ies"}[n == 1])
			}
		}
		fmt.Fprintf(&b, "%s%s: %s  (%s)\n", n, key, um.Value.String(), entries)
	}
	s.printf("%s", b.String())
}

func (s *session) listProbes(arg string) {
	verbose := false
	var search []string
	for _, f := range strings.Fields(arg) {
		if f == "-v" {
			verbose = true
		} else {
			search = append(search, f)
		}
	}
	q := strings.Join(search, " ")
	if q == "*" {
		q = ""
	}
	ls, err := probe.List(q, verbose, s.host)
	if err != nil {
		s.errorf("ERROR: %v\n", err)
		return
	}
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Name)
		b.WriteByte('\n')
		for _, p := range l.Params {
			b.WriteString("    " + p + "\n")
		}
	}
	s.printf("%s", b.String())
}

// loadFile runs a script in the session: its declarations and probes are
// added as one entry.
func (s *session) loadFile(path string) {
	if path == "" {
		s.errorf("ERROR: .load wants a file name\n")
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		s.errorf("ERROR: %v\n", err)
		return
	}
	f := lang.NewFile(path, string(src))
	prog, diags := parser.Parse(f)
	if diags.HasErrors() {
		s.errorf("%s", diags.Render(f))
		return
	}
	items := splitItems(f, prog)
	if len(items) == 0 {
		s.errorf("%s: nothing to load\n", path)
		return
	}
	s.addItems(items)
}

func (s *session) saveFile(path string) {
	if path == "" {
		s.errorf("ERROR: .save wants a file name\n")
		return
	}
	if err := os.WriteFile(path, []byte(s.source()), 0o644); err != nil {
		s.errorf("ERROR: %v\n", err)
		return
	}
	s.errorf("saved to %s\n", path)
}

func formatProgram(p *ast.Program) string { return format.Program(p) }
