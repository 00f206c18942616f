package sema

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/types"
)

// defaultConfig holds bpftrace's newest defaults.
func defaultConfig() Config {
	return Config{
		MaxStrlen:       1024,
		MaxMapKeys:      4096,
		PrintMapsOnExit: true,
		PerfRbPages:     64,
		MissingProbes:   "error",
		CppDemangle:     true,
		StackMode:       types.StackBpftrace,
		MaxCatBytes:     10240,
		LogSize:         1000000,
	}
}

// resolveConfig applies BPFTRACE_* settings, then the config block, which wins.
func resolveConfig(c *checker) {
	cfg := &c.info.Config
	*cfg = defaultConfig()
	cfg.Unsafe = c.opts.Unsafe
	for k, v := range c.opts.Env {
		name := strings.ToLower(strings.TrimPrefix(k, "BPFTRACE_"))
		if !strings.HasPrefix(k, "BPFTRACE_") {
			continue
		}
		if err := setConfig(cfg, name, v, false); err != "" && err != errUnknown {
			c.errorf(lang.Span{}, "env %s: %s", k, err)
		}
	}
	for _, d := range c.prog.Decls {
		blk, ok := d.(*ast.Config)
		if !ok {
			continue
		}
		for _, e := range blk.Entries {
			name := strings.ToLower(strings.TrimPrefix(strings.ToUpper(e.Name), "BPFTRACE_"))
			var val string
			switch v := e.Value.(type) {
			case *ast.IntLit:
				val = strconv.FormatUint(v.Value, 10)
			case *ast.StringLit:
				val = v.Value
			case *ast.BoolLit:
				val = strconv.FormatBool(v.Value)
			case *ast.Ident:
				val = v.Name
			default:
				c.errorf(e.Value.Span(), "invalid config value")
				continue
			}
			if err := setConfig(cfg, name, val, true); err != "" {
				c.errorf(e.Span(), "%s", err)
			}
		}
	}
}

const errUnknown = "unknown config variable"

func setConfig(cfg *Config, name, val string, block bool) string {
	num := func(dst *int) string {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return name + ": expected a non-negative integer, got " + strconv.Quote(val)
		}
		*dst = n
		return ""
	}
	boolean := func(dst *bool) string {
		switch strings.ToLower(val) {
		case "1", "true":
			*dst = true
		case "0", "false":
			*dst = false
		default:
			return name + ": expected a boolean, got " + strconv.Quote(val)
		}
		return ""
	}
	switch name {
	case "max_strlen", "strlen":
		if err := num(&cfg.MaxStrlen); err != "" {
			return err
		}
		if cfg.MaxStrlen < 1 {
			cfg.MaxStrlen = 1
		}
		if cfg.MaxStrlen > 32<<10 {
			return "max_strlen: at most 32768"
		}
	case "max_map_keys", "map_keys_max":
		return num(&cfg.MaxMapKeys)
	case "print_maps_on_exit":
		return boolean(&cfg.PrintMapsOnExit)
	case "perf_rb_pages":
		return num(&cfg.PerfRbPages)
	case "missing_probes":
		switch val {
		case "error", "warn", "ignore":
			cfg.MissingProbes = val
		default:
			return "missing_probes: expected error, warn or ignore"
		}
	case "cpp_demangle":
		return boolean(&cfg.CppDemangle)
	case "stack_mode":
		switch val {
		case "bpftrace":
			cfg.StackMode = types.StackBpftrace
		case "perf":
			cfg.StackMode = types.StackPerf
		case "raw":
			cfg.StackMode = types.StackRaw
		default:
			return "stack_mode: expected bpftrace, perf or raw"
		}
	case "max_cat_bytes", "cat_bytes_max":
		return num(&cfg.MaxCatBytes)
	case "log_size":
		return num(&cfg.LogSize)
	case "license", "max_bpf_progs", "max_probes", "max_type_res_iterations", "on_stack_limit",
		"symbol_source", "show_debug_info", "cache_user_symbols", "lazy_symbolication",
		"max_ast_nodes", "use_blazesym", "unstable_map_decl", "unstable_macro", "unstable_import",
		"unstable_tseries", "unstable_addr", "unstable_typeinfo", "print_maps_on_exit_clear":
		// accepted; they do not change what gobpftrace generates
	default:
		if block {
			return errUnknown + ": " + name
		}
		return errUnknown
	}
	return ""
}
