map AT_: PerCPUHash key 1040 value 8 entries 4096
map ringbuf: RingBuf key 0 value 0 entries 524288
map scratch: PerCPUArray key 4 value 3088 entries 1

program tracepoint:syscalls:sys_enter_openat (ys_enter_openat, TracePoint): 116 instructions
	      ; 1: tracepoint:syscalls:sys_enter_openat /comm == "bash"/ {
	    0: StXMemDW dst: rfp src: r1 off: -8 imm: 0
	    1: StMemDW dst: rfp src: r0 off: -16 imm: 0
	    2: MovReg dst: r2 src: rfp
	    3: AddImm dst: r2 imm: -16
	    4: LoadMapPtr dst: r1 fd: 0 <scratch>
	    6: Call FnMapLookupElem
	    7: JNEImm dst: r0 off: 1 imm: 0 -> 9
	    8: Exit
	    9: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	      ; 1: tracepoint:syscalls:sys_enter_openat /comm == "bash"/ {
	   10: MovReg dst: r1 src: rfp
	   11: AddImm dst: r1 imm: -32
	   12: MovImm dst: r2 imm: 16
	   13: Call FnGetCurrentComm
	   14: LdXMemW dst: r2 src: rfp off: -32 imm: 0
	   15: JNEImm dst: r2 off: 4 imm: 1752392034 -> 20
	   16: LdXMemB dst: r2 src: rfp off: -28 imm: 0
	   17: JNEImm dst: r2 off: 2 imm: 0 -> 20
	   18: MovImm dst: r6 imm: 1
	   19: Ja off: 1 -> 21
	   20: MovImm dst: r6 imm: 0
	   21: JEqImm dst: r6 off: 92 imm: 0 -> 114
	      ; 2: $f = str(args.filename);
	   22: LdXMemDW dst: r1 src: rfp off: -16 imm: 0
	   23: MovImm dst: r2 imm: 1024
	   24: MovImm dst: r3 imm: 0
	   25: Call FnProbeReadKernel
	   26: LdXMemDW dst: r6 src: rfp off: -8 imm: 0
	   27: LdXMemDW dst: r6 src: r6 off: 24 imm: 0
	   28: MovImm dst: r2 imm: 1024
	   29: MovReg dst: r3 src: r6
	   30: LdXMemDW dst: r1 src: rfp off: -16 imm: 0
	   31: Call FnProbeReadUserStr
	      ; 3: if ($f == "/etc/passwd" || strcontains($f, "shadow")) {
	   32: LdXMemDW dst: r1 src: rfp off: -16 imm: 0
	   33: MovReg dst: r3 src: r1
	   34: LdXMemDW dst: r2 src: r3 off: 0 imm: 0
	   35: LdImmDW dst: r1 imm: 8314049735936992559
	   37: JNEReg dst: r2 off: 4 src: r1 -> 42
	   38: LdXMemW dst: r2 src: r3 off: 8 imm: 0
	   39: JNEImm dst: r2 off: 2 imm: 6584179 -> 42
	   40: MovImm dst: r6 imm: 1
	   41: Ja off: 1 -> 43
	   42: MovImm dst: r6 imm: 0
	   43: JNEImm dst: r6 off: 31 imm: 0 -> 75
	   44: LdXMemDW dst: r3 src: rfp off: -16 imm: 0
	   45: LdXMemDW dst: r1 src: rfp off: -16 imm: 0
	   46: AddImm dst: r1 imm: 1024
	   47: MovImm dst: r2 imm: 1024
	   48: Call FnProbeReadKernel
	   49: MovImm dst: r6 imm: 0
	   50: LdXMemDW dst: r4 src: rfp off: -16 imm: 0
	   51: AddImm dst: r4 imm: 1024
	   52: MovImm dst: r3 imm: 0
	   53: JGTImm dst: r3 off: 20 imm: 1017 -> 74
	   54: MovReg dst: r1 src: r4
	   55: AddReg dst: r1 src: r3
	   56: LdXMemB dst: r2 src: r1 off: 0 imm: 0
	   57: JEqImm dst: r2 off: 16 imm: 0 -> 74
	   58: LdXMemB dst: r2 src: r1 off: 0 imm: 0
	   59: JNEImm dst: r2 off: 11 imm: 115 -> 71
	   60: LdXMemB dst: r2 src: r1 off: 1 imm: 0
	   61: JNEImm dst: r2 off: 9 imm: 104 -> 71
	   62: LdXMemB dst: r2 src: r1 off: 2 imm: 0
	   63: JNEImm dst: r2 off: 7 imm: 97 -> 71
	   64: LdXMemB dst: r2 src: r1 off: 3 imm: 0
	   65: JNEImm dst: r2 off: 5 imm: 100 -> 71
	   66: LdXMemB dst: r2 src: r1 off: 4 imm: 0
	   67: JNEImm dst: r2 off: 3 imm: 111 -> 71
	   68: LdXMemB dst: r2 src: r1 off: 5 imm: 0
	   69: JNEImm dst: r2 off: 1 imm: 119 -> 71
	   70: Ja off: 2 -> 73
	   71: AddImm dst: r3 imm: 1
	   72: Ja off: -20 -> 53
	   73: MovImm dst: r6 imm: 1
	   74: JEqImm dst: r6 off: 39 imm: 0 -> 114
	      ; 4: @[comm, $f] = count();
	   75: LdXMemDW dst: r1 src: rfp off: -16 imm: 0
	   76: AddImm dst: r1 imm: 2048
	   77: MovImm dst: r2 imm: 16
	   78: Call FnGetCurrentComm
	   79: LdXMemDW dst: r3 src: rfp off: -16 imm: 0
	   80: LdXMemDW dst: r1 src: rfp off: -16 imm: 0
	   81: AddImm dst: r1 imm: 2064
	   82: MovImm dst: r2 imm: 1024
	   83: Call FnProbeReadKernel
	   84: LdXMemDW dst: r2 src: rfp off: -16 imm: 0
	   85: AddImm dst: r2 imm: 2048
	   86: LoadMapPtr dst: r1 fd: 0 <AT_>
	   88: Call FnMapLookupElem
	   89: JEqImm dst: r0 off: 4 imm: 0 -> 94
	   90: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	   91: AddImm dst: r1 imm: 1
	   92: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	   93: Ja off: 20 -> 114
	   94: StMemDW dst: rfp src: r0 off: -40 imm: 1
	   95: LdXMemDW dst: r2 src: rfp off: -16 imm: 0
	   96: AddImm dst: r2 imm: 2048
	   97: MovReg dst: r3 src: rfp
	   98: AddImm dst: r3 imm: -40
	   99: LoadMapPtr dst: r1 fd: 0 <AT_>
	  101: MovImm dst: r4 imm: 0
	  102: Call FnMapUpdateElem
	  103: JSGEImm dst: r0 off: 10 imm: 0 -> 114
	  104: StMemDW dst: rfp src: r0 off: -64 imm: 0
	  105: StMemDW dst: rfp src: r0 off: -56 imm: 2
	  106: StXMemDW dst: rfp src: r0 off: -48 imm: 0
	  107: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	  109: MovReg dst: r2 src: rfp
	  110: AddImm dst: r2 imm: -64
	  111: MovImm dst: r3 imm: 24
	  112: MovImm dst: r4 imm: 0
	  113: Call FnRingbufOutput
	  114: MovImm dst: r0 imm: 0
	  115: Exit
