/* credentials.c - a template works only for the credentials that made it.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "The current implementation requires the caller to have the same
 * credential object that created the template": after a setuid/setgid
 * change, spawn fails with EACCES before any child exists.  Changing
 * credentials needs root; each case runs in a test child of its own.
 */
#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static uid_t nobody_uid = 65534;
static gid_t nobody_gid = 65534;

static void need_root(void)
{
	struct passwd *pw;

	if (geteuid() != 0)
		SKIP("changing credentials needs root (euid %d)",
		     (int)geteuid());
	pw = getpwnam("nobody");
	if (pw) {
		nobody_uid = pw->pw_uid;
		nobody_gid = pw->pw_gid;
	}
}

static const char *const quiet_argv[] = { "childview", "-q", NULL };

static struct spawn_template_spawn_args quiet_args(int *pidfd)
{
	return (struct spawn_template_spawn_args){
		.pidfd = PTR(pidfd),
		.argv = PTR(quiet_argv),
		.envp = PTR(quiet_argv + 2),
	};
}

static int spawn_quiet(int tfd)
{
	int pidfd = -1;
	struct spawn_template_spawn_args a = quiet_args(&pidfd);
	siginfo_t info;

	if (spawn_template_spawn(tfd, &a, sizeof(a)) < 0)
		return -1;
	REQUIRE(waitid_pidfd(pidfd, &info, WEXITED) == 0);
	close(pidfd);
	return info.si_code == CLD_EXITED && info.si_status == 0 ? 0 : -1;
}

/* Creates a template, checks it works, changes credentials with change(),
 * and checks the template is refused. */
static void refused_after(void (*change)(void))
{
	int pidfd = -1, tfd;
	struct spawn_template_spawn_args a = quiet_args(&pidfd);

	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	CHECK_EQ(spawn_quiet(tfd), 0);
	change();
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EACCES);
	/* Again: the refusal does not wear off. */
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EACCES);
	close(tfd);
}

static void change_gid(void)
{
	REQUIRE(setresgid(nobody_gid, nobody_gid, nobody_gid) == 0);
}

static void change_uid(void)
{
	REQUIRE(setgroups(0, NULL) == 0);
	REQUIRE(setresgid(nobody_gid, nobody_gid, nobody_gid) == 0);
	REQUIRE(setresuid(nobody_uid, nobody_uid, nobody_uid) == 0);
}

static void change_euid_only(void)
{
	REQUIRE(seteuid(nobody_uid) == 0);
}

static void change_groups_only(void)
{
	gid_t g = nobody_gid;

	REQUIRE(setgroups(1, &g) == 0);
}

#define CRED_CASE(name, fn)						\
	static void name##_body(void *arg)				\
	{								\
		(void)arg;						\
		refused_after(fn);					\
	}								\
	static void name(void)						\
	{								\
		need_root();						\
		child_outcome(in_child(name##_body, NULL));		\
	}
CRED_CASE(test_refused_after_setresgid, change_gid)
CRED_CASE(test_refused_after_setresuid, change_uid)
CRED_CASE(test_refused_after_seteuid, change_euid_only)
CRED_CASE(test_refused_after_setgroups, change_groups_only)

/* A template made after the change works: the refusal is about the
 * change, not about who we are. */
static void made_after_body(void *arg)
{
	int tfd;

	(void)arg;
	change_uid();
	tfd = create_template(childview_path(), SPAWN_TEMPLATE_NO_EXECFD,
			      SPAWN_TEMPLATE_CREATE_CLOEXEC);
	if (tfd < 0 && errno == EACCES)
		SKIP("childview is not executable for nobody: %s",
		     childview_path());
	CHECK_OK(tfd);
	if (tfd < 0)
		return;
	CHECK_EQ(spawn_quiet(tfd), 0);
	close(tfd);
}

static void test_template_made_after_change_works(void)
{
	need_root();
	child_outcome(in_child(made_after_body, NULL));
}

/* A copy made by spawn_template_dupfd() is the same template, as a dup
 * of the kernel's fd is: duplicating works after a credential change
 * (fcntl(F_DUPFD) asks nothing of the caller), and the copy keeps the
 * creator's credentials, so spawning from it is refused until they are
 * back. */
static void dupfd_keeps_creator_body(void *arg)
{
	int pidfd = -1, tfd, copy;
	struct spawn_template_spawn_args a = quiet_args(&pidfd);
	gid_t egid = getegid();

	(void)arg;
	if (egid == nobody_gid)
		SKIP("the effective gid is nobody's already");
	tfd = TEMPLATE_FOR(childview_path());
	if (tfd < 0)
		return;
	REQUIRE(setresgid(-1, nobody_gid, -1) == 0);
	CHECK_OK(copy = spawn_template_dupfd(tfd, 100, 1));
	if (copy < 0)
		return;
	CHECK_SPAWN_FAILS(copy, &a, sizeof(a), EACCES);
	REQUIRE(setresgid(-1, egid, -1) == 0);
	CHECK_EQ(spawn_quiet(copy), 0);
	close(copy);
	close(tfd);
}

static void test_dupfd_keeps_creator(void)
{
	need_root();
	child_outcome(in_child(dupfd_keeps_creator_body, NULL));
}

static const struct check_test tests[] = {
	CHECK_TEST(test_dupfd_keeps_creator),
	CHECK_TEST(test_refused_after_setresgid),
	CHECK_TEST(test_refused_after_setresuid),
	CHECK_TEST(test_refused_after_seteuid),
	CHECK_TEST(test_refused_after_setgroups),
	CHECK_TEST(test_template_made_after_change_works),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
