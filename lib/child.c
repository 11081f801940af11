/* child.c - the one function that runs between clone and exec.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Invariants (what must hold for every line in this file):
 *
 * 1. The child shares the caller's memory (CLONE_VM) and runs on a stack
 *    the parent lent it, while the calling thread is frozen (CLONE_VFORK)
 *    until exec or exit.  The parent prepared everything: the actions were
 *    copied and checked, the exec fd's guard decided (struct st_child).
 *    The child allocates nothing, takes no lock, and calls only syscall()
 *    (a plain wrapper, called through a GOT slot bound at load: this
 *    file is built with -fno-plt, so no lazy binding happens here)
 *    and this file's functions, none of them instrumented by the
 *    sanitizers.
 * 2. Every signal is blocked: the parent blocked all of them with the raw
 *    rt_sigprocmask before clone (or its caller did: X_CALLER_BLOCKED).  Nothing unblocks one until the very last
 *    step before exec, when the final mask (SIGMASK's, or the caller's own)
 *    is set.
 * 3. Before that, no caller handler may remain where a signal can reach
 *    it: with CLONE_CLEAR_SIGHAND (clone3, Linux 5.5) the kernel reset
 *    them; otherwise reset_handlers() sets every handler that is not
 *    SIG_IGN to SIG_DFL (or to SIG_IGN at once, for an X_SIGIGNORE
 *    signal), except the handler of a signal the final mask keeps
 *    blocked: it cannot be delivered before execve, which resets it
 *    itself.  SIG_IGN stays, as across execve.  Dispositions matter only once a signal can arrive, after
 *    the final mask, so that reset, SIGDEFAULT (whose sets are merged)
 *    and X_SIGIGNORE are done after the last action; SIGDEFAULT only
 *    touches signals that may be ignored (the others are SIG_DFL by
 *    then), X_SIGIGNORE only those that may not be.
 *    What is ignored and caught is learnt, where that saves time (the
 *    handler reset above, a set of many signals), from
 *    /proc/self/status (SigIgn, SigCgt), exact in the child, whose
 *    handler table is its own.  That fd is
 *    opened after every action, close-on-exec, and left for exec to
 *    close: no action can see it.
 * 4. Actions run in order, each with the raw syscalls the kernel's child
 *    would use, from the parent's checked copy (struct st_op: open_how and
 *    signal sets were copied before clone, as the kernel copies them); the
 *    only caller memory read here is by the kernel itself (paths, argv,
 *    envp), where a bad pointer is EFAULT.
 * 5. The exec fd survives every action, yet the template fd's number acts
 *    like any other inherited fd: when an action closes or replaces that
 *    number, the parent told us to move the exec fd first, close-on-exec,
 *    to the lowest free number >= 3 that no action names (so no action can
 *    see it, and it fits under a low RLIMIT_NOFILE); a close_range never
 *    closes the exec fd we use but splits around it and makes it
 *    close-on-exec, so exec closes it just as the kernel's child would
 *    have.
 * 6. Without INHERIT_FDS, fds above 2 are closed after the actions
 *    (close_range, Linux 5.9; older kernels: a loop up to RLIMIT_NOFILE).
 * 7. Any failure goes through child_fail(): the positive errno into the
 *    shared struct (the parent reads it once it resumes), then exit_group
 *    with 127 (ENOENT), 126 (EACCES, ENOEXEC) or 1 (anything else).
 * 8. The child execs by the template's absolute path (execve), as stock
 *    exec does, so the kernel names it from that path: comm = basename,
 *    AT_EXECFN = the path.  (execveat(fd, "", AT_EMPTY_PATH) names it
 *    "/dev/fd/N", and before Linux 6.14 its comm is then "N".)  Right
 *    before the exec, after every action, it checks the identity key on
 *    the file it is about to exec (statx, Linux 4.11): the child has its
 *    own copy of the fd table, so no thread of the caller can swap the
 *    fd under it; a path can still be renamed over between that statx and
 *    the exec's lookup, the window stock bash has between its own lookup
 *    and execve.  An execfd-created template whose name no longer leads
 *    to the pinned file execs through the fd, checked the same way.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "internal.h"

#if defined(__mips__) || defined(__alpha__) || defined(__sparc__)
# error "struct ksigaction below has the generic layout; port it"
#endif

#ifndef SYS_close_range
# define SYS_close_range 436
#endif
#ifndef SYS_openat2
# define SYS_openat2 437
#endif
#ifndef SYS_execveat
# define SYS_execveat 322
#endif
#ifndef SYS_statx
# define SYS_statx 332
#endif

/* No sanitizer instrumentation: it may allocate or keep per-thread state,
 * and this code runs as another process on a borrowed stack. */
