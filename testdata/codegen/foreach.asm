map AT_m: Hash key 8 value 8 entries 4096
map event_loss: Array key 4 value 8 entries 1
map ringbuf: RingBuf key 0 value 0 entries 524288

program begin (begin, RawTracepoint): 108 instructions
	      ; 2: @m[1] = 10;
	    0: StMemDW dst: rfp src: r0 off: -48 imm: 10
	    1: StMemDW dst: rfp src: r0 off: -56 imm: 1
	    2: MovReg dst: r2 src: rfp
	    3: AddImm dst: r2 imm: -56
	    4: MovReg dst: r3 src: rfp
	    5: AddImm dst: r3 imm: -48
	    6: LoadMapPtr dst: r1 fd: 0 <AT_m>
	    8: MovImm dst: r4 imm: 0
	    9: Call FnMapUpdateElem
	   10: JSGEImm dst: r0 off: 10 imm: 0 -> 21
	   11: StMemDW dst: rfp src: r0 off: -80 imm: 1
	   12: StMemDW dst: rfp src: r0 off: -72 imm: 2
	   13: StXMemDW dst: rfp src: r0 off: -64 imm: 0
	   14: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   16: MovReg dst: r2 src: rfp
	   17: AddImm dst: r2 imm: -80
	   18: MovImm dst: r3 imm: 24
	   19: MovImm dst: r4 imm: 0
	   20: Call FnRingbufOutput
	      ; 3: @m[2] = 20;
	   21: StMemDW dst: rfp src: r0 off: -48 imm: 20
	   22: StMemDW dst: rfp src: r0 off: -56 imm: 2
	   23: MovReg dst: r2 src: rfp
	   24: AddImm dst: r2 imm: -56
	   25: MovReg dst: r3 src: rfp
	   26: AddImm dst: r3 imm: -48
	   27: LoadMapPtr dst: r1 fd: 0 <AT_m>
	   29: MovImm dst: r4 imm: 0
	   30: Call FnMapUpdateElem
	   31: JSGEImm dst: r0 off: 10 imm: 0 -> 42
	   32: StMemDW dst: rfp src: r0 off: -80 imm: 2
	   33: StMemDW dst: rfp src: r0 off: -72 imm: 2
	   34: StXMemDW dst: rfp src: r0 off: -64 imm: 0
	   35: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   37: MovReg dst: r2 src: rfp
	   38: AddImm dst: r2 imm: -80
	   39: MovImm dst: r3 imm: 24
	   40: MovImm dst: r4 imm: 0
	   41: Call FnRingbufOutput
	      ; 4: $s = 0;
	   42: StMemDW dst: rfp src: r0 off: -24 imm: 0
	      ; 5: for ($kv : @m) {
	   43: StMemDW dst: rfp src: r0 off: -48 imm: 0
	   44: LoadMapPtr dst: r1 fd: 0 <AT_m>
	   46: LdImmDW dst: r2 imm: -1 <for_1>
	   48: MovReg dst: r3 src: rfp
	   49: MovImm dst: r4 imm: 0
	   50: Call FnForEachMapElem
	   51: LdXMemDW dst: r0 src: rfp off: -48 imm: 0
	   52: JNEImm dst: r0 off: 27 imm: 0 -> 80
	      ; 9: printf("%d %d\n", $s, len(@m));
	   53: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   55: MovImm dst: r2 imm: 24
	   56: MovImm dst: r3 imm: 0
	   57: Call FnRingbufReserve
	   58: JNEImm dst: r0 off: 5 imm: 0 -> 64
	   59: LoadMapValue dst: r1, fd: 0 off: 0 <event_loss>
	   61: MovImm dst: r2 imm: 1
	   62: StXAtomicAddDW dst: r1 src: r2 off: 0
	   63: Ja off: 16 -> 80
	   64: StMemDW dst: r0 src: r0 off: 0 imm: 0
	   65: MovReg dst: r6 src: r0
	   66: LdXMemDW dst: r7 src: rfp off: -24 imm: 0
	   67: StXMemDW dst: r6 src: r7 off: 8 imm: 0
	   68: LoadMapPtr dst: r1 fd: 0 <AT_m>
	   70: LdImmDW dst: r2 imm: -1 <len_2>
	   72: MovReg dst: r3 src: rfp
	   73: MovImm dst: r4 imm: 0
	   74: Call FnForEachMapElem
	   75: MovReg dst: r7 src: r0
	   76: StXMemDW dst: r6 src: r7 off: 16 imm: 0
	   77: MovReg dst: r1 src: r6
	   78: MovImm dst: r2 imm: 0
	   79: Call FnRingbufSubmit
	   80: MovImm dst: r0 imm: 0
	   81: Exit
for_1:
	      ; 5: for ($kv : @m) {
	   82: StXMemDW dst: rfp src: r4 off: -24 imm: 0
	   83: MovReg dst: r6 src: r2
	   84: MovReg dst: r7 src: r3
	   85: LdXMemDW dst: r1 src: rfp off: -24 imm: 0
	   86: LdXMemDW dst: r0 src: r6 off: 0 imm: 0
	   87: StXMemDW dst: r1 src: r0 off: -40 imm: 0
	   88: LdXMemDW dst: r1 src: rfp off: -24 imm: 0
	   89: LdXMemDW dst: r0 src: r7 off: 0 imm: 0
	   90: StXMemDW dst: r1 src: r0 off: -32 imm: 0
	      ; 6: if ($kv.0 == 2) { break; }
	   91: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	   92: LdXMemDW dst: r6 src: r6 off: -40 imm: 0
	   93: JNEImm dst: r6 off: 1 imm: 2 -> 95
	      ; 6: if ($kv.0 == 2) { break; }
	   94: Ja off: 9 -> 104
	      ; 7: $s += $kv.1;
	   95: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	   96: LdXMemDW dst: r6 src: r6 off: -24 imm: 0
	   97: LdXMemDW dst: r7 src: rfp off: -24 imm: 0
	   98: LdXMemDW dst: r7 src: r7 off: -32 imm: 0
	   99: AddReg dst: r6 src: r7
	  100: LdXMemDW dst: r1 src: rfp off: -24 imm: 0
	  101: StXMemDW dst: r1 src: r6 off: -24 imm: 0
	  102: MovImm dst: r0 imm: 0
	  103: Exit
	  104: MovImm dst: r0 imm: 1
	  105: Exit
len_2:
	      ; 9: printf("%d %d\n", $s, len(@m));
	  106: MovImm dst: r0 imm: 0
	  107: Exit
