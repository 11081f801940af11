/* action_signal_bits.c - the X_SIGMASK_BITS, X_SIGDEFAULT_BITS,
 * X_SIGIGNORE_BITS and X_CALLER_BLOCKED extensions.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The *_BITS actions are SIGMASK and SIGDEFAULT with the set in arg; each
 * is checked against what the pointer form gives.  X_CALLER_BLOCKED says
 * the caller has blocked every signal: the child then execs with every
 * signal blocked unless a SIGMASK says otherwise, and the caller's mask
 * is left as it was.  X_SIGIGNORE_BITS makes the child ignore signals
 * the caller catches or takes the default for, and leaves the caller's
 * dispositions alone.  The kernel backend refuses those its kernel lacks
 * (ENOTSUP).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#define RTSIG (SIGRTMIN + 6)
#define KILL_STOP (sigbit(SIGKILL) | sigbit(SIGSTOP))

static const char *const quiet_argv[] = { "childview", "-q", NULL };

static struct spawn_template_action act_bits(__u32 type, __u64 set)
{
	return (struct spawn_template_action){ .type = type, .arg = set };
}

static bool supported(void)
{
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS) &&
	    extension_supported(SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS) &&
	    extension_supported(SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED))
		return true;
	printf("# the %s backend has no signal-bits extensions\n",
	       check_backend());
	return false;
}

/* A template of childview, or -1 where the backend has no signal-bits
 * extensions (said) or no template could be made. */
static int bits_template(void)
{
	return supported() ? TEMPLATE_FOR(childview_path()) : -1;
}

static void run_with(int tfd, const struct spawn_template_action *acts,
		     size_t n, struct run *r)
{
	struct run_opts o = { .actions = acts, .nactions = n };

	REQUIRE(run_child(tfd, &o, r) == 0);
	CHECK_EXITED(r, 0);
	CHECK(view_complete(&r->view));
}

static void test_sigmask_bits(void)
{
	unsigned long long want = sigbit(SIGUSR1) | sigbit(RTSIG), before;
	struct spawn_template_action a;
	struct run r;
	int tfd;

	tfd = bits_template();
	if (tfd < 0)
		return;
	before = thread_sigblk();
	a = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS, want | KILL_STOP);
	run_with(tfd, &a, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), want);
	run_free(&r);
	CHECK_EQ(thread_sigblk(), before);
	close(tfd);
}

/* More signals than the child sets one by one: USR1, USR2, TERM, INT
 * and every real-time signal. */
static unsigned long long many_signals(void)
{
	unsigned long long set = sigbit(SIGUSR1) | sigbit(SIGUSR2) |
				 sigbit(SIGTERM) | sigbit(SIGINT);

	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		set |= sigbit(sig);
	return set;
}

static void catch_it(int sig)
{
	(void)sig;
}

/* n signals ignored, caught or default in the set: two and five (each
 * reset blindly), plus a pointer SIGDEFAULT merged with the bits one,
 * and every real-time signal as well (past lib/child.c's
 * SIGSTATE_READ_MIN: the child reads /proc/self/status and resets only
 * the ignored ones). */
static void test_sigdefault_bits(void)
{
	struct sigaction sa = { .sa_handler = catch_it };
	struct spawn_template_action acts[2];
	struct spawn_template_sigset ss;
	unsigned long long ignored;
	sigset_t hup;
	struct run r;
	int tfd;

	tfd = bits_template();
	if (tfd < 0)
		return;
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(RTSIG, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	REQUIRE(sigaction(SIGUSR2, &sa, NULL) == 0);
	ignored = ignored_signals();

	/* two signals */
	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS,
			   sigbit(SIGUSR1) | sigbit(SIGUSR2));
	run_with(tfd, acts, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored & ~sigbit(SIGUSR1));
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);

	/* five, with KILL and STOP left alone, and SIGHUP by pointer */
	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS,
			   sigbit(SIGUSR1) | sigbit(SIGUSR2) | sigbit(RTSIG) |
			   sigbit(SIGTERM) | sigbit(SIGINT) | KILL_STOP);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	ss = sigset_of(&hup);
	acts[1] = act_sigdefault(&ss);
	run_with(tfd, acts, 2, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"),
		 ignored & ~(sigbit(SIGUSR1) | sigbit(RTSIG) | sigbit(SIGHUP) |
			     sigbit(SIGTERM) | sigbit(SIGINT)));
	CHECK(view_hex(&r.view, "sigign") & sigbit(SIGPIPE));
	run_free(&r);

	/* many */
	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS,
			   many_signals());
	run_with(tfd, acts, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored & ~many_signals());
	CHECK(view_hex(&r.view, "sigign") & sigbit(SIGPIPE));
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);
	CHECK_EQ(ignored_signals(), ignored);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	close(tfd);
}

