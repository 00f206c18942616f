package probe

import (
	"fmt"
	"sort"
	"strings"
)

// listOrder is the order `-l` walks providers in (kernel probes, as bpftrace
// lists them); interval and profile are listed only when asked for by name.
var listOrder = []string{"tracepoint", "rawtracepoint", "kprobe", "fentry", "iter", "software", "hardware"}

// List answers `-l [SEARCH]` and `-lv`: SEARCH is "PROVIDER:REST" (the
// provider may be an alias or a glob), a bare glob matched by every kernel
// provider, "struct NAME"/"union NAME"/"enum NAME" (globs allowed) for
// kernel types, or "" for everything. Providers without a Lister (uprobe,
// usdt need a binary) are skipped unless named.
func List(search string, verbose bool, h Host) ([]Listing, error) {
	search = strings.TrimSpace(search)
	for _, kind := range []string{"struct ", "union ", "enum "} {
		if strings.HasPrefix(search, kind) {
			return listTypes(strings.TrimSpace(kind), strings.TrimSpace(search[len(kind):]), verbose, h)
		}
	}
	prov, rest, hasColon := strings.Cut(search, ":")
	var names []string
	switch {
	case search == "":
		names, rest = listOrder, ""
	case !hasColon:
		names, rest = listOrder, search
	case HasWildcard(prov):
		for _, n := range append(append([]string{}, listOrder...), "interval", "profile") {
			if Match(prov, n) {
				names = append(names, n)
			}
		}
	default:
		p, ok := Lookup(prov)
		if !ok {
			return nil, fmt.Errorf("Invalid probe type: %s", prov)
		}
		names = []string{p.Name()}
	}
	var out []Listing
	for _, n := range names {
		p, ok := Lookup(n)
		if !ok {
			continue
		}
		l, ok := p.(Lister)
		if !ok {
			continue
		}
		ls, err := l.List(rest, verbose, h)
		if err != nil {
			if len(names) == 1 {
				return nil, err
			}
			continue // e.g. no BTF: list what we can
		}
		out = append(out, ls...)
	}
	return out, nil
}

// listTypes lists kernel struct/union/enum names; with verbose, their definitions.
func listTypes(kind, pattern string, verbose bool, h Host) ([]Listing, error) {
	k, err := btfOf(h)
	if err != nil {
		return nil, err
	}
	if pattern == "" {
		pattern = "*"
	}
	names, err := k.TypeNames("", kind)
	if err != nil {
		return nil, err
	}
	matched := map[string]bool{}
	for _, n := range names {
		if Match(pattern, n) {
			matched[n] = true
		}
	}
	sorted := make([]string, 0, len(matched))
	for n := range matched {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var out []Listing
	for _, n := range sorted {
		full := kind + " " + n
		if verbose {
			def, err := k.Definition(full)
			if err != nil {
				continue
			}
			out = append(out, Listing{Name: strings.TrimSuffix(def, "\n")})
			continue
		}
		out = append(out, Listing{Name: full})
	}
	return out, nil
}

// FormatListing writes listings as bpftrace prints them: the name, then with
// -lv each parameter on its own line indented by four spaces.
func FormatListing(ls []Listing) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Name)
		b.WriteByte('\n')
		for _, p := range l.Params {
			b.WriteString("    ")
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
