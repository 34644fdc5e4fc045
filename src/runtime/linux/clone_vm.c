#include "config.h"
#include "runtime/linux/clone_vm.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_VM
#define CLONE_VM 0x00000100
#endif
#ifndef CLONE_PARENT
#define CLONE_PARENT 0x00008000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* The stack of the child: what the container process needs runs fine in 256 KiB; 8 MiB like a
 * main thread, reserved lazily, with a guard page below it. */
#define STACK_SIZE (8u << 20)
#define GUARD 4096u

struct vm_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

/* clone3 whose child calls fn(arg) on the new stack and then exit(2)s with its
 * result: a C function cannot return into the caller's frame on another stack. */
static long clone3_run(struct vm_clone_args *ca, int (*fn)(void *), void *arg)
{
#if defined(__x86_64__)
	long ret;
	register int (*r8)(void *) __asm__("r8") = fn;
	register void *r9 __asm__("r9") = arg;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r9, %%rdi\n\t"
			 "call *%%r8\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long) SYS_clone3), "D"(ca), "S"(sizeof *ca), "r"(r8),
			   "r"(r9), [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
#else
	(void) ca, (void) fn, (void) arg;
	return -ENOSYS;
#endif
}

bool cleat_clone_vm_supported(void)
{
#if defined(__x86_64__)
	return true;
#else
	return false;
#endif
}

pid_t cleat_clone_vm(unsigned long long flags, int cgroup_fd, int (*fn)(void *), const void *arg,
		     size_t len, cleat_error_t *err)
{
	if (!cleat_clone_vm_supported())
		return cleat_error_errno(err, ENOSYS, "clone3 with a stack on this architecture");
	/* Never unmapped by us: the child runs on it until its exec, which drops the
	 * whole address space. */
	char *base = mmap(NULL, STACK_SIZE + GUARD, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (base == MAP_FAILED)
		return cleat_error_errno(err, errno, "mmap a stack for the init");
	if (mprotect(base, GUARD, PROT_NONE) < 0) {
		int e = errno;
		munmap(base, STACK_SIZE + GUARD);
		return cleat_error_errno(err, e, "mprotect the init's stack guard");
	}
	/* The argument lives at the top of the new stack, the stack grows below it
	 * (16-byte aligned, as both ABIs want at a call). */
	size_t room = (len + 15) & ~(size_t) 15;
	char *copy = base + STACK_SIZE + GUARD - room;
	memcpy(copy, arg, len);
	struct vm_clone_args ca = {
		.flags = flags | CLONE_VM | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
		.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
		.stack = (uint64_t) (uintptr_t) (base + GUARD),
		.stack_size = STACK_SIZE - room,
		.cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0,
	};
	long pid = clone3_run(&ca, fn, copy);
	if (pid < 0) {
		munmap(base, STACK_SIZE + GUARD);
		return cleat_error_errno(err, (int) -pid, "clone3 the init");
	}
	return (pid_t) pid;
}
