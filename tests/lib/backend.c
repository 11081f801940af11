/* backend.c - which backend runs, and what it offers.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ladder is checked by re-running this program with other values of
 * SPAWN_TEMPLATE_BACKEND (it is read once per process) in "--report" mode.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define ALL_EXTENSIONS \
	((1ULL << (SPAWN_TEMPLATE_ACTION_X_SETPGID - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_TCSETPGRP - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_ERRNO - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS - 0x100)) | \
	 SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN)
#define JOBCTL_EXTENSIONS \
	((1ULL << (SPAWN_TEMPLATE_ACTION_X_SETPGID - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_TCSETPGRP - 0x100)))
#define KERNEL_EXTENSIONS \
	((1ULL << (SPAWN_TEMPLATE_ACTION_X_ERRNO - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS - 0x100)) | \
	 (1ULL << (SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED - 0x100)))

/* --report: print "NAME CREATE_ERRNO SPAWN_ERRNO" for this process. */
static int report(void)
{
	static const char *const argv[] = { "childview", NULL };
	struct spawn_template_spawn_args a = {
		.argv = PTR(argv), .envp = PTR(argv + 1) };
	int pidfd = -1, fd, cerr = 0, serr;

	printf("%s ", spawn_template_backend_name());
	errno = 0;
	fd = create_template(childview_path(), SPAWN_TEMPLATE_NO_EXECFD,
			     SPAWN_TEMPLATE_CREATE_CLOEXEC);
	if (fd < 0)
		cerr = errno;
	a.pidfd = PTR(&pidfd);
	errno = 0;
	spawn_template_spawn(-1, &a, sizeof(a));
	serr = errno;
	printf("%d %d\n", cerr, serr);
	return 0;
}

/* Runs this program with SPAWN_TEMPLATE_BACKEND=value (NULL: unset) and
 * returns what --report printed. */
static void report_under(const char *value, char *out, size_t size)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	int st;

	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "backend", "--report", NULL };

		dup2(p[1], 1);
		if (value)
			setenv("SPAWN_TEMPLATE_BACKEND", value, 1);
		else
			unsetenv("SPAWN_TEMPLATE_BACKEND");
		execv("/proc/self/exe", argv);
		_exit(99);
	}
	close(p[1]);
	n = read(p[0], out, size - 1);
	out[n < 0 ? 0 : n] = '\0';
	close(p[0]);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	out[strcspn(out, "\n")] = '\0';
	printf("# SPAWN_TEMPLATE_BACKEND=%s: %s\n", value ? value : "(unset)",
	       out);
}

static void test_extensions_match_backend(void)
{
	__u64 ext = spawn_template_extensions();

	/* The reference kernel reports child-side errors (kernel/ 0005)
	 * and, with 0006, does X_SETPGID and X_TCSETPGRP: both or neither.
	 * TC_KERNEL_JOBCTL=1|0 says which the kernel under test has
	 * (make check-kernel: 1); TC_KERNEL_NOWRITEPIN=1|0 the same for
	 * the create flag X_NOWRITEPIN (patch 0007). */
	const char *jobctl = getenv("TC_KERNEL_JOBCTL");
	const char *nowritepin = getenv("TC_KERNEL_NOWRITEPIN");
	const __u64 nwp = SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN;

	if (check_backend_is_kernel()) {
		CHECK_EQ(ext & ~(JOBCTL_EXTENSIONS | nwp), KERNEL_EXTENSIONS);
		CHECK((ext & JOBCTL_EXTENSIONS) == 0 ||
		      (ext & JOBCTL_EXTENSIONS) == JOBCTL_EXTENSIONS);
		if (jobctl)
			CHECK_EQ(ext & ~nwp, KERNEL_EXTENSIONS |
			     (strcmp(jobctl, "1") == 0 ? JOBCTL_EXTENSIONS : 0));
		if (nowritepin)
			CHECK_EQ(ext & nwp,
				 strcmp(nowritepin, "1") == 0 ? nwp : 0);
	} else {
		CHECK_EQ(ext, ALL_EXTENSIONS);
	}
	CHECK(extension_supported(SPAWN_TEMPLATE_ACTION_X_ERRNO));
}

static void test_backend_read_once(void)
{
	enum spawn_template_backend b = spawn_template_backend();
	const char *other = strcmp(check_backend(), "clone") == 0 ?
		"clone3" : "clone";

	/* A later change of the variable changes nothing in this process. */
	setenv("SPAWN_TEMPLATE_BACKEND", other, 1);
	CHECK_EQ(spawn_template_backend(), b);
	CHECK_STREQ(spawn_template_backend_name(), check_backend());
	CHECK(spawn_path_ok(childview_path()) == 0);
}

static void test_forced_unavailable_gives_enosys(void)
{
	static const char *const names[] = { "kernel", "clone3", "clone" };
	char out[128];
	bool any_unavailable = false;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char name[32];
		int cerr = -1, serr = -1;

		report_under(names[i], out, sizeof(out));
		CHECK(sscanf(out, "%31s %d %d", name, &cerr, &serr) == 3);
		if (strcmp(name, "none") == 0) {
			any_unavailable = true;
			CHECK_EQ(cerr, ENOSYS);
			CHECK_EQ(serr, ENOSYS);
		} else {
			CHECK_STREQ(name, names[i]);
			CHECK_EQ(cerr, 0);
			/* -1 is not open: EBADF before anything else. */
			CHECK_EQ(serr, EBADF);
		}
	}
	if (!any_unavailable)
		printf("# every backend is available here: the ENOSYS "
		       "rule was not exercised\n");
}

static void test_default_follows_the_ladder(void)
{
	char kernel[128], clone3[128], userspace[128], deflt[128];
	char name[32];

	report_under("kernel", kernel, sizeof(kernel));
	report_under("clone3", clone3, sizeof(clone3));
	report_under("userspace", userspace, sizeof(userspace));
	report_under(NULL, deflt, sizeof(deflt));

	/* userspace: clone3, else clone. */
	if (strncmp(clone3, "clone3 ", 7) == 0)
		CHECK(strncmp(userspace, "clone3 ", 7) == 0);
	else
		CHECK(strncmp(userspace, "clone ", 6) == 0);
	/* default: kernel when it works, else what userspace picks. */
	sscanf(kernel, "%31s", name);
	if (strcmp(name, "kernel") == 0)
		CHECK(strncmp(deflt, "kernel ", 7) == 0);
	else
		CHECK_STREQ(deflt, userspace);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_extensions_match_backend),
	CHECK_TEST(test_backend_read_once),
	CHECK_TEST(test_forced_unavailable_gives_enosys),
	CHECK_TEST(test_default_follows_the_ladder),
	{ 0 }
};

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--report") == 0)
		return report();
	return check_main(tests);
}
