/* kernel.c - the kernel backend: the RFC's system calls themselves.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built in only when the syscall numbers are known at build time: from
 * configure (--with-spawn-template-syscalls=CREATE,SPAWN, for a kernel whose
 * headers lack them) or from <asm/unistd.h>.  Never guessed: a wrong number
 * is another system call.  The kernel validates everything itself, with
 * the errnos the header documents; we only refuse the extension actions it
 * does not know, with ENOTSUP before calling it.  The reference kernel
 * (kernel/, patch 0005) implements X_ERRNO as the same action type; a
 * reference kernel built without that patch refuses it with EINVAL.
 */
#include <config.h>

#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <asm/unistd.h>

#include "internal.h"

#if defined(SPAWN_TEMPLATE_NR_CREATE) && defined(SPAWN_TEMPLATE_NR_SPAWN)
# define NR_CREATE	SPAWN_TEMPLATE_NR_CREATE
# define NR_SPAWN	SPAWN_TEMPLATE_NR_SPAWN
#elif defined(__NR_spawn_template_create) && defined(__NR_spawn_template_spawn)
# define NR_CREATE	__NR_spawn_template_create
# define NR_SPAWN	__NR_spawn_template_spawn
#endif

bool st_kernel_built_in(void)
{
#ifdef NR_CREATE
	return true;
#else
	return false;
#endif
}

int st_kernel_probe(void)
{
#ifdef NR_CREATE
	/* Size 0 is below every version: EINVAL (or EFAULT for the NULL
	 * struct) from a kernel that has the call, ENOSYS from one that has
	 * not, EPERM from a seccomp filter that forbids it. */
	long r = syscall(NR_CREATE, NULL, (size_t)0);

	if (r >= 0) {
		close((int)r);	/* cannot happen; do not leak it */
		return 1;
	}
	return errno == ENOSYS || errno == EPERM ? 0 : 1;
#else
	return 0;
#endif
}

int st_kernel_create(const struct spawn_template_create_args *args,
		     size_t size)
{
#ifdef NR_CREATE
	return (int)syscall(NR_CREATE, args, size);
#else
	(void)args;
	(void)size;
	errno = ENOSYS;
	return -1;
#endif
}

/* The extension actions the reference kernel implements itself. */
__u64 st_kernel_extensions(void)
{
#ifdef NR_SPAWN
	return 1ULL << (SPAWN_TEMPLATE_ACTION_X_ERRNO - 0x100);
#else
	return 0;
#endif
}

/* Does the spawn ask for an extension the kernel lacks?  Read only what the
 * kernel would accept as well formed; anything else is the kernel's to
 * refuse. */
static bool wants_extension(const struct spawn_template_spawn_args *args,
			    size_t size)
{
	const struct spawn_template_action *a;

	if (!args || size < SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0 ||
	    !args->actions || !args->actions_len ||
	    args->actions_len > SPAWN_TEMPLATE_MAX_ACTIONS)
		return false;
	a = ST_PTR(args->actions);
	for (__u64 i = 0; i < args->actions_len; i++)
		if (st_action_is_extension(a[i].type) &&
		    !(st_kernel_extensions() & (1ULL << (a[i].type - 0x100))))
			return true;
	return false;
}

pid_t st_kernel_spawn(int template_fd,
		      const struct spawn_template_spawn_args *args,
		      size_t size)
{
	if (wants_extension(args, size)) {
		errno = ENOTSUP;
		return -1;
	}
#ifdef NR_SPAWN
	return (pid_t)syscall(NR_SPAWN, template_fd, args, size);
#else
	(void)template_fd;
	errno = ENOSYS;
	return -1;
#endif
}
