/* terminal.c - the X_TCSETPGRP extension: a job-control shell hands the
 * terminal to its foreground job in the child, before exec.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test becomes a session leader with a pseudo-terminal as its
 * controlling terminal (skipped when no pty can be had).  The child runs
 * its actions with every signal blocked, so a background child's
 * tcsetpgrp() is not stopped by SIGTTOU: a stopped child is a failure.
 */
#include "config.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "helpers.h"

static int tfd = -1;
static int master = -1, slave = -1;

static void setup(void)
{
	if (setsid() < 0)
		check_fatal(__FILE__, __LINE__, "setsid: %m");
	if (openpty(&master, &slave, NULL, NULL, NULL) != 0)
		SKIP("no pseudo-terminal (openpty: %m)");
	if (ioctl(slave, TIOCSCTTY, 0) != 0)
		SKIP("cannot make the pty our controlling terminal: %m");
	REQUIRE(fcntl(master, F_SETFD, FD_CLOEXEC) == 0);
	REQUIRE(fcntl(slave, F_SETFD, FD_CLOEXEC) == 0);
	REQUIRE(tcgetpgrp(slave) == getpgrp());
	tfd = TEMPLATE_FOR(childview_path());
}

struct tty_run {
	pid_t pid;
	int code, status;
	char *text;		/* childview's output */
};

/* Spawns childview with acts after the output DUP2; waits for exit or
 * stop first (a stopped child would never close the pipe). */
static int spawn_watch(const struct spawn_template_action *acts, size_t n,
		       struct tty_run *t)
{
	static const char *const argv[] = { "childview", NULL };
	struct spawn_template_action all[8];
	struct spawn_template_spawn_args a = { 0 };
	siginfo_t info;
	int p[2], pidfd = -1;
	char buf[65536];
	ssize_t len;
	pid_t pid;

	REQUIRE(n < 7);
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	all[0] = act_dup2(p[1], 1, 0);
	if (n)
		memcpy(all + 1, acts, n * sizeof(*acts));
	a.pidfd = PTR(&pidfd);
	a.argv = PTR(argv);
	a.envp = PTR(argv + 1);
	a.actions = PTR(all);
	a.actions_len = n + 1;
	pid = spawn_template_spawn(tfd, &a, sizeof(a));
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	REQUIRE(waitid_pidfd(pidfd, &info, WEXITED | WSTOPPED) == 0);
	t->code = info.si_code;
	t->status = info.si_status;
	if (info.si_code == CLD_STOPPED) {
		fprintf(stderr, "# the child stopped (signal %d) before "
			"exec\n", info.si_status);
		pidfd_send_signal_raw(pidfd, SIGKILL);
		waitid_pidfd(pidfd, &info, WEXITED);
	}
	close(pidfd);
	len = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[len < 0 ? 0 : len] = '\0';
	t->text = strdup(buf);
	REQUIRE(t->text);
	return 0;
}

/* The value of "key value" in childview's output. */
static const char *line_value(const char *text, const char *key)
{
	static char value[256];
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			size_t n = strcspn(p + klen + 1, "\n");

			snprintf(value, sizeof(value), "%.*s", (int)n,
				 p + klen + 1);
			return value;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static long num(const struct tty_run *t, const char *key)
{
	const char *v = line_value(t->text, key);

	return v ? strtol(v, NULL, 10) : -1;
}

/* As setpgid_supported() in process_groups.c: the full tests where the
 * backend claims the action, ENOTSUP before any child where not. */
static bool supported(void)
{
	struct spawn_template_action a = act_tcsetpgrp(slave, 0);
	struct tty_run t;

	if (extension_supported(SPAWN_TEMPLATE_ACTION_X_TCSETPGRP))
		return true;
	CHECK_ERRNO(spawn_watch(&a, 1, &t), ENOTSUP);
	CHECK(no_child_exists());
	return false;
}

/* The shell's case: a new group for the job, and the terminal with it. */
static void test_child_takes_terminal_for_its_group(void)
{
	struct spawn_template_action acts[2];
	struct tty_run t;

	setup();
	if (tfd < 0 || !supported())
		return;
	acts[0] = act_setpgid(0);
	acts[1] = act_tcsetpgrp(slave, 0);
	REQUIRE(spawn_watch(acts, 2, &t) == 0);
	CHECK_EQ(t.code, CLD_EXITED);
	CHECK_EQ(t.status, 0);
	CHECK_EQ(num(&t, "pgid"), t.pid);
	CHECK_EQ(num(&t, "tpgid"), t.pid);
	CHECK_EQ(num(&t, "sid"), getpid());
	free(t.text);
	/* Take it back (we are in the background now: SIGTTOU aside). */
	signal(SIGTTOU, SIG_IGN);
	CHECK_OK(tcsetpgrp(slave, getpgrp()));
}

/* An explicit group: the caller's own, handed back by the child. */
static void test_child_gives_terminal_to_given_group(void)
{
	struct spawn_template_action acts[2];
	struct tty_run t;

	setup();
	if (tfd < 0 || !supported())
		return;
	acts[0] = act_setpgid(0);
	acts[1] = act_tcsetpgrp(slave, getpgrp());
	REQUIRE(spawn_watch(acts, 2, &t) == 0);
	CHECK_EQ(t.code, CLD_EXITED);
	CHECK_EQ(t.status, 0);
	CHECK_EQ(num(&t, "pgid"), t.pid);
	CHECK_EQ(num(&t, "tpgid"), getpgrp());
	free(t.text);
	CHECK_EQ(tcgetpgrp(slave), getpgrp());
}

/* Another group holds the terminal: the child, in our background group,
 * takes it for us.  SIGTTOU is ours to get, default and unblocked; the
 * child's blocked signals keep it from mattering. */
static void test_background_child_is_not_stopped(void)
{
	struct spawn_template_action a;
	struct tty_run t;
	sigset_t none;
	pid_t other;

	setup();
	if (tfd < 0 || !supported())
		return;
	a = act_tcsetpgrp(slave, 0);
	other = fork();
	REQUIRE(other >= 0);
	if (other == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	REQUIRE(setpgid(other, other) == 0 || errno == EACCES);
	REQUIRE(tcsetpgrp(slave, other) == 0);
	signal(SIGTTOU, SIG_DFL);
	sigemptyset(&none);
	REQUIRE(sigprocmask(SIG_SETMASK, &none, NULL) == 0);

	REQUIRE(spawn_watch(&a, 1, &t) == 0);
	CHECK_EQ(t.code, CLD_EXITED);
	CHECK_EQ(t.status, 0);
	CHECK_EQ(num(&t, "tpgid"), getpgrp());
	free(t.text);
	CHECK_EQ(tcgetpgrp(slave), getpgrp());
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
}

static const struct check_test tests[] = {
	CHECK_TEST(test_child_takes_terminal_for_its_group),
	CHECK_TEST(test_child_gives_terminal_to_given_group),
	CHECK_TEST(test_background_child_is_not_stopped),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
