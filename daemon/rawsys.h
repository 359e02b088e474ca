/*
 * rawsys.h - the system calls a TFTP transfer makes for every block
 * (recvfrom, sendto, pread, epoll_wait), without libc's wrappers.
 *
 * Why: in a process with more than one thread glibc's wrappers of these
 * calls (cancellation points) spend about 70 user-space instructions each
 * making pthread_cancel() possible (callgrind: __pthread_enable_asynccancel
 * / __pthread_disable_asynccancel), and glibc's generic syscall() still
 * about 20 moving its seven arguments into place, against a block's whole
 * engine work of ~150. Nothing here cancels threads. On x86_64 and aarch64
 * the call is the instruction itself with the arguments already in their
 * registers (the kernel's calling convention, as liburing does for
 * io_uring_enter); on other 64-bit ABIs syscall(); elsewhere the wrappers.
 * All of them return -1 with errno set, like the wrappers.
 */
#ifndef PXBD_RAWSYS_H
#define PXBD_RAWSYS_H

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__LP64__) && defined(SYS_recvfrom) && defined(SYS_sendto) && \
	defined(SYS_pread64) && defined(SYS_epoll_pwait)

#if defined(__x86_64__)
/* x86_64: number in rax, arguments in rdi rsi rdx r10 r8 r9; the
 * instruction clobbers rcx and r11 (the kernel's entry_64.S). */
static inline long rawsys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
/* aarch64: number in x8, arguments in x0-x5, result in x0. */
static inline long rawsys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ __volatile__("svc 0"
			     : "+r"(x0)
			     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			     : "memory");
	return x0;
}
#else
static inline long rawsys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(nr, a, b, c, d, e, f);

	return r < 0 ? -errno : r;
}
#endif

/* The kernel returns -errno in [-4095, -1] (include/linux/err.h). */
static inline long rawsys_ret(long r)
{
	if ((unsigned long)r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static inline ssize_t tftp_sys_recvfrom(int fd, void *buf, size_t len, struct sockaddr_in *from,
					socklen_t *fl)
{
	return rawsys_ret(rawsys6(SYS_recvfrom, fd, (long)buf, (long)len, 0, (long)from,
				  (long)fl));
}

static inline ssize_t tftp_sys_sendto(int fd, const void *buf, size_t len,
				      const struct sockaddr_in *to)
{
	return rawsys_ret(rawsys6(SYS_sendto, fd, (long)buf, (long)len, 0, (long)to,
				  (long)sizeof(*to)));
}

static inline ssize_t tftp_sys_pread(int fd, void *buf, size_t len, uint64_t off)
{
	return rawsys_ret(rawsys6(SYS_pread64, fd, (long)buf, (long)len, (long)off, 0, 0));
}

static inline int tftp_sys_epoll_wait(int ep, struct epoll_event *evs, int max, int timeout)
{
	/* epoll_pwait with no mask is epoll_wait (which aarch64 lacks). */
	return (int)rawsys_ret(rawsys6(SYS_epoll_pwait, ep, (long)evs, max, timeout, 0, 0));
}
#else
static inline ssize_t tftp_sys_recvfrom(int fd, void *buf, size_t len, struct sockaddr_in *from,
					socklen_t *fl)
{
	return recvfrom(fd, buf, len, 0, (struct sockaddr *)from, fl);
}

static inline ssize_t tftp_sys_sendto(int fd, const void *buf, size_t len,
				      const struct sockaddr_in *to)
{
	return sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to));
}

static inline ssize_t tftp_sys_pread(int fd, void *buf, size_t len, uint64_t off)
{
	return pread(fd, buf, len, (off_t)off);
}

static inline int tftp_sys_epoll_wait(int ep, struct epoll_event *evs, int max, int timeout)
{
	return epoll_wait(ep, evs, max, timeout);
}
#endif

#endif
