map AT_: PerCPUHash key 24 value 8 entries 4096

program tracepoint:syscalls:sys_exit_read (s_sys_exit_read, TracePoint): 69 instructions
	   ; 1: tracepoint:syscalls:sys_exit_read /args.ret > 0/ {
	  0: StXMemDW dst: rfp src: r1 off: -8 imm: 0
	   ; 1: tracepoint:syscalls:sys_exit_read /args.ret > 0/ {
	  1: LdXMemDW dst: r6 src: rfp off: -8 imm: 0
	  2: LdXMemDW dst: r6 src: r6 off: 16 imm: 0
	  3: JSLEImm dst: r6 off: 63 imm: 0
	   ; 2: @[comm] = hist(args.ret);
	  4: MovReg dst: r1 src: rfp
	  5: AddImm dst: r1 imm: -40
	  6: MovImm dst: r2 imm: 16
	  7: Call FnGetCurrentComm
	  8: LdXMemDW dst: r6 src: rfp off: -8 imm: 0
	  9: LdXMemDW dst: r6 src: r6 off: 16 imm: 0
	 10: MovImm dst: r2 imm: 0
	 11: JSLTImm dst: r6 off: 36 imm: 0
	 12: JLEImm dst: r6 off: 33 imm: 0
	 13: MovReg dst: r1 src: r6
	 14: MovReg dst: r3 src: r1
	 15: RShImm dst: r3 imm: 32
	 16: JEqImm dst: r3 off: 2 imm: 0
	 17: MovReg dst: r1 src: r3
	 18: AddImm dst: r2 imm: 32
	 19: MovReg dst: r3 src: r1
	 20: RShImm dst: r3 imm: 16
	 21: JEqImm dst: r3 off: 2 imm: 0
	 22: MovReg dst: r1 src: r3
	 23: AddImm dst: r2 imm: 16
	 24: MovReg dst: r3 src: r1
	 25: RShImm dst: r3 imm: 8
	 26: JEqImm dst: r3 off: 2 imm: 0
	 27: MovReg dst: r1 src: r3
	 28: AddImm dst: r2 imm: 8
	 29: MovReg dst: r3 src: r1
	 30: RShImm dst: r3 imm: 4
	 31: JEqImm dst: r3 off: 2 imm: 0
	 32: MovReg dst: r1 src: r3
	 33: AddImm dst: r2 imm: 4
	 34: MovReg dst: r3 src: r1
	 35: RShImm dst: r3 imm: 2
	 36: JEqImm dst: r3 off: 2 imm: 0
	 37: MovReg dst: r1 src: r3
	 38: AddImm dst: r2 imm: 2
	 39: MovReg dst: r3 src: r1
	 40: RShImm dst: r3 imm: 1
	 41: JEqImm dst: r3 off: 2 imm: 0
	 42: MovReg dst: r1 src: r3
	 43: AddImm dst: r2 imm: 1
	 44: AddImm dst: r2 imm: 2
	 45: Ja off: 2
	 46: MovReg dst: r2 src: r6
	 47: AddImm dst: r2 imm: 1
	 48: StXMemDW dst: rfp src: r2 off: -24 imm: 0
	 49: MovImm dst: r6 imm: 1
	 50: MovReg dst: r2 src: rfp
	 51: AddImm dst: r2 imm: -40
	 52: LoadMapPtr dst: r1 fd: 0 <AT_>
	 54: Call FnMapLookupElem
	 55: JEqImm dst: r0 off: 2 imm: 0
	 56: StXAtomicAddDW dst: r0 src: r6 off: 0
	 57: Ja off: 9
	 58: StXMemDW dst: rfp src: r6 off: -48 imm: 0
	 59: MovReg dst: r2 src: rfp
	 60: AddImm dst: r2 imm: -40
	 61: MovReg dst: r3 src: rfp
	 62: AddImm dst: r3 imm: -48
	 63: LoadMapPtr dst: r1 fd: 0 <AT_>
	 65: MovImm dst: r4 imm: 0
	 66: Call FnMapUpdateElem
	 67: MovImm dst: r0 imm: 0
	 68: Exit
