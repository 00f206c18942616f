// Package symbols turns addresses into names and names into addresses, for
// the kernel (/proc/kallsyms, modules included) and for user space (ELF
// .symtab/.dynsym of executables and shared libraries, placed with
// /proc/PID/maps). It also resolves library names the way the dynamic loader
// does ("libc" → /lib/x86_64-linux-gnu/libc.so.6) and demangles C++ and Rust
// names. Everything is cached: kallsyms once per run, ELF tables per file,
// process maps per pid (kept after the process exits, so stacks of processes
// that are gone are still symbolized with what was known).
package symbols
