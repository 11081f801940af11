/* template_fd_guard.c - actions aimed at the template's own fd.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "The pinned executable survives any of them: the library never lets an
 * action close or replace it."  The child's actions may close, replace or
 * mark close-on-exec the number the caller knows as the template fd (and
 * the fd numbers the library itself holds, which the test learns as the
 * fds create added); the exec must still happen, and the child's fd table
 * must still be what the actions asked for.  Tried with a close-on-exec
 * and an inheritable template fd.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "helpers.h"

static int tfd = -1;
static struct fdset added;	/* fds that create added */
static char marker[PATH_MAX + 16];
static char dir[PATH_MAX];

static bool setup(__u64 create_flags)
{
	struct fdset before;

	make_tempdir(dir);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	write_file(marker, "m", 1, 0644);
	fdset_self(&before);
	tfd = create_template(childview_path(), SPAWN_TEMPLATE_NO_EXECFD,
			      create_flags);
	CHECK_OK(tfd);
	if (tfd < 0)
		return false;
	fdset_self(&added);
	for (int i = 0; i < before.n; i++)
		fdset_del(&added, before.fd[i]);
	REQUIRE(fdset_has(&added, tfd));
	return true;
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
	CHECK_STREQ(view_get(&r->view, "exe"), childview_path());
}

/* The child's fds: the caller's inheritable ones, changed by fn. */
static void expected(struct fdset *want)
{
	fdset_inheritable(want);
	fdset_add(want, 1);
}

static void check_parent_template_still_works(void)
{
	struct run r;

	run_with(NULL, 0, &r);
	run_free(&r);
}

static void each_create_flag(void (*body)(void))
{
	static const __u64 flags[] = { SPAWN_TEMPLATE_CREATE_CLOEXEC, 0 };

	for (int i = 0; i < 2; i++) {
		fprintf(stderr, "# template fd %s\n",
			flags[i] ? "close-on-exec" : "inheritable");
		if (!setup(flags[i]))
			return;
		body();
		check_parent_template_still_works();
		close(tfd);
		remove_tree(dir);
	}
}

