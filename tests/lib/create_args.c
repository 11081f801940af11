/* create_args.c - spawn_template_create(): the argument rules.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct spawn_template_create_args by_path(const char *path)
{
	return (struct spawn_template_create_args){
		.filename = PTR(path),
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
	};
}

static void test_create_by_path(void)
{
	struct spawn_template_create_args a = by_path(childview_path());
	int before = fd_count();
	int fd;

	CHECK_OK(fd = spawn_template_create(&a, sizeof(a)));
	CHECK(fd > 2);
	CHECK_EQ(fd_count(), before + 1);
	close(fd);
	CHECK(spawn_path_ok(childview_path()) == 0);
}

static void test_create_cloexec_flag(void)
{
	struct spawn_template_create_args a = by_path(childview_path());
	int fd;

	CHECK_OK(fd = spawn_template_create(&a, sizeof(a)));
	CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
	a.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC;
	CHECK_OK(fd = spawn_template_create(&a, sizeof(a)));
	CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
}

static void test_create_by_execfd(void)
{
	struct spawn_template_create_args a = {
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC };
	const char *args[] = { NULL };
	struct run_opts o = { .args = args };
	struct run r;
	int exe, fd;

	exe = open(childview_path(), O_RDONLY | O_CLOEXEC);
	REQUIRE(exe >= 0);
	a.execfd = exe;
	CHECK_OK(fd = spawn_template_create(&a, sizeof(a)));
	/* The template pins the file: the caller's fd may go. */
	close(exe);
	if (fd < 0)
		return;
	CHECK_OK(run_child(fd, &o, &r));
	CHECK_EXITED(&r, 0);
	CHECK(view_complete(&r.view));
	CHECK_STREQ(view_get(&r.view, "exe"), childview_path());
	run_free(&r);
	close(fd);
}

static void test_create_rejects_unknown_flags(void)
{
	struct spawn_template_create_args a = by_path(childview_path());

	a.flags = 1ULL << 1;
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.flags = 1ULL << 63;
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC | (1ULL << 7);
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	/* an extension flag nobody knows (X_NOWRITEPIN is bit 32) */
	a.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC | (1ULL << 33);
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
}

/* X_NOWRITEPIN: accepted where the backend reports it, ENOTSUP (the
 * kernel backend on a kernel without it) where it does not. */
static void test_create_nowritepin_as_reported(void)
{
	struct spawn_template_create_args a = by_path(childview_path());
	int fd;

	a.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC |
		  SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN;
	if (!(spawn_template_extensions() &
	      SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN)) {
		CHECK_CREATE_FAILS(&a, sizeof(a), ENOTSUP);
		return;
	}
	fd = spawn_template_create(&a, sizeof(a));
	CHECK_OK(fd);
	if (fd >= 0) {
		struct run_opts o = { 0 };
		struct run r;

		CHECK_OK(run_child(fd, &o, &r));
		CHECK_EXITED(&r, 0);
		run_free(&r);
		close(fd);
	}
}

static void test_create_wants_exactly_one_source(void)
{
	struct spawn_template_create_args a = by_path(childview_path());
	int exe = open(childview_path(), O_RDONLY | O_CLOEXEC);

	REQUIRE(exe >= 0);
	a.execfd = exe;			/* both */
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.filename = 0;			/* only execfd: fine */
	a.execfd = exe;
	a.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC;
	{
		int fd;

		CHECK_OK(fd = spawn_template_create(&a, sizeof(a)));
		close(fd);
	}
	a.execfd = SPAWN_TEMPLATE_NO_EXECFD;	/* neither */
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	close(exe);
}

static void test_create_wants_absolute_path(void)
{
	struct spawn_template_create_args a;
	char cwd[PATH_MAX], rel[PATH_MAX];
	const char *path = childview_path();
	const char *slash = strrchr(path, '/');

	REQUIRE(getcwd(cwd, sizeof(cwd)));
	/* Relative names that do name childview from here. */
	snprintf(rel, sizeof(rel), "%.*s", (int)(slash - path), path);
	REQUIRE(chdir(rel) == 0);
	a = by_path(slash + 1);
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	snprintf(rel, sizeof(rel), "./%s", slash + 1);
	a = by_path(rel);
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	REQUIRE(chdir("/") == 0);
	a = by_path(path + 1);	/* the path without its leading '/' */
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	REQUIRE(chdir(cwd) == 0);
}

static void test_create_reserved_fields(void)
{
	struct spawn_template_create_args a = by_path(childview_path());
	struct spawn_template_action act = act_close(100);

	a.__reserved = 1;
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.__reserved = 0x80000000u;
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a = by_path(childview_path());
	a.actions = PTR(&act);
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.actions_len = 1;
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
	a.actions = 0;
	CHECK_CREATE_FAILS(&a, sizeof(a), EINVAL);
}

static void test_create_bad_execfd(void)
{
	struct spawn_template_create_args a = { .execfd = 0 };
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	REQUIRE(fd >= 0);
	close(fd);			/* a number known to be free */
	a.execfd = fd;
	CHECK_CREATE_FAILS(&a, sizeof(a), EBADF);
	a.execfd = 1 << 20;		/* beyond any fd table */
	CHECK_CREATE_FAILS(&a, sizeof(a), EBADF);
}

static void test_create_passes_open_errors(void)
{
	struct spawn_template_create_args a;
	char dir[PATH_MAX], path[PATH_MAX + 64];
	char *longname;

	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/missing", dir);
	a = by_path(path);
	CHECK_CREATE_FAILS(&a, sizeof(a), ENOENT);

	snprintf(path, sizeof(path), "%s/file", dir);
	copy_file(childview_path(), path, 0755);
	snprintf(path, sizeof(path), "%s/file/below", dir);
	a = by_path(path);
	CHECK_CREATE_FAILS(&a, sizeof(a), ENOTDIR);

	longname = malloc(PATH_MAX + 16);
	REQUIRE(longname);
	memset(longname, 'a', PATH_MAX + 15);
	longname[0] = '/';
	longname[PATH_MAX + 15] = '\0';
	a = by_path(longname);
	CHECK_CREATE_FAILS(&a, sizeof(a), ENAMETOOLONG);
	free(longname);
	remove_tree(dir);
}

static void test_create_through_symlink(void)
{
	char dir[PATH_MAX], link[PATH_MAX + 16];
	const char *args[] = { NULL };
	struct run_opts o = { .args = args };
	struct run r;
	int fd;

	make_tempdir(dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	REQUIRE(symlink(childview_path(), link) == 0);
	fd = TEMPLATE_FOR(link);
	if (fd >= 0) {
		CHECK_OK(run_child(fd, &o, &r));
		CHECK_EXITED(&r, 0);
		CHECK_STREQ(view_get(&r.view, "exe"), childview_path());
		run_free(&r);
		close(fd);
	}
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_create_by_path),
	CHECK_TEST(test_create_cloexec_flag),
	CHECK_TEST(test_create_by_execfd),
	CHECK_TEST(test_create_rejects_unknown_flags),
	CHECK_TEST(test_create_nowritepin_as_reported),
	CHECK_TEST(test_create_wants_exactly_one_source),
	CHECK_TEST(test_create_wants_absolute_path),
	CHECK_TEST(test_create_reserved_fields),
	CHECK_TEST(test_create_bad_execfd),
	CHECK_TEST(test_create_passes_open_errors),
	CHECK_TEST(test_create_through_symlink),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
