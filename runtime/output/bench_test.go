package output

import (
	"fmt"
	"io"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/types"
)

// The target: a 100k-key map printed in well under 0.1 s.
func BenchmarkText100kMap(b *testing.B) {
	m := &Map{Name: "@", Agg: agg(types.AggCount)}
	for i := 0; i < 100000; i++ {
		m.Entries = append(m.Entries, Entry{Key: Tuple{String(fmt.Sprintf("comm%d", i%977)), Int(int64(i))}, Val: Uint(uint64(i * 7919 % 100003))})
	}
	w := NewText(io.Discard, io.Discard)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Map(m, 0, 0)
	}
}

func BenchmarkJSON100kMap(b *testing.B) {
	m := &Map{Name: "@", Agg: agg(types.AggCount)}
	for i := 0; i < 100000; i++ {
		m.Entries = append(m.Entries, Entry{Key: Int(int64(i)), Val: Uint(uint64(i * 7919 % 100003))})
	}
	w := NewJSON(io.Discard)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Map(m, 0, 0)
	}
}

func BenchmarkSprintf(b *testing.B) {
	args := []Value{Int(1234), String("bash"), Uint(42)}
	for i := 0; i < b.N; i++ {
		_ = Sprintf("%-6d %16s %llu\n", args)
	}
}
