/* create_files.c - spawn_template_create(): which files make a template.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only ELF executables for this machine: scripts, garbage and empty files
 * fail with ENOEXEC (the caller's normal exec path handles them); what exec
 * itself refuses (not a regular file, no x bit, noexec mount) fails with
 * EACCES.  Each case is tried by path and by execfd.
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

/* Both ways in: by path, and by an fd opened O_RDONLY (O_PATH for what
 * cannot be read). */
#define CHECK_CREATE_BOTH(path, want) \
	check_create_both((path), (want), __FILE__, __LINE__, #want)

static void check_create_both(const char *path, int want, const char *file,
			      int line, const char *ewant)
{
	struct spawn_template_create_args a = {
		.filename = PTR(path),
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC,
	};
	int fd;

	fprintf(stderr, "# %s: by path\n", path);
	check_create_fails(&a, sizeof(a), want, file, line, ewant);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		fd = open(path, O_PATH | O_CLOEXEC);
	REQUIRE(fd >= 0);
	a.filename = 0;
	a.execfd = fd;
	fprintf(stderr, "# %s: by execfd\n", path);
	check_create_fails(&a, sizeof(a), want, file, line, ewant);
	close(fd);
}

static void test_script_is_enoexec(void)
{
	static const char script[] = "#!/bin/sh\nexit 0\n";
	char dir[PATH_MAX], path[PATH_MAX + 16];

	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/script", dir);
	write_file(path, script, sizeof(script) - 1, 0755);
	/* It is executable, exec would run it: only templates refuse. */
	REQUIRE(access(path, X_OK) == 0);
	CHECK_CREATE_BOTH(path, ENOEXEC);
	remove_tree(dir);
}

static void test_garbage_is_enoexec(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	unsigned char junk[4096];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/garbage", dir);
	write_file(path, junk, sizeof(junk), 0755);
	CHECK_CREATE_BOTH(path, ENOEXEC);
	/* An ELF magic followed by garbage is still not an executable. */
	memcpy(junk, ELFMAG, SELFMAG);
	write_file(path, junk, sizeof(junk), 0755);
	CHECK_CREATE_BOTH(path, ENOEXEC);
	remove_tree(dir);
}

static void test_empty_file_is_enoexec(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "", 0, 0755);
	CHECK_CREATE_BOTH(path, ENOEXEC);
	remove_tree(dir);
}

/* childview with e_machine changed: a valid ELF for another machine. */
static void test_foreign_elf_is_enoexec(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	ElfW(Ehdr) eh;
	int fd;

	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/foreign", dir);
	copy_file(childview_path(), path, 0755);
	fd = open(path, O_RDWR | O_CLOEXEC);
	REQUIRE(fd >= 0);
	REQUIRE(pread(fd, &eh, sizeof(eh), 0) == sizeof(eh));
	eh.e_machine = eh.e_machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64;
	REQUIRE(pwrite(fd, &eh, sizeof(eh), 0) == sizeof(eh));
	close(fd);
	CHECK_CREATE_BOTH(path, ENOEXEC);
	remove_tree(dir);
}

static void test_directory_is_eacces(void)
{
	char dir[PATH_MAX];

	make_tempdir(dir);
	REQUIRE(chmod(dir, 0755) == 0);
	CHECK_CREATE_BOTH(dir, EACCES);
	remove_tree(dir);
}

static void test_non_executable_is_eacces(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/noexec", dir);
	/* Even root needs one x bit to exec a file. */
	copy_file(childview_path(), path, 0644);
	CHECK_CREATE_BOTH(path, EACCES);
	remove_tree(dir);
}

static void test_device_is_eacces(void)
{
	CHECK_CREATE_BOTH("/dev/null", EACCES);
}

/* Opening a FIFO for reading blocks until a writer comes: create must not
 * (the watchdog turns a hang into a hard error). */
static void test_fifo_is_eacces_without_blocking(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	make_tempdir(dir);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	REQUIRE(mkfifo(path, 0755) == 0);
	CHECK_CREATE_BOTH(path, EACCES);
	remove_tree(dir);
}

/* A noexec mount needs a mount of our own: root in a private namespace. */
static void test_noexec_mount_is_eacces(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	make_tempdir(dir);
	if (unshare(CLONE_NEWNS) != 0) {
		remove_tree(dir);
		SKIP("cannot make a mount namespace (%m): needs root");
	}
	REQUIRE(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	REQUIRE(mount("tmpfs", dir, "tmpfs", MS_NOEXEC, "mode=0755") == 0);
	snprintf(path, sizeof(path), "%s/exe", dir);
	copy_file(childview_path(), path, 0755);
	CHECK_CREATE_BOTH(path, EACCES);
	/* The same file on an exec mount is fine: the mount made the
	 * difference. */
	REQUIRE(mount(NULL, dir, NULL, MS_REMOUNT, "mode=0755") == 0);
	CHECK(spawn_path_ok(path) == 0);
	REQUIRE(umount(dir) == 0);
	remove_tree(dir);
}

/* Execute permission without read permission is still execute
 * permission: exec works, so a template must too.  As root (who reads
 * anything) the check runs as nobody on a root-owned 0711 copy. */
static void exec_only_body(void *arg)
{
	const char *path = arg;
	struct spawn_template_create_args a = {
		.filename = PTR(path),
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC,
	};
	int fd;

	if (geteuid() == 0)
		become_nobody();
	if (access(path, R_OK) == 0 || access(path, X_OK) != 0)
		SKIP("cannot make %s execute-only for uid %d", path,
		     (int)getuid());
	CHECK_OK(fd = spawn_template_create(&a, sizeof(a)));
	if (fd >= 0)
		close(fd);
	CHECK_EQ(spawn_path_ok(path), 0);
}

static void test_execute_only_binary(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	int rc;

	make_tempdir(dir);
	REQUIRE(chmod(dir, 0755) == 0);
	snprintf(path, sizeof(path), "%s/exec-only", dir);
	copy_file(childview_path(), path, geteuid() == 0 ? 0711 : 0111);
	rc = in_child(exec_only_body, path);
	remove_tree(dir);
	child_outcome(rc);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_script_is_enoexec),
	CHECK_TEST(test_garbage_is_enoexec),
	CHECK_TEST(test_empty_file_is_enoexec),
	CHECK_TEST(test_foreign_elf_is_enoexec),
	CHECK_TEST(test_directory_is_eacces),
	CHECK_TEST(test_non_executable_is_eacces),
	CHECK_TEST(test_device_is_eacces),
	CHECK_TEST_TIMEOUT(test_fifo_is_eacces_without_blocking, 30),
	CHECK_TEST(test_noexec_mount_is_eacces),
	CHECK_TEST(test_execute_only_binary),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
