/* validate.c - argument and action checks, the same errnos as the kernel.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs before any child exists, as in our reference
 * kernel (kernel/): the action array and what the actions point to
 * (open_how, signal sets) are copied and checked up front, so a malformed
 * action is an error of the call, never a child's exit status.  Caller
 * memory is read with process_vm_readv() on ourselves, so a bad pointer is
 * EFAULT, as copy_from_user() makes it, and not a SIGSEGV.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/close_range.h>

#ifndef SYS_openat2
# define SYS_openat2 437
#endif

#include "internal.h"

/* Several reads in one process_vm_readv: how many of the n (from the
 * first) were read whole.  The kernel stops at the first piece it cannot
 * read, so all before it are complete and none after it is tried. */
static size_t read_user_many(struct iovec *local, struct iovec *remote,
			     size_t n)
{
	int saved = errno;
	size_t done = 0;
	ssize_t got;

	if (!n)
		return 0;
	for (done = 0; done < n; done++)
		if (!st_in_scratch((uintptr_t)remote[done].iov_base,
				   remote[done].iov_len))
			break;
	if (done == n) {
		/* our own memory (scratch.c): nothing to check */
		for (size_t i = 0; i < n; i++)
			memcpy(local[i].iov_base, remote[i].iov_base,
			       local[i].iov_len);
		return n;
	}
	done = 0;
	got = process_vm_readv(st_self_pid(), local, n, remote, n, 0);
	if (got < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* no CROSS_MEMORY_ATTACH, or filtered (seccomp): read it
		 * directly, as libcs do */
		for (size_t i = 0; i < n; i++)
			memcpy(local[i].iov_base, remote[i].iov_base,
			       local[i].iov_len);
		got = SSIZE_MAX;
	}
	errno = saved;
	for (; done < n && got >= (ssize_t)local[done].iov_len; done++)
		got -= (ssize_t)local[done].iov_len;
	return done;
}

int st_read_user(void *dst, __u64 src, size_t len)
{
	struct iovec local = { dst, len }, remote = { ST_PTR(src), len };

	if (!len)
		return 0;
	return read_user_many(&local, &remote, 1) == 1 ? 0 : EFAULT;
}

/* One int slot by the kernel's own atomic read-modify-write: FUTEX_WAKE_OP
 * adds 0 to *addr (a write fault is EFAULT) and wakes no one, so the
 * value is unchanged even with another thread writing it.  0, EFAULT, or
 * -1 when the futex cannot tell (a misaligned slot: EINVAL; filtered). */
static int probe_futex(__u64 addr)
{
	int saved = errno, r;

	if (syscall(SYS_futex, ST_PTR(addr), FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG,
		    0, (void *)0, ST_PTR(addr),
		    FUTEX_OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_EQ, 0)) >= 0)
		r = 0;
	else
		r = errno == EFAULT ? EFAULT : -1;
	errno = saved;
	return r;
}

/* The same by reading the int and writing it back (not atomic): needs
 * process_vm_readv/writev (CONFIG_CROSS_MEMORY_ATTACH).  0 or EFAULT; 0
 * also when those calls are missing or filtered: nothing can tell. */
static int probe_vm(__u64 addr)
{
	struct iovec remote = { ST_PTR(addr), sizeof(int) };
	int saved = errno, val;
	struct iovec local = { &val, sizeof(val) };
	pid_t self = st_self_pid();
	ssize_t got;

	got = process_vm_readv(self, &local, 1, &remote, 1, 0);
	if (got == (ssize_t)sizeof(val))
		got = process_vm_writev(self, &local, 1, &remote, 1, 0);
	if (got < 0 && (errno == ENOSYS || errno == EPERM))
		got = sizeof(val);
	errno = saved;
	return got == (ssize_t)sizeof(val) ? 0 : EFAULT;
}

int st_check_out_ints(const __u64 *addrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err;

		if (st_in_scratch(addrs[i], sizeof(int)))
			continue;	/* our own memory (scratch.c) */
		err = probe_futex(addrs[i]);
		if (err < 0)
			err = probe_vm(addrs[i]);
		if (err)
			return err;
	}
	return 0;
}

