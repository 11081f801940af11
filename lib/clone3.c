/* clone3.c - clone3() that runs a function on the child's new stack.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libc exports no clone3 wrapper, and syscall(SYS_clone3, ...) cannot be
 * used with a new stack: the child would "return" from syscall() on a stack
 * that holds no return address.  So, as libcs do, a few instructions of
 * assembly: issue clone3, return in the parent, and in the child call
 * fn(arg) at once and exit with its result (ours never returns).
 *
 * Only x86_64 has a trampoline so far (the one architecture we can test
 * here); elsewhere st_clone3_built_in() is false and the backend ladder
 * uses clone() (glibc's wrapper does the same job for it).
 */
#include <config.h>

#include "internal.h"

#if defined(__x86_64__)

/* st_clone3_raw(args, size, fn, arg): rdi, rsi, rdx, rcx.  syscall
 * clobbers rcx and r11, so arg moves to r8, which the child inherits. */
__attribute__((visibility("hidden")))
long st_clone3_raw(struct st_clone_args *args, __u64 size,
		   int (*fn)(void *), void *arg);
__asm__(
	".text\n"
	".p2align 4\n"
	".globl st_clone3_raw\n"
	".hidden st_clone3_raw\n"
	".type st_clone3_raw, @function\n"
	"st_clone3_raw:\n"
#if defined(__CET__) && (__CET__ & 1)
	"	endbr64\n"
#endif
	"	movq %rcx, %r8\n"
	"	movl $435, %eax\n"		/* __NR_clone3 */
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jz 1f\n"
	"	ret\n"				/* parent, or -errno */
	"1:	xorl %ebp, %ebp\n"		/* child: outermost frame */
	"	movq %r8, %rdi\n"
	"	callq *%rdx\n"			/* the stack top is 16-aligned */
	"	movl %eax, %edi\n"
	"	movl $60, %eax\n"		/* __NR_exit */
	"	syscall\n"
	"	hlt\n"
	".size st_clone3_raw, .-st_clone3_raw\n");

bool st_clone3_built_in(void)
{
	return true;
}

long st_clone3(struct st_clone_args *args, int (*fn)(void *), void *arg)
{
	return st_clone3_raw(args, sizeof(*args), fn, arg);
}

#else

bool st_clone3_built_in(void)
{
	return false;
}

long st_clone3(struct st_clone_args *args, int (*fn)(void *), void *arg)
{
	(void)args;
	(void)fn;
	(void)arg;
	return -38;	/* -ENOSYS */
}

#endif
