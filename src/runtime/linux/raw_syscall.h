/* System calls that leave errno alone.  A process that shares its memory with
 * another one running at the same time (a CLONE_VM child, setup_helper.c) shares
 * its thread block too, errno included: the C library's wrappers would write errno
 * under the other process's feet on a failure.  Where cleat_clone_vm_supported()
 * (clone_vm.h) is false, no process shares memory so, and the C library's syscall()
 * stands in. */
#ifndef CLEAT_RUNTIME_LINUX_RAW_SYSCALL_H
#define CLEAT_RUNTIME_LINUX_RAW_SYSCALL_H

#include <errno.h>
#include <unistd.h>

/* The result, or -errno. */
static inline long cleat_raw_syscall(long n, long a1, long a2, long a3, long a4, long a5)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
#else
	long ret = syscall(n, a1, a2, a3, a4, a5);
	return ret < 0 ? -errno : ret;
#endif
}

#endif
