/* backend.c - choose the spawn backend once; the fallback ladder.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ladder, in the one place it is written down:
 *
 *   kernel   the spawn_template system calls: only when this build knows
 *            their numbers and a probe with an impossible argument does not
 *            get ENOSYS;
 *   clone3   clone3(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) (Linux 5.3; pidfds
 *            5.2) when this build has a trampoline for the architecture and
 *            a probe does not get ENOSYS (seccomp filters answer ENOSYS for
 *            clone3 so that libcs fall back);
 *   clone    clone() with the same flags (CLONE_PIDFD: Linux 5.2), when
 *            the kernel has pidfds (probed with pidfd_open, 5.3);
 *   none     every call fails with ENOSYS.
 *
 * SPAWN_TEMPLATE_BACKEND=kernel|userspace|clone3|clone, read once, forces
 * one rung ("userspace" = clone3 then clone); a forced backend that is not
 * there, or any other value, gives none.  clone3 losing ENOSYS at run time
 * (a filter installed after our probe) moves us down to clone for good,
 * unless clone3 was forced.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_clone3
# define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
# define SYS_pidfd_open 434
#endif

static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static _Atomic int chosen = SPAWN_TEMPLATE_BACKEND_NONE;
static bool clone3_forced;

static bool clone3_usable(void)
{
	if (!st_clone3_built_in())
		return false;
	/* A NULL struct of size 0 can never clone: EINVAL when clone3
	 * exists, ENOSYS when it (or a filter) says no. */
	return syscall(SYS_clone3, NULL, 0) < 0 && errno != ENOSYS &&
	       errno != EPERM;
}

static bool clone_usable(void)
{
	/* CLONE_PIDFD is silently ignored by kernels before 5.2; a kernel
	 * that has pidfd_open (5.3) certainly has it. */
	long fd = syscall(SYS_pidfd_open, getpid(), 0);

	if (fd < 0)
		return false;
	close((int)fd);
	return true;
}

static enum spawn_template_backend userspace(void)
{
	if (clone3_usable())
		return SPAWN_TEMPLATE_BACKEND_CLONE3;
	if (clone_usable())
		return SPAWN_TEMPLATE_BACKEND_CLONE;
	return SPAWN_TEMPLATE_BACKEND_NONE;
}

static enum spawn_template_backend kernel(void)
{
	return st_kernel_built_in() && st_kernel_probe() == 1 ?
	       SPAWN_TEMPLATE_BACKEND_KERNEL : SPAWN_TEMPLATE_BACKEND_NONE;
}

static void choose(void)
{
	const char *force = secure_getenv("SPAWN_TEMPLATE_BACKEND");
	enum spawn_template_backend b;
	int saved = errno;	/* the probes must not leak an errno */

	if (!force || !*force) {
		b = kernel();
		if (b == SPAWN_TEMPLATE_BACKEND_NONE)
			b = userspace();
	} else if (!strcmp(force, "kernel")) {
		b = kernel();
	} else if (!strcmp(force, "userspace")) {
		b = userspace();
	} else if (!strcmp(force, "clone3")) {
		clone3_forced = true;
		b = clone3_usable() ? SPAWN_TEMPLATE_BACKEND_CLONE3 :
				      SPAWN_TEMPLATE_BACKEND_NONE;
	} else if (!strcmp(force, "clone")) {
		b = clone_usable() ? SPAWN_TEMPLATE_BACKEND_CLONE :
				     SPAWN_TEMPLATE_BACKEND_NONE;
	} else {
		b = SPAWN_TEMPLATE_BACKEND_NONE;
	}
	atomic_store(&chosen, b);
	errno = saved;
}

enum spawn_template_backend st_backend(void)
{
	pthread_once(&choose_once, choose);
	return atomic_load_explicit(&chosen, memory_order_relaxed);
}

enum spawn_template_backend st_backend_clone3_gone(void)
{
	int expected = SPAWN_TEMPLATE_BACKEND_CLONE3;

	if (clone3_forced)
		return SPAWN_TEMPLATE_BACKEND_NONE;
	atomic_compare_exchange_strong(&chosen, &expected,
				       SPAWN_TEMPLATE_BACKEND_CLONE);
	return atomic_load(&chosen);
}

enum spawn_template_backend spawn_template_backend(void)
{
	return st_backend();
}

const char *spawn_template_backend_name(void)
{
	switch (st_backend()) {
	case SPAWN_TEMPLATE_BACKEND_KERNEL:
		return "kernel";
	case SPAWN_TEMPLATE_BACKEND_CLONE3:
		return "clone3";
	case SPAWN_TEMPLATE_BACKEND_CLONE:
		return "clone";
	default:
		return "none";
	}
}

__u64 spawn_template_extensions(void)
{
	switch (st_backend()) {
	case SPAWN_TEMPLATE_BACKEND_CLONE3:
	case SPAWN_TEMPLATE_BACKEND_CLONE:
		return 1ULL << (SPAWN_TEMPLATE_ACTION_X_SETPGID - 0x100) |
		       1ULL << (SPAWN_TEMPLATE_ACTION_X_TCSETPGRP - 0x100) |
		       1ULL << (SPAWN_TEMPLATE_ACTION_X_ERRNO - 0x100) |
		       1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS - 0x100) |
		       1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS - 0x100) |
		       1ULL << (SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED - 0x100) |
		       1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS - 0x100) |
		       SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN;	/* never pinned */
	case SPAWN_TEMPLATE_BACKEND_KERNEL:
		return st_kernel_extensions();
	default:
		return 0;
	}
}
