/* spawn_args.c - spawn_template_spawn(): the argument and action rules.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every rule fails with its errno before any child exists: no child to reap
 * afterwards and the fd table unchanged.  Each action type has a valid
 * form that spawns, and each rule breaks exactly one field of it, so the
 * error can only come from that field.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "helpers.h"

static const char *const quiet_argv[] = { "childview", "-q", NULL };
static const char *const no_env[] = { NULL };
static int pidfd_slot = -1;

static struct spawn_template_spawn_args quiet_args(void)
{
	return (struct spawn_template_spawn_args){
		.pidfd = PTR(&pidfd_slot),
		.argv = PTR(quiet_argv),
		.envp = PTR(no_env),
	};
}

/* Spawns with args and checks the child ran and exited with status;
 * returns false (without a check) when the spawn itself failed. */
static bool spawn_ok(int tfd, const struct spawn_template_spawn_args *a,
		     int status)
{
	siginfo_t info;
	int pidfd = -1;
	struct spawn_template_spawn_args b = *a;
	pid_t pid;

	b.pidfd = PTR(&pidfd);
	pid = spawn_template_spawn(tfd, &b, sizeof(b));
	if (pid < 0)
		return false;
	REQUIRE(waitid_pidfd(pidfd, &info, WEXITED) == 0);
	close(pidfd);
	CHECK_EQ(info.si_code, CLD_EXITED);
	CHECK_EQ(info.si_status, status);
	return true;
}

static void test_template_fd_must_be_a_template(void)
{
	struct spawn_template_spawn_args a = quiet_args();
	int tfd = TEMPLATE_FOR(childview_path());
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int exe = open(childview_path(), O_RDONLY | O_CLOEXEC);
	int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int p[2];

	REQUIRE(null >= 0 && exe >= 0 && dir >= 0);
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	if (tfd < 0)
		return;
	CHECK(spawn_ok(tfd, &a, 0));
	CHECK_SPAWN_FAILS(-1, &a, sizeof(a), EBADF);
	CHECK_SPAWN_FAILS(1 << 20, &a, sizeof(a), EBADF);
	close(p[1]);
	CHECK_SPAWN_FAILS(p[1], &a, sizeof(a), EBADF);	/* just closed */
	CHECK_SPAWN_FAILS(null, &a, sizeof(a), EINVAL);
	CHECK_SPAWN_FAILS(p[0], &a, sizeof(a), EINVAL);
	CHECK_SPAWN_FAILS(dir, &a, sizeof(a), EINVAL);
	/* The executable itself is not its template. */
	CHECK_SPAWN_FAILS(exe, &a, sizeof(a), EINVAL);
	close(null);
	close(exe);
	close(dir);
	close(p[0]);
	close(tfd);
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EBADF);
}

static void test_flags_pidfd_reserved(void)
{
	struct spawn_template_spawn_args a;
	int tfd = TEMPLATE_FOR(childview_path());

	if (tfd < 0)
		return;
	a = quiet_args();
	a.flags = 1ULL << 1;
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EINVAL);
	a.flags = SPAWN_TEMPLATE_SPAWN_INHERIT_FDS | (1ULL << 63);
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EINVAL);
	a.flags = SPAWN_TEMPLATE_SPAWN_INHERIT_FDS;
	CHECK(spawn_ok(tfd, &a, 0));

	a = quiet_args();
	a.pidfd = 0;
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EINVAL);

	for (int i = 0; i < 4; i++) {
		a = quiet_args();
		a.reserved[i] = 1;
		CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EINVAL);
		a.reserved[i] = 1ULL << 63;
		CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EINVAL);
	}
	close(tfd);
}

static void test_action_count(void)
{
	struct spawn_template_action *acts;
	struct spawn_template_spawn_args a = quiet_args();
	int tfd = TEMPLATE_FOR(childview_path());
	size_t i, n = SPAWN_TEMPLATE_MAX_ACTIONS + 1;

	if (tfd < 0)
		return;
	acts = calloc(n, sizeof(*acts));
	REQUIRE(acts);
	/* Harmless: close fds nobody has. */
	for (i = 0; i < n; i++)
		acts[i] = act_close_range(4000, 4000, 0);
	a.actions = PTR(acts);
	a.actions_len = SPAWN_TEMPLATE_MAX_ACTIONS;
	CHECK(spawn_ok(tfd, &a, 0));
	a.actions_len = SPAWN_TEMPLATE_MAX_ACTIONS + 1;
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), E2BIG);
	a.actions_len = 1ULL << 40;
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), E2BIG);
	a.actions_len = ~0ULL;
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), E2BIG);
	/* A length without a list. */
	a.actions = 0;
	a.actions_len = 1;
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EINVAL);
	free(acts);
	close(tfd);
}

