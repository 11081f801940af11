/* dupfd.c - spawn_template_dupfd(): move a template to another fd number.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An extension, not in the RFC.  The kernel's template fd is a file like
 * any other, so fcntl(F_DUPFD) copies it.  The userspace backend knows its
 * templates by fd number (registry.c), so the copy must be registered too:
 * with the same identity key, path and creator's credentials.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The copy is the same template, as a dup of the kernel's fd is: it
 * keeps the creator's credentials, and like fcntl(F_DUPFD) on the kernel
 * backend, duplicating asks nothing of the caller's (each spawn does). */
static int userspace_dupfd(int template_fd, int newfd)
{
	struct stat st;
	int oflags;

	if (fstat(template_fd, &st) < 0 ||
	    (oflags = fcntl(template_fd, F_GETFL)) < 0)
		return errno;
	return st_registry_dup(template_fd, &st, oflags, newfd);
}

/* The kernel's template fd is an anonymous inode named [spawn_template]
 * (our reference kernel; the RFC's is the same). */
static int kernel_is_template(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? EBADF : errno;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[spawn_template]") == 0 ? 0 : EINVAL;
}

int spawn_template_dupfd(int template_fd, int minfd, int cloexec)
{
	enum spawn_template_backend b = st_backend();
	int fd, err;

	if (b == SPAWN_TEMPLATE_BACKEND_NONE) {
		errno = ENOSYS;
		return -1;
	}
	if (b == SPAWN_TEMPLATE_BACKEND_KERNEL &&
	    (err = template_fd < 0 ? EBADF : kernel_is_template(template_fd))) {
		errno = err;
		return -1;
	}
	fd = fcntl(template_fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, minfd);
	if (fd < 0 || b == SPAWN_TEMPLATE_BACKEND_KERNEL)
		return fd;
	err = userspace_dupfd(template_fd, fd);
	if (err) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
