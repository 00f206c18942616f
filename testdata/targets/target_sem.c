// target_sem.c: a USDT probe guarded by a semaphore, and one reading a
// global through %rip. Built with -O1 (target.c is built with -O0, so that
// its probes take stack operands such as -4@-52(%rbp)).
//
// The kernel counts the semaphore up while a probe is attached
// (ref_ctr_offset); only then does the program fire gobt:guarded.
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

__extension__ unsigned short gobt_guarded_semaphore __attribute__((unused)) __attribute__((section(".probes")));
__extension__ unsigned short gobt_global_semaphore __attribute__((unused)) __attribute__((section(".probes")));

long gobt_counter = 5678;

__attribute__((noinline)) static void fire_global(void)
{
	STAP_PROBE1(gobt, global, gobt_counter);
}

__extension__ unsigned short gobt_indexed_semaphore __attribute__((unused)) __attribute__((section(".probes")));
long gobt_table[4] = {11, 22, 33, 44};

// A probe whose argument is an indexed memory operand, which compilers
// rarely emit on their own: -8@(%rax,%rdx,8) is gobt_table[idx].
__attribute__((noinline)) static void fire_indexed(long *tab, long idx)
{
	__asm__ __volatile__(STAP_PROBE_ASM(gobt, indexed, -8@(%%rax,%%rdx,8) -8@%%rdx)::"a"(tab), "d"(idx) : "memory");
}

__attribute__((noinline)) void fire_guarded(int i, long v)
{
	if (gobt_guarded_semaphore)
		STAP_PROBE2(gobt, guarded, i, v);
	fire_global();
	fire_indexed(gobt_table, i & 3);
}
