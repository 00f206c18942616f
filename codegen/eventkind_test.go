package codegen

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/stdlib"
)

// The checker records stdlib event kinds; the Object carries codegen's.
func TestEventKindsAgree(t *testing.T) {
	pairs := map[stdlib.EventKind]EventKind{
		stdlib.EvPrintf: EvPrintf, stdlib.EvPrint: EvPrint, stdlib.EvPrintMap: EvPrintMap,
		stdlib.EvClear: EvClear, stdlib.EvZero: EvZero, stdlib.EvExit: EvExit, stdlib.EvTime: EvTime,
		stdlib.EvCat: EvCat, stdlib.EvSystem: EvSystem, stdlib.EvJoin: EvJoin, stdlib.EvErrorf: EvErrorf,
		stdlib.EvWarnf: EvWarnf, stdlib.EvSignal: EvSignal, stdlib.EvPrintNonMap: EvPrintNonMap,
		stdlib.EvHelperError: EvHelperError, stdlib.EvUnwatch: EvUnwatch,
	}
	for s, c := range pairs {
		if int(s) != int(c) {
			t.Errorf("stdlib kind %d != codegen kind %d", s, c)
		}
	}
}