static void body_no_action(void)
{
	char target[PATH_MAX];
	struct fdset want;
	struct run r;

	expected(&want);
	run_with(NULL, 0, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	/* An inheritable template fd is an ordinary fd to the child. */
	if (fdset_has(&want, tfd))
		CHECK_STREQ(view_fd(&r.view, tfd),
			    fd_target(tfd, target, sizeof(target)));
	run_free(&r);
}

static void body_close(void)
{
	struct spawn_template_action acts[FDSET_MAX];
	struct fdset want;
	struct run r;
	int n = 0;

	expected(&want);
	for (int i = 0; i < added.n; i++) {
		acts[n++] = act_close(added.fd[i]);
		fdset_del(&want, added.fd[i]);
	}
	run_with(acts, (size_t)n, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
}

static void body_dup2_over(void)
{
	struct spawn_template_action acts[FDSET_MAX];
	struct fdset want;
	struct run r;
	int m = open(marker, O_RDONLY | O_CLOEXEC), n = 0;

	REQUIRE(m >= 0);
	expected(&want);
	for (int i = 0; i < added.n; i++) {
		acts[n++] = act_dup2(m, added.fd[i], 0);
		fdset_add(&want, added.fd[i]);
	}
	run_with(acts, (size_t)n, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	for (int i = 0; i < added.n; i++)
		CHECK_STREQ(view_fd(&r.view, added.fd[i]), marker);
	run_free(&r);
	close(m);
}

static void body_open_over(void)
{
	struct spawn_template_open op = {
		.how = { .flags = O_RDONLY }, .path = PTR(marker) };
	struct spawn_template_action a = act_open(AT_FDCWD, tfd, &op);
	struct fdset want;
	struct run r;

	expected(&want);
	fdset_add(&want, tfd);
	run_with(&a, 1, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	CHECK_STREQ(view_fd(&r.view, tfd), marker);
	run_free(&r);
}

static void body_close_range_all_above_2(void)
{
	struct spawn_template_action a = act_close_range(3, -1, 0);
	struct fdset want, inh;
	struct run r;

	fdset_inheritable(&inh);
	want.n = 0;
	for (int i = 0; i < inh.n && inh.fd[i] <= 2; i++)
		fdset_add(&want, inh.fd[i]);
	fdset_add(&want, 1);
	run_with(&a, 1, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
}

static void body_close_range_cloexec(void)
{
	struct spawn_template_action acts[FDSET_MAX];
	struct fdset want;
	struct run r;
	int n = 0;

	expected(&want);
	for (int i = 0; i < added.n; i++) {
		acts[n++] = act_close_range(added.fd[i], added.fd[i],
					    CLOSE_RANGE_CLOEXEC);
		fdset_del(&want, added.fd[i]);
	}
	run_with(acts, (size_t)n, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
}

/* Everything closed, stdio included: exec still happens (-q: no output,
 * the status tells). */
static void body_close_everything(void)
{
	const char *args[] = { "-q", NULL };
	struct spawn_template_action a = act_close_range(0, -1, 0);
	struct run_opts o = { .args = args, .actions = &a, .nactions = 1,
			      .raw = true };
	struct run r;

	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	run_free(&r);
}

/* The template's number dup'ed elsewhere in the child is what the caller
 * has at that number. */
static void body_dup2_from(void)
{
	struct spawn_template_action a = act_dup2(tfd, 90, 0);
	char target[PATH_MAX];
	struct fdset want;
	struct run r;

	expected(&want);
	fdset_add(&want, 90);
	run_with(&a, 1, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	CHECK_STREQ(view_fd(&r.view, 90),
		    fd_target(tfd, target, sizeof(target)));
	run_free(&r);
}

static void body_dup2_same(void)
{
	struct spawn_template_action a = act_dup2(tfd, tfd, 0);
	struct fdset want;
	struct run r;

	expected(&want);
	run_with(&a, 1, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
}

/* The exec still happens when the actions use fds up to the fd limit:
 * nothing may need a number above the highest one an action names. */
static void body_near_fd_limit(void)
{
	struct rlimit rl;
	struct spawn_template_action acts[2];
	struct fdset want;
	struct run r;
	int top;

	REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = 64;
	REQUIRE(tfd < 40);
	REQUIRE(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	top = (int)rl.rlim_cur - 1;
	acts[0] = act_close(tfd);
	acts[1] = act_dup2(1, top, 0);	/* 1 is the output pipe by now */
	expected(&want);
	fdset_del(&want, tfd);
	fdset_add(&want, top);
	run_with(acts, 2, &r);
	CHECK_CHILD_FDS(&r.view, &want);
	run_free(&r);
}

#define GUARD_TEST(name) \
	static void test_##name(void) { each_create_flag(body_##name); }
GUARD_TEST(no_action)
GUARD_TEST(close)
GUARD_TEST(dup2_over)
GUARD_TEST(open_over)
GUARD_TEST(close_range_all_above_2)
GUARD_TEST(close_range_cloexec)
GUARD_TEST(close_everything)
GUARD_TEST(dup2_from)
GUARD_TEST(dup2_same)
GUARD_TEST(near_fd_limit)

static const struct check_test tests[] = {
	CHECK_TEST(test_no_action),
	CHECK_TEST(test_close),
	CHECK_TEST(test_dup2_over),
	CHECK_TEST(test_open_over),
	CHECK_TEST(test_close_range_all_above_2),
	CHECK_TEST(test_close_range_cloexec),
	CHECK_TEST(test_close_everything),
	CHECK_TEST(test_dup2_from),
	CHECK_TEST(test_dup2_same),
	CHECK_TEST(test_near_fd_limit),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
