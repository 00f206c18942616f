package kbtf_test

import (
	"fmt"

	"github.com/gobpftrace/gobpftrace/lang/types"
	"github.com/gobpftrace/gobpftrace/runtime/kbtf"
)

// How the checker walks `curtask->real_parent->pid`: structs reached through
// pointers are shells until resolved.
func Example() {
	k, err := kbtf.Load()
	if err != nil {
		fmt.Println(err) // no BTF: struct access is an error
		return
	}
	task, _ := k.Struct("struct task_struct")  // (struct task_struct *)curtask
	parent, _ := task.Field("real_parent")     // struct task_struct *
	elem := parent.Type.(*types.Pointer).Elem  // a shell: no Fields yet
	full, _ := k.Resolve(elem.(*types.Struct)) // the complete layout
	pid, _ := full.Field("pid")                // int32 at its offset
	fmt.Println(parent.Type, pid.Type, pid.Offset > 0)

	v, enum, _ := k.EnumConstant("BPF_PROG_TYPE_KPROBE") // enum constants by name
	fmt.Println(v, enum)

	fn, _ := k.Func("", "vfs_read") // fentry:vfs_read args
	for _, p := range fn.Params {
		fmt.Println(p.Decl())
	}
}
