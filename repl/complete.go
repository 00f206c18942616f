package repl

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
	"github.com/gobpftrace/gobpftrace/runtime/probe"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// maxCandidates bounds what Tab lists; beyond it only the common prefix is
// completed (kernel function names run to the tens of thousands).
const maxCandidates = 300

// completer is readline's AutoCompleter. It runs on readline's goroutine.
type completer struct {
	s *session

	mu      sync.Mutex
	pending string // earlier lines of the entry being typed

	tpOnce sync.Once
	tps    []string // "category:event"
	kfOnce sync.Once
	kfuncs []string
	btf    *kbtf.Kernel
	btfErr error
	btfOne sync.Once
}

func (c *completer) setPending(s string) {
	c.mu.Lock()
	c.pending = s
	c.mu.Unlock()
}

// Do implements readline.AutoCompleter: it returns the candidates' suffixes
// after the word under the cursor, and that word's length.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	c.mu.Lock()
	pending := c.pending
	c.mu.Unlock()
	before := string(line[:pos])
	word, cands := c.candidates(pending, before)
	if len(cands) == 0 {
		return nil, 0
	}
	cands = limit(word, cands)
	out := make([][]rune, 0, len(cands))
	for _, k := range cands {
		out = append(out, []rune(k[len(word):]))
	}
	return out, len([]rune(word))
}

// Candidates returns the full candidates for the text before the cursor
// (pending holds the earlier lines of a multi-line entry), and the word they
// complete. Exposed for tests through the completer.
func (c *completer) candidates(pending, before string) (string, []string) {
	entry := before
	if pending != "" {
		entry = pending + "\n" + before
	}
	trimmed := strings.TrimLeft(entry, " \t\n")
	// Dot commands.
	if pending == "" && strings.HasPrefix(trimmed, ".") {
		return c.command(trimmed)
	}
	// Struct fields after -> or ".".
	if m := fieldTail.FindStringSubmatch(before); m != nil {
		if fields := c.fields(entry, m[1]); fields != nil {
			return m[3], withPrefix(m[3], fields)
		}
	}
	// Type names after "struct " / "union " (casts, sizeof, offsetof).
	if m := typeTail.FindStringSubmatch(before); m != nil {
		return m[2], withPrefix(m[2], c.typeNames(m[1]))
	}
	word := lastWord(before)
	// An attach point: at the start of the entry, or after a comma in a
	// probe header, before its body opens.
	if atProbeHeader(entry, word) {
		if strings.Contains(word, ":") {
			return word, c.attachPoints(word)
		}
		// Canonical provider names only (aliases still complete once typed
		// with their colon); begin and end take none.
		var cands []string
		for _, p := range probe.All() {
			if n := p.Name(); n != "begin" && n != "end" {
				cands = append(cands, n+":")
			}
		}
		cands = append(cands, keywords...)
		cands = append(cands, stdlib.Names()...)
		return word, withPrefix(word, dedupe(cands))
	}
	if strings.HasPrefix(word, "@") {
		return word, withPrefix(word, c.maps())
	}
	if word == "" || strings.HasPrefix(word, "$") {
		return word, nil
	}
	cands := append(append([]string(nil), keywords...), stdlib.Names()...)
	cands = append(cands, "args", "retval", "curtask", "comm", "pid", "tid")
	return word, withPrefix(word, dedupe(cands))
}

var keywords = []string{"if", "else", "for", "while", "unroll", "return", "let", "config", "macro", "import", "begin", "end", "sizeof", "offsetof", "struct", "union", "enum"}

// fieldTail matches "EXPR->part" or "EXPR.part" at the cursor: group 1 is
// the text before the operator, 2 the operator, 3 the partial field name.
var fieldTail = regexp.MustCompile(`^(.*?)(->|\.)([A-Za-z_]\w*)?$`)

// typeTail matches "struct name" being typed.
var typeTail = regexp.MustCompile(`\b(struct|union|enum)\s+(\w*)$`)

// typeNames lists the kernel's named types of a kind.
func (c *completer) typeNames(kind string) []string {
	k := c.kernel()
	if k == nil {
		return nil
	}
	names, err := k.TypeNames("", kind)
	if err != nil {
		return nil
	}
	return dedupe(names)
}

// lastWord is the word under the cursor: attach points (with ':', '*',
// '/', '-'), @maps, $vars and identifiers.
func lastWord(s string) string {
	i := len(s)
	for i > 0 {
		ch := s[i-1]
		if ch == '_' || ch == ':' || ch == '@' || ch == '$' || ch == '*' || ch == '/' || ch == '-' || ch == '.' ||
			(ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') {
			i--
			continue
		}
		break
	}
	return s[i:]
}

