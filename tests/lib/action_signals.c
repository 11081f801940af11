/* action_signals.c - the SIGMASK and SIGDEFAULT actions.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

/* A real-time signal glibc does not keep for itself. */
#define RTSIG (SIGRTMIN + 6)

static int tfd = -1;

static void run_with(const struct spawn_template_action *acts, size_t n,
		     struct run *r)
{
	struct run_opts o = { .actions = acts, .nactions = n };

	REQUIRE(run_child(tfd, &o, r) == 0);
	CHECK_EXITED(r, 0);
	CHECK(view_complete(&r->view));
}

static void test_sigmask_sets_mask(void)
{
	struct spawn_template_sigset ss;
	struct spawn_template_action a;
	unsigned long long parent_before;
	sigset_t set;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, RTSIG);
	ss = sigset_of(&set);
	a = act_sigmask(&ss);
	parent_before = thread_sigblk();
	run_with(&a, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"),
		 sigbit(SIGUSR1) | sigbit(SIGTERM) | sigbit(RTSIG));
	run_free(&r);
	/* Only the child's mask. */
	CHECK_EQ(thread_sigblk(), parent_before);
}

static void test_sigmask_drops_kill_and_stop(void)
{
	struct spawn_template_sigset ss;
	struct spawn_template_action a;
	sigset_t set;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGKILL);
	sigaddset(&set, SIGSTOP);
	sigaddset(&set, SIGHUP);
	ss = sigset_of(&set);
	a = act_sigmask(&ss);
	run_with(&a, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), sigbit(SIGHUP));
	run_free(&r);
}

static void test_sigmask_replaces_callers_mask(void)
{
	struct spawn_template_sigset ss;
	struct spawn_template_action a;
	sigset_t set, blocked;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR2);
	sigaddset(&blocked, SIGINT);
	REQUIRE(sigprocmask(SIG_BLOCK, &blocked, NULL) == 0);
	sigemptyset(&set);
	ss = sigset_of(&set);
	a = act_sigmask(&ss);
	run_with(&a, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), 0);
	run_free(&r);
	CHECK_EQ(thread_sigblk() & (sigbit(SIGUSR2) | sigbit(SIGINT)),
		 sigbit(SIGUSR2) | sigbit(SIGINT));
}

static void test_sigdefault(void)
{
	struct spawn_template_sigset ss;
	struct spawn_template_action a;
	unsigned long long ignored;
	sigset_t set;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(RTSIG, SIG_IGN);
	ignored = ignored_signals();
	REQUIRE(ignored & sigbit(SIGUSR1));

	/* SIGKILL and SIGSTOP in the set are silently left alone. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, RTSIG);
	sigaddset(&set, SIGKILL);
	sigaddset(&set, SIGSTOP);
	ss = sigset_of(&set);
	a = act_sigdefault(&ss);
	run_with(&a, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"),
		 ignored & ~(sigbit(SIGUSR1) | sigbit(RTSIG)));
	CHECK(view_hex(&r.view, "sigign") & sigbit(SIGPIPE));
	run_free(&r);
	/* The caller's dispositions are its own. */
	CHECK_EQ(ignored_signals(), ignored);
}

static void test_sigdefault_only_kill_stop(void)
{
	struct spawn_template_sigset ss;
	struct spawn_template_action a;
	sigset_t set;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGKILL);
	sigaddset(&set, SIGSTOP);
	ss = sigset_of(&set);
	a = act_sigdefault(&ss);
	run_with(&a, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored_signals());
	run_free(&r);
}

/* Both together, with the mask of a glibc sigset_t (larger than the
 * kernel's, same first bytes). */
static void test_sigmask_and_sigdefault(void)
{
	struct spawn_template_sigset mask_ss, dfl_ss;
	struct spawn_template_action acts[2];
	sigset_t mask, dfl;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	signal(SIGTERM, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGTERM);
	mask_ss = sigset_of(&mask);
	dfl_ss = sigset_of(&dfl);
	acts[0] = act_sigdefault(&dfl_ss);
	acts[1] = act_sigmask(&mask_ss);
	run_with(acts, 2, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), sigbit(SIGTERM));
	CHECK_EQ(view_hex(&r.view, "sigign") & sigbit(SIGTERM), 0);
	run_free(&r);
}

static void catch_it(int sig)
{
	(void)sig;
}

/* A SIGDEFAULT of many signals, some ignored, some caught, some default:
 * the child may learn which are ignored in one go (/proc/self/status)
 * rather than resetting each; the result must be the same. */
static void test_sigdefault_mixed(void)
{
	struct sigaction sa = { .sa_handler = catch_it };
	struct spawn_template_sigset ss;
	struct spawn_template_action a;
	unsigned long long ignored, reset;
	sigset_t set;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(RTSIG, SIG_IGN);
	signal(SIGHUP, SIG_DFL);
	REQUIRE(sigaction(SIGUSR2, &sa, NULL) == 0);
	REQUIRE(sigaction(SIGINT, &sa, NULL) == 0);
	ignored = ignored_signals();

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);	/* ignored */
	sigaddset(&set, RTSIG);		/* ignored */
	sigaddset(&set, SIGUSR2);	/* caught */
	sigaddset(&set, SIGINT);	/* caught */
	sigaddset(&set, SIGHUP);	/* default */
	reset = sigbit(SIGUSR1) | sigbit(RTSIG);
	ss = sigset_of(&set);
	a = act_sigdefault(&ss);
	run_with(&a, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored & ~reset);
	CHECK(view_hex(&r.view, "sigign") & sigbit(SIGPIPE));
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);
	CHECK_EQ(ignored_signals(), ignored);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_sigdefault_mixed),
	CHECK_TEST(test_sigmask_sets_mask),
	CHECK_TEST(test_sigmask_drops_kill_and_stop),
	CHECK_TEST(test_sigmask_replaces_callers_mask),
	CHECK_TEST(test_sigdefault),
	CHECK_TEST(test_sigdefault_only_kill_stop),
	CHECK_TEST(test_sigmask_and_sigdefault),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