/* The kernel refuses argument structs larger than a page. */
static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

int st_check_struct_size(size_t usize, size_t ver0)
{
	if (usize < ver0)
		return EINVAL;
	if (usize > page_size())
		return E2BIG;
	return 0;
}

/* Read len bytes at src, from what ra read ahead when it holds them. */
static int read_user_ahead(void *dst, __u64 src, size_t len,
			   const struct st_read_ahead *ra)
{
	if (ra && src >= ra->base && len <= ra->len &&
	    src - ra->base <= ra->len - len) {
		memcpy(dst, ra->buf + (src - ra->base), len);
		return 0;
	}
	return st_read_user(dst, src, len);
}

int st_copy_struct_ahead(void *dst, size_t ksize, const void *src,
			 size_t usize, struct st_read_ahead *ra)
{
	unsigned char buf[4096];	/* >= the page bound checked before */
	size_t n = usize < sizeof(buf) ? usize : sizeof(buf);
	struct iovec local[2] = { { buf, n } }, remote[2] = { { (void *)src, n } };
	size_t k = 1, done;

	if (ra)
		ra->len = 0;
	if (ra && n) {
		/* the rest of the struct's last page: it cannot fault if
		 * the struct's last byte did not */
		__u64 end = (uintptr_t)src + n, page = page_size();
		__u64 page_end = ((end - 1) / page + 1) * page;

		/* in our scratch: up to its end, read without a syscall */
		if (st_in_scratch((uintptr_t)src, n))
			page_end = end + st_scratch_left(end);
		ra->base = end;
		ra->len = page_end - end < sizeof(ra->buf) ?
			  (size_t)(page_end - end) : sizeof(ra->buf);
		local[1] = (struct iovec){ ra->buf, ra->len };
		remote[1] = (struct iovec){ ST_PTR(end), ra->len };
		k += ra->len > 0;
	}
	done = n ? read_user_many(local, remote, k) : 0;
	if (n && done < 1)
		return EFAULT;
	if (ra && done < k)
		ra->len = 0;
	/* A newer caller's larger struct is fine as long as we would not
	 * ignore anything it asks for. */
	for (size_t i = ksize; i < n; i++)
		if (buf[i])
			return E2BIG;
	memset(dst, 0, ksize);
	memcpy(dst, buf, n < ksize ? n : ksize);
	return 0;
}

int st_copy_struct(void *dst, size_t ksize, const void *src, size_t usize)
{
	return st_copy_struct_ahead(dst, ksize, src, usize, NULL);
}

int st_check_spawn_args(const struct spawn_template_spawn_args *args)
{
	if (args->flags & ~(__u64)(SPAWN_TEMPLATE_SPAWN_INHERIT_FDS |
				   SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD))
		return EINVAL;
	/* a pidfd slot, or X_NO_PIDFD, never both */
	if (!args->pidfd == !(args->flags & SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD))
		return EINVAL;
	for (size_t i = 0; i < sizeof(args->reserved) / sizeof(args->reserved[0]); i++)
		if (args->reserved[i])
			return EINVAL;
	return 0;
}

bool st_action_is_extension(__u32 type)
{
	return type == SPAWN_TEMPLATE_ACTION_X_SETPGID ||
	       type == SPAWN_TEMPLATE_ACTION_X_TCSETPGRP ||
	       type == SPAWN_TEMPLATE_ACTION_X_ERRNO ||
	       type == SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS ||
	       type == SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS ||
	       type == SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED ||
	       type == SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS;
}

/* open_how as openat2() judges it, asked of the kernel itself: it checks
 * the flags, mode and resolve fields (build_open_flags) before it reads
 * the path, and "" then fails with ENOENT, so nothing is opened. */
