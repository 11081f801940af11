/* args_page.c - actions laid out right after the args struct, at the edge
 * of a page: the same results as anywhere else.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The userspace backends read the rest of the args struct's last page
 * along with the struct, and take the actions from there when they lie in
 * it (one process_vm_readv less per spawn).  Each case puts the struct
 * and its actions against a PROT_NONE page: actions wholly in the
 * readable page must run, an array that runs into the PROT_NONE page or
 * starts there is EFAULT, a bad action in the read-ahead bytes is EINVAL,
 * all with no child.  Each spawn carries an OPEN action that creates a
 * marker file: it proves whether a child ran its actions.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define ARGS_SIZE sizeof(struct spawn_template_spawn_args)
#define ACT_SIZE sizeof(struct spawn_template_action)

static char dir[PATH_MAX], marker[PATH_MAX + 16];
static const char *const argv_[] = { "childview", "-q", NULL };
static struct spawn_template_open mark_open;
static char *page_end;		/* a readable page ends here; PROT_NONE after */
static int pidfd_slot;

static void setup(void)
{
	marker_setup(dir, marker, &mark_open);
	page_end = page_before_hole(PROT_READ | PROT_WRITE) + sysconf(_SC_PAGESIZE);
}

/* The args struct at at, nacts actions at acts (the first the marker
 * OPEN, the others copies of extra where they are writable). */
static struct spawn_template_spawn_args *
lay_out(char *at, char *acts, size_t nacts,
	const struct spawn_template_action *extra)
{
	struct spawn_template_spawn_args a = {
		.pidfd = PTR(&pidfd_slot),
		.argv = PTR(argv_),
		.envp = PTR(argv_ + 2),
		.actions = PTR(acts),
		.actions_len = nacts,
	};
	struct spawn_template_action first = act_open(AT_FDCWD, 20, &mark_open);

	for (size_t i = 0; i < nacts; i++) {
		char *p = acts + i * ACT_SIZE;

		if (p + ACT_SIZE > page_end)
			break;		/* past the readable page */
		memcpy(p, i ? extra : &first, ACT_SIZE);
	}
	memcpy(at, &a, ARGS_SIZE);
	return (struct spawn_template_spawn_args *)at;
}

static void spawn_works(int tfd, const struct spawn_template_spawn_args *a,
			const char *what)
{
	int status = -1;
	pid_t pid;

	printf("# %s\n", what);
	unlink(marker);
	pidfd_slot = -1;
	pid = spawn_template_spawn(tfd, a, ARGS_SIZE);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(access(marker, F_OK) == 0);
	close(pidfd_slot);
}

static void spawn_fails(int tfd, const struct spawn_template_spawn_args *a,
			int want, const char *what)
{
	printf("# %s\n", what);
	unlink(marker);
	pidfd_slot = -1;
	check_spawn_fails(tfd, a, ARGS_SIZE, want, __FILE__, __LINE__,
			  want == EFAULT ? "EFAULT" : "EINVAL");
	CHECK(access(marker, F_OK) != 0);
}

static void test_actions_after_args_run(void)
{
	struct spawn_template_action fchdir_root;
	int tfd, root;
	char *at;

	setup();
	at = page_end - ARGS_SIZE - 3 * ACT_SIZE;
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	REQUIRE(root >= 0);
	fchdir_root = act_fchdir(root);
	spawn_works(tfd, lay_out(at, at + ARGS_SIZE, 3, &fchdir_root),
		    "three actions ending at the page's last byte");
	spawn_works(tfd, lay_out(page_end - ARGS_SIZE, page_end - ARGS_SIZE -
				 2 * ACT_SIZE, 2, &fchdir_root),
		    "actions before the args struct, in its page");
	close(root);
	close(tfd);
	remove_tree(dir);
}

static void test_actions_past_the_page_fault(void)
{
	struct spawn_template_action close0 = act_close(0);
	int tfd;
	char *at;

	/* On the kernel backend too: its translation of the _BITS actions
	 * copies directly. */
	if (!user_reads_are_checked())
		SKIP(NO_CHECKED_READS);
	setup();
	at = page_end - ARGS_SIZE - ACT_SIZE;
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	spawn_fails(tfd, lay_out(at, at + ARGS_SIZE, 2, &close0), EFAULT,
		    "the second action in the PROT_NONE page");
	spawn_fails(tfd, lay_out(at, at + ARGS_SIZE + 8, 1, &close0), EFAULT,
		    "one action across the page boundary");
	spawn_fails(tfd, lay_out(page_end - ARGS_SIZE, page_end, 1, &close0),
		    EFAULT, "the actions start in the PROT_NONE page");
	spawn_fails(tfd, (void *)(page_end - ARGS_SIZE / 2), EFAULT,
		    "the args struct runs into the PROT_NONE page");
	close(tfd);
	remove_tree(dir);
}

static void test_bad_action_in_read_ahead_is_einval(void)
{
	struct spawn_template_action bad = act_close(-1);
	int tfd;
	char *at;

	setup();
	at = page_end - ARGS_SIZE - 2 * ACT_SIZE;
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	spawn_fails(tfd, lay_out(at, at + ARGS_SIZE, 2, &bad), EINVAL,
		    "close(-1) right after the marker action");
	close(tfd);
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_actions_after_args_run),
	CHECK_TEST(test_actions_past_the_page_fault),
	CHECK_TEST(test_bad_action_in_read_ahead_is_einval),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
