package types

// Timestamp is strftime()'s value: a uint64 of nanoseconds since boot
// (bpf_ktime_get_boot_ns, or the nsecs argument), printed by the runtime as
// wall-clock time with the strftime Format (bpftrace's extensions %f, %k,
// %l included).
type Timestamp struct {
	Format string
}

func (*Timestamp) Size() int      { return 8 }
func (*Timestamp) Align() int     { return 8 }
func (*Timestamp) String() string { return "timestamp" }
