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

__attribute__((noinline)) void fire_guarded(int i, long v)
{
	if (gobt_guarded_semaphore)
		STAP_PROBE2(gobt, guarded, i, v);
	fire_global();
}
