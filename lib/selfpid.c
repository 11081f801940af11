/* selfpid.c - our own pid, cached for process_vm_readv/writev.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every read of caller memory names this process by pid; asking the
 * kernel each time cost a getpid per read.  The cache is cleared in a
 * pthread_atfork child handler, so a fork()ed child asks anew.  Children
 * made by clone(CLONE_VM) (vfork, posix_spawn, our own) share our memory,
 * so the parent's pid reads the same bytes; a process made by a raw
 * fork/clone syscall that bypasses libc must not call the library (as
 * with glibc's own getpid cache before 2.25).
 */
#include <config.h>

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "internal.h"

static atomic_int cached_pid;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_pid(void)
{
	atomic_store_explicit(&cached_pid, 0, memory_order_relaxed);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, forget_pid);
}

pid_t st_self_pid(void)
{
	pid_t pid = atomic_load_explicit(&cached_pid, memory_order_relaxed);

	if (pid)
		return pid;
	pthread_once(&atfork_once, register_atfork);
	pid = getpid();
	atomic_store_explicit(&cached_pid, pid, memory_order_relaxed);
	return pid;
}
