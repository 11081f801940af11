/* exit_status.c - failures after the child exists: exit status 127 for
 * ENOENT, 126 for EACCES/ENOEXEC, 1 for anything else; X_ERRNO gives the
 * exact errno.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static int tfd = -1;

/* Runs childview with acts (plus X_ERRNO when the backend has it) and
 * checks the status and errno; the child must not have reached exec. */
#define CHECK_FAILS_WITH(acts, n, status, err) \
	check_fails_with((acts), (n), (status), (err), __FILE__, __LINE__)

static void check_fails_with(const struct spawn_template_action *acts,
			     size_t n, int status, int err, const char *file,
			     int line)
{
	struct spawn_template_action all[8];
	struct run_opts o = { .actions = all };
	struct run r;
	int got = -12345;

	REQUIRE(n < 7);
	if (n)
		memcpy(all, acts, n * sizeof(*acts));
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		all[n++] = act_errno(&got);
	o.nactions = n;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	check_eq(r.code, CLD_EXITED, file, line, "r.code", "CLD_EXITED");
	check_eq(r.status, status, file, line, "exit status", "status");
	check_true(!view_complete(&r.view), file, line, "no exec happened");
	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO))
		check_eq(got, err, file, line, "X_ERRNO", "err");
	run_free(&r);
}

static void test_exit_status_passes_through(void)
{
	static const char *const codes[] = { "0", "3", "126", "127", "255" };

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *args[] = { "-x", codes[i], NULL };
		struct run_opts o = { .args = args };
		struct run r;

		REQUIRE(run_child(tfd, &o, &r) == 0);
		CHECK(view_complete(&r.view));
		CHECK_EXITED(&r, atoi(codes[i]));
		run_free(&r);
	}
}

static void test_missing_path_is_127(void)
{
	struct spawn_template_open op = {
		.how = { .flags = O_RDONLY },
		.path = PTR("/nonexistent-spawntemplate-test/file"),
	};
	struct spawn_template_action a = act_open(AT_FDCWD, 0, &op);

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	CHECK_FAILS_WITH(&a, 1, 127, ENOENT);
}

static void test_ebadf_is_1(void)
{
	struct spawn_template_action a = act_dup2(77, 0, 0);

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	close(77);
	CHECK_FAILS_WITH(&a, 1, 1, EBADF);
}

/* The first failing action ends the child: later ones do not run. */
static void test_first_failure_wins(void)
{
	struct spawn_template_open op = {
		.how = { .flags = O_RDONLY },
		.path = PTR("/nonexistent-spawntemplate-test/file"),
	};
	struct spawn_template_action acts[2] = {
		act_dup2(77, 0, 0), act_open(AT_FDCWD, 0, &op) };

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	close(77);
	CHECK_FAILS_WITH(acts, 2, 1, EBADF);
	acts[0] = act_open(AT_FDCWD, 0, &op);
	acts[1] = act_dup2(77, 0, 0);
	CHECK_FAILS_WITH(acts, 2, 127, ENOENT);
}

/* exec itself failing with ENOENT: an ELF whose interpreter is missing. */
static void test_exec_enoent_is_127(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	char interp[PATH_MAX];
	bool found = false;
	int fd;

	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/badinterp", dir);
	copy_file(childview_path(), path, 0755);
	fd = open(path, O_RDWR | O_CLOEXEC);
	REQUIRE(fd >= 0);
	REQUIRE(pread(fd, &eh, sizeof(eh), 0) == sizeof(eh));
	for (int i = 0; i < eh.e_phnum; i++) {
		REQUIRE(pread(fd, &ph, sizeof(ph),
			      (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize))
			== sizeof(ph));
		if (ph.p_type != PT_INTERP)
			continue;
		REQUIRE(ph.p_filesz > 2 && ph.p_filesz < sizeof(interp));
		REQUIRE(pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) ==
			(ssize_t)ph.p_filesz);
		/* "/lib64/ld..." becomes "/Zib64/ld...": same length. */
		interp[1] = 'Z';
		REQUIRE(access(interp, F_OK) != 0);
		REQUIRE(pwrite(fd, interp, ph.p_filesz, (off_t)ph.p_offset) ==
			(ssize_t)ph.p_filesz);
		found = true;
	}
	close(fd);
	if (!found) {
		remove_tree(dir);
		SKIP("childview has no PT_INTERP (static?): cannot make exec "
		     "fail with ENOENT");
	}
	tfd = TEMPLATE_FOR(path);
	if (tfd >= 0)
		CHECK_FAILS_WITH(NULL, 0, 127, ENOENT);
	remove_tree(dir);
}

