/* stale.c - a template whose executable changed is refused with ESTALE.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The identity key is device, inode, size, mode, uid, gid, ctime, mtime; a
 * path-created template also needs the path to still name the file.  Each
 * change is made to a private copy of childview; after it, spawn fails
 * with ESTALE before any child exists, and a fresh template works.
 *
 * The kernel pins the inode against writes while a template exists, so
 * under the kernel backend an in-place writer gets ETXTBSY instead,
 * unless the template was made with SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN:
 * then every backend lets the write through and refuses the next spawn.
 */
#include "config.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static char dir[PATH_MAX], exe[PATH_MAX + 16], tmp[PATH_MAX + 16];
static int tfd = -1;
/* Extra create flags of the next setup(): 0 or X_NOWRITEPIN. */
static __u64 create_flags;

static const char *const quiet_argv[] = { "childview", "-q", NULL };
static int pidfd_slot = -1;
static const struct spawn_template_spawn_args quiet = {
	.pidfd = (__u64)(uintptr_t)&pidfd_slot,
	.argv = (__u64)(uintptr_t)quiet_argv,
	.envp = (__u64)(uintptr_t)(quiet_argv + 2),
};

/* A copy of childview and a template for it, by path or by execfd. */
static bool setup(bool by_fd)
{
	make_tempdir(dir);
	snprintf(exe, sizeof(exe), "%s/exe", dir);
	snprintf(tmp, sizeof(tmp), "%s/exe.new", dir);
	copy_file(childview_path(), exe, 0755);
	if (by_fd) {
		int fd = open(exe, O_RDONLY | O_CLOEXEC);

		REQUIRE(fd >= 0);
		tfd = create_template(NULL, fd, SPAWN_TEMPLATE_CREATE_CLOEXEC |
					    create_flags);
		close(fd);
		CHECK_OK(tfd);
	} else if (create_flags) {
		tfd = create_template(exe, -1, SPAWN_TEMPLATE_CREATE_CLOEXEC |
					       create_flags);
		CHECK_OK(tfd);
	} else {
		tfd = TEMPLATE_FOR(exe);
	}
	if (tfd < 0)
		return false;
	/* It works before the change. */
	CHECK_EQ(spawn_path_ok(exe), 0);
	{
		struct run_opts o = { .args = quiet_argv + 1, .raw = true };
		struct run r;

		CHECK_OK(run_child(tfd, &o, &r));
		CHECK_EXITED(&r, 0);
		run_free(&r);
	}
	return true;
}

/* Does the template deny writers?  The kernel's, unless X_NOWRITEPIN. */
static bool write_pinned(void)
{
	return check_backend_is_kernel() && !create_flags;
}

/* After the change: refused, every time, and a new template works. */
static void check_stale(void)
{
	CHECK_SPAWN_FAILS(tfd, &quiet, sizeof(quiet), ESTALE);
	CHECK_SPAWN_FAILS(tfd, &quiet, sizeof(quiet), ESTALE);
	close(tfd);
	tfd = -1;
	if (access(exe, X_OK) == 0)
		CHECK_EQ(spawn_path_ok(exe), 0);
	remove_tree(dir);
}

static void stat_of(const char *path, struct stat *st)
{
	REQUIRE(stat(path, st) == 0);
}

/* Has the identity key changed?  Guards against a clock too coarse to
 * see a change: then the test moves mtime on itself, and says so. */
static void make_sure_times_moved(const struct stat *before)
{
	struct stat after;

	stat_of(exe, &after);
	if (after.st_mtim.tv_sec == before->st_mtim.tv_sec &&
	    after.st_mtim.tv_nsec == before->st_mtim.tv_nsec &&
	    after.st_ctim.tv_sec == before->st_ctim.tv_sec &&
	    after.st_ctim.tv_nsec == before->st_ctim.tv_nsec) {
		struct timespec ts[2] = { after.st_atim, after.st_mtim };

		fprintf(stderr, "# timestamps did not move: setting mtime "
			"one second on\n");
		ts[1].tv_sec++;
		REQUIRE(utimensat(AT_FDCWD, exe, ts, 0) == 0);
	}
}