#define CHILD __attribute__((no_sanitize("address", "undefined")))

#define KSIG_MAX 64	/* the kernel's _NSIG */

/* The kernel's struct sigaction for rt_sigaction (generic layout). */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	st_ksigset mask;
};


/* A raw system call: the result, or -errno. */
#define SYS(...) child_ret(syscall(__VA_ARGS__))
/* A raw system call: 0, or the positive errno of its failure. */
#define SYS_ERR(...) child_err(syscall(__VA_ARGS__))

CHILD static inline long child_ret(long r)
{
	return r == -1 ? -errno : r;
}

CHILD static inline int child_err(long r)
{
	return r == -1 ? errno : 0;
}

CHILD _Noreturn static void child_fail(struct st_child *c, int err)
{
	int status = 1;

	if (err == ENOENT)
		status = 127;
	else if (err == EACCES || err == ENOEXEC)
		status = 126;
	c->err = err;
	for (;;)
		syscall(SYS_exit_group, status);
}

/* Which signals are ignored and which have a handler, from the child's
 * own /proc/self/status (SigIgn, SigCgt: exact, the kernel's view of this
 * process's own handler table, which no other thread shares): two
 * system calls (open, read; exec closes the fd) instead of one
 * rt_sigaction per signal.  false when /proc cannot tell (not mounted,
 * no fd free, filtered). */
CHILD static bool hex_after(const char *buf, long n, const char *key,
			    st_ksigset *out)
{
	size_t klen = 0;

	while (key[klen])
		klen++;
	for (long i = 0; i + (long)klen + 16 <= n; i++) {
		long k = 0;
		st_ksigset v = 0;

		if ((i && buf[i - 1] != '\n') || buf[i] != key[0])
			continue;
		while (k < (long)klen && buf[i + k] == key[k])
			k++;
		if (k < (long)klen)
			continue;
		for (long j = i + k; j < n; j++) {
			char ch = buf[j];

			if (ch == '\n') {
				*out = v;
				return true;
			}
			if (ch >= '0' && ch <= '9')
				v = v << 4 | (st_ksigset)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v = v << 4 | (st_ksigset)(ch - 'a' + 10);
			else
				return false;
		}
		return false;	/* the line is not all read yet */
	}
	return false;
}

CHILD static bool read_sig_state(st_ksigset *ign, st_ksigset *cgt)
{
	char buf[4096];
	long n = 0, r;
	long fd = SYS(SYS_openat, AT_FDCWD, "/proc/self/status",
		      O_RDONLY | O_CLOEXEC);
	bool found = false;

	if (fd < 0)
		return false;
	/* one read holds the whole file, usually: stop once both lines are in */
	while (!found && n < (long)sizeof(buf) &&
	       (r = SYS(SYS_read, (int)fd, buf + n,
			sizeof(buf) - (size_t)n)) > 0) {
		n += r;
		found = hex_after(buf, n, "SigIgn:\t", ign) &&
			hex_after(buf, n, "SigCgt:\t", cgt);
	}
	/* no close: O_CLOEXEC, and nothing but the exec comes after us */
	return found;
}

/* The caller's handlers must not run in the child (shared memory): every
 * handler that is not SIG_IGN becomes SIG_DFL, but for those in keep:
 * the X_SIGIGNORE ones, which settle_signals() makes SIG_IGN, and the
 * ones blocked in the final mask.  Returns the ignored ones.
 * With the handler table from /proc, only the installed handlers are
 * touched; else each signal is read and, if caught, reset.  A signal
 * blocked in the final mask keeps its handler: it stays blocked up to
 * and across the execve, which resets the handler itself (one
 * rt_sigaction less per such signal). */