static volatile sig_atomic_t caught;

static void count_it(int sig)
{
	(void)sig;
	caught++;
}

/* Caught, default and ignored signals to ignore: few (each set blindly,
 * the clone3 child having no handler left), one also in a SIGDEFAULT set
 * (ignore wins), and many (past SIGSTATE_READ_MIN: the child reads
 * /proc/self/status and skips those ignored already).  The caller's handlers and ignores stay,
 * and none of its handlers ran (the child shares its memory). */
static void test_sigignore_bits(void)
{
	struct sigaction sa = { .sa_handler = count_it }, now;
	struct spawn_template_action acts[2];
	unsigned long long ignored, want;
	struct run r;
	int tfd;

	if (!supported())
		return;
	if (!extension_supported(SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS))
		SKIP("this backend has no X_SIGIGNORE_BITS");
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
	REQUIRE(sigaction(SIGTERM, &sa, NULL) == 0);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	ignored = ignored_signals();
	caught = 0;

	/* two: one caught, one default */
	want = sigbit(SIGUSR1) | sigbit(SIGUSR2);
	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS,
			   want | KILL_STOP);
	run_with(tfd, acts, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored | want);
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);

	/* four, one ignored already, SIGTERM also to default */
	want = sigbit(SIGUSR1) | sigbit(SIGUSR2) | sigbit(SIGPIPE) |
	       sigbit(SIGTERM);
	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS,
			   sigbit(SIGTERM) | sigbit(SIGPIPE));
	acts[1] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS, want);
	run_with(tfd, acts, 2, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored | want);
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);

	/* many, SIGPIPE ignored already */
	want = many_signals() | sigbit(SIGPIPE);
	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS, want);
	run_with(tfd, acts, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored | want);
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);

	CHECK_EQ(ignored_signals(), ignored);
	REQUIRE(sigaction(SIGUSR1, NULL, &now) == 0);
	CHECK(now.sa_handler == count_it);
	REQUIRE(sigaction(SIGTERM, NULL, &now) == 0);
	CHECK(now.sa_handler == count_it);
	CHECK_EQ(caught, 0);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	close(tfd);
}

/* The caller blocks everything and says so: the child execs with every
 * signal blocked, or with SIGMASK's set; the caller's mask stays. */
static void test_caller_blocked(void)
{
	struct spawn_template_action acts[2];
	sigset_t all, old;
	unsigned long long mine;
	struct run r;
	int tfd;

	tfd = bits_template();
	if (tfd < 0)
		return;
	sigfillset(&all);
	REQUIRE(sigprocmask(SIG_BLOCK, &all, &old) == 0);
	mine = thread_sigblk();

	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED, 0);
	run_with(tfd, acts, 1, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), ~0ULL & ~KILL_STOP);
	run_free(&r);
	CHECK_EQ(thread_sigblk(), mine);

	acts[1] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS, sigbit(SIGUSR2));
	run_with(tfd, acts, 2, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), sigbit(SIGUSR2));
	run_free(&r);
	CHECK_EQ(thread_sigblk(), mine);

	REQUIRE(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	close(tfd);
}

/* Caught signals that the exec mask keeps blocked: the clone fallback's
 * child leaves their handlers for execve to reset (no signal can reach
 * them before), so SIGDEFAULT and X_SIGIGNORE must still come out right
 * on them, beside a caught signal left unblocked and an ignored one
 * that is blocked too. */
