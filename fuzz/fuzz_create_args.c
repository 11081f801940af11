/* fuzz_create_args.c - libFuzzer target: spawn_template_create().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Arbitrary bytes become the struct size, the struct, and either a
 * fixture path (an ELF, a script, an empty file, a directory, a file
 * without x, a symlink, a missing name), an arbitrary string, or an
 * execfd (of those fixtures, a closed number, a raw int).  Creating
 * touches no child and reads at most an ELF header of a regular file (the
 * file is opened O_PATH first, so FIFOs and devices never block).  It
 * must not crash, must only fail with errnos spawn_template_create(3)
 * documents (its own, and those of open()/fstat() for a filename), and
 * must leave no fd behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawntemplate.h"

#define NFIX 7
static char fixture[NFIX][64];
static int fixfd[NFIX];

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	chmod(path, mode);
}

static void setup(void)
{
	char dir[] = "/tmp/fuzz-create-XXXXXX";
	static const char *names[NFIX] = {
		"elf", "script", "empty", "dir", "noexec", "link", "missing",
	};

	if (!mkdtemp(dir))
		abort();
	for (int i = 0; i < NFIX; i++)
		snprintf(fixture[i], sizeof(fixture[i]), "%s/%s", dir, names[i]);
	if (symlink("/proc/self/exe", fixture[0]) == 0) {
		/* a real copy: the symlink target changes per process */
		char buf[65536];
		int in = open("/proc/self/exe", O_RDONLY), out;
		ssize_t n;

		unlink(fixture[0]);
		out = open(fixture[0], O_WRONLY | O_CREAT, 0755);
		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				abort();
		close(in);
		close(out);
	}
	put(fixture[1], "#!/bin/sh\n", 0755);
	put(fixture[2], "", 0755);
	mkdir(fixture[3], 0755);
	put(fixture[4], "\177ELF", 0644);
	if (symlink(fixture[0], fixture[5]))
		abort();
	for (int i = 0; i < NFIX; i++)
		fixfd[i] = open(fixture[i], O_PATH | O_CLOEXEC);
}

static int allowed(int err)
{
	switch (err) {
	case EINVAL: case E2BIG: case ENOEXEC: case EACCES: case EBADF:
	case ENOMEM: case ENOSYS:
	/* open()/fstat() of a filename */
	case ENOENT: case ENOTDIR: case ELOOP: case ENAMETOOLONG: case EPERM:
	case ENXIO: case ENODEV: case EMFILE: case ENFILE: case EOVERFLOW:
	case ESTALE: case EIO:
		return 1;
	}
	return 0;
}

static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds_before;
	struct spawn_template_create_args *a;
	unsigned char *buf;
	char str[512];
	size_t usize, i = 0;
	unsigned mode;
	int fd;

	if (!fixfd[0] && !fixture[0][0])
		setup();
	if (size < 3)
		return 0;
	mode = data[i++];
	usize = ((size_t)data[i] << 8 | data[i + 1]) % 4200;
	i += 2;
	buf = calloc(1, usize + sizeof(*a));
	if (!buf)
		return 0;
	for (size_t k = 0; k < usize && i < size; k++)
		buf[k] = data[i++];
	a = (struct spawn_template_create_args *)buf;

	switch (mode % 4) {
	case 0:		/* a fixture by path */
		a->filename = (uintptr_t)fixture[(mode >> 2) % NFIX];
		break;
	case 1: {	/* the rest of the input as a string */
		size_t len = size - i < sizeof(str) - 1 ? size - i : sizeof(str) - 1;

		memcpy(str, data + i, len);
		str[len] = '\0';
		a->filename = (uintptr_t)str;
		break;
	}
	case 2:		/* a fixture's fd, or a dead/raw number */
		a->filename = 0;
		a->execfd = (mode >> 2) % 9 < NFIX ? fixfd[(mode >> 2) % 9] :
			    (mode >> 2) % 9 == NFIX ? 999 : a->execfd;
		break;
	default:	/* raw: filename must then be 0 or valid */
		if (a->filename)
			a->filename = (uintptr_t)fixture[0];
		break;
	}

	/* Counted around the call only: libFuzzer's own symbolizer pipes
	 * come and go between calls. */
	fds_before = count_fds();
	errno = 0;
	fd = spawn_template_create(a, usize);
	if (fd >= 0) {
		close(fd);
	} else if (!allowed(errno)) {
		fprintf(stderr, "fuzz_create_args: undocumented errno %d (%s)\n",
			errno, strerror(errno));
		abort();
	}
	free(buf);
	if (count_fds() != fds_before) {
		fprintf(stderr, "fuzz_create_args: fd count %d -> %d\n",
			fds_before, count_fds());
		abort();
	}
	return 0;
}
