/* size_versions.c - the size-versioned argument structs.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Like clone3(): smaller than version 0 is EINVAL, larger is accepted when
 * every byte past the known struct is zero, and E2BIG otherwise.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static void test_layouts(void)
{
	/* The ABI the kernel would see: the VER0 sizes and field offsets. */
	CHECK_EQ(sizeof(struct spawn_template_create_args),
		 SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0);
	CHECK_EQ(sizeof(struct spawn_template_spawn_args),
		 SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0);
	CHECK_EQ(offsetof(struct spawn_template_create_args, execfd), 16);
	CHECK_EQ(offsetof(struct spawn_template_create_args, actions_len), 32);
	CHECK_EQ(offsetof(struct spawn_template_spawn_args, actions_len), 40);
	CHECK_EQ(offsetof(struct spawn_template_spawn_args, reserved), 48);
	CHECK_EQ(sizeof(struct spawn_template_action), 24);
	CHECK_EQ(sizeof(struct spawn_template_open), 32);
	CHECK_EQ(sizeof(struct spawn_template_sigset), 16);
}

/* A create args struct at the start of a buffer of size bytes. */
static unsigned char *create_buf(size_t size)
{
	unsigned char *buf = calloc(1, size < 64 ? 64 : size);
	struct spawn_template_create_args a = {
		.filename = PTR(childview_path()),
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC,
	};

	REQUIRE(buf);
	memcpy(buf, &a, sizeof(a));
	return buf;
}

static void check_create_size_ok(size_t size)
{
	unsigned char *buf = create_buf(size);
	int fd;

	fprintf(stderr, "# create, size %zu, zero tail\n", size);
	CHECK_OK(fd = spawn_template_create((void *)buf, size));
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void test_create_sizes(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t small[] = { 0, 1, 8, SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0 - 1 };
	size_t tails[] = { 41, 48, 64, (size_t)page };

	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		unsigned char *buf = create_buf(small[i]);

		fprintf(stderr, "# create, size %zu\n", small[i]);
		CHECK_CREATE_FAILS((void *)buf, small[i], EINVAL);
		free(buf);
	}
	check_create_size_ok(SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0);
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		unsigned char *buf;

		check_create_size_ok(tails[i]);
		/* A non-zero byte first and last in the tail. */
		buf = create_buf(tails[i]);
		buf[SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0] = 1;
		fprintf(stderr, "# create, size %zu, first tail byte set\n",
			tails[i]);
		CHECK_CREATE_FAILS((void *)buf, tails[i], E2BIG);
		buf[SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0] = 0;
		buf[tails[i] - 1] = 0x80;
		fprintf(stderr, "# create, size %zu, last tail byte set\n",
			tails[i]);
		CHECK_CREATE_FAILS((void *)buf, tails[i], E2BIG);
		free(buf);
	}
}

static const char *const quiet_argv[] = { "childview", "-q", NULL };
static int pidfd_slot = -1;

static unsigned char *spawn_buf(size_t size)
{
	unsigned char *buf = calloc(1, size < 128 ? 128 : size);
	struct spawn_template_spawn_args a = {
		.pidfd = PTR(&pidfd_slot),
		.argv = PTR(quiet_argv),
		.envp = PTR(quiet_argv + 2),
	};

	REQUIRE(buf);
	memcpy(buf, &a, sizeof(a));
	return buf;
}

static void check_spawn_size_ok(int tfd, size_t size)
{
	unsigned char *buf = spawn_buf(size);
	siginfo_t info;
	pid_t pid;

	fprintf(stderr, "# spawn, size %zu, zero tail\n", size);
	pidfd_slot = -1;
	CHECK_OK(pid = spawn_template_spawn(tfd, (void *)buf, size));
	if (pid > 0) {
		CHECK_OK(waitid_pidfd(pidfd_slot, &info, WEXITED));
		CHECK_EQ(info.si_pid, pid);
		CHECK_EQ(info.si_code, CLD_EXITED);
		CHECK_EQ(info.si_status, 0);
		close(pidfd_slot);
	}
	free(buf);
}

static void test_spawn_sizes(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t small[] = { 0, 8, SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0 - 8,
			   SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0 - 1 };
	size_t tails[] = { 81, 88, 128, (size_t)page };
	int tfd = TEMPLATE_FOR(childview_path());

	if (tfd < 0)
		return;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		unsigned char *buf = spawn_buf(small[i]);

		fprintf(stderr, "# spawn, size %zu\n", small[i]);
		CHECK_SPAWN_FAILS(tfd, (void *)buf, small[i], EINVAL);
		free(buf);
	}
	check_spawn_size_ok(tfd, SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0);
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		unsigned char *buf;

		check_spawn_size_ok(tfd, tails[i]);
		buf = spawn_buf(tails[i]);
		buf[SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0] = 1;
		fprintf(stderr, "# spawn, size %zu, first tail byte set\n",
			tails[i]);
		CHECK_SPAWN_FAILS(tfd, (void *)buf, tails[i], E2BIG);
		buf[SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0] = 0;
		buf[tails[i] - 1] = 0x80;
		fprintf(stderr, "# spawn, size %zu, last tail byte set\n",
			tails[i]);
		CHECK_SPAWN_FAILS(tfd, (void *)buf, tails[i], E2BIG);
		free(buf);
	}
	close(tfd);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_layouts),
	CHECK_TEST(test_create_sizes),
	CHECK_TEST(test_spawn_sizes),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
