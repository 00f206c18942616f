map AT_: PerCPUHash key 8 value 8 entries 4096

program tracepoint:syscalls:sys_enter_read (_sys_enter_read, TracePoint): 21 instructions
	  ; 1: tracepoint:syscalls:sys_enter_read { @ = count(); }
	 0: StMemDW dst: rfp src: r0 off: -24 imm: 0
	 1: MovImm dst: r6 imm: 1
	 2: MovReg dst: r2 src: rfp
	 3: AddImm dst: r2 imm: -24
	 4: LoadMapPtr dst: r1 fd: 0 <AT_>
	 6: Call FnMapLookupElem
	 7: JEqImm dst: r0 off: 2 imm: 0
	 8: StXAtomicAddDW dst: r0 src: r6 off: 0
	 9: Ja off: 9
	10: StXMemDW dst: rfp src: r6 off: -32 imm: 0
	11: MovReg dst: r2 src: rfp
	12: AddImm dst: r2 imm: -24
	13: MovReg dst: r3 src: rfp
	14: AddImm dst: r3 imm: -32
	15: LoadMapPtr dst: r1 fd: 0 <AT_>
	17: MovImm dst: r4 imm: 0
	18: Call FnMapUpdateElem
	19: MovImm dst: r0 imm: 0
	20: Exit