static int check_open_how(const struct open_how *how)
{
	int saved = errno, err = 0;

	if (syscall(SYS_openat2, -1, "", how, sizeof(*how)) >= 0)
		err = EINVAL;		/* cannot happen; be safe */
	else if (errno != ENOENT && errno != ENOSYS && errno != EBADF)
		err = errno;		/* EINVAL, E2BIG: as the child would */
	errno = saved;
	return err;
}

/* One action's own fields: 0 or EINVAL.  What it points to is read
 * after, for all actions of a chunk at once (prepare_chunk). */
static int check_fields(const struct spawn_template_action *a)
{
	switch (a->type) {
	case SPAWN_TEMPLATE_ACTION_CLOSE:
	case SPAWN_TEMPLATE_ACTION_FCHDIR:
		return a->fd >= 0 && !a->newfd && !a->flags && !a->arg ?
		       0 : EINVAL;
	case SPAWN_TEMPLATE_ACTION_DUP2:
		/* fd == newfd with flags: the RFC finds it only in its child */
		return a->fd >= 0 && a->newfd >= 0 &&
		       !(a->flags & ~O_CLOEXEC) && !a->arg &&
		       !(a->fd == a->newfd && a->flags) ? 0 : EINVAL;
	case SPAWN_TEMPLATE_ACTION_OPEN:
		return a->fd < AT_FDCWD || a->newfd < 0 || a->flags || !a->arg ?
		       EINVAL : 0;
	case SPAWN_TEMPLATE_ACTION_CLOSE_RANGE:
		/* newfd is the unsigned upper bound: -1 means "to the end" */
		return a->fd >= 0 &&
		       (unsigned int)a->fd <= (unsigned int)a->newfd &&
		       !(a->flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) &&
		       !a->arg ? 0 : EINVAL;
	case SPAWN_TEMPLATE_ACTION_SIGMASK:
	case SPAWN_TEMPLATE_ACTION_SIGDEFAULT:
		return a->fd || a->newfd || a->flags || !a->arg ? EINVAL : 0;
	case SPAWN_TEMPLATE_ACTION_X_ERRNO:
		return !a->fd && !a->newfd && !a->flags && a->arg ? 0 : EINVAL;
	case SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS:
	case SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS:
	case SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS:
		return !a->fd && !a->newfd && !a->flags ? 0 : EINVAL;
	case SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED:
		return !a->fd && !a->newfd && !a->flags && !a->arg ? 0 : EINVAL;
	case SPAWN_TEMPLATE_ACTION_X_SETPGID:
		return !a->fd && !a->newfd && !a->flags && a->arg <= INT_MAX ?
		       0 : EINVAL;
	case SPAWN_TEMPLATE_ACTION_X_TCSETPGRP:
		return a->fd >= 0 && !a->newfd && !a->flags &&
		       a->arg <= INT_MAX ? 0 : EINVAL;
	default:
		return EINVAL;
	}
}

static bool is_sigset_action(__u32 type)
{
	return type == SPAWN_TEMPLATE_ACTION_SIGMASK ||
	       type == SPAWN_TEMPLATE_ACTION_SIGDEFAULT;
}

#define CHUNK 16

/* Check and copy n actions in the kernel's order, one action after the
 * other (its fields, then what it points to), so the first faulty action
 * decides the errno, yet with one process_vm_readv per level of
 * indirection: the open_how and sigset headers of all the chunk's actions
 * together, then the signal sets together.  bad is the index of the first
 * faulty action found so far (n: none); each stage only looks before it. */