// atProbeHeader reports whether word starts an attach point: nothing but
// attach points (and commas) before it since the last closed top-level
// block, and no '{' opened.
func atProbeHeader(entry, word string) bool {
	head := strings.TrimSuffix(entry, word)
	depth := 0
	last := 0
	for i := 0; i < len(head); i++ {
		switch head[i] {
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
			if depth == 0 {
				last = i + 1
			}
		}
	}
	if depth != 0 {
		return false
	}
	rest := strings.TrimSpace(head[last:])
	return rest == "" || strings.HasSuffix(rest, ",")
}

func withPrefix(prefix string, cands []string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func dedupe(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// limit keeps at most maxCandidates; beyond that only their common prefix.
func limit(word string, cands []string) []string {
	if len(cands) <= maxCandidates {
		return cands
	}
	p := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, p) {
			p = p[:len(p)-1]
		}
	}
	if len(p) > len(word) {
		return []string{p}
	}
	return nil
}

func (c *completer) command(text string) (string, []string) {
	name, arg, hasArg := strings.Cut(text, " ")
	if !hasArg {
		var cands []string
		for _, h := range commandHelp {
			cands = append(cands, h.name)
		}
		return name, withPrefix(name, cands)
	}
	word := lastWord(arg)
	switch name {
	case ".clear":
		return word, withPrefix(word, c.maps())
	case ".detach":
		cands := []string{"all"}
		for _, e := range c.s.live() {
			cands = append(cands, strconv.Itoa(e.id))
		}
		return word, withPrefix(word, cands)
	case ".list", ".l":
		return word, c.attachPoints(word)
	case ".load", ".save":
		word = arg[strings.LastIndexByte(arg, ' ')+1:]
		return word, files(word)
	}
	return word, nil
}

// files completes a path.
func files(word string) []string {
	dir, base := filepath.Split(word)
	d := dir
	if d == "" {
		d = "."
	}
	ents, err := os.ReadDir(d)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), base) {
			continue
		}
		name := dir + e.Name()
		if e.IsDir() {
			name += "/"
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func (c *completer) maps() []string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return append([]string(nil), c.s.mapNames...)
}

// attachPoints completes "provider:..." as written (aliases kept).
func (c *completer) attachPoints(word string) []string {
	prov, rest, ok := strings.Cut(word, ":")
	if !ok {
		var cands []string
		for _, p := range probe.All() {
			cands = append(cands, p.Name()+":")
		}
		return withPrefix(word, cands)
	}
	p, found := probe.Lookup(prov)
	if !found {
		return nil
	}
	var names []string // completions of rest
	switch p.Name() {
	case "tracepoint":
		names = c.tracepoints(rest)
	case "rawtracepoint":
		for _, tp := range c.tracepointList() {
			_, ev, _ := strings.Cut(tp, ":")
			names = append(names, ev)
		}
	case "kprobe", "kretprobe", "fentry", "fexit":
		names = c.kernelFuncs()
	case "interval", "profile":
		names = []string{"s:", "ms:", "us:", "hz:"}
	case "uprobe", "uretprobe", "usdt":
		if !strings.Contains(rest, ":") {
			// The binary first: a path.
			names = files(rest)
			break
		}
		fallthrough
	default:
		ls, err := probe.List(p.Name()+":"+rest+"*", false, c.s.host)
		if err != nil {
			return nil
		}
		for _, l := range ls {
			if _, r, ok := strings.Cut(l.Name, ":"); ok {
				names = append(names, r)
			}
		}
	}
	var out []string
	for _, n := range dedupe(names) {
		if strings.HasPrefix(n, rest) {
			out = append(out, prov+":"+n)
		}
	}
	sort.Strings(out)
	return out
}

func (c *completer) tracepointList() []string {
	c.tpOnce.Do(func() {
		c.tps, _ = c.s.host.Tracepoints()
		sort.Strings(c.tps)
	})
	return c.tps
}

// tracepoints completes the category first ("syscalls:"), then the event.
func (c *completer) tracepoints(rest string) []string {
	var out []string
	inCategory := strings.Contains(rest, ":")
	for _, tp := range c.tracepointList() {
		if !strings.HasPrefix(tp, rest) {
			continue
		}
		if !inCategory {
			cat, _, _ := strings.Cut(tp, ":")
			out = append(out, cat+":")
			continue
		}
		out = append(out, tp)
	}
	return dedupe(out)
}

func (c *completer) kernelFuncs() []string {
	c.kfOnce.Do(func() {
		fs, err := c.s.host.KernelFuncs()
		if err != nil {
			return
		}
		for _, f := range fs {
			c.kfuncs = append(c.kfuncs, f.Name)
		}
		sort.Strings(c.kfuncs)
	})
	return c.kfuncs
}

func (c *completer) kernel() *kbtf.Kernel {
	c.btfOne.Do(func() { c.btf, c.btfErr = kbtf.Load() })
	return c.btf
}
