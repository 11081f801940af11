/* no_leaks.c - many spawns leave the parent as they found it.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fd table must be exactly the same after 10,000 spawns (and after as
 * many failed spawns and create/close pairs; fewer with TC_LIB_ROUNDS).  Memory is looked at through
 * VmRSS with a slack: RSS counts pages touched, and the first spawns may
 * touch a few more pages of heap and stack for good (malloc's arena top,
 * stdio buffers).  RSS_SLACK_KB below is small next to what a real leak
 * costs: 10,000 spawns leaking 64 bytes each is 625 KiB of heap, one page
 * each is 39 MiB.  The loops are preceded by a warm-up so that one-time
 * costs land before the first measurement.
 *
 * Under AddressSanitizer RSS says nothing (its quarantine keeps freed
 * memory resident by design); LeakSanitizer checks for leaks at exit
 * instead, and the fd checks stay.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define ROUNDS scaled_rounds(10000)	/* TC_LIB_ROUNDS: fewer in CI's VM */
#define WARMUP 200
#define RSS_SLACK_KB 512

static const char *const quiet_argv[] = { "childview", "-q", NULL };

static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t klen = strlen(key);
	char line[256];
	long kb = -1;

	REQUIRE(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			kb = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return kb;
}

struct snapshot {
	struct fdset fds;
	long rss_kb, size_kb;
};

static void snap(struct snapshot *s)
{
	fdset_self(&s->fds);
	s->rss_kb = status_kb("VmRSS");
	s->size_kb = status_kb("VmSize");
}

static void check_same(const char *what, const struct snapshot *a,
		       const struct snapshot *b)
{
	printf("# %ld %s: fds %d -> %d, VmRSS %ld -> %ld kB, VmSize %ld -> %ld "
	       "kB\n", ROUNDS, what, a->fds.n, b->fds.n, a->rss_kb, b->rss_kb,
	       a->size_kb, b->size_kb);
	CHECK_EQ(b->fds.n, a->fds.n);
	CHECK(memcmp(a->fds.fd, b->fds.fd,
		     sizeof(int) * (size_t)(a->fds.n < b->fds.n ?
					    a->fds.n : b->fds.n)) == 0);
	if (UNDER_ASAN) {
		printf("# AddressSanitizer: RSS not compared (quarantine)\n");
		return;
	}
	CHECK(b->rss_kb - a->rss_kb <= RSS_SLACK_KB);
}

static int spawn_one(int tfd, __u64 flags,
		     const struct spawn_template_action *acts, size_t n,
		     int *status)
{
	int pidfd = -1;
	struct spawn_template_spawn_args a = {
		.flags = flags,
		.pidfd = PTR(&pidfd),
		.argv = PTR(quiet_argv),
		.envp = PTR(quiet_argv + 2),
		.actions = PTR(acts),
		.actions_len = n,
	};
	siginfo_t info;
	pid_t pid;

	pid = spawn_template_spawn(tfd, &a, sizeof(a));
	if (pid < 0)
		return -1;
	if (waitid_pidfd(pidfd, &info, WEXITED) != 0 || info.si_pid != pid)
		return -2;
	close(pidfd);
	*status = info.si_code == CLD_EXITED ? info.si_status : 1000;
	return 0;
}

static void test_spawns(void)
{
	struct snapshot a, b;
	int tfd = TEMPLATE_FOR(childview_path());
	int bad = 0, st;

	if (tfd < 0)
		return;
	for (int i = 0; i < WARMUP; i++)
		if (spawn_one(tfd, 0, NULL, 0, &st) != 0 || st != 0)
			bad++;
	snap(&a);
	for (int i = 0; i < ROUNDS; i++)
		if (spawn_one(tfd, 0, NULL, 0, &st) != 0 || st != 0)
			bad++;
	snap(&b);
	CHECK_EQ(bad, 0);
	check_same("spawns", &a, &b);
	CHECK(no_child_exists());
	close(tfd);
}

