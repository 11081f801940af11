/* process_groups.c - the X_SETPGID extension, and the default: the
 * caller's process group and session.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static int tfd = -1;

static void test_default_group_and_session(void)
{
	struct run_opts o = { 0 };
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK_EQ(view_num(&r.view, "pgid", -1), getpgrp());
	CHECK_EQ(view_num(&r.view, "sid", -1), getsid(0));
	run_free(&r);
}

/* Where the backend does not claim it (a kernel without the reference
 * kernel's patch 0006): ENOTSUP before any child. */
static bool setpgid_supported(void)
{
	struct spawn_template_action a = act_setpgid(0);
	struct run_opts o = { .actions = &a, .nactions = 1 };
	struct run r;

	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_SETPGID))
		return true;
	CHECK_ERRNO(run_child(tfd, &o, &r), ENOTSUP);
	CHECK(no_child_exists());
	return false;
}

static void test_setpgid_new_group(void)
{
	struct spawn_template_action a = act_setpgid(0);
	struct run_opts o = { .actions = &a, .nactions = 1 };
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0 || !setpgid_supported())
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK_EQ(view_num(&r.view, "pgid", -1), r.pid);
	CHECK_EQ(view_num(&r.view, "sid", -1), getsid(0));
	run_free(&r);
	/* Ours is unchanged. */
	CHECK(getpgrp() != r.pid);
}

static void test_setpgid_join_group(void)
{
	const char *wait_args[] = { "-w", NULL };
	struct spawn_template_action a = act_setpgid(0);
	struct run_opts o = { .args = wait_args, .actions = &a,
			      .nactions = 1, .nowait = true };
	struct run leader, member;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0 || !setpgid_supported())
		return;
	REQUIRE(run_child(tfd, &o, &leader) == 0);
	CHECK_EQ(view_num(&leader.view, "pgid", -1), leader.pid);

	a = act_setpgid(leader.pid);
	o = (struct run_opts){ .actions = &a, .nactions = 1 };
	REQUIRE(run_child(tfd, &o, &member) == 0);
	CHECK_EXITED(&member, 0);
	CHECK_EQ(view_num(&member.view, "pgid", -1), leader.pid);
	run_free(&member);

	CHECK_OK(pidfd_send_signal_raw(leader.pidfd, SIGKILL));
	reap_run(&leader);
	CHECK_EQ(leader.code, CLD_KILLED);
	run_free(&leader);
}

/* A group in another session: EPERM in the child. */
static void test_setpgid_bad_group_fails_child(void)
{
	struct spawn_template_action acts[2];
	struct run_opts o = { .actions = acts, .nactions = 2 };
	struct run r;
	int err = -1, p[2];
	pid_t other;
	char c;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0 || !setpgid_supported())
		return;
	REQUIRE(pipe(p) == 0);
	other = fork();
	REQUIRE(other >= 0);
	if (other == 0) {
		/* A session (and group) of its own, until killed. */
		close(p[0]);
		setsid();
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	REQUIRE(read(p[0], &c, 1) == 0);	/* setsid done */
	close(p[0]);
	REQUIRE(getsid(other) == other);
	acts[0] = act_setpgid(other);
	acts[1] = act_errno(&err);
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 1);
	CHECK(!view_complete(&r.view));
	CHECK_EQ(err, EPERM);
	run_free(&r);
	kill(other, SIGKILL);
	REQUIRE(waitpid(other, NULL, 0) == other);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_default_group_and_session),
	CHECK_TEST(test_setpgid_new_group),
	CHECK_TEST(test_setpgid_join_group),
	CHECK_TEST(test_setpgid_bad_group_fails_child),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
