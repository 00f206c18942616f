package usdt

import "strings"

// ptRegs are the byte offsets of the registers in x86_64 struct pt_regs,
// the context of uprobe programs.
var ptRegs = map[string]int{
	"r15": 0, "r14": 8, "r13": 16, "r12": 24, "rbp": 32, "rbx": 40,
	"r11": 48, "r10": 56, "r9": 64, "r8": 72, "rax": 80, "rcx": 88,
	"rdx": 96, "rsi": 104, "rdi": 112, "orig_rax": 120, "rip": 128,
	"cs": 136, "eflags": 144, "rsp": 152, "ss": 160,
}

// subRegs maps the narrower x86 register names to their 64-bit register and
// the byte offset of the sub-register inside it (little endian: %ah is byte 1).
var subRegs = map[string]struct {
	full string
	byte int
}{}

func init() {
	for _, r := range []string{"a", "b", "c", "d"} {
		full := "r" + r + "x"
		subRegs["e"+r+"x"] = struct {
			full string
			byte int
		}{full, 0}
		subRegs[r+"x"] = struct {
			full string
			byte int
		}{full, 0}
		subRegs[r+"l"] = struct {
			full string
			byte int
		}{full, 0}
		subRegs[r+"h"] = struct {
			full string
			byte int
		}{full, 1}
	}
	for _, r := range []string{"si", "di", "bp", "sp"} {
		full := "r" + r
		for _, n := range []string{"e" + r, r, r + "l"} {
			subRegs[n] = struct {
				full string
				byte int
			}{full, 0}
		}
	}
	for i := 8; i <= 15; i++ {
		full := "r" + itoa(i)
		for _, suf := range []string{"d", "w", "b", "l"} {
			subRegs[full+suf] = struct {
				full string
				byte int
			}{full, 0}
		}
	}
	subRegs["eip"] = struct {
		full string
		byte int
	}{"rip", 0}
	// The kernel's own pt_regs member names, as reg("...") takes them.
	for k, v := range map[string]string{"ax": "rax", "bx": "rbx", "cx": "rcx", "dx": "rdx",
		"si": "rsi", "di": "rdi", "bp": "rbp", "sp": "rsp", "ip": "rip",
		"flags": "eflags", "orig_ax": "orig_rax"} {
		subRegs[k] = struct {
			full string
			byte int
		}{v, 0}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}

// PtRegsOffset returns where a register lives in x86_64 struct pt_regs.
// It accepts assembler names with or without '%' ("%edi", "rax", "r8d",
// "ah") and the kernel's member names ("di", "ip", "sp", "orig_ax",
// "flags"), as reg() takes them. Narrow registers give the offset of their
// low byte (plus one for %ah..%dh); full is the 64-bit register's name.
func PtRegsOffset(name string) (off int, full string, ok bool) {
	name = strings.TrimPrefix(strings.ToLower(name), "%")
	if o, ok := ptRegs[name]; ok {
		return o, name, true
	}
	if s, ok := subRegs[name]; ok {
		return ptRegs[s.full] + s.byte, s.full, true
	}
	return 0, "", false
}
