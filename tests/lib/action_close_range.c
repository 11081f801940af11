/* action_close_range.c - the CLOSE_RANGE action.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "helpers.h"

static int tfd = -1;

/* /dev/null, inheritable, at 70..73. */
static bool setup(void)
{
	int fd = open("/dev/null", O_RDONLY);

	REQUIRE(fd >= 0);
	for (int i = 70; i <= 73; i++)
		REQUIRE(dup2(fd, i) == i);
	close(fd);
	tfd = TEMPLATE_FOR(childview_path());
	return tfd >= 0;
}

static void run_with(const struct spawn_template_action *acts, size_t n,
		     struct run *r)
{
	struct run_opts o = {
		.flags = SPAWN_TEMPLATE_SPAWN_INHERIT_FDS,
		.actions = acts,
		.nactions = n,
	};

	REQUIRE(run_child(tfd, &o, r) == 0);
	CHECK_EXITED(r, 0);
	CHECK(view_complete(&r->view));
}

static void test_close_range(void)
{
	struct spawn_template_action a;
	struct run r;

	if (!setup())
		return;
	a = act_close_range(71, 72, 0);
	run_with(&a, 1, &r);
	CHECK(view_fd(&r.view, 70) != NULL);
	CHECK(view_fd(&r.view, 71) == NULL);
	CHECK(view_fd(&r.view, 72) == NULL);
	CHECK(view_fd(&r.view, 73) != NULL);
	run_free(&r);
	/* The caller's fds are its own. */
	CHECK(fcntl(71, F_GETFD) >= 0);
}

static void test_close_range_to_max(void)
{
	struct spawn_template_action a;
	struct run r;

	if (!setup())
		return;
	REQUIRE(dup2(70, 1000) == 1000);
	/* newfd -1 is ~0U: up to the highest fd. */
	a = act_close_range(71, -1, 0);
	run_with(&a, 1, &r);
	CHECK(view_fd(&r.view, 70) != NULL);
	CHECK(view_fd(&r.view, 71) == NULL);
	CHECK(view_fd(&r.view, 73) == NULL);
	CHECK(view_fd(&r.view, 1000) == NULL);
	run_free(&r);
}

static void test_close_range_from_3_leaves_stdio(void)
{
	struct spawn_template_action a = act_close_range(3, -1, 0);
	struct fdset want, stdio;
	struct run r;

	if (!setup())
		return;
	fdset_inheritable(&stdio);
	want.n = 0;
	for (int fd = 0; fd <= 2; fd++)
		if (fd == 1 || fdset_has(&stdio, fd))
			fdset_add(&want, fd);
	run_with(&a, 1, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
}

static void test_close_range_cloexec(void)
{
	struct spawn_template_action acts[2];
	struct run r;

	if (!setup())
		return;
	/* Marked, not closed: still there for a dup before exec. */
	acts[0] = act_close_range(71, 72, CLOSE_RANGE_CLOEXEC);
	acts[1] = act_dup2(71, 80, 0);
	run_with(acts, 2, &r);
	CHECK(view_fd(&r.view, 70) != NULL);
	CHECK(view_fd(&r.view, 71) == NULL);
	CHECK(view_fd(&r.view, 72) == NULL);
	CHECK(view_fd(&r.view, 73) != NULL);
	CHECK(view_fd(&r.view, 80) != NULL);
	run_free(&r);
	/* Without the flag the same dup finds nothing: EBADF, status 1. */
	acts[0] = act_close_range(71, 72, 0);
	{
		struct run_opts o = {
			.flags = SPAWN_TEMPLATE_SPAWN_INHERIT_FDS,
			.actions = acts, .nactions = 2,
		};

		REQUIRE(run_child(tfd, &o, &r) == 0);
		CHECK_EXITED(&r, 1);
		run_free(&r);
	}
}

static void test_close_range_unshare(void)
{
	struct spawn_template_action a;
	struct run r;

	if (!setup())
		return;
	a = act_close_range(71, 72, CLOSE_RANGE_UNSHARE);
	run_with(&a, 1, &r);
	CHECK(view_fd(&r.view, 70) != NULL);
	CHECK(view_fd(&r.view, 71) == NULL);
	CHECK(view_fd(&r.view, 73) != NULL);
	run_free(&r);
	CHECK(fcntl(71, F_GETFD) >= 0);
}

static void test_close_range_empty_is_fine(void)
{
	struct spawn_template_action a = act_close_range(500, 600, 0);
	struct run r;

	if (!setup())
		return;
	run_with(&a, 1, &r);
	CHECK(view_fd(&r.view, 70) != NULL);
	run_free(&r);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_close_range),
	CHECK_TEST(test_close_range_to_max),
	CHECK_TEST(test_close_range_from_3_leaves_stdio),
	CHECK_TEST(test_close_range_cloexec),
	CHECK_TEST(test_close_range_unshare),
	CHECK_TEST(test_close_range_empty_is_fine),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
