package sema

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/diag"
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

// resolveConfig applies the config block, then BPFTRACE_* settings: the
// environment wins, as bpftrace documents.
func resolveConfig(c *checker) {
	cfg := &c.info.Config
	*cfg = defaultConfig()
	cfg.Unsafe = c.opts.Unsafe
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
				sp := e.Span()
				if err == errUnknown+": "+name || err == name+errEnvOnly {
					// bpftrace points at "name=" for these.
					sp.End = sp.Start + lang.Pos(len(e.Name)) + 1
				}
				c.errorf(sp, "%s", err)
			}
		}
	}
	for k, v := range c.opts.Env {
		name := strings.ToLower(strings.TrimPrefix(k, "BPFTRACE_"))
		if !strings.HasPrefix(k, "BPFTRACE_") {
			continue
		}
		if err := setConfig(cfg, name, v, false); err != "" && err != errUnknown {
			c.errorf(lang.Span{}, "env %s: %s", k, err)
		}
	}
}

const (
	errUnknown = "Unrecognized config variable"
	errEnvOnly = " can only be set as an environment variable"
)

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
	case unstableMapDecl, unstableTseries, unstableAddr:
		switch v := strings.ToLower(val); v {
		case "error", "warn", "enable":
			if cfg.Unstable == nil {
				cfg.Unstable = map[string]string{}
			}
			cfg.Unstable[name] = v
		default:
			return name + ": expected error, warn or enable, got " + strconv.Quote(val)
		}
	case "max_cat_bytes", "cat_bytes_max":
		return num(&cfg.MaxCatBytes)
	case "log_size":
		return num(&cfg.LogSize)
	case "license", "max_bpf_progs", "max_probes", "max_type_res_iterations", "on_stack_limit",
		"symbol_source", "show_debug_info", "cache_user_symbols", "lazy_symbolication",
		"use_blazesym", "unstable_macro", "unstable_import", "unstable_typeinfo",
		"print_maps_on_exit_clear":
		// accepted; they do not change what gobpftrace generates
	case "max_ast_nodes", "debug_output":
		if block {
			return name + errEnvOnly
		}
	default:
		if block {
			return errUnknown + ": " + name
		}
		return errUnknown
	}
	return ""
}

// Unstable features of bpftrace: each warns when used unless its config
// variable says "enable" ("error" refuses it).
const (
	unstableMapDecl = "unstable_map_decl"
	unstableTseries = "unstable_tseries"
	unstableAddr    = "unstable_addr"
)

// unstable reports the use of an unstable feature at sp, as bpftrace does:
// a warning without source context, once per feature, or a positioned
// error when the config says "error". Checks that run more than once
// report in their final run only (c.list()).
func (c *checker) unstable(feature, config string, sp lang.Span) {
	c.unstableTo(c.list(), feature, config, sp)
}

// unstableTo is unstable reporting to l.
func (c *checker) unstableTo(l *diag.List, feature, config string, sp lang.Span) {
	switch c.info.Config.Unstable[config] {
	case "enable":
	case "error":
		l.Errorf(sp, "%s feature is not enabled by default. To enable this unstable feature, set the config flag to enable. %s=enable", feature, config)
	default:
		if l != &c.diags || c.warned[config] {
			return
		}
		if c.warned == nil {
			c.warned = map[string]bool{}
		}
		c.warned[config] = true
		l.Warnf(sp, "Script is using an unstable feature: %s. To prevent this warning you must explicitly enable it in the config e.g. %s=enable", feature, config).NoSource = true
	}
}