/* exec failing with EACCES: the file's mount turned noexec after the
 * template was made (the file's identity is unchanged). */
static void test_exec_eacces_is_126(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	make_tempdir(dir);
	if (unshare(CLONE_NEWNS) != 0) {
		remove_tree(dir);
		SKIP("cannot make a mount namespace (%m): needs root");
	}
	REQUIRE(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	REQUIRE(mount("tmpfs", dir, "tmpfs", 0, "mode=0755") == 0);
	snprintf(path, sizeof(path), "%s/exe", dir);
	copy_file(childview_path(), path, 0755);
	tfd = TEMPLATE_FOR(path);
	REQUIRE(mount(NULL, dir, NULL, MS_REMOUNT | MS_NOEXEC,
		      "mode=0755") == 0);
	if (tfd >= 0)
		CHECK_FAILS_WITH(NULL, 0, 126, EACCES);
	close(tfd);
	REQUIRE(umount(dir) == 0);
	remove_tree(dir);
}

/* An action failing with EACCES: open a file we may not read.  Root may
 * read anything, so a test child of root becomes nobody first. */
static void eacces_body(void *arg)
{
	const char *path = arg;
	struct spawn_template_open op = {
		.how = { .flags = O_RDONLY }, .path = PTR(path) };
	struct spawn_template_action a = act_open(AT_FDCWD, 0, &op);

	if (geteuid() == 0)
		become_nobody();
	if (access(path, R_OK) == 0)
		SKIP("%s stays readable (capabilities?)", path);
	tfd = create_template(childview_path(), SPAWN_TEMPLATE_NO_EXECFD,
			      SPAWN_TEMPLATE_CREATE_CLOEXEC);
	if (tfd < 0 && errno == EACCES)
		SKIP("childview is not executable for uid %d: %s",
		     (int)getuid(), childview_path());
	CHECK_OK(tfd);
	if (tfd >= 0)
		CHECK_FAILS_WITH(&a, 1, 126, EACCES);
}

static void test_action_eacces_is_126(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	int rc;

	make_tempdir(dir);
	REQUIRE(chmod(dir, 0755) == 0);
	snprintf(path, sizeof(path), "%s/secret", dir);
	write_file(path, "s", 1, geteuid() == 0 ? 0600 : 0);
	rc = in_child(eacces_body, path);
	remove_tree(dir);
	child_outcome(rc);
}

static void test_x_errno_zero_after_exec(void)
{
	struct spawn_template_action acts[2];
	struct run_opts o = { .actions = acts, .nactions = 1 };
	struct run r;
	int got = -12345;

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	acts[0] = act_errno(&got);
	if (!extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO)) {
		CHECK_ERRNO(run_child(tfd, &o, &r), ENOTSUP);
		CHECK(no_child_exists());
		CHECK_EQ(got, -12345);
		return;
	}
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 0);
	CHECK(view_complete(&r.view));
	CHECK_EQ(got, 0);
	run_free(&r);

	/* Its place in the list does not matter. */
	close(77);
	got = -12345;
	acts[0] = act_dup2(77, 0, 0);
	acts[1] = act_errno(&got);
	o.nactions = 2;
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 1);
	CHECK_EQ(got, EBADF);
	run_free(&r);
	got = -12345;
	acts[1] = act_dup2(77, 0, 0);
	acts[0] = act_errno(&got);
	REQUIRE(run_child(tfd, &o, &r) == 0);
	CHECK_EXITED(&r, 1);
	CHECK_EQ(got, EBADF);
	run_free(&r);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_exit_status_passes_through),
	CHECK_TEST(test_missing_path_is_127),
	CHECK_TEST(test_ebadf_is_1),
	CHECK_TEST(test_first_failure_wins),
	CHECK_TEST(test_exec_enoent_is_127),
	CHECK_TEST(test_exec_eacces_is_126),
	CHECK_TEST(test_action_eacces_is_126),
	CHECK_TEST(test_x_errno_zero_after_exec),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
