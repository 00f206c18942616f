// target.cpp: C++ names for demangling and :cpp: uprobes.
//
//   target_cpp N      call the methods N times
//   target_cpp wait   print the run-time address of gobt::Counter::bump,
//                     then wait for stdin to close
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace gobt {
struct Counter {
	long total = 0;
	__attribute__((noinline)) long bump(int by);
};

long Counter::bump(int by)
{
	asm volatile("");
	total += by;
	return total;
}

__attribute__((noinline)) int twice(int x)
{
	asm volatile("");
	return 2 * x;
}

__attribute__((noinline)) long twice(long x)
{
	asm volatile("");
	return 2 * x;
}
} // namespace gobt

int main(int argc, char **argv)
{
	if (argc > 1 && std::strcmp(argv[1], "wait") == 0) {
		long (gobt::Counter::*m)(int) = &gobt::Counter::bump;
		void *p;
		std::memcpy(&p, &m, sizeof p);
		std::printf("%p\n", p);
		std::fflush(stdout);
		char buf[16];
		while (read(0, buf, sizeof buf) > 0)
			;
		return 0;
	}
	int n = argc > 1 ? std::atoi(argv[1]) : 1;
	gobt::Counter c;
	long s = 0;
	for (int i = 0; i < n; i++) {
		s += c.bump(5);
		s += gobt::twice(i) + gobt::twice(static_cast<long>(i));
	}
	std::printf("%ld\n", s);
	return 0;
}
