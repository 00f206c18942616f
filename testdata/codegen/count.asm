map AT_: PerCPUArray key 4 value 8 entries 1

program tracepoint:syscalls:sys_enter_read (_sys_enter_read, TracePoint): 12 instructions
	      ; 1: tracepoint:syscalls:sys_enter_read { @ = count(); }
	    0: StMemDW dst: rfp src: r0 off: -24 imm: 0
	    1: MovReg dst: r2 src: rfp
	    2: AddImm dst: r2 imm: -24
	    3: LoadMapPtr dst: r1 fd: 0 <AT_>
	    5: Call FnMapLookupElem
	    6: JEqImm dst: r0 off: 3 imm: 0 -> 10
	    7: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	    8: AddImm dst: r1 imm: 1
	    9: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	   10: MovImm dst: r0 imm: 0
	   11: Exit
