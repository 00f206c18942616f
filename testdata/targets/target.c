// target.c: a small program for uprobe, uretprobe and USDT tests.
//
//   target run N   call the traced functions and fire the probes N times
//   target wait    print the run-time address of add_ints, then wait for
//                  stdin to close (for symbolizing a live PIE process)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <unistd.h>

void fire_guarded(int i, long v); // target_sem.c

long gobt_global = 1234;

__attribute__((noinline)) int add_ints(int a, int b)
{
	__asm__ volatile("");
	return a + b;
}

__attribute__((noinline)) long many_args(long a, long b, long c, long d, long e, long f, long g, long h)
{
	__asm__ volatile("");
	return a + b + c + d + e + f + g + h;
}

__attribute__((noinline)) const char *greet(const char *who)
{
	__asm__ volatile("");
	return who;
}

__attribute__((noinline)) static void fire(int i)
{
	long arr[4] = {10, 20, 30, 40};
	volatile long *p = arr;
	STAP_PROBE3(gobt, tick, i, -7, gobt_global);
	STAP_PROBE1(gobt, multi, 1);
	fire_guarded(i + 100, p[i & 3]);
}

__attribute__((noinline)) static void fire_again(void)
{
	STAP_PROBE1(gobt, multi, 2);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		printf("%p\n", (void *)add_ints);
		fflush(stdout);
		char buf[16];
		while (read(0, buf, sizeof buf) > 0)
			;
		return 0;
	}
	int n = argc > 2 ? atoi(argv[2]) : 1;
	long sum = 0;
	for (int i = 0; i < n; i++) {
		sum += add_ints(i, 40);
		sum += many_args(1, 2, 3, 4, 5, 6, 70, 80);
		sum += (long)strlen(greet("gobpftrace"));
		fire(i);
		fire_again();
	}
	printf("%ld\n", sum);
	return 0;
}
