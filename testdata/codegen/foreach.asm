map AT_m: Hash key 8 value 8 entries 4096
map event_loss: Array key 4 value 8 entries 1
map ringbuf: RingBuf key 0 value 0 entries 524288

program begin (begin, RawTracepoint): 86 instructions
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
	      ; 3: @m[2] = 20;
	   10: StMemDW dst: rfp src: r0 off: -48 imm: 20
	   11: StMemDW dst: rfp src: r0 off: -56 imm: 2
	   12: MovReg dst: r2 src: rfp
	   13: AddImm dst: r2 imm: -56
	   14: MovReg dst: r3 src: rfp
	   15: AddImm dst: r3 imm: -48
	   16: LoadMapPtr dst: r1 fd: 0 <AT_m>
	   18: MovImm dst: r4 imm: 0
	   19: Call FnMapUpdateElem
	      ; 4: $s = 0;
	   20: StMemDW dst: rfp src: r0 off: -24 imm: 0
	      ; 5: for ($kv : @m) {
	   21: StMemDW dst: rfp src: r0 off: -48 imm: 0
	   22: LoadMapPtr dst: r1 fd: 0 <AT_m>
	   24: LdImmDW dst: r2 imm: -1 <for_1>
	   26: MovReg dst: r3 src: rfp
	   27: MovImm dst: r4 imm: 0
	   28: Call FnForEachMapElem
	   29: LdXMemDW dst: r0 src: rfp off: -48 imm: 0
	   30: JNEImm dst: r0 off: 27 imm: 0 -> 58
	      ; 9: printf("%d %d\n", $s, len(@m));
	   31: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   33: MovImm dst: r2 imm: 24
	   34: MovImm dst: r3 imm: 0
	   35: Call FnRingbufReserve
	   36: JNEImm dst: r0 off: 5 imm: 0 -> 42
	   37: LoadMapValue dst: r1, fd: 0 off: 0 <event_loss>
	   39: MovImm dst: r2 imm: 1
	   40: StXAtomicAddDW dst: r1 src: r2 off: 0
	   41: Ja off: 16 -> 58
	   42: StMemDW dst: r0 src: r0 off: 0 imm: 0
	   43: MovReg dst: r6 src: r0
	   44: LdXMemDW dst: r7 src: rfp off: -24 imm: 0
	   45: StXMemDW dst: r6 src: r7 off: 8 imm: 0
	   46: LoadMapPtr dst: r1 fd: 0 <AT_m>
	   48: LdImmDW dst: r2 imm: -1 <len_2>
	   50: MovReg dst: r3 src: rfp
	   51: MovImm dst: r4 imm: 0
	   52: Call FnForEachMapElem
	   53: MovReg dst: r7 src: r0
	   54: StXMemDW dst: r6 src: r7 off: 16 imm: 0
	   55: MovReg dst: r1 src: r6
	   56: MovImm dst: r2 imm: 0
	   57: Call FnRingbufSubmit
	   58: MovImm dst: r0 imm: 0
	   59: Exit
for_1:
	      ; 5: for ($kv : @m) {
	   60: StXMemDW dst: rfp src: r4 off: -24 imm: 0
	   61: MovReg dst: r6 src: r2
	   62: MovReg dst: r7 src: r3
	   63: LdXMemDW dst: r1 src: rfp off: -24 imm: 0
	   64: LdXMemDW dst: r0 src: r6 off: 0 imm: 0
	   65: StXMemDW dst: r1 src: r0 off: -40 imm: 0
	   66: LdXMemDW dst: r1 src: rfp off: -24 imm: 0
	   67: LdXMemDW dst: r0 src: r7 off: 0 imm: 0
	   68: StXMemDW dst: r1 src: r0 off: -32 imm: 0
	      ; 6: if ($kv.0 == 2) { break; }
	   69: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	   70: LdXMemDW dst: r6 src: r6 off: -40 imm: 0
	   71: JNEImm dst: r6 off: 1 imm: 2 -> 73
	      ; 6: if ($kv.0 == 2) { break; }
	   72: Ja off: 9 -> 82
	      ; 7: $s += $kv.1;
	   73: LdXMemDW dst: r6 src: rfp off: -24 imm: 0
	   74: LdXMemDW dst: r6 src: r6 off: -24 imm: 0
	   75: LdXMemDW dst: r7 src: rfp off: -24 imm: 0
	   76: LdXMemDW dst: r7 src: r7 off: -32 imm: 0
	   77: AddReg dst: r6 src: r7
	   78: LdXMemDW dst: r1 src: rfp off: -24 imm: 0
	   79: StXMemDW dst: r1 src: r6 off: -24 imm: 0
	   80: MovImm dst: r0 imm: 0
	   81: Exit
	   82: MovImm dst: r0 imm: 1
	   83: Exit
len_2:
	      ; 9: printf("%d %d\n", $s, len(@m));
	   84: MovImm dst: r0 imm: 0
	   85: Exit