static void test_rename_replace(void)
{
	if (!setup(false))
		return;
	copy_file(childview_path(), tmp, 0755);
	REQUIRE(rename(tmp, exe) == 0);
	check_stale();
}

static void test_delete(void)
{
	if (!setup(false))
		return;
	REQUIRE(unlink(exe) == 0);
	check_stale();
}

static void test_symlink_retargeted(void)
{
	char link[PATH_MAX + 16], other[PATH_MAX + 16];

	make_tempdir(dir);
	snprintf(exe, sizeof(exe), "%s/exe", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	copy_file(childview_path(), exe, 0755);
	copy_file(childview_path(), other, 0755);
	REQUIRE(symlink(exe, link) == 0);
	tfd = TEMPLATE_FOR(link);
	if (tfd < 0)
		return;
	REQUIRE(unlink(link) == 0);
	REQUIRE(symlink(other, link) == 0);
	CHECK_SPAWN_FAILS(tfd, &quiet, sizeof(quiet), ESTALE);
	close(tfd);
	remove_tree(dir);
}

/* The path stops naming anything while the file itself is untouched: a
 * symlink left dangling. */
static void test_symlink_dangling(void)
{
	char link[PATH_MAX + 16];

	make_tempdir(dir);
	snprintf(exe, sizeof(exe), "%s/exe", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	copy_file(childview_path(), exe, 0755);
	REQUIRE(symlink(exe, link) == 0);
	tfd = TEMPLATE_FOR(link);
	if (tfd < 0)
		return;
	REQUIRE(unlink(link) == 0);
	REQUIRE(symlink("/nonexistent-spawntemplate-test", link) == 0);
	CHECK_SPAWN_FAILS(tfd, &quiet, sizeof(quiet), ESTALE);
	close(tfd);
	remove_tree(dir);
}

/* Rewrite in place, same bytes (so same size): only the times change. */
static void rewrite_in_place(bool by_fd)
{
	struct stat before;
	char *buf;
	int fd;

	if (!setup(by_fd))
		return;
	stat_of(exe, &before);
	if (write_pinned()) {
		/* The kernel pins the inode against writers. */
		CHECK_ERRNO(fd = open(exe, O_WRONLY | O_CLOEXEC), ETXTBSY);
		if (fd >= 0)
			close(fd);
		close(tfd);
		remove_tree(dir);
		return;
	}
	fd = open(exe, O_WRONLY | O_CLOEXEC);
	REQUIRE(fd >= 0);
	buf = malloc((size_t)before.st_size);
	REQUIRE(buf);
	{
		int in = open(childview_path(), O_RDONLY | O_CLOEXEC);

		REQUIRE(in >= 0);
		REQUIRE(read(in, buf, (size_t)before.st_size) ==
			before.st_size);
		close(in);
	}
	REQUIRE(pwrite(fd, buf, (size_t)before.st_size, 0) ==
		before.st_size);
	free(buf);
	close(fd);
	make_sure_times_moved(&before);
	{
		struct stat after;

		stat_of(exe, &after);
		CHECK_EQ(after.st_size, before.st_size);
		CHECK_EQ(after.st_ino, before.st_ino);
	}
	check_stale();
}

static void test_rewrite_same_size(void) { rewrite_in_place(false); }
static void test_rewrite_same_size_execfd(void) { rewrite_in_place(true); }

/* Grows by a byte (still a valid ELF): size changes. */
static void grow(bool by_fd)
{
	int fd;

	if (!setup(by_fd))
		return;
	if (write_pinned()) {
		CHECK_ERRNO(fd = open(exe, O_WRONLY | O_APPEND | O_CLOEXEC),
			    ETXTBSY);
		if (fd >= 0)
			close(fd);
		close(tfd);
		remove_tree(dir);
		return;
	}
	fd = open(exe, O_WRONLY | O_APPEND | O_CLOEXEC);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, "", 1) == 1);
	close(fd);
	check_stale();
}

