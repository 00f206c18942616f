package vmtest

import "testing"

// BenchmarkBoot measures one VM boot running an empty script.
func BenchmarkBoot(b *testing.B) {
	for b.Loop() {
		res, err := Run(b, Config{Script: "true"})
		if err != nil {
			b.Fatal(err)
		}
		if res.Exit != 0 {
			b.Fatalf("exit %d", res.Exit)
		}
	}
}
