/* action_order.c - the first faulty action decides the errno.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The userspace backends read what the actions point to one level of
 * indirection at a time for all actions together (validate.c): the
 * open_how and sigset headers in one read, the signal sets in the next.
 * The errno must still be the one of the first faulty action, as the
 * kernel checks and copies them one after the other.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

static const char *const argv_[] = { "childview", "-q", NULL };

static void spawn_fails(int tfd, const struct spawn_template_action *acts,
			size_t n, int want, const char *what)
{
	int pidfd = -1;
	struct spawn_template_spawn_args a = {
		.pidfd = PTR(&pidfd),
		.argv = PTR(argv_),
		.envp = PTR(argv_ + 2),
		.actions = PTR(acts),
		.actions_len = n,
	};

	printf("# %s\n", what);
	check_spawn_fails(tfd, &a, sizeof(a), want, __FILE__, __LINE__,
			  want == EFAULT ? "EFAULT" : "EINVAL");
}

static void test_first_faulty_action_decides(void)
{
	void *unmapped;
	sigset_t empty;
	struct spawn_template_sigset good, badset, badsize;
	struct spawn_template_open badhow = {
		.how = { .flags = O_RDONLY, .mode = 0600 },	/* mode without O_CREAT */
		.path = PTR("/"),
	};
	struct spawn_template_action acts[3];
	int tfd;

	if (!check_backend_is_kernel() && !user_reads_are_checked())
		SKIP(NO_CHECKED_READS);

	unmapped = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(unmapped != MAP_FAILED);
	sigemptyset(&empty);
	good = sigset_of(&empty);
	badset = good;
	badset.sigset = PTR(unmapped);		/* header fine, set unreadable */
	badsize = good;
	badsize.sigsetsize = 4;
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;

	acts[0] = act_sigmask(&badset);
	acts[1] = act_open(AT_FDCWD, 20, &badhow);
	spawn_fails(tfd, acts, 2, EFAULT,
		    "unreadable set, then a bad open_how: EFAULT");
	acts[0] = act_open(AT_FDCWD, 20, &badhow);
	acts[1] = act_sigmask(&badset);
	spawn_fails(tfd, acts, 2, EINVAL,
		    "a bad open_how, then an unreadable set: EINVAL");
	acts[0] = act_sigdefault(&badsize);
	acts[1] = act_sigmask((struct spawn_template_sigset *)unmapped);
	spawn_fails(tfd, acts, 2, EINVAL,
		    "bad sigsetsize, then an unreadable header: EINVAL");
	acts[0] = act_sigdefault(&good);
	acts[1] = act_sigmask(&badset);
	acts[2] = act_close(-1);
	spawn_fails(tfd, acts, 3, EFAULT,
		    "good set, unreadable set, then a bad close: EFAULT");
	acts[1] = act_sigmask(&good);
	spawn_fails(tfd, acts, 3, EINVAL,
		    "good sets, then a bad close: EINVAL");
	close(tfd);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_first_faulty_action_decides),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
