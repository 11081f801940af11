/* spawn-userspace.c - the parent half of the clone path.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * clone3 (or clone) with CLONE_VM|CLONE_VFORK|CLONE_PIDFD, the flags of
 * the RFC's kernel_clone: no copy of the address space, the caller's
 * thread frozen until the child has exec'd or exited, a pidfd for the
 * caller (none with SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD).  Everything is prepared before clone; the child (child.c) only
 * runs the checked actions, checks the identity of what it execs, and
 * execs.  A child-side failure still returns
 * the pid, as in the RFC: the child is the caller's to reap.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "internal.h"

#ifndef CLONE_PIDFD
# define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
# define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

/* The child's stack is a buffer in this function's frame, as in musl:
 * under CLONE_VFORK the calling thread is frozen and every signal is
 * blocked, so nothing else uses that memory while the child runs, and it
 * costs nothing (an mmap'd stack costs an mmap, a munmap and its page
 * faults per spawn, or a per-thread cache with a destructor).  The child
 * needs well under 2 KiB (no libc calls but syscall()); 16 KiB leaves room
 * for sanitizer builds. */
#define CHILD_STACK_SIZE (16 * 1024)

/* clone3 without CLONE_CLEAR_SIGHAND (Linux 5.3, 5.4): learnt once. */
static atomic_bool no_clear_sighand;

/* The parent precomputes whether an action closes or replaces the
 * template fd's number; if so the child moves its exec fd to a number no
 * action names (child.c, invariant 5). */
static void guard_exec_fd(struct st_child *c)
{
	int x = c->exec_fd;

	for (size_t i = 0; i < c->nops; i++) {
		const struct spawn_template_action *a = &c->ops[i].act;

		switch (a->type) {
		case SPAWN_TEMPLATE_ACTION_CLOSE:
			c->move_exec_fd |= a->fd == x;
			break;
		case SPAWN_TEMPLATE_ACTION_DUP2:
		case SPAWN_TEMPLATE_ACTION_OPEN:
			c->move_exec_fd |= a->newfd == x;
			break;
		case SPAWN_TEMPLATE_ACTION_CLOSE_RANGE:
			c->move_exec_fd |= !(a->flags & CLOSE_RANGE_CLOEXEC) &&
					   (unsigned int)a->fd <= (unsigned int)x &&
					   (unsigned int)x <= (unsigned int)a->newfd;
			break;
		}
	}
}

/* clone3, or clone, per the backend; the pid, or -errno.  The kernel
 * stores the pidfd straight into the caller's slot before the child
 * exists: a slot it cannot write fails the clone with EFAULT. */
static long do_clone(struct st_child *c, char *stack, int *pidfd)
{
	enum spawn_template_backend b = st_backend();
	/* no slot: X_NO_PIDFD */
	const unsigned long flags = CLONE_VM | CLONE_VFORK |
				    (pidfd ? CLONE_PIDFD : 0);
	long r;

	while (b == SPAWN_TEMPLATE_BACKEND_CLONE3) {
		bool clear = !atomic_load_explicit(&no_clear_sighand,
						   memory_order_relaxed);
		struct st_clone_args ca = {
			.flags = flags | (clear ? CLONE_CLEAR_SIGHAND : 0),
			.pidfd = (uintptr_t)pidfd,
			.exit_signal = SIGCHLD,
			.stack = (uintptr_t)stack,
			.stack_size = CHILD_STACK_SIZE,
		};

		c->reset_handlers = !clear;
		r = st_clone3(&ca, st_child_main, c);
		if (r == -EINVAL && clear) {
			atomic_store(&no_clear_sighand, true);
			continue;
		}
		if (r != -ENOSYS)
			return r;
		b = st_backend_clone3_gone();
	}
	if (b != SPAWN_TEMPLATE_BACKEND_CLONE)
		return -ENOSYS;

	/* Legacy clone: the flags word has no room for CLEAR_SIGHAND; the
	 * pidfd comes back through the parent_tid slot. */
	c->reset_handlers = true;
	r = clone(st_child_main, stack + CHILD_STACK_SIZE, (int)flags | SIGCHLD,
		  c, pidfd);
	return r < 0 ? -errno : r;
}

/* What the child execs and the identity key it checks there: by the
 * template's path, as execve(path) would (the kernel names the process
 * from it), and through the fd only when an execfd-created template's
 * name no longer leads to the pinned file.  A path-created template's
 * child never needs the fd: its number is just another inherited fd. */
static void choose_exec(struct st_child *c, const struct st_template_info *t)
{
	if (t->has_name) {
		c->exec_path = t->path;
		c->path_must_match = t->has_path;
	}
	if (c->path_must_match)
		c->exec_fd = -1;
	c->id = t->id;
	c->dev_major = major(t->id.dev);
	c->dev_minor = minor(t->id.dev);
}

pid_t st_userspace_spawn(int exec_fd, const struct st_template_info *tmpl,
			 const struct spawn_template_spawn_args *args,
			 const struct st_op *ops, size_t nops)
{
	alignas(16) char stack[CHILD_STACK_SIZE];
	struct st_child c = {
		.exec_fd = exec_fd,
		.inherit_fds = args->flags & SPAWN_TEMPLATE_SPAWN_INHERIT_FDS,
		.argv = ST_PTR(args->argv),
		.envp = ST_PTR(args->envp),
		.ops = ops,
		.nops = nops,
	};
	const st_ksigset all = ~(st_ksigset)0;
	int *pidfd = ST_PTR(args->pidfd), cancel;
	bool blocked = false;
	long pid;

	for (size_t i = 0; i < nops; i++)
		blocked |= ops[i].act.type == SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED;

	choose_exec(&c, tmpl);
	if (c.exec_fd >= 0)
		guard_exec_fd(&c);
	/* The child's syscall() sets errno through __errno_location():
	 * child.c is built with -fno-plt, so that call is bound at load; this
	 * volatile read binds it too for builds that are not (a PLT slot
	 * bound now, before the child runs). */
	*(volatile int *)&errno = errno;

	/* No handler may run on this thread while the child borrows its
	 * stack and memory, and the child starts with everything blocked;
	 * no cancellation may unwind us with the mask still closed.  A
	 * caller that has blocked everything itself (X_CALLER_BLOCKED)
	 * saves the two calls: its mask is all, the child's at exec too
	 * unless SIGMASK says otherwise. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	if (blocked)
		c.caller_mask = all;
	else
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &c.caller_mask,
			sizeof(st_ksigset));
	pid = do_clone(&c, stack, pidfd);
	if (!blocked)
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &c.caller_mask, NULL,
			sizeof(st_ksigset));
	pthread_setcancelstate(cancel, NULL);

	if (pid < 0) {
		errno = (int)-pid;	/* nothing of the caller's touched */
		return -1;
	}
	for (size_t i = 0; i < nops; i++)
		if (ops[i].act.type == SPAWN_TEMPLATE_ACTION_X_ERRNO)
			*(int *)ST_PTR(ops[i].act.arg) = c.err;
	return (pid_t)pid;
}
