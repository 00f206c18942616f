package main

import (
	"fmt"
	"strings"
)

// args are the parsed command line, named like bpftrace's options.
type args struct {
	program    string // -e
	hasProgram bool
	filename   string // FILE or "-" (stdin)
	params     []string
	named      map[string]string // --name=value after "--"
	namedOrder []string

	listing    bool   // -l
	search     string // -l SEARCH
	quiet      bool
	verbose    bool
	outFile    string // -o
	format     string // -f
	buffer     string // -B
	dryRun     bool
	debug      []string // -d stages
	emit       string   // --emit ast|asm
	fmtFile    string   // --fmt FILE
	fmtWanted  bool
	unsafe     bool
	pid        string // -p
	cmd        string // -c
	noFeatures []string
	includes   []string // -I, --include: accepted, C headers are not read
	help       bool
	version    bool
	repl       bool // -i
	noWarnings bool
	k          int
	info       bool
}

// usageError is a command line mistake: printed with the usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Options that take an argument, as getopt's "d:bB:f:e:hlp:vqc:Vo:I:k" plus ours.
var shortWithArg = map[byte]bool{'d': true, 'B': true, 'f': true, 'e': true, 'p': true, 'c': true, 'o': true, 'I': true}

var longOpts = map[string]bool{ // name -> takes an argument
	"help": false, "version": false, "unsafe": false, "dry-run": false, "info": false,
	"no-warnings": false, "usdt-file-activation": false, "btf": false,
	"include": true, "no-feature": true, "debug": true, "emit": true, "fmt": true,
}

// parseArgs parses argv like GNU getopt_long: options and operands may be
// mixed, "--" ends the options, and after it "--name[=value]" words are the
// script's named parameters.
func parseArgs(argv []string) (*args, error) {
	a := &args{named: map[string]string{}}
	var operands []string
	for i := 0; i < len(argv); i++ {
		w := argv[i]
		switch {
		case w == "--":
			for _, r := range argv[i+1:] {
				if strings.HasPrefix(r, "--") && len(r) > 2 {
					name, val, ok := strings.Cut(r[2:], "=")
					if !ok {
						val = "" // a flag: getopt() reads it as true
					}
					if _, seen := a.named[name]; !seen {
						a.namedOrder = append(a.namedOrder, name)
					}
					a.named[name] = val
				} else {
					operands = append(operands, r)
				}
			}
			i = len(argv)
		case strings.HasPrefix(w, "--"):
			name, val, hasVal := strings.Cut(w[2:], "=")
			takes, ok := longOpts[name]
			if !ok {
				return nil, &usageError{fmt.Sprintf("unrecognized option '--%s'", name)}
			}
			if takes && !hasVal {
				if i+1 >= len(argv) {
					return nil, &usageError{fmt.Sprintf("option '--%s' requires an argument", name)}
				}
				i++
				val = argv[i]
			} else if !takes && hasVal {
				return nil, &usageError{fmt.Sprintf("option '--%s' doesn't allow an argument", name)}
			}
			if err := a.long(name, val); err != nil {
				return nil, err
			}
		case len(w) > 1 && w[0] == '-':
			for j := 1; j < len(w); j++ {
				c := w[j]
				if shortWithArg[c] {
					val := w[j+1:]
					if val == "" {
						if i+1 >= len(argv) {
							return nil, &usageError{fmt.Sprintf("option requires an argument -- '%c'", c)}
						}
						i++
						val = argv[i]
					}
					if err := a.short(c, val); err != nil {
						return nil, err
					}
					break
				}
				if err := a.short(c, ""); err != nil {
					return nil, err
				}
			}
		default:
			operands = append(operands, w)
		}
	}
	if a.cmd != "" && a.pid != "" {
		return nil, &usageError{"USAGE: Cannot use both -c and -p."}
	}
	if a.listing {
		switch len(operands) {
		case 0:
		case 1:
			a.search = operands[0]
		default:
			return nil, &usageError{"USAGE: -l takes at most one search pattern or file"}
		}
		return a, nil
	}
	if !a.hasProgram && len(operands) > 0 {
		a.filename, operands = operands[0], operands[1:]
	}
	a.params = operands
	return a, nil
}

func (a *args) short(c byte, val string) error {
	switch c {
	case 'd':
		for _, s := range strings.Split(val, ",") {
			if s == "" {
				continue
			}
			switch s {
			case "all", "ast", "asm", "dis", "verifier", "codegen", "codegen-opt", "libbpf":
				a.debug = append(a.debug, s)
			default:
				return &usageError{"USAGE: invalid option for -d: " + s}
			}
		}
	case 'b':
	case 'B':
		switch val {
		case "line", "full", "none":
			a.buffer = val
		default:
			return &usageError{"USAGE: -B must be either 'line', 'full', or 'none'."}
		}
	case 'f':
		a.format = val
	case 'e':
		a.program, a.hasProgram = val, true
	case 'h':
		a.help = true
	case 'l':
		a.listing = true
	case 'p':
		a.pid = val
	case 'v':
		a.verbose = true
	case 'q':
		a.quiet = true
	case 'c':
		a.cmd = val
	case 'V':
		a.version = true
	case 'o':
		a.outFile = val
	case 'I':
		a.includes = append(a.includes, val)
	case 'k':
		a.k++
	case 'i':
		a.repl = true
	default:
		return &usageError{fmt.Sprintf("invalid option -- '%c'", c)}
	}
	return nil
}

func (a *args) long(name, val string) error {
	switch name {
	case "help":
		a.help = true
	case "version":
		a.version = true
	case "unsafe":
		a.unsafe = true
	case "dry-run":
		a.dryRun = true
	case "info":
		a.info = true
	case "no-warnings":
		a.noWarnings = true
	case "usdt-file-activation", "btf":
	case "include":
		a.includes = append(a.includes, val)
	case "no-feature":
		for _, f := range strings.Split(val, ",") {
			if f != "" {
				a.noFeatures = append(a.noFeatures, f)
			}
		}
	case "debug":
		return a.short('d', val)
	case "emit":
		switch val {
		case "ast", "asm":
			a.emit = val
		default:
			return &usageError{"USAGE: --emit must be 'ast' or 'asm'"}
		}
	case "fmt":
		a.fmtFile, a.fmtWanted = val, true
	}
	return nil
}

func (a *args) debugs(stage string) bool {
	for _, s := range a.debug {
		if s == stage || s == "all" {
			return true
		}
	}
	return false
}
