package parser_test

import (
	"fmt"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/ast"
	"github.com/gobpftrace/gobpftrace/lang/format"
	"github.com/gobpftrace/gobpftrace/parser"
)

func Example() {
	f := lang.NewFile("stdin", `k:vfs_read /pid > 1/ { @[comm]=count() }`)
	prog, diags := parser.Parse(f)
	if diags.HasErrors() {
		fmt.Print(diags.Render(f))
		return
	}
	fmt.Print(ast.Dump(prog))
	fmt.Print(format.Program(prog))
	// Output:
	// Program
	//   Probe
	//     AttachPoint "k:vfs_read" provider="k" parts=["vfs_read"]
	//     Pred
	//       Binary >
	//         Ident pid
	//         Int 1
	//     Block
	//       Assign =
	//         MapAccess
	//           Map @
	//           Ident comm
	//         Call count
	// k:vfs_read /pid > 1/ {
	//   @[comm] = count();
	// }
}

func Example_errors() {
	f := lang.NewFile("stdin", "kprobe:f { @x = 1 @y = 2 }")
	_, diags := parser.Parse(f)
	fmt.Print(diags.Render(f))
	// Output:
	// stdin:1:19-21: ERROR: syntax error, unexpected map, expecting ; or }
	// kprobe:f { @x = 1 @y = 2 }
	//                   ~~
}
