/* template_fds.c - the template fd as an fd: what create and spawn add to
 * the fd table, spawn_template_dupfd(), dup(), fd numbers reused, fork.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static const char *const quiet_argv[] = { "childview", "-q", NULL };

static struct spawn_template_spawn_args quiet_args(int *pidfd)
{
	return (struct spawn_template_spawn_args){
		.pidfd = PTR(pidfd),
		.argv = PTR(quiet_argv),
		.envp = PTR(quiet_argv + 2),
	};
}

/* Spawns "childview -q" from tfd: 0 when it ran and exited 0, else -1
 * with the spawn's errno. */
static int spawn_quiet(int tfd)
{
	int pidfd = -1;
	struct spawn_template_spawn_args a = quiet_args(&pidfd);
	siginfo_t info;
	pid_t pid;

	pid = spawn_template_spawn(tfd, &a, sizeof(a));
	if (pid < 0)
		return -1;
	REQUIRE(waitid_pidfd(pidfd, &info, WEXITED) == 0);
	close(pidfd);
	CHECK_EQ(info.si_pid, pid);
	return info.si_code == CLD_EXITED && info.si_status == 0 ? 0 : -1;
}

/* The fd table grows by exactly the fd the caller gets: no hidden fd the
 * application could clobber with dup2 or leak into INHERIT_FDS children. */
static void test_create_and_spawn_add_one_fd_each(void)
{
	struct fdset before, after;
	int pidfd = -1, tfd;
	struct spawn_template_spawn_args a = quiet_args(&pidfd);
	siginfo_t info;
	pid_t pid;

	fdset_self(&before);
	CHECK_OK(tfd = create_template(childview_path(),
				       SPAWN_TEMPLATE_NO_EXECFD, 0));
	if (tfd < 0)
		return;
	fdset_self(&after);
	CHECK_EQ(after.n, before.n + 1);
	CHECK(fdset_has(&after, tfd) && !fdset_has(&before, tfd));

	fdset_self(&before);
	CHECK_OK(pid = spawn_template_spawn(tfd, &a, sizeof(a)));
	fdset_self(&after);
	CHECK_EQ(after.n, before.n + 1);
	CHECK(fdset_has(&after, pidfd) && !fdset_has(&before, pidfd));
	CHECK_OK(waitid_pidfd(pidfd, &info, WEXITED));
	close(pidfd);
	close(tfd);
}

