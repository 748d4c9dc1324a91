/*
 * Preloaded into ChatPanel's processes when the benchmarks run them under valgrind.
 *
 * Swift's async main parks the main thread in libdispatch, which calls sigsuspend with a
 * signal set in read-only memory; Debian 12's valgrind 3.19 edits the set it is given in
 * place and dies of SIGSEGV. This sigsuspend hands the kernel a copy instead.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
