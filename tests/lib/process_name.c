/* process_name.c - a spawned child is named as execve(path) names it.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ps, top, pgrep, pkill and killall find a process by its comm and its
 * cmdline; the kernel takes comm from the filename given to exec (its
 * basename, 15 bytes at most), and AT_EXECFN is that filename.  An exec of
 * a file descriptor (execveat AT_EMPTY_PATH) is named "/dev/fd/N": before
 * Linux 6.14 the comm is then the fd number.  The oracle is posix_spawn()
 * of the same path with the same argv: comm (as the child reads it and as
 * /proc/PID/comm and /proc/PID/stat show it to ps), AT_EXECFN, cmdline and
 * /proc/PID/exe must be equal.  The name is longer than comm's 15 bytes,
 * and one template is made through a symlink: execve names the process
 * after the link, not after the file it leads to.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

/* What /proc/PID shows of the running child, as ps reads it. */
struct names {
	char comm[64];		/* /proc/PID/comm */
	char stat_comm[64];	/* /proc/PID/stat, field 2 */
	char cmdline[4096];	/* NULs as spaces */
	char exe[PATH_MAX];
};

static void read_proc(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	f = fopen(path, "re");
	REQUIRE(f);
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i + 1 < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[strcspn(buf, "\n")] = '\0';
}

static void names_of(pid_t pid, struct names *nm)
{
	char stat[1024], path[64], *open, *close_;
	ssize_t n;

	read_proc(pid, "comm", nm->comm, sizeof(nm->comm));
	read_proc(pid, "cmdline", nm->cmdline, sizeof(nm->cmdline));
	read_proc(pid, "stat", stat, sizeof(stat));
	open = strchr(stat, '(');
	close_ = strrchr(stat, ')');
	REQUIRE(open && close_ && close_ > open);
	snprintf(nm->stat_comm, sizeof(nm->stat_comm), "%.*s",
		 (int)(close_ - open - 1), open + 1);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, nm->exe, sizeof(nm->exe) - 1);
	nm->exe[n < 0 ? 0 : n] = '\0';
}

/* Run the child (it prints its view, then waits), read its names, kill
 * it, reap it. */
static void stop_child(struct run *r)
{
	CHECK_OK(pidfd_send_signal_raw(r->pidfd, SIGKILL));
	reap_run(r);
	CHECK(r->code == CLD_KILLED && r->status == SIGKILL);
}

static void compare_with_execve(int tfd, const char *path)
{
	static const char *const args[] = { "-w", "one arg", "two", NULL };
	struct run_opts o = { .args = args, .nowait = true };
	struct run spawned, stock;
	struct names ns, nk;
	static const char *const keys[] = { "comm", "execfn", "cmdline",
					     "exe", "arg 0" };

	REQUIRE(run_child(tfd, &o, &spawned) == 0);
	REQUIRE(view_complete(&spawned.view));
	names_of(spawned.pid, &ns);
	stop_child(&spawned);

	REQUIRE(posix_spawn_run(path, args, &stock) == 0);
	REQUIRE(view_complete(&stock.view));
	names_of(stock.pid, &nk);
	stop_child(&stock);

	printf("# %s: comm '%s', execfn '%s' (spawned: '%s', '%s')\n", path,
	       view_get(&stock.view, "comm"), view_get(&stock.view, "execfn"),
	       view_get(&spawned.view, "comm"),
	       view_get(&spawned.view, "execfn"));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		REQUIRE(view_get(&stock.view, keys[i]));
		CHECK_STREQ(view_get(&spawned.view, keys[i]),
			    view_get(&stock.view, keys[i]));
	}
	CHECK_STREQ(ns.comm, nk.comm);
	CHECK_STREQ(ns.stat_comm, nk.stat_comm);
	CHECK_STREQ(ns.cmdline, nk.cmdline);
	CHECK_STREQ(ns.exe, nk.exe);
	run_free(&spawned);
	run_free(&stock);
	CHECK(no_child_exists());
}

static char dir[PATH_MAX], exe[PATH_MAX + 32], link_[PATH_MAX + 32];

static void setup(void)
{
	char real[PATH_MAX];

	/* The execfd template is named by its canonical path. */
	make_tempdir(dir);
	REQUIRE(realpath(dir, real));
	snprintf(dir, sizeof(dir), "%s", real);
	snprintf(exe, sizeof(exe), "%s/sleepy-name-check", dir);
	snprintf(link_, sizeof(link_), "%s/sleepy-link", dir);
	copy_file(childview_path(), exe, 0755);
	REQUIRE(symlink("sleepy-name-check", link_) == 0);
}

static void test_path_template_is_named_like_execve(void)
{
	int tfd;

	setup();
	tfd = TEMPLATE_FOR(exe);
	if (tfd >= 0) {
		compare_with_execve(tfd, exe);
		close(tfd);
	}
	remove_tree(dir);
}

static void test_symlink_template_is_named_after_the_link(void)
{
	int tfd;

	setup();
	tfd = TEMPLATE_FOR(link_);
	if (tfd >= 0) {
		compare_with_execve(tfd, link_);
		close(tfd);
	}
	remove_tree(dir);
}

/* No path was given: the name is the file's path, as the kernel backend
 * names it (d_path of the pinned file). */
static void test_execfd_template_is_named_after_its_file(void)
{
	int fd, tfd;

	setup();
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	REQUIRE(fd >= 0);
	tfd = create_template(NULL, fd, SPAWN_TEMPLATE_CREATE_CLOEXEC);
	close(fd);
	CHECK_OK(tfd);
	if (tfd >= 0) {
		compare_with_execve(tfd, exe);
		close(tfd);
	}
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_path_template_is_named_like_execve),
	CHECK_TEST(test_symlink_template_is_named_after_the_link),
	CHECK_TEST(test_execfd_template_is_named_after_its_file),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
