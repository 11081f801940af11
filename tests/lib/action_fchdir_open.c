/* action_fchdir_open.c - the FCHDIR and OPEN actions.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static char dir[PATH_MAX];
static int tfd = -1;

static bool setup(void)
{
	char real[PATH_MAX];

	make_tempdir(dir);
	/* The child reports resolved paths. */
	REQUIRE(realpath(dir, real));
	strcpy(dir, real);
	tfd = TEMPLATE_FOR(childview_path());
	return tfd >= 0;
}

static void run_with(const struct spawn_template_action *acts, size_t n,
		     __u64 flags, struct run *r)
{
	struct run_opts o = { .flags = flags, .actions = acts, .nactions = n };

	REQUIRE(run_child(tfd, &o, r) == 0);
}

static void check_child_fails(const struct spawn_template_action *acts,
			      size_t n, int status, int err)
{
	struct spawn_template_action all[8];
	struct run r;
	int got = -1;

	REQUIRE(n < 7);
	if (n)
		memcpy(all, acts, n * sizeof(*acts));
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		all[n++] = act_errno(&got);
	run_with(all, n, 0, &r);
	CHECK_EQ(r.code, CLD_EXITED);
	CHECK_EQ(r.status, status);
	CHECK(!view_complete(&r.view));
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		CHECK_EQ(got, err);
	run_free(&r);
}

static void test_fchdir(void)
{
	char before[PATH_MAX], after[PATH_MAX];
	struct spawn_template_action a;
	struct run r;
	int d;

	if (!setup())
		return;
	REQUIRE(getcwd(before, sizeof(before)));
	d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	REQUIRE(d >= 0);
	a = act_fchdir(d);
	run_with(&a, 1, 0, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_get(&r.view, "cwd"), dir);
	run_free(&r);
	/* The child's cwd is its own. */
	REQUIRE(getcwd(after, sizeof(after)));
	CHECK_STREQ(after, before);
	/* Without the action: the caller's cwd. */
	run_with(NULL, 0, 0, &r);
	CHECK_STREQ(view_get(&r.view, "cwd"), before);
	run_free(&r);
	close(d);
	remove_tree(dir);
}

static void test_fchdir_errors_fail_child(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_action a;
	int f;

	if (!setup())
		return;
	snprintf(path, sizeof(path), "%s/file", dir);
	write_file(path, "x", 1, 0644);
	f = open(path, O_RDONLY | O_CLOEXEC);
	REQUIRE(f >= 0);
	a = act_fchdir(f);
	check_child_fails(&a, 1, 1, ENOTDIR);
	close(f);
	/* A high number: a low one could be reused by the output pipe. */
	close(79);
	a = act_fchdir(79);
	check_child_fails(&a, 1, 1, EBADF);
	remove_tree(dir);
}

