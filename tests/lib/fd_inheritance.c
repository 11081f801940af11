/* fd_inheritance.c - default fd closing versus INHERIT_FDS.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected fd set is computed from this process's own fd table at
 * spawn time (make's jobserver and the harness may hand us fds too).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static int tfd = -1;

/* Some inheritable and some close-on-exec fds of our own. */
static bool setup(void)
{
	int fd = open("/dev/null", O_RDONLY);

	REQUIRE(fd >= 0);
	REQUIRE(dup2(fd, 20) == 20);
	REQUIRE(dup3(fd, 21, O_CLOEXEC) == 21);
	REQUIRE(dup2(fd, 300) == 300);
	close(fd);
	tfd = TEMPLATE_FOR(childview_path());
	return tfd >= 0;
}

/* What the child must have: the caller's inheritable fds (all, or only
 * 0..2 by default) and the output pipe at 1. */
static void expected(struct fdset *want, bool inherit)
{
	struct fdset inh;

	fdset_inheritable(&inh);
	want->n = 0;
	for (int i = 0; i < inh.n; i++)
		if (inherit || inh.fd[i] <= 2)
			fdset_add(want, inh.fd[i]);
	fdset_add(want, 1);
}

static void run_with(__u64 flags, const struct spawn_template_action *acts,
		     size_t n, struct run *r)
{
	struct run_opts o = { .flags = flags, .actions = acts, .nactions = n };

	REQUIRE(run_child(tfd, &o, r) == 0);
	CHECK_EXITED(r, 0);
	CHECK(view_complete(&r->view));
}

static void test_default_closes_above_2(void)
{
	struct fdset want;
	struct run r;

	if (!setup())
		return;
	expected(&want, false);
	run_with(0, NULL, 0, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	CHECK(view_fd(&r.view, 20) == NULL);
	CHECK(view_fd(&r.view, 300) == NULL);
	run_free(&r);
}

static void test_inherit_keeps_inheritable(void)
{
	struct fdset want;
	struct run r;

	if (!setup())
		return;
	expected(&want, true);
	REQUIRE(fdset_has(&want, 20) && fdset_has(&want, 300));
	REQUIRE(!fdset_has(&want, 21));
	run_with(SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, NULL, 0, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	CHECK_STREQ(view_fd(&r.view, 20), "/dev/null");
	run_free(&r);
}

static void test_default_closing_after_actions(void)
{
	struct spawn_template_open op = {
		.how = { .flags = O_RDONLY }, .path = PTR("/dev/null") };
	struct spawn_template_action acts[3];
	struct fdset want;
	struct run r;

	if (!setup())
		return;
	/* 20 is needed by an action, then closed by default; what actions
	 * put at 0 and 2 stays. */
	acts[0] = act_dup2(20, 2, 0);
	acts[1] = act_open(AT_FDCWD, 0, &op);
	acts[2] = act_dup2(20, 40, 0);
	expected(&want, false);
	fdset_add(&want, 0);
	fdset_add(&want, 2);
	run_with(0, acts, 3, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	CHECK_STREQ(view_fd(&r.view, 2), "/dev/null");
	CHECK_STREQ(view_fd(&r.view, 0), "/dev/null");
	run_free(&r);
}

static void test_closed_stdio_stays_closed(void)
{
	struct fdset want;
	struct run r;

	if (!setup())
		return;
	close(0);
	expected(&want, false);
	REQUIRE(!fdset_has(&want, 0));
	run_with(0, NULL, 0, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
	expected(&want, true);
	run_with(SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, NULL, 0, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
}

static void test_caller_fds_untouched(void)
{
	struct fdset before, after;
	struct run r;

	if (!setup())
		return;
	fdset_self(&before);
	run_with(0, NULL, 0, &r);
	run_free(&r);
	fdset_self(&after);
	CHECK_EQ(after.n, before.n);
	CHECK(memcmp(after.fd, before.fd, sizeof(int) * (size_t)after.n) ==
	      0);
	CHECK(fcntl(20, F_GETFD) == 0);
	CHECK(fcntl(21, F_GETFD) == FD_CLOEXEC);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_default_closes_above_2),
	CHECK_TEST(test_inherit_keeps_inheritable),
	CHECK_TEST(test_default_closing_after_actions),
	CHECK_TEST(test_closed_stdio_stays_closed),
	CHECK_TEST(test_caller_fds_untouched),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