static void test_dupfd(void)
{
	int tfd = TEMPLATE_FOR(childview_path());
	int d1, d2;

	if (tfd < 0)
		return;
	CHECK_OK(d1 = spawn_template_dupfd(tfd, 100, 0));
	CHECK(d1 >= 100);
	CHECK_EQ(fcntl(d1, F_GETFD) & FD_CLOEXEC, 0);
	CHECK_OK(d2 = spawn_template_dupfd(tfd, 100, 1));
	CHECK(d2 >= 100 && d2 != d1);
	CHECK_EQ(fcntl(d2, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	CHECK_EQ(spawn_quiet(d1), 0);
	/* Each copy stands alone. */
	close(tfd);
	CHECK_EQ(spawn_quiet(d1), 0);
	CHECK_EQ(spawn_quiet(d2), 0);
	close(d1);
	CHECK_EQ(spawn_quiet(d2), 0);
	/* A copy of a copy. */
	CHECK_OK(d1 = spawn_template_dupfd(d2, 0, 1));
	close(d2);
	CHECK_EQ(spawn_quiet(d1), 0);
	close(d1);
}

/* Template fds far above the usual numbers. */
static void test_high_fd_numbers(void)
{
	struct rlimit rl;
	int tfd = TEMPLATE_FOR(childview_path());
	int hi;

	if (tfd < 0)
		return;
	REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
		rl.rlim_cur = 4096;
		REQUIRE(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	CHECK_OK(hi = spawn_template_dupfd(tfd, (int)rl.rlim_cur - 10, 1));
	if (hi < 0)
		return;
	CHECK(hi >= (int)rl.rlim_cur - 10);
	close(tfd);
	CHECK_EQ(spawn_quiet(hi), 0);
	close(hi);
}

static void test_dupfd_errors(void)
{
	int tfd = TEMPLATE_FOR(childview_path());
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int before;

	REQUIRE(null >= 0 && closed >= 0);
	close(closed);
	if (tfd < 0)
		return;
	before = fd_count();
	CHECK_ERRNO(spawn_template_dupfd(null, 0, 1), EINVAL);
	CHECK_ERRNO(spawn_template_dupfd(closed, 0, 1), EBADF);
	CHECK_ERRNO(spawn_template_dupfd(-1, 0, 1), EBADF);
	CHECK_ERRNO(spawn_template_dupfd(tfd, -1, 1), EINVAL);
	CHECK_ERRNO(spawn_template_dupfd(tfd, 1 << 24, 1), EINVAL);
	CHECK_EQ(fd_count(), before);
	close(null);
	close(tfd);
}

/* "A plain dup() of a template fd is a template under the kernel backend
 * only." */
static void test_plain_dup(void)
{
	int tfd = TEMPLATE_FOR(childview_path());
	int pidfd = -1, d;
	struct spawn_template_spawn_args a = quiet_args(&pidfd);

	if (tfd < 0)
		return;
	d = fcntl(tfd, F_DUPFD_CLOEXEC, 0);
	REQUIRE(d >= 0);
	if (check_backend_is_kernel())
		CHECK_EQ(spawn_quiet(d), 0);
	else
		CHECK_SPAWN_FAILS(d, &a, sizeof(a), EINVAL);
	/* The original is unaffected either way. */
	CHECK_EQ(spawn_quiet(tfd), 0);
	close(d);
	close(tfd);
}

/* A closed template's number, reused for something else, is not a
 * template -- even when it is the same executable. */
static void test_reused_number_is_not_a_template(void)
{
	int pidfd = -1, tfd, fd;
	struct spawn_template_spawn_args a = quiet_args(&pidfd);

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	close(tfd);
	fd = open(childview_path(), O_RDONLY | O_CLOEXEC);
	REQUIRE(fd == tfd);
	CHECK_SPAWN_FAILS(fd, &a, sizeof(a), EINVAL);
	close(fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	REQUIRE(fd == tfd);
	CHECK_SPAWN_FAILS(fd, &a, sizeof(a), EINVAL);
	close(fd);

	/* The caller dup2()s over a live template. */
	tfd = TEMPLATE_FOR(childview_path());
	fd = open(childview_path(), O_RDONLY | O_CLOEXEC);
	REQUIRE(tfd >= 0 && fd >= 0);
	REQUIRE(dup3(fd, tfd, O_CLOEXEC) == tfd);
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EINVAL);
	close(fd);
	close(tfd);
}

/* The same number, a new template for another executable: the new one
 * runs. */
static void test_reused_number_runs_the_new_template(void)
{
	char dir[PATH_MAX], copy[PATH_MAX + 16];
	const char *args[] = { NULL };
	struct run_opts o = { .args = args };
	struct run r;
	int t1, t2;

	make_tempdir(dir);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	copy_file(childview_path(), copy, 0755);
	t1 = TEMPLATE_FOR(childview_path());
	if (t1 < 0)
		return;
	REQUIRE(run_child(t1, &o, &r) == 0);
	CHECK_STREQ(view_get(&r.view, "exe"), childview_path());
	run_free(&r);
	close(t1);
	t2 = TEMPLATE_FOR(copy);
	if (t2 < 0)
		return;
	REQUIRE(t2 == t1);
	REQUIRE(run_child(t2, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_get(&r.view, "exe"), copy);
	run_free(&r);
	close(t2);
	remove_tree(dir);
}

/* A forked child has the same credentials and the same fd: its copy of
 * the template works, and the parent's keeps working. */
static void test_template_across_fork(void)
{
	int tfd = TEMPLATE_FOR(childview_path());
	pid_t pid;
	int st;

	if (tfd < 0)
		return;
	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int rc = spawn_quiet(tfd);

		close(tfd);
		_exit(rc == 0 ? 0 : 1);
	}
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(spawn_quiet(tfd), 0);
	close(tfd);
}

static void test_many_templates_at_once(void)
{
	int fds[64];

	for (int i = 0; i < 64; i++)
		CHECK_OK(fds[i] = create_template(childview_path(),
			SPAWN_TEMPLATE_NO_EXECFD, SPAWN_TEMPLATE_CREATE_CLOEXEC));
	for (int i = 0; i < 64; i += 7)
		if (fds[i] >= 0)
			CHECK_EQ(spawn_quiet(fds[i]), 0);
	/* Close every other one; the rest still work. */
	for (int i = 0; i < 64; i += 2)
		close(fds[i]);
	for (int i = 1; i < 64; i += 6)
		if (fds[i] >= 0)
			CHECK_EQ(spawn_quiet(fds[i]), 0);
	for (int i = 1; i < 64; i += 2)
		close(fds[i]);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_create_and_spawn_add_one_fd_each),
	CHECK_TEST(test_dupfd),
	CHECK_TEST(test_high_fd_numbers),
	CHECK_TEST(test_dupfd_errors),
	CHECK_TEST(test_plain_dup),
	CHECK_TEST(test_reused_number_is_not_a_template),
	CHECK_TEST(test_reused_number_runs_the_new_template),
	CHECK_TEST(test_template_across_fork),
	CHECK_TEST(test_many_templates_at_once),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
