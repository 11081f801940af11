/* fork_pid.c - a fork()ed child reads its own memory, not its parent's.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The library caches its pid for process_vm_readv (selfpid.c).  After a
 * fork the child must ask anew: with the parent's pid it would read the
 * parent's copy of an address, and memory the child mapped after the fork
 * is not there at all (EFAULT).  The child puts a SIGMASK action's set in
 * such a fresh mapping and spawns.
 */
#include "config.h"

#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static const char *const argv_[] = { "childview", "-q", NULL };

/* 0: spawned and the child exited 0; else the errno or 100 + status. */
static int spawn_with_fresh_sigset(int tfd)
{
	struct {
		struct spawn_template_sigset s;
		__u64 set;
	} *m;
	struct spawn_template_action act;
	int pidfd = -1, status;
	pid_t pid;

	m = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return errno;
	m->set = 0;
	m->s = (struct spawn_template_sigset){
		.sigset = PTR(&m->set),
		.sigsetsize = SPAWN_TEMPLATE_SIGSET_SIZE,
	};
	act = act_sigmask(&m->s);
	struct spawn_template_spawn_args a = {
		.pidfd = PTR(&pidfd),
		.argv = PTR(argv_),
		.envp = PTR(argv_ + 2),
		.actions = PTR(&act),
		.actions_len = 1,
	};
	pid = spawn_template_spawn(tfd, &a, sizeof(a));
	if (pid < 0)
		return errno;
	close(pidfd);
	if (waitpid(pid, &status, 0) != pid)
		return errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 100 + status;
}

static void test_forked_child_reads_its_own_memory(void)
{
	int tfd, status;
	pid_t pid;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	/* the parent's spawn fills the cache */
	CHECK_EQ(spawn_with_fresh_sigset(tfd), 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid)
		_exit(spawn_with_fresh_sigset(tfd));
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	/* EFAULT or EINVAL here: the child read its parent's memory */
	CHECK_EQ(WEXITSTATUS(status), 0);
	close(tfd);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_forked_child_reads_its_own_memory),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
