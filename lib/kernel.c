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
 * Patch 0006 adds X_SETPGID and X_TCSETPGRP: claimed only when a probe
 * finds them in the running kernel (probe_jobctl()); patch 0007 adds the
 * create flag X_NOWRITEPIN, likewise (probe_nowritepin()).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
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

#ifdef NR_CREATE
static pthread_once_t nowritepin_once = PTHREAD_ONCE_INIT;
static bool nowritepin;

/* Does the running kernel know SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN (the
 * reference kernel's patch 0007)?  It checks the flags before it reads
 * the filename: a filename outside user memory gives EFAULT where it
 * knows the flag and EINVAL where it does not.  No template is made. */
static void probe_nowritepin(void)
{
	struct spawn_template_create_args c = {
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC |
			 SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN,
		.filename = ~(__u64)0 - 4095,
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
	};
	int saved = errno;
	long r = syscall(NR_CREATE, &c, sizeof(c));

	if (r >= 0)
		close((int)r);	/* cannot happen; do not leak it */
	nowritepin = r < 0 && errno == EFAULT;
	errno = saved;
}

static bool has_nowritepin(void)
{
	pthread_once(&nowritepin_once, probe_nowritepin);
	return nowritepin;
}

/* Does the create ask for X_NOWRITEPIN of a kernel that lacks it?  The
 * flags are read only from a readable struct of at least version 0:
 * anything else is the kernel's to refuse. */
static bool wants_nowritepin(const struct spawn_template_create_args *args,
			     size_t size)
{
	__u64 flags;

	return args && size >= SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0 &&
	       st_read_user(&flags, (uintptr_t)&args->flags,
			    sizeof(flags)) == 0 &&
	       (flags & SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN) &&
	       !has_nowritepin();
}
#endif

int st_kernel_create(const struct spawn_template_create_args *args,
		     size_t size)
{
#ifdef NR_CREATE
	if (wants_nowritepin(args, size)) {
		errno = ENOTSUP;
		return -1;
	}
	return (int)syscall(NR_CREATE, args, size);
#else
	(void)args;
	(void)size;
	errno = ENOSYS;
	return -1;
#endif
}

#ifdef NR_SPAWN
static pthread_once_t jobctl_once = PTHREAD_ONCE_INIT;
static bool jobctl;

/* Does the running kernel know X_SETPGID and X_TCSETPGRP (the reference
 * kernel's patch 0006)?  The kernel checks a spawn's actions in order
 * before any child exists: well-formed ones of both types, then an OPEN
 * whose open_how lies outside user memory, give EFAULT where it knows
 * them and EINVAL (unknown type) where it does not.  That needs a
 * template: one of the running program, closed at once.  No template
 * (no /proc, a program that is no ELF executable): not claimed. */
static void probe_jobctl(void)
{
	struct spawn_template_create_args c = {
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC,
		.filename = (uintptr_t)"/proc/self/exe",
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
	};
	const struct spawn_template_action act[] = {
		{ .type = SPAWN_TEMPLATE_ACTION_X_SETPGID },
		{ .type = SPAWN_TEMPLATE_ACTION_X_TCSETPGRP },
		{ .type = SPAWN_TEMPLATE_ACTION_OPEN, .fd = AT_FDCWD,
		  .arg = ~(__u64)0 - 4095 },
	};
	int pidfd = -1, saved = errno;
	struct spawn_template_spawn_args a = {
		.pidfd = (uintptr_t)&pidfd,
		.actions = (uintptr_t)act,
		.actions_len = sizeof(act) / sizeof(act[0]),
	};
	int tfd = (int)syscall(NR_CREATE, &c, sizeof(c));

	if (tfd >= 0) {
		jobctl = syscall(NR_SPAWN, tfd, &a, sizeof(a)) < 0 &&
			 errno == EFAULT;
		close(tfd);
	}
	errno = saved;
}
#endif

/* The extension actions the reference kernel implements itself, and
 * those this file turns into standard ones (translate()). */
__u64 st_kernel_extensions(void)
{
#ifdef NR_SPAWN
	__u64 ext = 1ULL << (SPAWN_TEMPLATE_ACTION_X_ERRNO - 0x100) |
		    1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS - 0x100) |
		    1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS - 0x100) |
		    1ULL << (SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED - 0x100);

	pthread_once(&jobctl_once, probe_jobctl);
	if (jobctl)
		ext |= 1ULL << (SPAWN_TEMPLATE_ACTION_X_SETPGID - 0x100) |
		       1ULL << (SPAWN_TEMPLATE_ACTION_X_TCSETPGRP - 0x100);
	if (has_nowritepin())
		ext |= SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN;
	return ext;
#else
	return 0;
#endif
}

#ifdef NR_SPAWN
static bool translated(__u32 type)
{
	return type == SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS ||
	       type == SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS ||
	       type == SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED;
}

/* The kernel knows SIGMASK and SIGDEFAULT with their set behind a pointer:
 * the _BITS forms become those, pointing at a copy of the bits here.
 * X_CALLER_BLOCKED only lets the userspace backends skip their own block;
 * what it promises the child (exec with every signal blocked unless a
 * SIGMASK says otherwise) becomes a SIGMASK of every signal, since the
 * kernel's child would exec with the caller's mask, where glibc leaves
 * its own two signals open.  Returns the number of actions written to
 * OUT, or -1 with errno EINVAL for a malformed X_CALLER_BLOCKED (the
 * kernel checks the others). */
