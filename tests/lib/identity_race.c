/* identity_race.c - what runs is what the template pinned, even when
 * another thread swaps the template fd's number during the spawn.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A racing thread dup3()s another executable (/bin/true) over the template
 * fd and the template back, over and over, while the main thread spawns.
 * Each spawn may be refused (EINVAL, or EBADF from the kernel: the number
 * named no template when the library looked) or may fail in the child (ESTALE through X_ERRNO: the
 * file was not the pinned one where the exec happens), but the child must
 * never run /bin/true.  A check made only in the parent, before clone,
 * lets the swap land between the check and the exec.
 *
 * Three templates: by path, by execfd (named after its file's path), and by
 * an execfd with no path to its file (a memfd: the child execs through
 * the fd, so the check on the fd is what stands in the way).
 *
 * Bounded: until CHILDREN children ran (a refused call costs microseconds,
 * a child a millisecond) or ATTEMPTS calls were made, stopping at the
 * first wrong child; the racing thread stops when the spawns are done.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define CHILDREN scaled_rounds(2000)	/* TC_LIB_ROUNDS: fewer in CI's VM */
#define ATTEMPTS 1000000
#define PINNED_STATUS 3		/* childview -x 3; /bin/true exits 0 */

static int tfd = -1, pinned_copy = -1, other = -1;
static int stop;

static void *swapper(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
		dup3(other, tfd, O_CLOEXEC);
		dup3(pinned_copy, tfd, O_CLOEXEC);
	}
	return NULL;
}

enum how { BY_PATH, BY_FD, BY_MEMFD };
static const char *const how_name[] = { "path", "execfd", "memfd" };

/* A memfd holding a copy of childview, or -1 (no memfd, or one that may
 * not be executed here). */
static int childview_memfd(void)
{
	int fd = memfd_create("pinned", MFD_CLOEXEC), in;
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return -1;
	in = open(childview_path(), O_RDONLY | O_CLOEXEC);
	REQUIRE(in >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		REQUIRE(write(fd, buf, (size_t)n) == n);
	REQUIRE(n == 0);
	close(in);
	if (fchmod(fd, 0755) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void race(enum how how)
{
	static const char *const args[] = { "-q", "-x", "3", NULL };
	char dir[PATH_MAX], exe[PATH_MAX + 16];
	int refused = 0, stale = 0, right = 0, wrong = 0, other_err = 0;
	size_t xerrno;
	pthread_t t;

	other = open("/bin/true", O_PATH | O_CLOEXEC);
	if (other < 0)
		SKIP("no /bin/true");
	make_tempdir(dir);
	snprintf(exe, sizeof(exe), "%s/pinned", dir);
	copy_file(childview_path(), exe, 0755);
	if (how != BY_PATH) {
		int fd = how == BY_FD ? open(exe, O_RDONLY | O_CLOEXEC) :
			 childview_memfd();

		if (fd < 0)
			SKIP("no executable memfd");
		tfd = create_template(NULL, fd, SPAWN_TEMPLATE_CREATE_CLOEXEC);
		close(fd);
		if (tfd < 0 && how == BY_MEMFD)
			SKIP("no template for a memfd: %m");
	} else {
		tfd = create_template(exe, SPAWN_TEMPLATE_NO_EXECFD,
				      SPAWN_TEMPLATE_CREATE_CLOEXEC);
	}
	REQUIRE(tfd >= 0);
	/* The same open file: the registry knows it again at tfd. */
	pinned_copy = fcntl(tfd, F_DUPFD_CLOEXEC, 0);
	REQUIRE(pinned_copy >= 0);

	xerrno = extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO);
	__atomic_store_n(&stop, 0, __ATOMIC_SEQ_CST);
	REQUIRE(pthread_create(&t, NULL, swapper, NULL) == 0);
	for (int i = 0; i < ATTEMPTS && !wrong &&
			right + stale + other_err < CHILDREN; i++) {
		/* Without X_ERRNO the child's status alone tells (the
		 * kernel makes no identity check in its child). */
		int child_errno = 0;
		struct spawn_template_action act = act_errno(&child_errno);
		struct run_opts o = { .args = args, .raw = true,
				      .actions = &act, .nactions = xerrno };
		struct run r;

		if (run_child(tfd, &o, &r) != 0) {
			/* the number named no template (the kernel does not
			 * count an O_PATH fd as open: EBADF) */
			if (errno == EINVAL || errno == EBADF)
				refused++;
			else
				other_err++;
			continue;
		}
		if (child_errno == ESTALE && run_exited(&r, 1))
			stale++;
		else if (child_errno == 0 && run_exited(&r, PINNED_STATUS))
			right++;
		else if (child_errno == 0 && run_exited(&r, 0))
			wrong++;
		else
			other_err++;
		run_free(&r);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	REQUIRE(pthread_join(t, NULL) == 0);
	printf("# %s template: %d right, %d refused, %d stale in the child, "
	       "%d other errors, %d ran the swapped-in file\n",
	       how_name[how], right, refused, stale, other_err,
	       wrong);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(other_err, 0);
	CHECK(right > 0);
	CHECK(no_child_exists());
	close(tfd);
	close(pinned_copy);
	close(other);
	remove_tree(dir);
}

static void test_path_template_runs_the_pinned_file(void)
{
	race(BY_PATH);
}

static void test_execfd_template_runs_the_pinned_file(void)
{
	race(BY_FD);
}

static void test_memfd_template_runs_the_pinned_file(void)
{
	race(BY_MEMFD);
}

static const struct check_test tests[] = {
	CHECK_TEST_TIMEOUT(test_path_template_runs_the_pinned_file, 600),
	CHECK_TEST_TIMEOUT(test_execfd_template_runs_the_pinned_file, 600),
	CHECK_TEST_TIMEOUT(test_memfd_template_runs_the_pinned_file, 600),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