static void test_grow(void) { grow(false); }
static void test_grow_execfd(void) { grow(true); }

/* The same writes to a template made with X_NOWRITEPIN: they succeed
 * under every backend that has the flag, and the spawn is ESTALE. */
static bool with_nowritepin(void)
{
	if (!(spawn_template_extensions() &
	      SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN)) {
		printf("# the %s backend has no X_NOWRITEPIN\n",
		       check_backend());
		return false;
	}
	create_flags = SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN;
	return true;
}

static void test_rewrite_same_size_nowritepin(void)
{
	if (with_nowritepin())
		rewrite_in_place(false);
	create_flags = 0;
}

static void test_grow_nowritepin(void)
{
	if (with_nowritepin())
		grow(false);
	create_flags = 0;
}

static void test_grow_execfd_nowritepin(void)
{
	if (with_nowritepin())
		grow(true);
	create_flags = 0;
}

static void chmod_case(bool by_fd)
{
	if (!setup(by_fd))
		return;
	REQUIRE(chmod(exe, 0750) == 0);
	check_stale();
}

static void test_chmod(void) { chmod_case(false); }
static void test_chmod_execfd(void) { chmod_case(true); }

/* chmod to the same mode: only ctime moves. */
static void test_chmod_same_mode(void)
{
	struct stat before;

	if (!setup(false))
		return;
	stat_of(exe, &before);
	REQUIRE(chmod(exe, 0755) == 0);
	{
		struct stat after;

		stat_of(exe, &after);
		if (after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
		    after.st_ctim.tv_nsec == before.st_ctim.tv_nsec) {
			close(tfd);
			remove_tree(dir);
			SKIP("ctime did not move on chmod (coarse clock): "
			     "nothing to detect");
		}
	}
	check_stale();
}

static void test_touch_mtime(void)
{
	struct stat st;
	struct timespec ts[2];

	if (!setup(false))
		return;
	stat_of(exe, &st);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ts[1].tv_sec -= 3600;
	REQUIRE(utimensat(AT_FDCWD, exe, ts, 0) == 0);
	check_stale();
}

static void test_chown(void)
{
	struct passwd *pw = getpwnam("nobody");

	if (geteuid() != 0)
		SKIP("chown needs root");
	if (!setup(false))
		return;
	REQUIRE(chown(exe, pw ? pw->pw_uid : 65534, (gid_t)-1) == 0);
	check_stale();
}

/* Reading or executing it changes nothing. */
static void test_unchanged_stays_valid(void)
{
	char buf[64];
	int fd;

	if (!setup(false))
		return;
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	REQUIRE(fd >= 0);
	REQUIRE(read(fd, buf, sizeof(buf)) == sizeof(buf));
	close(fd);
	CHECK_EQ(spawn_path_ok(exe), 0);
	{
		struct run_opts o = { .args = quiet_argv + 1, .raw = true };
		struct run r;

		for (int i = 0; i < 5; i++) {
			CHECK_OK(run_child(tfd, &o, &r));
			CHECK_EXITED(&r, 0);
			run_free(&r);
		}
	}
	close(tfd);
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_rename_replace),
	CHECK_TEST(test_delete),
	CHECK_TEST(test_symlink_retargeted),
	CHECK_TEST(test_symlink_dangling),
	CHECK_TEST(test_rewrite_same_size),
	CHECK_TEST(test_rewrite_same_size_execfd),
	CHECK_TEST(test_grow),
	CHECK_TEST(test_grow_execfd),
	CHECK_TEST(test_rewrite_same_size_nowritepin),
	CHECK_TEST(test_grow_nowritepin),
	CHECK_TEST(test_grow_execfd_nowritepin),
	CHECK_TEST(test_chmod),
	CHECK_TEST(test_chmod_execfd),
	CHECK_TEST(test_chmod_same_mode),
	CHECK_TEST(test_touch_mtime),
	CHECK_TEST(test_chown),
	CHECK_TEST(test_unchanged_stays_valid),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