static long translate(const struct spawn_template_action *in, __u64 n,
		      struct spawn_template_action *out,
		      struct spawn_template_sigset *sets, __u64 *bits)
{
	bool blocked = false, masked = false;
	__u64 i, k = 0;

	for (i = 0; i < n; i++) {
		out[k] = in[i];
		switch (in[i].type) {
		case SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED:
			if (in[i].fd || in[i].newfd || in[i].flags ||
			    in[i].arg) {
				errno = EINVAL;
				return -1;
			}
			blocked = true;
			continue;
		case SPAWN_TEMPLATE_ACTION_SIGMASK:
			masked = true;
			break;
		case SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS:
		case SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS:
			bits[k] = in[i].arg;
			sets[k] = (struct spawn_template_sigset){
				.sigset = (uintptr_t)&bits[k],
				.sigsetsize = SPAWN_TEMPLATE_SIGSET_SIZE,
			};
			if (in[i].type == SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS) {
				out[k].type = SPAWN_TEMPLATE_ACTION_SIGMASK;
				masked = true;
			} else {
				out[k].type = SPAWN_TEMPLATE_ACTION_SIGDEFAULT;
			}
			out[k].arg = (uintptr_t)&sets[k];
			break;
		default:
			break;
		}
		k++;
	}
	if (blocked && !masked) {	/* fits: X_CALLER_BLOCKED was dropped */
		bits[k] = ~0ULL;
		sets[k] = (struct spawn_template_sigset){
			.sigset = (uintptr_t)&bits[k],
			.sigsetsize = SPAWN_TEMPLATE_SIGSET_SIZE,
		};
		out[k] = (struct spawn_template_action){
			.type = SPAWN_TEMPLATE_ACTION_SIGMASK,
			.arg = (uintptr_t)&sets[k],
		};
		k++;
	}
	return (long)k;
}

#endif

/* Does the spawn ask for an extension the kernel lacks?  Read only what the
 * kernel would accept as well formed; anything else is the kernel's to
 * refuse. */
static bool well_formed(const struct spawn_template_spawn_args *args,
			size_t size)
{
	return args && size >= SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0 &&
	       args->actions && args->actions_len &&
	       args->actions_len <= SPAWN_TEMPLATE_MAX_ACTIONS;
}

static bool wants_extension(const struct spawn_template_spawn_args *args,
			    size_t size)
{
	const struct spawn_template_action *a;

	if (!well_formed(args, size))
		return false;
	a = ST_PTR(args->actions);
	for (__u64 i = 0; i < args->actions_len; i++)
		if (st_action_is_extension(a[i].type) &&
		    !(st_kernel_extensions() & (1ULL << (a[i].type - 0x100))))
			return true;
	return false;
}

#ifdef NR_SPAWN
/* X_NO_PIDFD: the kernel always makes a pidfd; we give it a slot of ours
 * and close what it puts there. */
static bool wants_no_pidfd(const struct spawn_template_spawn_args *args,
			   size_t size)
{
	return args && size >= SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0 &&
	       (args->flags & SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD);
}

static bool wants_translation(const struct spawn_template_spawn_args *args,
			      size_t size)
{
	const struct spawn_template_action *a;

	if (wants_no_pidfd(args, size))
		return true;
	if (!well_formed(args, size))
		return false;
	a = ST_PTR(args->actions);
	for (__u64 i = 0; i < args->actions_len; i++)
		if (translated(a[i].type))
			return true;
	return false;
}

#endif

pid_t st_kernel_spawn(int template_fd,
		      const struct spawn_template_spawn_args *args,
		      size_t size)
{
	if (wants_extension(args, size)) {
		errno = ENOTSUP;
		return -1;
	}
#ifdef NR_SPAWN
	if (wants_translation(args, size)) {
		struct spawn_template_action act[SPAWN_TEMPLATE_MAX_ACTIONS];
		struct spawn_template_sigset sets[SPAWN_TEMPLATE_MAX_ACTIONS];
		__u64 bits[SPAWN_TEMPLATE_MAX_ACTIONS];
		struct spawn_template_spawn_args copy = { 0 };
		size_t n = size < sizeof(copy) ? size : sizeof(copy);

		/* A larger struct's tail must be zero, as the kernel says. */
		for (size_t i = sizeof(copy); i < size; i++)
			if (((const unsigned char *)args)[i]) {
				errno = E2BIG;
				return -1;
			}
		int own_pidfd = -1, saved;
		long len;
		pid_t pid;

		memcpy(&copy, args, n);
		if (well_formed(args, size)) {
			len = translate(ST_PTR(args->actions),
					args->actions_len, act, sets, bits);
			if (len < 0)
				return -1;
			copy.actions = len ? (uintptr_t)act : 0;
			copy.actions_len = (__u64)len;
		}
		if (copy.flags & SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD) {
			if (copy.pidfd) {	/* a slot as well: refused */
				errno = EINVAL;
				return -1;
			}
			copy.flags &= ~SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD;
			copy.pidfd = (uintptr_t)&own_pidfd;
		}
		pid = (pid_t)syscall(NR_SPAWN, template_fd, &copy, n);
		saved = errno;
		if (pid >= 0 && own_pidfd >= 0)
			close(own_pidfd);
		errno = saved;
		return pid;
	}
	return (pid_t)syscall(NR_SPAWN, template_fd, args, size);
#else
	(void)template_fd;
	errno = ENOSYS;
	return -1;
#endif
}