static void test_blocked_caught_signals(void)
{
	struct sigaction sa = { .sa_handler = count_it };
	unsigned long long blocked, ignored, want_ign;
	struct spawn_template_action acts[3];
	size_t n = 2;
	struct run r;
	int tfd;

	tfd = bits_template();
	if (tfd < 0)
		return;
	REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);	/* blocked, nothing asked */
	REQUIRE(sigaction(SIGUSR2, &sa, NULL) == 0);	/* blocked, to ignore */
	REQUIRE(sigaction(SIGTERM, &sa, NULL) == 0);	/* blocked, SIGDEFAULT */
	REQUIRE(sigaction(SIGINT, &sa, NULL) == 0);	/* unblocked */
	signal(SIGPIPE, SIG_IGN);			/* blocked, SIGDEFAULT */
	ignored = ignored_signals();
	caught = 0;

	blocked = sigbit(SIGUSR1) | sigbit(SIGUSR2) | sigbit(SIGTERM) |
		  sigbit(SIGPIPE);
	want_ign = ignored & ~sigbit(SIGPIPE);
	acts[0] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS, blocked);
	acts[1] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS,
			   sigbit(SIGTERM) | sigbit(SIGPIPE));
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS)) {
		acts[n++] = act_bits(SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS,
				     sigbit(SIGUSR2));
		want_ign |= sigbit(SIGUSR2);
	}
	run_with(tfd, acts, n, &r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), blocked);
	CHECK_EQ(view_hex(&r.view, "sigign"), want_ign);
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);

	CHECK_EQ(ignored_signals(), ignored);
	CHECK_EQ(caught, 0);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	close(tfd);
}

/* Fields other than arg must be zero (X_CALLER_BLOCKED: arg too), else
 * EINVAL; a type the backend lacks is ENOTSUP. */
static void test_fields(void)
{
	static const struct {
		__u32 type;
		int fd, newfd;
		__u32 flags;
		__u64 arg;
		bool ok;
	} cases[] = {
		{ SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS, 0, 0, 0, 0, true },
		{ SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS, 1, 0, 0, 0, false },
		{ SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS, 0, 0, 1, 0, false },
		{ SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS, 0, 1, 0, 1, false },
		{ SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS, 0, 0, 0, ~0ULL, true },
		{ SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED, 0, 0, 0, 1, false },
		{ SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED, 0, 0, 2, 0, false },
		{ SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS, 0, 0, 0, 1, true },
		{ SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS, 2, 0, 0, 1, false },
		{ SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS, 0, 0, 4, 0, false },
	};
	int tfd = TEMPLATE_FOR(childview_path());

	if (tfd < 0)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spawn_template_action a = {
			.type = cases[i].type, .fd = cases[i].fd,
			.newfd = cases[i].newfd, .flags = cases[i].flags,
			.arg = cases[i].arg,
		};
		struct spawn_template_spawn_args args = {
			.argv = PTR(quiet_argv), .envp = PTR(quiet_argv + 2),
			.actions = PTR(&a), .actions_len = 1,
		};
		bool refused = !extension_supported(cases[i].type);
		int pidfd = -1;
		pid_t pid;

		args.pidfd = PTR(&pidfd);
		printf("# case %zu: type %#x\n", i, cases[i].type);
		if (refused || !cases[i].ok) {
			CHECK_SPAWN_FAILS(tfd, &args, sizeof(args),
					  refused ? ENOTSUP : EINVAL);
			continue;
		}
		pid = spawn_template_spawn(tfd, &args, sizeof(args));
		CHECK(pid > 0);
		if (pid > 0) {
			struct run r = { .pid = pid, .pidfd = pidfd };

			reap_run(&r);
			CHECK_EXITED(&r, 0);
		}
	}
	close(tfd);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_sigmask_bits),
	CHECK_TEST(test_sigdefault_bits),
	CHECK_TEST(test_caller_blocked),
	CHECK_TEST(test_blocked_caught_signals),
	CHECK_TEST(test_sigignore_bits),
	CHECK_TEST(test_fields),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