/* ---- per action ---- */

struct rule {
	const char *what;
	struct spawn_template_action act;
	int err;		/* errno before any child */
};

static int tfd_rules = -1;

/* The valid form spawns (exit status want_status); every rule fails. */
static void check_rules(const char *type,
			const struct spawn_template_action *valid,
			int want_status, const struct rule *rules, size_t n)
{
	struct spawn_template_spawn_args a = quiet_args();
	struct spawn_template_action two[2];
	size_t i;

	a.flags = SPAWN_TEMPLATE_SPAWN_INHERIT_FDS;
	a.actions = PTR(valid);
	a.actions_len = 1;
	fprintf(stderr, "# %s: the valid form\n", type);
	CHECK(spawn_ok(tfd_rules, &a, want_status));
	for (i = 0; i < n; i++) {
		fprintf(stderr, "# %s: %s\n", type, rules[i].what);
		a.actions = PTR(&rules[i].act);
		a.actions_len = 1;
		CHECK_SPAWN_FAILS(tfd_rules, &a, sizeof(a), rules[i].err);
		/* After a valid action too: all are checked before the
		 * child exists. */
		two[0] = *valid;
		two[1] = rules[i].act;
		a.actions = PTR(two);
		a.actions_len = 2;
		CHECK_SPAWN_FAILS(tfd_rules, &a, sizeof(a), rules[i].err);
	}
}

#define NRULES(r) (sizeof(r) / sizeof((r)[0]))

static struct spawn_template_action with(struct spawn_template_action a,
					 int field, long long v)
{
	switch (field) {
	case 0: a.fd = (__s32)v; break;
	case 1: a.newfd = (__s32)v; break;
	case 2: a.flags = (__u32)v; break;
	case 3: a.arg = (__u64)v; break;
	case 4: a.type = (__u32)v; break;
	}
	return a;
}
enum { FD, NEWFD, FLAGS, ARG, TYPE };

static int null_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);	/* inherited on purpose */

	REQUIRE(fd >= 0);
	return fd;
}

static void test_close_rules(void)
{
	struct spawn_template_action v = act_close(null_fd());
	const struct rule rules[] = {
		{ "fd < 0", with(v, FD, -1), EINVAL },
		{ "newfd set", with(v, NEWFD, 5), EINVAL },
		{ "flags set", with(v, FLAGS, 1), EINVAL },
		{ "arg set", with(v, ARG, 1), EINVAL },
	};

	check_rules("CLOSE", &v, 0, rules, NRULES(rules));
}

static void test_dup2_rules(void)
{
	int fd = null_fd();
	struct spawn_template_action v = act_dup2(fd, 200, 0);
	struct spawn_template_action same = act_dup2(fd, fd, 0);
	struct spawn_template_action cloexec = act_dup2(fd, 200, O_CLOEXEC);
	const struct rule rules[] = {
		{ "fd < 0", with(v, FD, -1), EINVAL },
		{ "newfd < 0", with(v, NEWFD, -1), EINVAL },
		{ "unknown flag", with(v, FLAGS, O_NONBLOCK), EINVAL },
		{ "O_CLOEXEC|other", with(v, FLAGS, O_CLOEXEC | 1), EINVAL },
		{ "arg set", with(v, ARG, 1), EINVAL },
	};

	check_rules("DUP2", &v, 0, rules, NRULES(rules));
	check_rules("DUP2 O_CLOEXEC", &cloexec, 0, NULL, 0);
	check_rules("DUP2 fd==newfd", &same, 0, NULL, 0);
}

/* fd == newfd with O_CLOEXEC: "flags must be 0".  The header reports every
 * validation error before any child; the RFC kernel checks this one in the
 * child (exit status 1), so the kernel backend may do either. */