static void test_open_creates_with_mode(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_open op = {
		.how = { .flags = O_WRONLY | O_CREAT | O_EXCL | O_APPEND,
			 .mode = 0666 },
	};
	struct spawn_template_action a;
	struct stat st;
	struct run r;
	mode_t old;

	if (!setup())
		return;
	snprintf(path, sizeof(path), "%s/created", dir);
	op.path = PTR(path);
	a = act_open(AT_FDCWD, 60, &op);
	/* The child inherits the umask: 0666 & ~027 = 0640. */
	old = umask(027);
	run_with(&a, 1, SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_get(&r.view, "umask"), "0027");
	CHECK_STREQ(view_fd(&r.view, 60), path);
	CHECK_EQ(view_fdfl(&r.view, 60) & (O_ACCMODE | O_APPEND),
		 O_WRONLY | O_APPEND);
	run_free(&r);
	CHECK_EQ(umask(old), 027);	/* the caller's umask is unchanged */
	REQUIRE(stat(path, &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 0640);
	/* O_EXCL: a second run finds the file and fails the child. */
	check_child_fails(&a, 1, 1, EEXIST);
	remove_tree(dir);
}

static void test_open_onto_stdio(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_open op = { .how = { .flags = O_RDONLY } };
	struct spawn_template_action a;
	struct run r;

	if (!setup())
		return;
	snprintf(path, sizeof(path), "%s/input", dir);
	write_file(path, "data", 4, 0644);
	op.path = PTR(path);
	a = act_open(AT_FDCWD, 0, &op);
	/* fd 0 survives the default closing. */
	run_with(&a, 1, 0, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_fd(&r.view, 0), path);
	CHECK_EQ(view_fdfl(&r.view, 0) & O_ACCMODE, O_RDONLY);
	run_free(&r);
	remove_tree(dir);
}

static void test_open_cloexec(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_open op = {
		.how = { .flags = O_WRONLY | O_CREAT | O_CLOEXEC,
			 .mode = 0600 },
	};
	struct spawn_template_action acts[2];
	struct run r;

	if (!setup())
		return;
	snprintf(path, sizeof(path), "%s/cloexec", dir);
	op.path = PTR(path);
	acts[0] = act_open(AT_FDCWD, 61, &op);
	/* dup'ed before exec to prove it was open then. */
	acts[1] = act_dup2(61, 62, 0);
	run_with(acts, 2, SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, &r);
	CHECK_EXITED(&r, 0);
	CHECK(view_complete(&r.view));
	CHECK(view_fd(&r.view, 61) == NULL);
	CHECK_STREQ(view_fd(&r.view, 62), path);
	run_free(&r);
	CHECK(access(path, F_OK) == 0);
	remove_tree(dir);
}

static void test_open_relative_to_dirfd(void)
{
	char path[PATH_MAX + 16];
	struct spawn_template_open op = {
		.how = { .flags = O_WRONLY | O_CREAT, .mode = 0600 },
		.path = PTR("relative"),
	};
	struct spawn_template_action a;
	struct run r;
	int d;

	if (!setup())
		return;
	d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	REQUIRE(d >= 0);
	a = act_open(d, 63, &op);
	run_with(&a, 1, SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, &r);
	CHECK_EXITED(&r, 0);
	snprintf(path, sizeof(path), "%s/relative", dir);
	CHECK_STREQ(view_fd(&r.view, 63), path);
	run_free(&r);
	CHECK(access(path, F_OK) == 0);
	close(d);
	remove_tree(dir);
}

/* Actions run in order: an AT_FDCWD open after FCHDIR lands in the new
 * cwd. */
static void test_open_after_fchdir(void)
{
	char path[PATH_MAX + 16], cwd[PATH_MAX];
	struct spawn_template_open op = {
		.how = { .flags = O_WRONLY | O_CREAT, .mode = 0600 },
		.path = PTR("in-new-cwd"),
	};
	struct spawn_template_action acts[2];
	struct run r;
	int d;

	if (!setup())
		return;
	REQUIRE(getcwd(cwd, sizeof(cwd)));
	d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	REQUIRE(d >= 0);
	acts[0] = act_fchdir(d);
	acts[1] = act_open(AT_FDCWD, 64, &op);
	run_with(acts, 2, SPAWN_TEMPLATE_SPAWN_INHERIT_FDS, &r);
	CHECK_EXITED(&r, 0);
	snprintf(path, sizeof(path), "%s/in-new-cwd", dir);
	CHECK_STREQ(view_fd(&r.view, 64), path);
	run_free(&r);
	CHECK(access(path, F_OK) == 0);
	snprintf(path, sizeof(path), "%s/in-new-cwd", cwd);
	CHECK(access(path, F_OK) != 0);
	close(d);
	remove_tree(dir);
}

static void test_open_resolve_flags(void)
{
	char path[PATH_MAX + 16], link[PATH_MAX + 16];
	struct spawn_template_open op = {
		.how = { .flags = O_RDONLY, .resolve = RESOLVE_NO_SYMLINKS },
	};
	struct spawn_template_action a;
	struct run r;

	if (!setup())
		return;
	snprintf(path, sizeof(path), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	write_file(path, "t", 1, 0644);
	REQUIRE(symlink(path, link) == 0);
	op.path = PTR(link);
	a = act_open(AT_FDCWD, 0, &op);
	check_child_fails(&a, 1, 1, ELOOP);
	/* The same open without the resolve flag works. */
	op.how.resolve = 0;
	run_with(&a, 1, 0, &r);
	CHECK_EXITED(&r, 0);
	CHECK_STREQ(view_fd(&r.view, 0), path);
	run_free(&r);
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_fchdir),
	CHECK_TEST(test_fchdir_errors_fail_child),
	CHECK_TEST(test_open_creates_with_mode),
	CHECK_TEST(test_open_onto_stdio),
	CHECK_TEST(test_open_cloexec),
	CHECK_TEST(test_open_relative_to_dirfd),
	CHECK_TEST(test_open_after_fchdir),
	CHECK_TEST(test_open_resolve_flags),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
