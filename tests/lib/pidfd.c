/* pidfd.c - the pidfd spawn stores, and the child as an ordinary child.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static int tfd = -1;

/* "Pid:" from /proc/self/fdinfo/<pidfd>. */
static long pidfd_pid(int pidfd)
{
	char path[64], line[256];
	long pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	REQUIRE(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

static void test_pidfd_names_the_child(void)
{
	const char *args[] = { "-x", "7", NULL };
	struct run_opts o = { .args = args, .nowait = true };
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK(r.pid > 0);
	CHECK(r.pidfd > 2);
	CHECK_EQ(fcntl(r.pidfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	CHECK_EQ(pidfd_pid(r.pidfd), r.pid);
	CHECK_EQ(view_num(&r.view, "pid", -1), r.pid);
	CHECK_EQ(view_num(&r.view, "ppid", -1), getpid());
	reap_run(&r);	/* waitid(P_PIDFD), checks si_pid */
	CHECK_EXITED(&r, 7);
	run_free(&r);
}

static void test_pidfd_send_signal(void)
{
	const char *args[] = { "-w", NULL };
	struct run_opts o = { .args = args, .nowait = true };
	struct pollfd pfd;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	signal(SIGUSR1, SIG_DFL);	/* so the child dies of it */
	REQUIRE(run_child(tfd, &o, &r) == 0);
	/* Output is complete: the child is in pause(). */
	CHECK(view_complete(&r.view));
	pfd = (struct pollfd){ .fd = r.pidfd, .events = POLLIN };
	CHECK_EQ(poll(&pfd, 1, 0), 0);	/* still running */
	CHECK_OK(pidfd_send_signal_raw(r.pidfd, SIGUSR1));
	CHECK_EQ(poll(&pfd, 1, -1), 1);	/* readable once it exits */
	reap_run(&r);
	CHECK_EQ(r.code, CLD_KILLED);
	CHECK_EQ(r.status, SIGUSR1);
	run_free(&r);
}

static void test_pidfd_after_reap(void)
{
	const char *args[] = { "-q", NULL };
	struct run_opts o = { .args = args, .raw = true, .nowait = true };
	siginfo_t info;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_OK(waitid_pidfd(r.pidfd, &info, WEXITED | WNOWAIT));
	CHECK_EQ(info.si_pid, r.pid);
	/* WNOWAIT left it to be reaped. */
	CHECK_OK(waitid_pidfd(r.pidfd, &info, WEXITED));
	CHECK_EQ(info.si_status, 0);
	CHECK_ERRNO(pidfd_send_signal_raw(r.pidfd, SIGKILL), ESRCH);
	CHECK_ERRNO(waitid_pidfd(r.pidfd, &info, WEXITED), ECHILD);
	run_free(&r);
}

static void test_child_killed_by_own_signal(void)
{
	const char *args[] = { "-k", "15", NULL };
	struct run_opts o = { .args = args };
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK(view_complete(&r.view));
	CHECK_EQ(r.code, CLD_KILLED);
	CHECK_EQ(r.status, SIGTERM);
	run_free(&r);
}

/* An ordinary child: waitpid() reaps it, SIGCHLD announces it. */
static void test_waitpid_and_sigchld(void)
{
	const char *args[] = { "-q", "-x", "3", NULL };
	struct run_opts o = { .args = args, .raw = true, .nowait = true };
	sigset_t set, pending;
	struct run r;
	int st;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EQ(waitpid(r.pid, &st, 0), r.pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	REQUIRE(sigpending(&pending) == 0);
	CHECK(sigismember(&pending, SIGCHLD));
	CHECK(no_child_exists());
	run_free(&r);
}

/* SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD: no pidfd, no fd more in the caller;
 * the child is reaped by pid; X_ERRNO still reports.  Only with pidfd 0,
 * and pidfd 0 only with it. */
static void test_no_pidfd(void)
{
	static const char *const argv_[] = { "childview", "-q", "-x", "3",
					     NULL };
	struct spawn_template_spawn_args args = {
		.flags = SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD,
		.argv = PTR(argv_), .envp = PTR(argv_ + 4),
	};
	int fds, st, child_errno = -1, slot = -1;
	pid_t pid;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	fds = fd_count();
	pid = spawn_template_spawn(tfd, &args, sizeof(args));
	REQUIRE(pid > 0);
	CHECK_EQ(fd_count(), fds);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);

	/* a child failing before exec: X_ERRNO without a pidfd page */
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO)) {
		struct spawn_template_action acts[2] = {
			act_errno(&child_errno), act_close(1000) };

		args.actions = PTR(acts);
		args.actions_len = 2;
		pid = spawn_template_spawn(tfd, &args, sizeof(args));
		REQUIRE(pid > 0);
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
		CHECK_EQ(child_errno, EBADF);
		CHECK_EQ(fd_count(), fds);
		args.actions = 0;
		args.actions_len = 0;
	}
	CHECK(no_child_exists());

	args.pidfd = PTR(&slot);	/* both: refused */
	CHECK_SPAWN_FAILS(tfd, &args, sizeof(args), EINVAL);
	CHECK_EQ(slot, -1);
	args.flags = 0;
	args.pidfd = 0;			/* neither: refused */
	CHECK_SPAWN_FAILS(tfd, &args, sizeof(args), EINVAL);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_pidfd_names_the_child),
	CHECK_TEST(test_pidfd_send_signal),
	CHECK_TEST(test_pidfd_after_reap),
	CHECK_TEST(test_child_killed_by_own_signal),
	CHECK_TEST(test_waitpid_and_sigchld),
	CHECK_TEST(test_no_pidfd),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
