// gotarget.go: a Go program for Go symbol tests (built with and without
// its symbol table; the stripped build keeps .gopclntab). Run with N
// arguments, it calls main.add N+1 times.
package main

import (
	"fmt"
	"os"
)

//go:noinline
func add(a, b int) int { return a + b }

func main() {
	s := 0
	for i := 0; i < len(os.Args); i++ {
		s += add(i, 40)
	}
	fmt.Println(s)
}
