package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"
)

// finish removes what the verifier would reject or what costs for nothing:
// instructions no path reaches (code after exit() or return) and jumps to
// the next instruction. labels are updated in place.
func finish(insns asm.Instructions, labels map[string]int, roots []int) asm.Instructions {
	for {
		keep := reachable(insns, labels, roots)
		// A jump to the next kept instruction does nothing.
		for i := range insns {
			if !keep[i] || !isGoto(insns[i]) {
				continue
			}
			target := labels[insns[i].Reference()]
			next := i + 1
			for next < len(insns) && !keep[next] {
				next++
			}
			if target == next {
				keep[i] = false
			}
		}
		removed := 0
		for _, k := range keep {
			if !k {
				removed++
			}
		}
		if removed == 0 {
			return insns
		}
		insns = compact(insns, labels, keep, roots)
	}
}

func isGoto(in asm.Instruction) bool {
	return in.OpCode.JumpOp() == asm.Ja && in.OpCode.Class().IsJump() && strings.HasPrefix(in.Reference(), ".")
}

func isLabelJump(in asm.Instruction) bool {
	return in.OpCode.Class().IsJump() && strings.HasPrefix(in.Reference(), ".")
}

// reachable marks the instructions some path from the entry reaches.
// Jumps written with raw offsets (no label) are followed by offset.
func reachable(insns asm.Instructions, labels map[string]int, roots []int) []bool {
	keep := make([]bool, len(insns))
	// raw offsets -> index
	raw := make([]int, len(insns)+1)
	for i, in := range insns {
		raw[i+1] = raw[i] + int(in.Size()/asm.InstructionSize)
	}
	byRaw := map[int]int{}
	for i := range insns {
		byRaw[raw[i]] = i
	}
	work := append([]int(nil), roots...)
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		if i >= len(insns) || keep[i] {
			continue
		}
		keep[i] = true
		in := insns[i]
		op := in.OpCode
		if !op.Class().IsJump() {
			work = append(work, i+1)
			continue
		}
		jop := op.JumpOp()
		switch jop {
		case asm.Exit:
			continue
		case asm.Call:
			work = append(work, i+1)
			continue
		}
		if isLabelJump(in) {
			work = append(work, labels[in.Reference()])
		} else if t, ok := byRaw[raw[i+1]+int(in.Offset)]; ok {
			work = append(work, t)
		}
		if jop != asm.Ja {
			work = append(work, i+1)
		}
	}
	return keep
}

// compact drops the instructions not kept and moves labels (and source
// comments) to the next kept instruction. Raw-offset jumps never cross a
// removed instruction: they skip one or two straight-line instructions.
func compact(insns asm.Instructions, labels map[string]int, keep []bool, roots []int) asm.Instructions {
	newIdx := make([]int, len(insns)+1)
	n := 0
	for i := range insns {
		newIdx[i] = n
		if keep[i] {
			n++
		}
	}
	newIdx[len(insns)] = n
	out := make(asm.Instructions, 0, n)
	var src interface{ String() string }
	for i, in := range insns {
		if !keep[i] {
			if s := in.Source(); s != nil && src == nil {
				src = s
			}
			continue
		}
		if src != nil && in.Source() == nil {
			in = in.WithSource(src)
		}
		src = nil
		out = append(out, in)
	}
	for l, i := range labels {
		labels[l] = newIdx[i]
	}
	for k, r := range roots {
		roots[k] = newIdx[r]
	}
	return out
}