CHILD static st_ksigset reset_handlers(st_ksigset keep)
{
	struct ksigaction dfl = { .handler = SIG_DFL }, old;
	st_ksigset ign = 0, cgt;

	if (read_sig_state(&ign, &cgt)) {
		for (int sig = 1; sig <= KSIG_MAX; sig++)
			if (cgt & ~keep & 1ULL << (sig - 1))
				SYS(SYS_rt_sigaction, sig, &dfl, NULL,
				    sizeof(st_ksigset));
		return ign;
	}
	ign = 0;
	for (int sig = 1; sig <= KSIG_MAX; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (SYS(SYS_rt_sigaction, sig, NULL, &old, sizeof(st_ksigset)))
			continue;
		if (old.handler == SIG_IGN)
			ign |= 1ULL << (sig - 1);
		else if (old.handler != SIG_DFL && !(keep & 1ULL << (sig - 1)))
			SYS(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(st_ksigset));
	}
	return ign;
}

/* close_range(lo, hi, flags), with a loop for kernels before 5.9 (and
 * before 5.11 for CLOSE_RANGE_CLOEXEC). */
CHILD static int close_range_compat(unsigned int lo, unsigned int hi,
				    unsigned int flags)
{
	struct rlimit rl;
	long r = SYS(SYS_close_range, lo, hi, flags);

	if (r == 0)
		return 0;
	if (r != -ENOSYS && !(r == -EINVAL && (flags & CLOSE_RANGE_CLOEXEC)))
		return (int)-r;
	if (SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl))
		rl.rlim_cur = 1024;
	for (__u64 fd = lo; fd <= hi && fd < rl.rlim_cur; fd++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			SYS(SYS_fcntl, (int)fd, F_SETFD, FD_CLOEXEC);
		else
			SYS(SYS_close, (int)fd);
	}
	return 0;
}

/* close_range that spares the exec fd *xfd: split the range around it and
 * mark it close-on-exec, so exec closes it as the range would have. */
CHILD static int close_range_sparing(unsigned int lo, unsigned int hi,
				     unsigned int flags, int xfd,
				     bool *xfd_cloexec)
{
	unsigned int x = (unsigned int)xfd;
	int err = 0;

	if (xfd < 0 || (flags & CLOSE_RANGE_CLOEXEC) || x < lo || x > hi)
		return close_range_compat(lo, hi, flags);
	if (x > lo)
		err = close_range_compat(lo, x - 1, flags);
	if (!err && x < hi)
		err = close_range_compat(x + 1, hi, flags);
	if (!err && !*xfd_cloexec) {
		long r = SYS(SYS_fcntl, xfd, F_SETFD, FD_CLOEXEC);

		if (r < 0)
			return (int)-r;
		*xfd_cloexec = true;
	}
	return err;
}

CHILD static int apply_open(const struct st_op *op)
{
	const struct spawn_template_action *a = &op->act;
	const struct spawn_template_open *o = &op->u.open;
	long fd, r;

	fd = SYS(SYS_openat2, a->fd, ST_PTR(o->path), &o->how, sizeof(o->how));
	if (fd == -ENOSYS) {
		/* Linux before 5.6: openat takes what it can express */
		if (o->how.resolve)
			return ENOSYS;
		fd = SYS(SYS_openat, a->fd, ST_PTR(o->path), (int)o->how.flags,
			 (mode_t)o->how.mode);
	}
	if (fd < 0)
		return (int)-fd;
	if (fd == a->newfd)
		return 0;
	r = SYS(SYS_dup3, fd, a->newfd, (int)(o->how.flags & O_CLOEXEC));
	SYS(SYS_close, fd);
	return r < 0 ? (int)-r : 0;
}

/* handler for every signal of set: 0 or the errno of the first failure. */
CHILD static int set_handlers(st_ksigset set, void (*handler)(int))
{
	struct ksigaction act = { .handler = handler };
	int err = 0;

	for (int sig = 1; !err && sig <= KSIG_MAX; sig++) {
		if (!(set & 1ULL << (sig - 1)))
			continue;
		err = SYS_ERR(SYS_rt_sigaction, sig, &act, NULL, sizeof(st_ksigset));
	}
	return err;
}

/* Invariant 3, after the last action: the handlers reset by hand where
 * the kernel did not, then SIGDEFAULT, then X_SIGIGNORE.  Handlers are
 * gone by then, so SIGDEFAULT only needs the signals that may be ignored
 * (ign), X_SIGIGNORE only those that may not be.  ign is known exactly
 * from /proc (2 calls), else every signal may be either and each is set.
 * Fewer calls are not less time: the kernel formats the whole status
 * file (about 10 us on the project's VM) where setting one handler takes
 * about 0.2 us, so /proc is read only for a set past SIGSTATE_READ_MIN.
 * (bash's set is about 6 signals: 3 calls more than through /proc, some
 * 9 us less.)  A handler left on a signal that mask (the one exec gets)
 * blocks is neither: SIGDEFAULT leaves it to execve's reset, X_SIGIGNORE
 * replaces it. */
