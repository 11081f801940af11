/* bad_pointers.c - an out-pointer the library cannot write is EFAULT
 * before any child exists.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pidfd slot and an X_ERRNO slot are written only after the child has
 * run: a bad one must not become a SIGSEGV in the caller with a child
 * already started (the kernel's copy_process() writes the pidfd before the
 * child exists and fails the clone with EFAULT).  Each spawn carries an
 * OPEN action that creates a marker file: the marker proves whether any
 * child ran its actions, whether or not it could be reaped.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

static char dir[PATH_MAX], marker[PATH_MAX + 16];
static const char *const argv_[] = { "childview", "-q", NULL };
static struct spawn_template_open mark_open;
static int *readonly, *unmapped;	/* a PROT_READ page, a PROT_NONE one */

static void setup(void)
{
	char *m = page_before_hole(PROT_READ);

	marker_setup(dir, marker, &mark_open);
	readonly = (int *)m;
	unmapped = (int *)(m + sysconf(_SC_PAGESIZE));
}

/* spawn childview -q with the marker action and extra, pidfd at slot. */
static void spawn_fails(int tfd, int *slot,
			const struct spawn_template_action *extra, int want,
			const char *what)
{
	struct spawn_template_action acts[2] = { act_open(AT_FDCWD, 20, &mark_open) };
	struct spawn_template_spawn_args a = {
		.pidfd = PTR(slot),
		.argv = PTR(argv_),
		.envp = PTR(argv_ + 2),
		.actions = PTR(acts),
		.actions_len = 1,
	};

	if (extra)
		acts[a.actions_len++] = *extra;
	printf("# %s\n", what);
	check_spawn_fails(tfd, &a, sizeof(a), want, __FILE__, __LINE__,
			  want == EFAULT ? "EFAULT" : "ENOTSUP");
	CHECK(access(marker, F_OK) != 0);
}

static void test_bad_pidfd_pointer_is_efault(void)
{
	int tfd;

	setup();
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	spawn_fails(tfd, (int *)(uintptr_t)8, NULL, EFAULT,
		    "pidfd at address 8");
	spawn_fails(tfd, unmapped, NULL, EFAULT,
		    "pidfd in a PROT_NONE page");
	spawn_fails(tfd, readonly, NULL, EFAULT,
		    "pidfd in a read-only page");
	close(tfd);
	remove_tree(dir);
}

/* Where X_ERRNO is not supported the spawn fails with ENOTSUP, before
 * any child, whatever the pointer. */
static void test_bad_errno_pointer_is_efault(void)
{
	int want = extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO) ?
		   EFAULT : ENOTSUP;
	struct spawn_template_action x;
	int pidfd = -1, tfd;

	setup();
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	x = act_errno(unmapped);
	spawn_fails(tfd, &pidfd, &x, want, "X_ERRNO slot in a PROT_NONE page");
	x = act_errno(readonly);
	spawn_fails(tfd, &pidfd, &x, want, "X_ERRNO slot in a read-only page");
	x = act_errno((int *)(uintptr_t)8);
	spawn_fails(tfd, &pidfd, &x, want, "X_ERRNO slot at address 8");
	/* The caller's pidfd slot stays as it was. */
	CHECK_EQ(pidfd, -1);
	close(tfd);
	remove_tree(dir);
}

/* An X_ERRNO slot in the pidfd slot's own page is proved by clone's
 * write of the pidfd (the library skips its probe): a page that cannot
 * be written is still EFAULT with no child. */
static void test_errno_slot_beside_pidfd(void)
{
	int want = extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO) ?
		   EFAULT : ENOTSUP;
	struct spawn_template_action x;
	int tfd;

	setup();
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	x = act_errno(readonly + 1);
	spawn_fails(tfd, readonly, &x, want,
		    "pidfd and X_ERRNO slots in one read-only page");
	x = act_errno(unmapped + 1);
	spawn_fails(tfd, unmapped, &x, want,
		    "pidfd and X_ERRNO slots in one PROT_NONE page");
	close(tfd);
	remove_tree(dir);
}

/* The probe changes nothing: good slots get their values only from the
 * spawn, and it still works. */
static void test_good_pointers_still_work(void)
{
	struct spawn_template_action acts[2];
	struct run_opts o = { .args = argv_ + 1, .raw = true, .actions = acts };
	int child_errno = 12345, tfd;
	struct run r;

	setup();
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	acts[o.nactions++] = act_open(AT_FDCWD, 20, &mark_open);
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		acts[o.nactions++] = act_errno(&child_errno);
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK(access(marker, F_OK) == 0);
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		CHECK_EQ(child_errno, 0);
	run_free(&r);
	close(tfd);
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_bad_pidfd_pointer_is_efault),
	CHECK_TEST(test_errno_slot_beside_pidfd),
	CHECK_TEST(test_bad_errno_pointer_is_efault),
	CHECK_TEST(test_good_pointers_still_work),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