static void test_dup2_same_fd_wants_no_flags(void)
{
	int fd = null_fd();
	struct spawn_template_action bad = act_dup2(fd, fd, O_CLOEXEC);
	struct spawn_template_spawn_args a = quiet_args();

	tfd_rules = TEMPLATE_FOR(childview_path());
	if (tfd_rules < 0)
		return;
	a.actions = PTR(&bad);
	a.actions_len = 1;
	if (check_backend_is_kernel()) {
		if (!spawn_ok(tfd_rules, &a, 1))
			CHECK_EQ(errno, EINVAL);
	} else {
		CHECK_SPAWN_FAILS(tfd_rules, &a, sizeof(a), EINVAL);
	}
}

static void test_fchdir_rules(void)
{
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	struct spawn_template_action v = act_fchdir(dir);
	const struct rule rules[] = {
		{ "fd < 0", with(v, FD, -1), EINVAL },
		{ "fd AT_FDCWD", with(v, FD, AT_FDCWD), EINVAL },
		{ "newfd set", with(v, NEWFD, 3), EINVAL },
		{ "flags set", with(v, FLAGS, 1), EINVAL },
		{ "arg set", with(v, ARG, 1), EINVAL },
	};

	REQUIRE(dir >= 0);
	check_rules("FCHDIR", &v, 0, rules, NRULES(rules));
}

static struct spawn_template_open open_null = {
	.how = { .flags = O_RDONLY },
	.path = 0,	/* set at run time */
};

static void test_open_rules(void)
{
	struct spawn_template_action v = act_open(AT_FDCWD, 200, &open_null);
	const struct rule rules[] = {
		{ "fd < AT_FDCWD", with(v, FD, AT_FDCWD - 1), EINVAL },
		{ "fd INT_MIN", with(v, FD, INT32_MIN), EINVAL },
		{ "newfd < 0", with(v, NEWFD, -1), EINVAL },
		{ "flags set", with(v, FLAGS, 1), EINVAL },
		{ "arg 0", with(v, ARG, 0), EINVAL },
	};

	open_null.path = PTR("/dev/null");
	check_rules("OPEN", &v, 0, rules, NRULES(rules));
}

/* A malformed open_how: the RFC kernel hands it to openat2 in the child
 * (exit 1, EINVAL); a library may also refuse it before the child.  Either
 * way the error is EINVAL, and nothing else. */
static void test_open_how_rules(void)
{
	struct {
		const char *what;
		struct open_how how;
	} cases[] = {
		{ "unknown open flag", { .flags = 1ULL << 40 } },
		{ "mode without O_CREAT", { .flags = O_RDONLY, .mode = 0644 } },
		{ "mode beyond 07777", { .flags = O_CREAT | O_WRONLY,
					 .mode = 010000 } },
		{ "unknown resolve bit", { .flags = O_RDONLY,
					   .resolve = 1ULL << 40 } },
	};
	int tfd = TEMPLATE_FOR(childview_path());
	char dir[PATH_MAX], path[PATH_MAX + 16];

	if (tfd < 0)
		return;
	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/f", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spawn_template_open op = { .how = cases[i].how,
						  .path = PTR(path) };
		struct spawn_template_action acts[2] = {
			act_open(AT_FDCWD, 200, &op) };
		struct spawn_template_spawn_args a = quiet_args();
		int err = -1;

		fprintf(stderr, "# open_how: %s\n", cases[i].what);
		a.actions = PTR(acts);
		a.actions_len = 1;
		if (extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO)) {
			acts[1] = act_errno(&err);
			a.actions_len = 2;
		}
		errno = 0;
		if (spawn_ok(tfd, &a, 1)) {
			if (a.actions_len == 2)
				CHECK_EQ(err, EINVAL);
		} else {
			CHECK_EQ(errno, EINVAL);
			CHECK(no_child_exists());
		}
		CHECK(access(path, F_OK) != 0);
	}
	remove_tree(dir);
	close(tfd);
}

static void test_close_range_rules(void)
{
	struct spawn_template_action v = act_close_range(200, 300, 0);
	const struct spawn_template_action valid[] = {
		act_close_range(200, -1, 0),
		act_close_range(200, -2, 0),
		act_close_range(200, 200, 0),
		act_close_range(200, 300, CLOSE_RANGE_UNSHARE),
		act_close_range(200, 300, CLOSE_RANGE_CLOEXEC),
		act_close_range(200, 300,
				CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC),
	};
	const struct rule rules[] = {
		{ "fd < 0", with(v, FD, -1), EINVAL },
		{ "fd > newfd", act_close_range(300, 200, 0), EINVAL },
		{ "fd > newfd by one", act_close_range(201, 200, 0), EINVAL },
		{ "unknown flag", with(v, FLAGS, 1u << 5), EINVAL },
		{ "arg set", with(v, ARG, 1), EINVAL },
	};

	check_rules("CLOSE_RANGE", &v, 0, rules, NRULES(rules));
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		check_rules("CLOSE_RANGE variant", &valid[i], 0, NULL, 0);
}

