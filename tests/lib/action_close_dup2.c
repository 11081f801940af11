/* action_close_dup2.c - the CLOSE and DUP2 actions.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The children keep their fds (INHERIT_FDS) so that what the actions did
 * is what childview lists.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static char dir[PATH_MAX];
static int tfd = -1;

/* A file in the test's directory, opened (inheritable) at fd number at. */
static int marker_at(const char *name, int at, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0);
	if (at >= 0 && fd != at) {
		REQUIRE(dup2(fd, at) == at);
		close(fd);
		fd = at;
	}
	return fd;
}

static bool setup(void)
{
	make_tempdir(dir);
	tfd = TEMPLATE_FOR(childview_path());
	return tfd >= 0;
}

/* Runs childview with INHERIT_FDS and these actions. */
static void run_with(const struct spawn_template_action *acts, size_t n,
		     struct run *r)
{
	struct run_opts o = {
		.flags = SPAWN_TEMPLATE_SPAWN_INHERIT_FDS,
		.actions = acts,
		.nactions = n,
	};

	REQUIRE(run_child(tfd, &o, r) == 0);
}

/* Runs with X_ERRNO appended when supported; checks the exit status and
 * (when it can) the errno. */
static void check_child_fails(const struct spawn_template_action *acts,
			      size_t n, int status, int err)
{
	struct spawn_template_action all[8];
	struct run r;
	int got = -1;

	REQUIRE(n < 7);
	if (n)
		memcpy(all, acts, n * sizeof(*acts));
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		all[n++] = act_errno(&got);
	run_with(all, n, &r);
	CHECK_EQ(r.code, CLD_EXITED);
	CHECK_EQ(r.status, status);
	CHECK(!view_complete(&r.view));	/* exec never happened */
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		CHECK_EQ(got, err);
	run_free(&r);
}

static void test_close(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_action close_it;
	struct run r;
	int fd;

	if (!setup())
		return;
	fd = marker_at("m", 40, path, sizeof(path));
	/* Without the action the child has it... */
	run_with(NULL, 0, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_fd(&r.view, fd), path);
	run_free(&r);
	/* ...with it, not. */
	close_it = act_close(fd);
	run_with(&close_it, 1, &r);
	CHECK_EXITED(&r, 0);
	CHECK(view_complete(&r.view));
	CHECK(view_fd(&r.view, fd) == NULL);
	run_free(&r);
	/* The caller's fd is untouched. */
	CHECK(fcntl(fd, F_GETFD) >= 0);
	remove_tree(dir);
}

static void test_close_of_closed_fd_fails_child(void)
{
	struct spawn_template_action a = act_close(45);

	if (!setup())
		return;
	close(45);
	check_child_fails(&a, 1, 1, EBADF);
	remove_tree(dir);
}

static void test_dup2(void)
{
	char path[PATH_MAX + 16], path2[PATH_MAX + 16];
	struct spawn_template_action acts[2];
	struct run r;
	int fd, fd2;

	if (!setup())
		return;
	fd = marker_at("m", -1, path, sizeof(path));
	fd2 = marker_at("m2", -1, path2, sizeof(path2));

	acts[0] = act_dup2(fd, 50, 0);
	run_with(acts, 1, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_fd(&r.view, 50), path);
	CHECK_STREQ(view_fd(&r.view, fd), path);	/* dup, not move */
	run_free(&r);

	/* Over an open fd, and in order: the second one wins. */
	acts[0] = act_dup2(fd, 0, 0);
	acts[1] = act_dup2(fd2, 0, 0);
	run_with(acts, 2, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_fd(&r.view, 0), path2);
	run_free(&r);

	/* The caller's fd 50 is not touched by the child's dup2. */
	CHECK(fcntl(50, F_GETFD) < 0 && errno == EBADF);
	remove_tree(dir);
}

static void test_dup2_cloexec(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_action acts[2];
	struct run r;
	int fd;

	if (!setup())
		return;
	fd = marker_at("m", -1, path, sizeof(path));
	/* 51 is close-on-exec: gone after exec.  dup2'ing it on to 52
	 * proves it existed before exec. */
	acts[0] = act_dup2(fd, 51, O_CLOEXEC);
	acts[1] = act_dup2(51, 52, 0);
	run_with(acts, 2, &r);
	CHECK_EXITED(&r, 0);
	CHECK(view_complete(&r.view));
	CHECK(view_fd(&r.view, 51) == NULL);
	CHECK_STREQ(view_fd(&r.view, 52), path);
	run_free(&r);

	/* dup3 clears the flag the source had. */
	REQUIRE(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0);
	acts[0] = act_dup2(fd, 53, 0);
	run_with(acts, 1, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_fd(&r.view, 53), path);
	CHECK(view_fd(&r.view, fd) == NULL);
	run_free(&r);
	remove_tree(dir);
}

static void test_dup2_same_fd_only_checks(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_action a;
	struct run r;
	int fd;

	if (!setup())
		return;
	fd = marker_at("m", 54, path, sizeof(path));
	a = act_dup2(fd, fd, 0);
	run_with(&a, 1, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_fd(&r.view, fd), path);
	run_free(&r);

	/* It only checks: a close-on-exec fd stays close-on-exec. */
	REQUIRE(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0);
	run_with(&a, 1, &r);
	CHECK_EXITED(&r, 0);
	CHECK(view_complete(&r.view));
	CHECK(view_fd(&r.view, fd) == NULL);
	run_free(&r);

	/* A closed fd fails the child with EBADF. */
	close(fd);
	check_child_fails(&a, 1, 1, EBADF);
	remove_tree(dir);
}

static void test_dup2_errors_fail_child(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_action a;
	int fd;

	if (!setup())
		return;
	close(46);
	a = act_dup2(46, 47, 0);		/* closed source */
	check_child_fails(&a, 1, 1, EBADF);
	fd = marker_at("m", -1, path, sizeof(path));
	a = act_dup2(fd, 1 << 24, 0);		/* beyond RLIMIT_NOFILE */
	check_child_fails(&a, 1, 1, EBADF);
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_close),
	CHECK_TEST(test_close_of_closed_fd_fails_child),
	CHECK_TEST(test_dup2),
	CHECK_TEST(test_dup2_cloexec),
	CHECK_TEST(test_dup2_same_fd_only_checks),
	CHECK_TEST(test_dup2_errors_fail_child),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
