/* signal_inheritance.c - the caller's signal state as the child sees it.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As across fork + execve: the child starts with the calling thread's
 * mask, ignored signals stay ignored, handled ones become default.  The
 * library blocks signals around its clone; the caller's mask must come
 * back unchanged.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define RTSIG (SIGRTMIN + 9)

static int tfd = -1;

static void run_plain(struct run *r)
{
	struct run_opts o = { 0 };

	REQUIRE(run_child(tfd, &o, r) == 0);
	CHECK_EXITED(r, 0);
	CHECK(view_complete(&r->view));
}

static void test_mask_is_inherited(void)
{
	unsigned long long before;
	sigset_t set;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, RTSIG);
	REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	before = thread_sigblk();
	REQUIRE(before & sigbit(RTSIG));
	run_plain(&r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), before);
	run_free(&r);
	CHECK_EQ(thread_sigblk(), before);
}

static void test_empty_mask_is_inherited(void)
{
	sigset_t set;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	sigemptyset(&set);
	REQUIRE(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	run_plain(&r);
	CHECK_EQ(view_hex(&r.view, "sigblk"), 0);
	run_free(&r);
	CHECK_EQ(thread_sigblk(), 0);
}

struct thread_result {
	unsigned long long thread_mask, child_mask;
};

static void *spawn_from_thread(void *arg)
{
	struct thread_result *res = arg;
	sigset_t set;
	struct run r;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	res->thread_mask = thread_sigblk();
	run_plain(&r);
	res->child_mask = view_hex(&r.view, "sigblk");
	run_free(&r);
	return NULL;
}

/* The mask is per thread: the child gets the calling thread's. */
static void test_mask_of_calling_thread(void)
{
	struct thread_result res = { 0 };
	pthread_t t;
	sigset_t set;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	sigemptyset(&set);
	REQUIRE(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	REQUIRE(pthread_create(&t, NULL, spawn_from_thread, &res) == 0);
	REQUIRE(pthread_join(t, NULL) == 0);
	CHECK(res.thread_mask & sigbit(SIGUSR1));
	CHECK_EQ(res.child_mask, res.thread_mask);
	CHECK_EQ(thread_sigblk() & sigbit(SIGUSR1), 0);
}

static volatile sig_atomic_t handled;

static void handler(int sig)
{
	(void)sig;
	handled++;
}

static void test_dispositions(void)
{
	struct sigaction sa = { .sa_handler = handler };
	unsigned long long ignored;
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	signal(SIGUSR1, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(RTSIG, SIG_IGN);
	REQUIRE(sigaction(SIGUSR2, &sa, NULL) == 0);
	REQUIRE(sigaction(SIGINT, &sa, NULL) == 0);
	REQUIRE(sigaction(RTSIG + 1, &sa, NULL) == 0);
	ignored = ignored_signals();
	run_plain(&r);
	/* Ignored stays ignored, exactly. */
	CHECK_EQ(view_hex(&r.view, "sigign"), ignored);
	/* Handled becomes default: childview catches nothing. */
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	run_free(&r);
	/* The caller keeps its handlers and ignores. */
	CHECK_EQ(ignored_signals(), ignored);
	REQUIRE(sigaction(SIGUSR2, NULL, &sa) == 0);
	CHECK(sa.sa_handler == handler);
}

/* Signals blocked around the spawn are delivered afterwards, once. */
static void test_signal_during_spawn_is_not_lost(void)
{
	struct sigaction sa = { .sa_handler = handler };
	struct run r;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(sigaction(SIGUSR2, &sa, NULL) == 0);
	handled = 0;
	raise(SIGUSR2);
	CHECK_EQ(handled, 1);
	run_plain(&r);
	run_free(&r);
	CHECK_EQ(handled, 1);
	/* Pending while blocked, delivered when unblocked by us. */
	{
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
		raise(SIGUSR2);
		run_plain(&r);
		CHECK(view_hex(&r.view, "sigblk") & sigbit(SIGUSR2));
		run_free(&r);
		CHECK_EQ(handled, 1);
		REQUIRE(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
		CHECK_EQ(handled, 2);
	}
}

/* A signal that reaches the child before exec must meet the default
 * disposition, never the caller's handler (which would run on the
 * caller's memory).  The child is held before exec by an OPEN of a FIFO;
 * a helper thread sends it SIGUSR1, then opens the FIFO's other end.  The
 * child unblocks its signals just before exec, so SIGUSR1 (default:
 * terminate) ends it; a SIGMASK that blocks SIGUSR1 lets it exec. */
struct holder {
	pid_t spawner_tid;
	char fifo[PATH_MAX + 16];
	pid_t child;
};

static pid_t child_of(pid_t tid)
{
	char path[64];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

static void *signal_then_release(void *arg)
{
	struct holder *h = arg;
	struct timespec ms = { 0, 1000000 };
	int fd;

	/* The spawner is frozen until the child execs: find the child. */
	while ((h->child = child_of(h->spawner_tid)) <= 0)
		nanosleep(&ms, NULL);
	REQUIRE(kill(h->child, SIGUSR1) == 0);
	fd = open(h->fifo, O_WRONLY | O_CLOEXEC);
	REQUIRE(fd >= 0);
	close(fd);
	return NULL;
}

static void spawn_held(bool block_usr1, struct run *r, struct holder *h)
{
	struct spawn_template_open op = { .how = { .flags = O_RDONLY } };
	struct spawn_template_action acts[2];
	struct spawn_template_sigset ss;
	struct run_opts o = { .actions = acts, .nactions = 1 };
	sigset_t set;
	pthread_t t;

	op.path = PTR(h->fifo);
	acts[0] = act_open(AT_FDCWD, 0, &op);
	if (block_usr1) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		ss = sigset_of(&set);
		acts[1] = act_sigmask(&ss);
		o.nactions = 2;
	}
	h->spawner_tid = gettid();
	REQUIRE(pthread_create(&t, NULL, signal_then_release, h) == 0);
	REQUIRE(run_child(tfd, &o, r) == 0);
	REQUIRE(pthread_join(t, NULL) == 0);
	CHECK_EQ(h->child, r->pid);
}

static void test_handler_never_runs_in_child(void)
{
	struct sigaction sa = { .sa_handler = handler };
	struct holder h;
	char dir[PATH_MAX];
	sigset_t none;
	struct run r;

	if (child_of(gettid()) < 0)
		SKIP("no /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN)");
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	make_tempdir(dir);
	snprintf(h.fifo, sizeof(h.fifo), "%s/fifo", dir);
	REQUIRE(mkfifo(h.fifo, 0600) == 0);
	sigemptyset(&none);
	REQUIRE(sigprocmask(SIG_SETMASK, &none, NULL) == 0);
	REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
	handled = 0;

	spawn_held(false, &r, &h);
	CHECK_EQ(r.code, CLD_KILLED);
	CHECK_EQ(r.status, SIGUSR1);
	CHECK(!view_complete(&r.view));
	CHECK_EQ(handled, 0);
	run_free(&r);

	/* Blocked by SIGMASK: it stays pending across exec, which resets
	 * the handler (the clone fallback's child leaves it to exec). */
	spawn_held(true, &r, &h);
	CHECK_EXITED(&r, 0);
	CHECK(view_complete(&r.view));
	CHECK_EQ(view_hex(&r.view, "sigblk"), sigbit(SIGUSR1));
	CHECK_EQ(view_hex(&r.view, "sigcgt"), 0);
	CHECK_EQ(handled, 0);
	run_free(&r);
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_mask_is_inherited),
	CHECK_TEST(test_empty_mask_is_inherited),
	CHECK_TEST(test_mask_of_calling_thread),
	CHECK_TEST(test_dispositions),
	CHECK_TEST(test_signal_during_spawn_is_not_lost),
	CHECK_TEST(test_handler_never_runs_in_child),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
