package main

import "io"

// version is what -V prints.
const version = "gobpftrace v0.1.0 (bpftrace language, pure-Go eBPF compiler)"

func usage(w io.Writer) {
	io.WriteString(w, `USAGE:
    gobpftrace [options] filename
    gobpftrace [options] - <stdin input>
    gobpftrace [options] -e 'program'

OPTIONS:
    -B MODE        output buffering mode ('line', 'full', 'none')
    -f FORMAT      output format ('text', 'json')
    -o file        redirect bpftrace output to file
    -e 'program'   execute this program
    -h, --help     show this help message
    -l [search|filename]
                   list kernel probes or probes in a program
    -p PID         filter actions and enable USDT probes on PID
    -c 'CMD'       run CMD and enable USDT probes on resulting process
    --unsafe       allow unsafe/destructive functionality
    -q             keep messages quiet
    -V, --version  bpftrace version
    --no-warnings  disable all warning messages
    --no-feature NAME[,NAME]
                   act as if the kernel lacked a feature
                   ('kprobe', 'kprobe_multi', 'fentry', 'pmu', 'iter')
    -i             interactive mode (REPL)
    --info         print information about kernel BPF support

TROUBLESHOOTING OPTIONS:
    -v                      verbose messages
    --dry-run               terminate execution right after attaching all the probes
    -d STAGE                debug info for various stages of execution
                            ('all', 'ast', 'asm', 'verifier')
    --emit ast|asm          print the syntax tree or the BPF instructions and exit
                            (no root needed)
    --fmt FILE              print FILE ('-': stdin) in canonical formatting and exit

ENVIRONMENT:
    BPFTRACE_MAX_STRLEN               [default: 1024] bytes on BPF stack per str()
    BPFTRACE_MAX_MAP_KEYS             [default: 4096] max keys in a map
    BPFTRACE_PERF_RB_PAGES            [default: 64] pages per CPU to allocate for ring buffer
    BPFTRACE_MAX_CAT_BYTES            [default: 10k] maximum bytes read by cat builtin
    BPFTRACE_STACK_MODE               [default: bpftrace] Output format for ustack and kstack builtins
    BPFTRACE_CPP_DEMANGLE             [default: 1] enable C++ symbol demangling
    BPFTRACE_LOG_SIZE                 [default: 1000000] log size in bytes

EXAMPLES:
gobpftrace -l '*sleep*'
    list probes containing "sleep"
gobpftrace -e 'tracepoint:syscalls:sys_enter_nanosleep { printf("PID %d sleeping...\n", pid); }'
    trace processes calling sleep
gobpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'
    count syscalls by process name
`)
}
