/* scratch.c - args built in the library's own per-thread scratch memory.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * spawn_template_x_scratch() hands out memory the library reads without
 * the EFAULT check a caller's memory needs.  The args struct, actions and
 * X_ERRNO int placed there must work as anywhere else; what the struct
 * points to outside it is still checked (EFAULT); each thread has its own.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

static const char *const argv_x3[] = { "childview", "-q", "-x", "3", NULL };

struct block {
	struct spawn_template_spawn_args args;
	struct spawn_template_action act[2];
	int child_errno;
};

static struct block *scratch_block(void)
{
	size_t size = 0;
	struct block *b = spawn_template_x_scratch(&size);

	REQUIRE(b != NULL);
	REQUIRE(size >= 2048);
	REQUIRE(((uintptr_t)b & 63) == 0);
	memset(b, 0, sizeof(*b));
	return b;
}

static pid_t spawn_block(int tfd, struct block *b, size_t nact, int *pidfd)
{
	b->args = (struct spawn_template_spawn_args){
		.argv = PTR(argv_x3), .envp = PTR(argv_x3 + 4),
		.pidfd = PTR(pidfd), .actions = PTR(b->act),
		.actions_len = nact,
	};
	return spawn_template_spawn(tfd, &b->args, sizeof(b->args));
}

/* The actions are read from the scratch: one that fails in the child
 * (closing an fd that is not open) fails it, and the X_ERRNO int in the
 * scratch says why; without it the child runs. */
static void test_args_in_scratch(void)
{
	int tfd = TEMPLATE_FOR(childview_path()), pidfd = -1;
	struct block *b;
	struct run r;
	pid_t pid;

	if (tfd < 0)
		return;
	b = scratch_block();
	b->act[0] = act_errno(&b->child_errno);
	b->act[1] = act_close(1000);
	b->child_errno = -1;
	pid = spawn_block(tfd, b, 2, &pidfd);
	REQUIRE(pid > 0);
	r = (struct run){ .pid = pid, .pidfd = pidfd };
	reap_run(&r);
	CHECK_EXITED(&r, 1);
	CHECK_EQ(b->child_errno, EBADF);

	b = scratch_block();
	b->act[0] = act_errno(&b->child_errno);
	b->child_errno = -1;
	pidfd = -1;
	pid = spawn_block(tfd, b, 1, &pidfd);
	REQUIRE(pid > 0);
	r = (struct run){ .pid = pid, .pidfd = pidfd };
	reap_run(&r);
	CHECK_EXITED(&r, 3);
	CHECK_EQ(b->child_errno, 0);
	close(tfd);
}

/* A struct in the scratch that points outside it: that memory is read
 * as a caller's, so an unreadable action array is still EFAULT. */
static void test_pointers_outside_are_checked(void)
{
	int tfd = TEMPLATE_FOR(childview_path()), pidfd = -1;
	char *page = page_before_hole(PROT_READ | PROT_WRITE);
	struct block *b;

	if (!check_backend_is_kernel() && !user_reads_are_checked())
		SKIP(NO_CHECKED_READS);
	if (tfd < 0)
		return;
	b = scratch_block();
	b->args = (struct spawn_template_spawn_args){
		.argv = PTR(argv_x3), .envp = PTR(argv_x3 + 4),
		.pidfd = PTR(&pidfd), .actions_len = 1,
		/* the action straddles the hole */
		.actions = PTR(page + getpagesize() - 8),
	};
	CHECK_SPAWN_FAILS(tfd, &b->args, sizeof(b->args), EFAULT);
	close(tfd);
}

static void *thread_scratch(void *arg)
{
	(void)arg;
	return spawn_template_x_scratch(NULL);
}

static void test_scratch_is_per_thread(void)
{
	void *mine = spawn_template_x_scratch(NULL), *theirs = NULL;
	pthread_t t;

	REQUIRE(pthread_create(&t, NULL, thread_scratch, NULL) == 0);
	REQUIRE(pthread_join(t, &theirs) == 0);
	CHECK(theirs != NULL);
	CHECK(theirs != mine);
	CHECK(spawn_template_x_scratch(NULL) == mine);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_args_in_scratch),
	CHECK_TEST(test_pointers_outside_are_checked),
	CHECK_TEST(test_scratch_is_per_thread),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