#define SIGSTATE_READ_MIN 24
CHILD static int settle_signals(const struct st_child *c, st_ksigset dfl,
				st_ksigset ignore, st_ksigset mask)
{
	st_ksigset ign = ~(st_ksigset)0, not_ign = ~(st_ksigset)0, cgt;
	int err;

	dfl &= ~ignore;
	if (c->reset_handlers) {
		ign = reset_handlers(ignore | mask);
		not_ign = ~ign;
	} else if (__builtin_popcountll(dfl | ignore) > SIGSTATE_READ_MIN &&
		   read_sig_state(&ign, &cgt)) {
		not_ign = ~ign;
	} else {
		ign = ~(st_ksigset)0;
	}
	err = set_handlers(dfl & ign, SIG_DFL);
	return err ? err : set_handlers(ignore & not_ign, SIG_IGN);
}

CHILD static int apply_tcsetpgrp(const struct spawn_template_action *a)
{
	/* Every signal is blocked, so a background child is not stopped by
	 * SIGTTOU: the terminal treats it as ignored and allows the call. */
	pid_t pgrp = (pid_t)a->arg;

	if (!pgrp) {
		long r = SYS(SYS_getpgid, 0);

		if (r < 0)
			return (int)-r;
		pgrp = (pid_t)r;
	}
	return SYS_ERR(SYS_ioctl, a->fd, TIOCSPGRP, &pgrp);
}

/* One action; 0 or the positive errno of its failure.  SIGMASK's set is
 * kept for the end, SIGDEFAULT's added to *dfl, X_SIGIGNORE's to *ignore
 * (settle_signals). */
CHILD static int apply_action(const struct st_op *op, int xfd,
			      bool *xfd_cloexec, st_ksigset *mask,
			      st_ksigset *dfl, st_ksigset *ignore)
{
	const struct spawn_template_action *a = &op->act;

	switch (a->type) {
	case SPAWN_TEMPLATE_ACTION_CLOSE:
		return SYS_ERR(SYS_close, a->fd);
	case SPAWN_TEMPLATE_ACTION_DUP2:
		if (a->fd == a->newfd) {
			/* dup3 refuses equal fds: only check it is open */
			if (a->flags)
				return EINVAL;
			return SYS(SYS_fcntl, a->fd, F_GETFD) < 0 ? EBADF : 0;
		}
		return SYS_ERR(SYS_dup3, a->fd, a->newfd, (int)a->flags);
	case SPAWN_TEMPLATE_ACTION_FCHDIR:
		return SYS_ERR(SYS_fchdir, a->fd);
	case SPAWN_TEMPLATE_ACTION_OPEN:
		return apply_open(op);
	case SPAWN_TEMPLATE_ACTION_CLOSE_RANGE:
		return close_range_sparing((unsigned int)a->fd,
					   (unsigned int)a->newfd, a->flags,
					   xfd, xfd_cloexec);
	case SPAWN_TEMPLATE_ACTION_SIGMASK:
	case SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS:
		*mask = op->u.set;		/* set just before exec */
		return 0;
	case SPAWN_TEMPLATE_ACTION_SIGDEFAULT:
	case SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS:
		*dfl |= op->u.set;		/* applied after the last action */
		return 0;
	case SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS:
		*ignore |= op->u.set;		/* the same */
		return 0;
	case SPAWN_TEMPLATE_ACTION_X_SETPGID:
		return SYS_ERR(SYS_setpgid, 0, (pid_t)a->arg);
	case SPAWN_TEMPLATE_ACTION_X_TCSETPGRP:
		return apply_tcsetpgrp(a);
	case SPAWN_TEMPLATE_ACTION_X_ERRNO:
	case SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED:
		return 0;			/* the parent's business */
	default:
		return EINVAL;			/* checked before clone */
	}
}