static sigset_t empty_set;
static struct spawn_template_sigset sigset_ok;

static void check_sigset_rules(const char *type,
			       struct spawn_template_action (*mk)(
				       struct spawn_template_sigset *))
{
	static struct spawn_template_sigset bad_sizes[4];
	static const __u64 sizes[4] = { 0, 4, 16, sizeof(sigset_t) };
	struct spawn_template_action v;

	sigemptyset(&empty_set);
	sigset_ok = sigset_of(&empty_set);
	v = mk(&sigset_ok);
	{
		const struct rule rules[] = {
			{ "fd set", with(v, FD, 1), EINVAL },
			{ "newfd set", with(v, NEWFD, 1), EINVAL },
			{ "flags set", with(v, FLAGS, 1), EINVAL },
			{ "arg 0", with(v, ARG, 0), EINVAL },
		};
		check_rules(type, &v, 0, rules, NRULES(rules));
	}

	/* sigsetsize must be SPAWN_TEMPLATE_SIGSET_SIZE.  As with DUP2's
	 * flags, the RFC kernel checks it in the child. */
	for (int i = 0; i < 4; i++) {
		struct spawn_template_spawn_args a = quiet_args();
		struct spawn_template_action bad;

		bad_sizes[i] = sigset_of(&empty_set);
		bad_sizes[i].sigsetsize = sizes[i];
		bad = mk(&bad_sizes[i]);
		a.actions = PTR(&bad);
		a.actions_len = 1;
		fprintf(stderr, "# %s: sigsetsize %llu\n", type,
			(unsigned long long)sizes[i]);
		if (check_backend_is_kernel()) {
			if (!spawn_ok(tfd_rules, &a, 1))
				CHECK_EQ(errno, EINVAL);
		} else {
			CHECK_SPAWN_FAILS(tfd_rules, &a, sizeof(a), EINVAL);
		}
	}
}

static void test_sigmask_rules(void)
{
	check_sigset_rules("SIGMASK", act_sigmask);
}

static void test_sigdefault_rules(void)
{
	check_sigset_rules("SIGDEFAULT", act_sigdefault);
}

static void test_unknown_types(void)
{
	static const __u32 types[] = { 0, 8, 9, 0xff, 0x107, 0x1ff, 0x10000,
				       0xffffffffu };
	struct spawn_template_spawn_args a = quiet_args();

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct spawn_template_action act = { .type = types[i] };

		fprintf(stderr, "# type %#x\n", types[i]);
		a.actions = PTR(&act);
		a.actions_len = 1;
		CHECK_SPAWN_FAILS(tfd_rules, &a, sizeof(a), EINVAL);
	}
}

/* Extensions: refused with ENOTSUP by the kernel backend, checked like the
 * RFC's actions by the userspace ones. */
static void check_extension(const char *type,
			    const struct spawn_template_action *valid,
			    int want_status, const struct rule *rules,
			    size_t n)
{
	struct spawn_template_spawn_args a = quiet_args();

	if (!extension_supported(valid->type)) {
		fprintf(stderr, "# %s: not supported by %s: ENOTSUP\n", type,
			check_backend());
		a.actions = PTR(valid);
		a.actions_len = 1;
		CHECK_SPAWN_FAILS(tfd_rules, &a, sizeof(a), ENOTSUP);
		return;
	}
	check_rules(type, valid, want_status, rules, n);
}

static void test_x_setpgid_rules(void)
{
	struct spawn_template_action v = act_setpgid(0);
	const struct rule rules[] = {
		{ "fd set", with(v, FD, 1), EINVAL },
		{ "newfd set", with(v, NEWFD, 1), EINVAL },
		{ "flags set", with(v, FLAGS, 1), EINVAL },
	};

	check_extension("X_SETPGID", &v, 0, rules, NRULES(rules));
}