/* With actions, and children that fail in an action (status 127). */
static void test_spawns_with_actions(void)
{
	struct spawn_template_open op = {
		.how = { .flags = O_RDONLY }, .path = PTR("/dev/null") };
	struct spawn_template_open missing = {
		.how = { .flags = O_RDONLY },
		.path = PTR("/nonexistent-spawntemplate-test") };
	struct spawn_template_action ok[3] = {
		act_open(AT_FDCWD, 0, &op), act_dup2(0, 50, 0),
		act_close_range(3, -1, 0) };
	struct spawn_template_action fail = act_open(AT_FDCWD, 0, &missing);
	struct snapshot a, b;
	int tfd = TEMPLATE_FOR(childview_path());
	int bad = 0, st;

	if (tfd < 0)
		return;
	for (int i = 0; i < WARMUP; i++) {
		spawn_one(tfd, SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, ok, 3, &st);
		spawn_one(tfd, 0, &fail, 1, &st);
	}
	snap(&a);
	for (int i = 0; i < ROUNDS / 2; i++) {
		if (spawn_one(tfd, SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, ok, 3,
			      &st) != 0 || st != 0)
			bad++;
		if (spawn_one(tfd, 0, &fail, 1, &st) != 0 || st != 127)
			bad++;
	}
	snap(&b);
	CHECK_EQ(bad, 0);
	check_same("spawns with actions", &a, &b);
	CHECK(no_child_exists());
	close(tfd);
}

/* Spawns refused before any child: bad flags, and stale templates. */
static void test_failed_spawns(void)
{
	char dir[PATH_MAX], exe[PATH_MAX + 16];
	struct snapshot a, b;
	int tfd = TEMPLATE_FOR(childview_path());
	int stale, bad = 0, st;

	if (tfd < 0)
		return;
	make_tempdir(dir);
	snprintf(exe, sizeof(exe), "%s/exe", dir);
	copy_file(childview_path(), exe, 0755);
	stale = TEMPLATE_FOR(exe);
	if (stale < 0)
		return;
	REQUIRE(chmod(exe, 0700) == 0);
	for (int i = 0; i < WARMUP; i++) {
		spawn_one(tfd, 1ULL << 5, NULL, 0, &st);
		spawn_one(stale, 0, NULL, 0, &st);
	}
	snap(&a);
	for (int i = 0; i < ROUNDS / 2; i++) {
		errno = 0;
		if (spawn_one(tfd, 1ULL << 5, NULL, 0, &st) != -1 ||
		    errno != EINVAL)
			bad++;
		errno = 0;
		if (spawn_one(stale, 0, NULL, 0, &st) != -1 ||
		    errno != ESTALE)
			bad++;
	}
	snap(&b);
	CHECK_EQ(bad, 0);
	check_same("refused spawns", &a, &b);
	CHECK(no_child_exists());
	close(stale);
	close(tfd);
	remove_tree(dir);
}

static void test_create_close(void)
{
	struct snapshot a, b;
	int bad = 0;

	for (int i = 0; i < WARMUP; i++) {
		int fd = create_template(childview_path(),
					 SPAWN_TEMPLATE_NO_EXECFD, 0);
		close(fd);
	}
	snap(&a);
	for (int i = 0; i < ROUNDS; i++) {
		int fd = create_template(childview_path(),
					 SPAWN_TEMPLATE_NO_EXECFD, 0);

		if (fd < 0)
			bad++;
		else
			close(fd);
	}
	snap(&b);
	CHECK_EQ(bad, 0);
	check_same("create/close", &a, &b);
}

static const struct check_test tests[] = {
	CHECK_TEST_TIMEOUT(test_spawns, 600),
	CHECK_TEST_TIMEOUT(test_spawns_with_actions, 600),
	CHECK_TEST_TIMEOUT(test_failed_spawns, 600),
	CHECK_TEST_TIMEOUT(test_create_close, 600),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