/* Does an action other than CLOSE_RANGE name fd (ranges are split)? */
CHILD static bool named_by_action(const struct st_child *c, long fd)
{
	for (size_t i = 0; i < c->nops; i++) {
		const struct spawn_template_action *a = &c->ops[i].act;

		if (a->type != SPAWN_TEMPLATE_ACTION_CLOSE_RANGE &&
		    (a->fd == fd || a->newfd == fd))
			return true;
	}
	return false;
}

/* Copy the exec fd, close-on-exec, to the lowest free number >= 3 that
 * no action names: the fd or -errno. */
CHILD static long move_exec_fd(const struct st_child *c, int xfd)
{
	long min = 3, fd;

	for (;;) {
		fd = SYS(SYS_fcntl, xfd, F_DUPFD_CLOEXEC, min);
		if (fd < 0 || !named_by_action(c, fd))
			return fd;
		/* a number an action will use: keep looking above it (the
		 * copy is closed first so it leaves no trace) */
		SYS(SYS_close, fd);
		min = fd + 1;
	}
}

/* Is the file at (dirfd, path) the one the template pinned (identity.c's
 * key)?  0, ESTALE, or ENOSYS where statx is filtered. */
CHILD static int check_identity(const struct st_child *c, int dirfd,
				const char *path, int flags)
{
	const struct st_identity *id = &c->id;
	struct statx sx;
	long r = SYS(SYS_statx, dirfd, path, flags | AT_STATX_SYNC_AS_STAT,
		     STATX_BASIC_STATS, &sx);

	if (r == -ENOSYS)
		return ENOSYS;
	if (r < 0)
		return ESTALE;		/* the path no longer names a file */
	return sx.stx_dev_major == c->dev_major &&
	       sx.stx_dev_minor == c->dev_minor &&
	       sx.stx_ino == (__u64)id->ino &&
	       sx.stx_size == (__u64)id->size &&
	       sx.stx_mode == (__u16)id->mode &&
	       sx.stx_uid == (__u32)id->uid &&
	       sx.stx_gid == (__u32)id->gid &&
	       sx.stx_ctime.tv_sec == (__s64)id->ctime.tv_sec &&
	       sx.stx_ctime.tv_nsec == (__u32)id->ctime.tv_nsec &&
	       sx.stx_mtime.tv_sec == (__s64)id->mtime.tv_sec &&
	       sx.stx_mtime.tv_nsec == (__u32)id->mtime.tv_nsec ? 0 : ESTALE;
}

/* Invariant 8: by path when the path is the pinned file; else through the
 * fd when it may, and it is.  true: exec by path. */
CHILD static bool choose_exec(struct st_child *c, int xfd)
{
	int err;

	if (c->exec_path) {
		err = check_identity(c, AT_FDCWD, c->exec_path, 0);
		if (!err)
			return true;
		if (c->path_must_match)
			child_fail(c, err);
	}
	err = check_identity(c, xfd, "", AT_EMPTY_PATH);
	if (err)
		child_fail(c, err);
	return false;
}

CHILD int st_child_main(void *arg)
{
	struct st_child *c = arg;
	st_ksigset mask = c->caller_mask;
	int xfd = c->exec_fd;
	bool xfd_cloexec = false, by_path;
	st_ksigset dfl = 0, ignore = 0;
	int err;
	long r;

	if (c->move_exec_fd) {
		r = move_exec_fd(c, xfd);
		if (r < 0)
			child_fail(c, (int)-r);
		xfd = (int)r;
		xfd_cloexec = true;
	}

	for (size_t i = 0; i < c->nops; i++) {
		err = apply_action(&c->ops[i], xfd, &xfd_cloexec, &mask, &dfl,
				   &ignore);
		if (err)
			child_fail(c, err);
	}

	if (!c->inherit_fds) {
		err = close_range_sparing(3, ~0U, 0, xfd, &xfd_cloexec);
		if (err)
			child_fail(c, err);
	}

	err = settle_signals(c, dfl, ignore, mask);
	if (err)
		child_fail(c, err);

	by_path = choose_exec(c, xfd);

	/* The last step before exec: from here on signals may arrive, and
	 * only default or ignored dispositions are left to meet them. */
	SYS(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof(mask));
	if (by_path)
		r = SYS(SYS_execve, c->exec_path, c->argv, c->envp);
	else
		r = SYS(SYS_execveat, xfd, "", c->argv, c->envp, AT_EMPTY_PATH);
	child_fail(c, (int)-r);
}
