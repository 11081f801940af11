/* create.c - spawn_template_create(): pin an ELF executable.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The userspace template is an O_PATH fd to the executable itself, plus a
 * registry entry holding what the kernel's template object would: the
 * identity key at creation, the path of a path-created template (for an
 * execfd-created one, the file's path at creation), the creator's
 * credentials.  The child execs by that path, as execve(path) would, so the
 * kernel names it as it names any other process (comm, AT_EXECFN): an exec
 * through the fd would be named "/dev/fd/N", and before Linux 6.14 its comm
 * would be "N".  The child checks the identity key on the path right before
 * it execs (child.c).
 *
 * Unlike the kernel, userspace cannot deny writes to the inode while the
 * template lives; an in-place rewrite is caught at the next spawn by the
 * identity check (ESTALE) instead of failing the writer with ETXTBSY.
 * SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN, which asks for exactly that, is
 * therefore a no-op here.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_faccessat2
# define SYS_faccessat2 439
#endif

/* "/proc/self/fd/" + an int */
#define PROC_FD_LEN 32

static void proc_fd_path(char *buf, int fd)
{
	snprintf(buf, PROC_FD_LEN, "/proc/self/fd/%d", fd);
}

/* Our own O_PATH fd for the caller's execfd, so the template does not
 * depend on the caller keeping execfd open. */
static int reopen_execfd(int execfd, int cloexec)
{
	char proc[PROC_FD_LEN];
	int fd;

	if (fcntl(execfd, F_GETFD) < 0)
		return -1;				/* EBADF */
	proc_fd_path(proc, execfd);
	fd = open(proc, O_PATH | cloexec);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	/* No /proc: share execfd's open file instead. */
	return fcntl(execfd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
}

/* The mode bits, as exec reads them, when faccessat2 is missing (Linux
 * before 5.8); ACLs are not seen here, exec still has the last word. */
static bool mode_allows_exec(const struct stat *st)
{
	uid_t euid = geteuid();
	gid_t egid = getegid();
	gid_t groups[256];
	int n;

	if (euid == 0)
		return st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH);
	if (euid == st->st_uid)
		return st->st_mode & S_IXUSR;
	if (egid == st->st_gid)
		return st->st_mode & S_IXGRP;
	n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == st->st_gid)
			return st->st_mode & S_IXGRP;
	return st->st_mode & S_IXOTH;
}

/* Regular file, exec permission for our effective ids, not on a noexec
 * mount: 0 or EACCES (or the errno of a failing check). */
/* faccessat2(X_OK) refuses a regular file on a noexec mount itself
 * (do_faccessat: path_noexec), so fstatfs is needed only without it. */
static int check_executable(int fd, const struct stat *st)
{
	struct statfs sfs;

	if (!S_ISREG(st->st_mode))
		return EACCES;
	if (syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return errno;
	if (fstatfs(fd, &sfs))
		return errno;
	if (sfs.f_flags & ST_NOEXEC)
		return EACCES;
	return mode_allows_exec(st) ? 0 : EACCES;
}

/* Read the ELF header through a readable fd on the same inode as the
 * O_PATH fd.  An execute-only file (exec permission, no read permission)
 * cannot be read by us, though the kernel can: we accept it unchecked, as
 * exec works for it (and the kernel backend accepts it).  Were it not ELF,
 * the child's exec fails (ENOEXEC: exit status 126) or an interpreter that
 * cannot read the script fails, as it would for the caller's own exec. */
static int check_elf(int fd, const struct stat *st, const char *path)
{
	char proc[PROC_FD_LEN];
	struct stat rst;
	int rfd, err;

	proc_fd_path(proc, fd);
	rfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (rfd < 0 && errno == ENOENT && path) {
		/* No /proc: the path, if it still names our inode. */
		rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (rfd >= 0 && (fstat(rfd, &rst) ||
				 rst.st_dev != st->st_dev ||
				 rst.st_ino != st->st_ino)) {
			close(rfd);
			return ESTALE;
		}
	}
	if (rfd < 0)
		return errno == EACCES ? 0 : errno;
	err = st_elf_check(rfd);
	close(rfd);
	return err;
}

/* An execfd-created template's name: the file's path now, as our
 * reference kernel names it (d_path).  The child execs by it only while it
 * still names the pinned file, else through the fd.  *name stays NULL when
 * there is no path to be had (no /proc, an unreachable file). */
static int execfd_name(int fd, char **name)
{
	char proc[PROC_FD_LEN], buf[4096];	/* PATH_MAX */
	ssize_t n;

	proc_fd_path(proc, fd);
	n = readlink(proc, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return 0;
	buf[n] = '\0';
	*name = strdup(buf);
	return *name ? 0 : ENOMEM;
}

int st_userspace_create(const struct spawn_template_create_args *uargs,
			size_t size)
{
	struct spawn_template_create_args args;
	int cloexec, fd = -1, err, oflags;
	char *path = NULL;
	struct st_identity id;
	struct st_creds creds = { 0 };
	gid_t groups[64];
	struct stat st;

	err = st_check_struct_size(size, SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0);
	if (!err)
		err = st_copy_struct(&args, sizeof(args), uargs, size);
	if (!err)
		err = st_check_create_args(&args);
	if (err)
		goto fail;
	cloexec = args.flags & SPAWN_TEMPLATE_CREATE_CLOEXEC ? O_CLOEXEC : 0;

	if (args.filename) {
		path = strdup(ST_PTR(args.filename));
		if (!path) {
			err = ENOMEM;
			goto fail;
		}
		fd = open(path, O_PATH | cloexec);
	} else {
		fd = reopen_execfd(args.execfd, cloexec);
	}
	if (fd < 0 || fstat(fd, &st)) {
		err = errno;
		goto fail;
	}

	err = check_executable(fd, &st);
	if (!err)
		err = check_elf(fd, &st, path);
	if (!err && !args.filename)
		err = execfd_name(fd, &path);
	if (!err)
		err = st_creds_current(&creds, groups, sizeof(groups) / sizeof(groups[0]));
	if (!err)
		err = st_creds_detach(&creds, groups);
	if (err)
		goto fail;

	oflags = fcntl(fd, F_GETFL);
	if (oflags < 0) {
		err = errno;
		goto fail;
	}
	st_identity_from_stat(&id, &st);
	err = st_registry_add(fd, &id, oflags, path, args.filename != 0,
			      &creds);
	if (err)
		goto fail;
	return fd;

fail:
	if (creds.groups != groups)
		free(creds.groups);
	free(path);
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

int spawn_template_create(const struct spawn_template_create_args *args,
			  size_t size)
{
	switch (st_backend()) {
	case SPAWN_TEMPLATE_BACKEND_KERNEL:
		return st_kernel_create(args, size);
	case SPAWN_TEMPLATE_BACKEND_CLONE3:
	case SPAWN_TEMPLATE_BACKEND_CLONE:
		return st_userspace_create(args, size);
	default:
		errno = ENOSYS;
		return -1;
	}
}