static void test_x_tcsetpgrp_rules(void)
{
	/* /dev/null is no terminal: the child fails with ENOTTY (1), but the
	 * action itself is well formed. */
	struct spawn_template_action v = act_tcsetpgrp(null_fd(), 0);
	const struct rule rules[] = {
		{ "newfd set", with(v, NEWFD, 1), EINVAL },
		{ "flags set", with(v, FLAGS, 1), EINVAL },
	};

	check_extension("X_TCSETPGRP", &v, 1, rules, NRULES(rules));
}

static int errno_slot;

static void test_x_errno_rules(void)
{
	struct spawn_template_action v = act_errno(&errno_slot);
	const struct rule rules[] = {
		{ "fd set", with(v, FD, 1), EINVAL },
		{ "newfd set", with(v, NEWFD, 1), EINVAL },
		{ "flags set", with(v, FLAGS, 1), EINVAL },
		{ "arg 0", with(v, ARG, 0), EINVAL },
	};

	check_extension("X_ERRNO", &v, 0, rules, NRULES(rules));
}

/* clone's own errors come back as they are, before any child, with no
 * pidfd left open: a process limit of 0 makes clone fail with EAGAIN.
 * Root is exempt from RLIMIT_NPROC, so root becomes nobody first. */
static void eagain_body(void *arg)
{
	struct spawn_template_spawn_args a = quiet_args();
	struct rlimit none = { 0, 0 };
	int tfd;

	(void)arg;
	if (geteuid() == 0)
		become_nobody();
	tfd = create_template(childview_path(), SPAWN_TEMPLATE_NO_EXECFD,
			      SPAWN_TEMPLATE_CREATE_CLOEXEC);
	if (tfd < 0 && errno == EACCES)
		SKIP("childview is not executable for uid %d",
		     (int)getuid());
	CHECK_OK(tfd);
	if (tfd < 0)
		return;
	REQUIRE(setrlimit(RLIMIT_NPROC, &none) == 0);
	pidfd_slot = -12345;
	CHECK_SPAWN_FAILS(tfd, &a, sizeof(a), EAGAIN);
	CHECK_EQ(pidfd_slot, -12345);
	close(tfd);
}

static void test_clone_error_is_returned(void)
{
	child_outcome(in_child(eagain_body, NULL));
}

/* Every per-action test needs a template: made once per test process. */
#define WITH_TEMPLATE(fn)						\
	static void fn##_t(void)					\
	{								\
		tfd_rules = TEMPLATE_FOR(childview_path());		\
		if (tfd_rules >= 0)					\
			fn();						\
	}
WITH_TEMPLATE(test_close_rules)
WITH_TEMPLATE(test_dup2_rules)
WITH_TEMPLATE(test_fchdir_rules)
WITH_TEMPLATE(test_open_rules)
WITH_TEMPLATE(test_close_range_rules)
WITH_TEMPLATE(test_sigmask_rules)
WITH_TEMPLATE(test_sigdefault_rules)
WITH_TEMPLATE(test_unknown_types)
WITH_TEMPLATE(test_x_setpgid_rules)
WITH_TEMPLATE(test_x_tcsetpgrp_rules)
WITH_TEMPLATE(test_x_errno_rules)

static const struct check_test tests[] = {
	CHECK_TEST(test_template_fd_must_be_a_template),
	CHECK_TEST(test_flags_pidfd_reserved),
	CHECK_TEST(test_action_count),
	{ "test_close_rules", test_close_rules_t, 0 },
	{ "test_dup2_rules", test_dup2_rules_t, 0 },
	CHECK_TEST(test_dup2_same_fd_wants_no_flags),
	{ "test_fchdir_rules", test_fchdir_rules_t, 0 },
	{ "test_open_rules", test_open_rules_t, 0 },
	CHECK_TEST(test_open_how_rules),
	{ "test_close_range_rules", test_close_range_rules_t, 0 },
	{ "test_sigmask_rules", test_sigmask_rules_t, 0 },
	{ "test_sigdefault_rules", test_sigdefault_rules_t, 0 },
	{ "test_unknown_types", test_unknown_types_t, 0 },
	{ "test_x_setpgid_rules", test_x_setpgid_rules_t, 0 },
	{ "test_x_tcsetpgrp_rules", test_x_tcsetpgrp_rules_t, 0 },
	{ "test_x_errno_rules", test_x_errno_rules_t, 0 },
	CHECK_TEST(test_clone_error_is_returned),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
