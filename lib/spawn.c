/* spawn.c - spawn_template_spawn(): validate, revalidate, dispatch.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The userspace checks run in our reference kernel's order (kernel/), so a
 * call with several faults gets the errno the kernel backend would give:
 *   struct size (EINVAL, E2BIG) -> template fd (EBADF, EINVAL) ->
 *   struct copy (E2BIG, EFAULT) -> flags, pidfd, reserved (EINVAL) ->
 *   actions (E2BIG, EINVAL, EFAULT) -> credentials (EACCES) ->
 *   identity (ESTALE) -> X_ERRNO slots writable (EFAULT) -> clone, which
 *   fails with EFAULT on a bad pidfd slot, as the kernel's does.  The identity is checked once more
 *   in the child, on the file it execs (child.c).
 * (The RFC's own code checks the credentials right after the fd.)
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Is the executable still the one the template pinned?  The pinned inode
 * must be unchanged, and a path-created template's path must still name
 * it: a rename over the path, an unlink, an in-place rewrite all give
 * ESTALE. */
static int revalidate(const struct st_template_info *t, const struct stat *now)
{
	struct st_identity id;
	struct stat pst;

	st_identity_from_stat(&id, now);
	if (!st_identity_equal(&id, &t->id))
		return ESTALE;
	if (t->has_path) {
		if (stat(t->path, &pst))
			return ESTALE;
		st_identity_from_stat(&id, &pst);
		if (!st_identity_equal(&id, &t->id))
			return ESTALE;
	}
	return 0;
}

/* Every X_ERRNO slot is written after the child has run: a bad one must
 * be EFAULT now, before any child exists.  The pidfd slot needs no probe:
 * clone itself stores the pidfd there (CLONE_PIDFD), and copy_process()
 * fails with EFAULT before the child exists, as the kernel backend does.
 * So an X_ERRNO int wholly inside the pidfd slot's page needs no probe
 * either: protection is per page, and if that page cannot be written the
 * clone fails with EFAULT, no child made; if it can, so can the slot. */
static int check_out_pointers(const struct st_op *ops, size_t nops,
			      __u64 pidfd)
{
	const __u64 page = (__u64)sysconf(_SC_PAGESIZE);
	__u64 addrs[SPAWN_TEMPLATE_MAX_ACTIONS];
	size_t n = 0;

	for (size_t i = 0; i < nops; i++) {
		__u64 a = ops[i].act.arg;

		if (ops[i].act.type != SPAWN_TEMPLATE_ACTION_X_ERRNO)
			continue;
		if (pidfd && page > 1 && a / page == pidfd / page &&
		    (a + sizeof(int) - 1) / page == pidfd / page)
			continue;
		addrs[n++] = a;
	}
	return st_check_out_ints(addrs, n);
}

pid_t st_userspace_spawn_checked(int template_fd,
				 const struct spawn_template_spawn_args *uargs,
				 size_t size)
{
	struct spawn_template_spawn_args args;
	struct st_read_ahead ahead;
	struct st_op small[32], *ops = small;
	struct st_template_info tmpl;
	struct st_creds now;
	gid_t groups[64];
	struct stat st;
	int err, oflags;
	pid_t pid;

	err = st_check_struct_size(size, SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0);
	if (err)
		goto fail;
	if (fstat(template_fd, &st) || (oflags = fcntl(template_fd, F_GETFL)) < 0) {
		err = errno;
		goto fail;
	}
	err = st_creds_current(&now, groups, sizeof(groups) / sizeof(groups[0]));
	if (err)
		goto fail;
	err = st_registry_lookup(template_fd, &st, oflags, &now, &tmpl);
	st_creds_release(&now, groups);
	if (err)
		goto fail;

	err = st_copy_struct_ahead(&args, sizeof(args), uargs, size, &ahead);
	if (!err)
		err = st_check_spawn_args(&args);
	if (err)
		goto fail;
	/* Most spawns have a few actions: no allocation for them. */
	if (args.actions_len > sizeof(small) / sizeof(small[0]) &&
	    args.actions_len <= SPAWN_TEMPLATE_MAX_ACTIONS) {
		ops = malloc(args.actions_len * sizeof(*ops));
		if (!ops) {
			err = ENOMEM;
			goto fail;
		}
	}
	err = st_prepare_actions(ops, &args, &ahead);
	if (!err && !tmpl.creds_match)
		err = EACCES;
	if (!err)
		err = revalidate(&tmpl, &st);
	if (!err)
		err = check_out_pointers(ops, (size_t)args.actions_len,
					 args.pidfd);
	if (err)
		goto fail;

	pid = st_userspace_spawn(template_fd, &tmpl, &args, ops,
				 (size_t)args.actions_len);
	if (ops != small)
		free(ops);	/* keeps errno: free() does not touch it */
	return pid;
fail:
	if (ops != small)
		free(ops);
	errno = err;
	return -1;
}

pid_t spawn_template_spawn(int template_fd,
			   const struct spawn_template_spawn_args *args,
			   size_t size)
{
	switch (st_backend()) {
	case SPAWN_TEMPLATE_BACKEND_KERNEL:
		return st_kernel_spawn(template_fd, args, size);
	case SPAWN_TEMPLATE_BACKEND_CLONE3:
	case SPAWN_TEMPLATE_BACKEND_CLONE:
		return st_userspace_spawn_checked(template_fd, args, size);
	default:
		errno = ENOSYS;
		return -1;
	}
}
