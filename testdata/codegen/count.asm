map AT_: PerCPUHash key 8 value 8 entries 4096
map ringbuf: RingBuf key 0 value 0 entries 524288

program tracepoint:syscalls:sys_enter_read (_sys_enter_read, TracePoint): 33 instructions
	      ; 1: tracepoint:syscalls:sys_enter_read { @ = count(); }
	    0: StMemDW dst: rfp src: r0 off: -24 imm: 0
	    1: MovReg dst: r2 src: rfp
	    2: AddImm dst: r2 imm: -24
	    3: LoadMapPtr dst: r1 fd: 0 <AT_>
	    5: Call FnMapLookupElem
	    6: JEqImm dst: r0 off: 4 imm: 0 -> 11
	    7: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	    8: AddImm dst: r1 imm: 1
	    9: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	   10: Ja off: 20 -> 31
	   11: StMemDW dst: rfp src: r0 off: -32 imm: 1
	   12: MovReg dst: r2 src: rfp
	   13: AddImm dst: r2 imm: -24
	   14: MovReg dst: r3 src: rfp
	   15: AddImm dst: r3 imm: -32
	   16: LoadMapPtr dst: r1 fd: 0 <AT_>
	   18: MovImm dst: r4 imm: 0
	   19: Call FnMapUpdateElem
	   20: JSGEImm dst: r0 off: 10 imm: 0 -> 31
	   21: StMemDW dst: rfp src: r0 off: -56 imm: 0
	   22: StMemDW dst: rfp src: r0 off: -48 imm: 2
	   23: StXMemDW dst: rfp src: r0 off: -40 imm: 0
	   24: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   26: MovReg dst: r2 src: rfp
	   27: AddImm dst: r2 imm: -56
	   28: MovImm dst: r3 imm: 24
	   29: MovImm dst: r4 imm: 0
	   30: Call FnRingbufOutput
	   31: MovImm dst: r0 imm: 0
	   32: Exit
