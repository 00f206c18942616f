map event_loss: Array key 4 value 8 entries 1
map ringbuf: RingBuf key 0 value 0 entries 524288

program begin (begin, RawTracepoint): 43 instructions
	      ; 2: printf("hi %d %s\n", pid, comm);
	    0: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	    2: MovImm dst: r2 imm: 32
	    3: MovImm dst: r3 imm: 0
	    4: Call FnRingbufReserve
	    5: JNEImm dst: r0 off: 5 imm: 0 -> 11
	    6: LoadMapValue dst: r1, fd: 0 off: 0 <event_loss>
	    8: MovImm dst: r2 imm: 1
	    9: StXAtomicAddDW dst: r1 src: r2 off: 0
	   10: Ja off: 13 -> 24
	   11: StMemDW dst: r0 src: r0 off: 0 imm: 0
	   12: MovReg dst: r6 src: r0
	   13: Call FnGetCurrentPidTgid
	   14: MovReg dst: r7 src: r0
	   15: RShImm dst: r7 imm: 32
	   16: StXMemDW dst: r6 src: r7 off: 8 imm: 0
	   17: MovReg dst: r1 src: r6
	   18: AddImm dst: r1 imm: 16
	   19: MovImm dst: r2 imm: 16
	   20: Call FnGetCurrentComm
	   21: MovReg dst: r1 src: r6
	   22: MovImm dst: r2 imm: 0
	   23: Call FnRingbufSubmit
	      ; 3: exit();
	   24: LoadMapPtr dst: r1 fd: 0 <ringbuf>
	   26: MovImm dst: r2 imm: 16
	   27: MovImm dst: r3 imm: 0
	   28: Call FnRingbufReserve
	   29: JNEImm dst: r0 off: 5 imm: 0 -> 35
	   30: LoadMapValue dst: r1, fd: 0 off: 0 <event_loss>
	   32: MovImm dst: r2 imm: 1
	   33: StXAtomicAddDW dst: r1 src: r2 off: 0
	   34: Ja off: 6 -> 41
	   35: StMemDW dst: r0 src: r0 off: 0 imm: 1
	   36: MovReg dst: r6 src: r0
	   37: StMemDW dst: r6 src: r0 off: 8 imm: 0
	   38: MovReg dst: r1 src: r6
	   39: MovImm dst: r2 imm: 0
	   40: Call FnRingbufSubmit
	   41: MovImm dst: r0 imm: 0
	   42: Exit
