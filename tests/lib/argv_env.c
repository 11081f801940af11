/* argv_env.c - argv and envp reach the child exactly.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static int tfd = -1;

/* The line "arg I VALUE"'s VALUE. */
static const char *arg_of(const struct view *v, int i)
{
	char key[32];

	snprintf(key, sizeof(key), "arg %d", i);
	return view_get(v, key);
}

static void test_argv_exact(void)
{
	/* Empty strings, spaces and odd bytes, in order. */
	const char *args[] = { "", "two words", "  lead", "tail  ", "$HOME",
			       "*", "\t", "last", NULL };
	struct run_opts o = { .args = args };
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK_EQ(view_num(&r.view, "argc", -1), 9);
	/* argv[0] is the caller's, not the path. */
	CHECK_STREQ(arg_of(&r.view, 0), "childview");
	for (int i = 0; args[i]; i++)
		CHECK_STREQ(arg_of(&r.view, i + 1), args[i]);
	run_free(&r);
}

static void test_many_and_long_args(void)
{
	const char **args = calloc(60, sizeof(*args));
	char *big = malloc(100001);
	struct run_opts o;
	struct run r;

	REQUIRE(args && big);
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	memset(big, 'x', 100000);
	big[100000] = '\0';
	for (int i = 0; i < 50; i++)
		args[i] = i == 25 ? big : "a";
	o = (struct run_opts){ .args = args };
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK_EQ(view_num(&r.view, "argc", -1), 51);
	CHECK_STREQ(arg_of(&r.view, 26), big);
	CHECK_STREQ(arg_of(&r.view, 50), "a");
	run_free(&r);
	free(big);
	free(args);
}

static void test_envp_exact(void)
{
	const char *env[] = { "A=1", "EMPTY=", "SPACES=a b c", "NOEQUALS",
			      "PATH=/nonexistent", NULL };
	struct run_opts o = { .envp = env };
	struct run r;
	size_t n = 0;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK_EQ(view_num(&r.view, "envc", -1), 5);
	/* In order, nothing added (LD_PRELOAD, ASAN_OPTIONS...). */
	for (size_t i = 0; i < r.view.nlines; i++) {
		if (strncmp(r.view.lines[i], "env ", 4) != 0)
			continue;
		CHECK(n < 5 && strcmp(r.view.lines[i] + 4, env[n]) == 0);
		n++;
	}
	CHECK_EQ(n, 5);
	run_free(&r);
}

static void test_empty_envp(void)
{
	const char *env[] = { NULL };
	struct run_opts o = { .envp = env };
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK_EQ(view_num(&r.view, "envc", -1), 0);
	run_free(&r);
}

/* Too much for exec: E2BIG in the child, exit status 1 (not a spawn
 * error: the RFC's kernel copies argv in its child too). */
static void test_args_too_big_fails_child(void)
{
	long max = sysconf(_SC_ARG_MAX);
	size_t len = (size_t)(max > 0 ? max : 2097152) + 4096;
	const char *args[] = { NULL, NULL };
	struct spawn_template_action a;
	struct run_opts o = { .args = args };
	char *huge = malloc(len + 1);
	int err = -1;
	struct run r;

	REQUIRE(huge);
	memset(huge, 'y', len);
	huge[len] = '\0';
	args[0] = huge;
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO)) {
		a = act_errno(&err);
		o.actions = &a;
		o.nactions = 1;
	}
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 1);
	CHECK(!view_complete(&r.view));
	if (o.nactions)
		CHECK_EQ(err, E2BIG);
	run_free(&r);
	free(huge);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_argv_exact),
	CHECK_TEST(test_many_and_long_args),
	CHECK_TEST(test_envp_exact),
	CHECK_TEST(test_empty_envp),
	CHECK_TEST(test_args_too_big_fails_child),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