static int prepare_chunk(struct st_op *ops, size_t n)
{
	struct spawn_template_sigset hdr[CHUNK];
	struct iovec local[CHUNK], remote[CHUNK];
	size_t idx[CHUNK], k = 0, got, bad = n;
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		err = check_fields(&ops[i].act);
		if (err) {
			bad = i;
			break;
		}
		/* the *_BITS sets travel in arg: nothing to read */
		if (ops[i].act.type == SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS ||
		    ops[i].act.type == SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS ||
		    ops[i].act.type == SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS)
			ops[i].u.set = ops[i].act.arg &
				       ~(1ULL << (SIGKILL - 1) |
					 1ULL << (SIGSTOP - 1));
	}

	/* level 1: open_how, sigset headers */
	for (size_t i = 0; i < bad; i++) {
		const struct spawn_template_action *a = &ops[i].act;

		if (a->type == SPAWN_TEMPLATE_ACTION_OPEN)
			local[k] = (struct iovec){ &ops[i].u.open,
						   sizeof(ops[i].u.open) };
		else if (is_sigset_action(a->type))
			local[k] = (struct iovec){ &hdr[i], sizeof(hdr[i]) };
		else
			continue;
		remote[k] = (struct iovec){ ST_PTR(a->arg), local[k].iov_len };
		idx[k++] = i;
	}
	got = read_user_many(local, remote, k);
	if (got < k && idx[got] < bad)
		bad = idx[got], err = EFAULT;
	/* what level 1 read, judged in order */
	for (size_t j = 0; j < got && idx[j] < bad; j++) {
		struct st_op *op = &ops[idx[j]];
		int e = op->act.type == SPAWN_TEMPLATE_ACTION_OPEN ?
			check_open_how(&op->u.open.how) :
			hdr[idx[j]].sigsetsize != SPAWN_TEMPLATE_SIGSET_SIZE ?
			EINVAL : 0;

		if (e) {
			bad = idx[j], err = e;
			break;
		}
	}

	/* level 2: the signal sets */
	k = 0;
	for (size_t i = 0; i < bad; i++) {
		if (!is_sigset_action(ops[i].act.type))
			continue;
		local[k] = (struct iovec){ &ops[i].u.set, sizeof(ops[i].u.set) };
		remote[k] = (struct iovec){ ST_PTR(hdr[i].sigset),
					    sizeof(ops[i].u.set) };
		idx[k++] = i;
	}
	got = read_user_many(local, remote, k);
	if (got < k && idx[got] < bad)
		bad = idx[got], err = EFAULT;
	for (size_t j = 0; j < got; j++)
		ops[idx[j]].u.set &= ~(1ULL << (SIGKILL - 1) |
				       1ULL << (SIGSTOP - 1));
	return bad < n ? err : 0;
}

int st_prepare_actions(struct st_op *ops,
		       const struct spawn_template_spawn_args *args,
		       const struct st_read_ahead *ra)
{
	if (!args->actions_len)
		return 0;
	if (args->actions_len > SPAWN_TEMPLATE_MAX_ACTIONS)
		return E2BIG;
	if (!args->actions)
		return EINVAL;

	/* Our copy is what the child runs: the caller's array may change
	 * under us (another thread). */
	for (__u64 i = 0; i < args->actions_len; i += CHUNK) {
		struct spawn_template_action chunk[CHUNK];
		size_t n = args->actions_len - i < CHUNK ?
			   args->actions_len - i : CHUNK;
		int err = read_user_ahead(chunk,
					  args->actions + i * sizeof(chunk[0]),
					  n * sizeof(chunk[0]), ra);

		for (size_t k = 0; !err && k < n; k++)
			ops[i + k].act = chunk[k];
		if (!err)
			err = prepare_chunk(ops + i, n);
		if (err)
			return err;
	}
	return 0;
}

int st_check_create_args(const struct spawn_template_create_args *args)
{
	char first;

	if (args->flags & ~(__u64)(SPAWN_TEMPLATE_CREATE_CLOEXEC |
				   SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN))
		return EINVAL;
	if (args->__reserved || args->actions || args->actions_len)
		return EINVAL;
	if (args->filename) {
		if (args->execfd != SPAWN_TEMPLATE_NO_EXECFD)
			return EINVAL;
		/* path-created templates revalidate the path: it must not
		 * depend on the cwd */
		if (st_read_user(&first, args->filename, 1))
			return EFAULT;
		if (first != '/')
			return EINVAL;
	} else if (args->execfd < 0) {
		return EINVAL;
	}
	return 0;
}
