map AT_: PerCPUHash key 24 value 8 entries 4096
map ringbuf: RingBuf key 0 value 0 entries 524288

program tracepoint:syscalls:sys_exit_read (s_sys_exit_read, TracePoint): 71 instructions
	      ; 1: tracepoint:syscalls:sys_exit_read /args.ret > 0/ {
	    0: StXMemDW dst: rfp src: r1 off: -8 imm: 0
	      ; 1: tracepoint:syscalls:sys_exit_read /args.ret > 0/ {
	    1: LdXMemDW dst: r6 src: rfp off: -8 imm: 0
	    2: LdXMemDW dst: r6 src: r6 off: 16 imm: 0
	    3: JSLEImm dst: r6 off: 65 imm: 0 -> 69
	      ; 2: @[comm] = hist(args.ret);
	    4: MovReg dst: r1 src: rfp
	    5: AddImm dst: r1 imm: -40
	    6: MovImm dst: r2 imm: 16
	    7: Call FnGetCurrentComm
	    8: LdXMemDW dst: r6 src: rfp off: -8 imm: 0
	    9: LdXMemDW dst: r6 src: r6 off: 16 imm: 0
	   10: MovImm dst: r2 imm: 0
	   11: JSLTImm dst: r6 off: 26 imm: 0 -> 38
	   12: JLEImm dst: r6 off: 23 imm: 0 -> 36
	   13: MovReg dst: r1 src: r6
	   14: MovReg dst: r3 src: r1
	   15: RShImm dst: r3 imm: 32
	   16: JEqImm dst: r3 off: 2 imm: 0 -> 19
	   17: MovReg dst: r1 src: r3
	   18: AddImm dst: r2 imm: 32
	   19: JLTImm dst: r1 off: 2 imm: 65536 -> 22
	   20: RShImm dst: r1 imm: 16
	   21: AddImm dst: r2 imm: 16
	   22: JLTImm dst: r1 off: 2 imm: 256 -> 25
	   23: RShImm dst: r1 imm: 8
	   24: AddImm dst: r2 imm: 8
	   25: JLTImm dst: r1 off: 2 imm: 16 -> 28
	   26: RShImm dst: r1 imm: 4
	   27: AddImm dst: r2 imm: 4
	   28: JLTImm dst: r1 off: 2 imm: 4 -> 31
	   29: RShImm dst: r1 imm: 2
	   30: AddImm dst: r2 imm: 2
	   31: JLTImm dst: r1 off: 2 imm: 2 -> 34
	   32: RShImm dst: r1 imm: 1
	   33: AddImm dst: r2 imm: 1
	   34: AddImm dst: r2 imm: 2
	   35: Ja off: 2 -> 38
	   36: MovReg dst: r2 src: r6
	   37: AddImm dst: r2 imm: 1
	   38: StXMemDW dst: rfp src: r2 off: -24 imm: 0
	   39: MovReg dst: r2 src: rfp
	   40: AddImm dst: r2 imm: -40
	   41: LoadMapPtr dst: r1 fd: 0 <AT_>
	   43: Call FnMapLookupElem
	   44: JEqImm dst: r0 off: 4 imm: 0 -> 49
	   45: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	   46: AddImm dst: r1 imm: 1
	   47: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	   48: Ja off: 20 -> 69
	   49: StMemDW dst: rfp src: r0 off: -48 imm: 1
	   50: MovReg dst: r2 src: rfp
	   51: AddImm dst: r2 imm: -40
	   52: MovReg dst: r3 src: rfp
	   53: AddImm dst: r3 imm: -48
	   54: LoadMapPtr dst: r1 fd: 0 <AT_>
	   56: MovImm dst: r4 imm: 0
	   57: Call FnMapUpdateElem
	   58: JSGEImm dst: r0 off: 10 imm: 0 -> 69
	   59: StMemDW dst: rfp src: r0 off: -72 imm: 0
	   60: StMemDW dst: rfp src: r0 off: -64 imm: 2
	   61: StXMemDW dst: rfp src: r0 off: -56 imm: 0
	   62: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   64: MovReg dst: r2 src: rfp
	   65: AddImm dst: r2 imm: -72
	   66: MovImm dst: r3 imm: 24
	   67: MovImm dst: r4 imm: 0
	   68: Call FnRingbufOutput
	   69: MovImm dst: r0 imm: 0
	   70: Exit
