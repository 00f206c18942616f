map AT_x: Hash key 16 value 8 entries 4096
map event_loss: Array key 4 value 8 entries 1
map ringbuf: RingBuf key 0 value 0 entries 524288

program begin (begin, RawTracepoint): 106 instructions
	      ; 2: $a = 1;
	    0: StMemDW dst: rfp src: r0 off: -24 imm: 1
	      ; 3: $b = 2;
	    1: StMemDW dst: rfp src: r0 off: -32 imm: 2
	      ; 4: @x[$a, "key"] = $a + ($b * ($a + ($b * ($a - ($b / ($a + $b))))));
	    2: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	    3: LdXMemDW dst: r7 src: rfp off: -32 imm: 0
	    4: LdXMemDW dst: r8 src: rfp off: -24 imm: 0
	    5: LdXMemDW dst: r9 src: rfp off: -32 imm: 0
	    6: StXMemDW dst: rfp src: r6 off: -48 imm: 0
	    7: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	    8: StXMemDW dst: rfp src: r7 off: -56 imm: 0
	    9: LdXMemDW dst: r7 src: rfp off: -32 imm: 0
	   10: StXMemDW dst: rfp src: r8 off: -64 imm: 0
	   11: LdXMemDW dst: r8 src: rfp off: -24 imm: 0
	   12: StXMemDW dst: rfp src: r9 off: -72 imm: 0
	   13: LdXMemDW dst: r9 src: rfp off: -32 imm: 0
	   14: AddReg dst: r8 src: r9
	   15: LdXMemDW dst: r9 src: rfp off: -72 imm: 0
	   16: MovReg dst: r1 src: r7
	   17: ArShImm dst: r1 imm: 63
	   18: MovReg dst: r2 src: r8
	   19: ArShImm dst: r2 imm: 63
	   20: MovReg dst: r3 src: r8
	   21: XorReg dst: r3 src: r2
	   22: SubReg dst: r3 src: r2
	   23: XorReg dst: r7 src: r1
	   24: SubReg dst: r7 src: r1
	   25: DivReg dst: r7 src: r3
	   26: XorReg dst: r1 src: r2
	   27: XorReg dst: r7 src: r1
	   28: SubReg dst: r7 src: r1
	   29: LdXMemDW dst: r8 src: rfp off: -64 imm: 0
	   30: SubReg dst: r6 src: r7
	   31: LdXMemDW dst: r7 src: rfp off: -56 imm: 0
	   32: MulReg dst: r9 src: r6
	   33: LdXMemDW dst: r6 src: rfp off: -48 imm: 0
	   34: AddReg dst: r8 src: r9
	   35: MulReg dst: r7 src: r8
	   36: AddReg dst: r6 src: r7
	   37: StXMemDW dst: rfp src: r6 off: -40 imm: 0
	   38: StMemW dst: rfp src: r0 off: -76 imm: 0
	   39: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	   40: StXMemDW dst: rfp src: r6 off: -88 imm: 0
	   41: StMemW dst: rfp src: r0 off: -80 imm: 7955819
	   42: MovReg dst: r2 src: rfp
	   43: AddImm dst: r2 imm: -88
	   44: MovReg dst: r3 src: rfp
	   45: AddImm dst: r3 imm: -40
	   46: LoadMapPtr dst: r1 fd: 0 <AT_x>
	   48: MovImm dst: r4 imm: 0
	   49: Call FnMapUpdateElem
	   50: JSGEImm dst: r0 off: 10 imm: 0 -> 61
	   51: StMemDW dst: rfp src: r0 off: -112 imm: 1
	   52: StMemDW dst: rfp src: r0 off: -104 imm: 2
	   53: StXMemDW dst: rfp src: r0 off: -96 imm: 0
	   54: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   56: MovReg dst: r2 src: rfp
	   57: AddImm dst: r2 imm: -112
	   58: MovImm dst: r3 imm: 24
	   59: MovImm dst: r4 imm: 0
	   60: Call FnRingbufOutput
	      ; 5: if ($a < $b && @x[1, "key"] != 0) { printf("%d\n", @x[1, "key"]); }
	   61: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	   62: LdXMemDW dst: r7 src: rfp off: -32 imm: 0
	   63: JSGEReg dst: r6 off: 40 src: r7 -> 104
	   64: StMemW dst: rfp src: r0 off: -36 imm: 0
	   65: StMemDW dst: rfp src: r0 off: -48 imm: 1
	   66: StMemW dst: rfp src: r0 off: -40 imm: 7955819
	   67: MovReg dst: r2 src: rfp
	   68: AddImm dst: r2 imm: -48
	   69: LoadMapPtr dst: r1 fd: 0 <AT_x>
	   71: Call FnMapLookupElem
	   72: MovImm dst: r6 imm: 0
	   73: JEqImm dst: r0 off: 1 imm: 0 -> 75
	   74: LdXMemDW dst: r6 src: r0 off: 0 imm: 0
	   75: JEqImm dst: r6 off: 28 imm: 0 -> 104
	      ; 5: if ($a < $b && @x[1, "key"] != 0) { printf("%d\n", @x[1, "key"]); }
	   76: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   78: MovImm dst: r2 imm: 16
	   79: MovImm dst: r3 imm: 0
	   80: Call FnRingbufReserve
	   81: JNEImm dst: r0 off: 5 imm: 0 -> 87
	   82: LoadMapValue dst: r1, fd: 0 off: 0 <event_loss>
	   84: MovImm dst: r2 imm: 1
	   85: StXAtomicAddDW dst: r1 src: r2 off: 0
	   86: Ja off: 17 -> 104
	   87: StMemDW dst: r0 src: r0 off: 0 imm: 0
	   88: MovReg dst: r6 src: r0
	   89: StMemW dst: rfp src: r0 off: -52 imm: 0
	   90: StMemDW dst: rfp src: r0 off: -64 imm: 1
	   91: StMemW dst: rfp src: r0 off: -56 imm: 7955819
	   92: MovReg dst: r2 src: rfp
	   93: AddImm dst: r2 imm: -64
	   94: LoadMapPtr dst: r1 fd: 0 <AT_x>
	   96: Call FnMapLookupElem
	   97: MovImm dst: r7 imm: 0
	   98: JEqImm dst: r0 off: 1 imm: 0 -> 100
	   99: LdXMemDW dst: r7 src: r0 off: 0 imm: 0
	  100: StXMemDW dst: r6 src: r7 off: 8 imm: 0
	  101: MovReg dst: r1 src: r6
	  102: MovImm dst: r2 imm: 0
	  103: Call FnRingbufSubmit
	  104: MovImm dst: r0 imm: 0
	  105: Exit
