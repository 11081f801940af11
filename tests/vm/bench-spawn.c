/* bench-spawn.c - per-spawn cost of one way of starting a program.
 *
 * Usage: bench-spawn template|posix_spawn|fork_exec N PROGRAM
 * Starts PROGRAM (no arguments) N times, each time waiting for it, after a
 * few warm-up runs, and prints one line:
 *   METHOD PROGRAM N NS_PER_SPAWN
 * METHOD is "template-<backend>" for the template path (the backend the
 * library chose, so SPAWN_TEMPLATE_BACKEND decides which one is measured).
 * Run by check-kernel.sh inside the VM; timings there are relative only.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawntemplate.h"

#define WARMUP 5

extern char **environ;

static int tfd = -1;

static pid_t start_template(char *const argv[], int *pidfd)
{
	struct spawn_template_spawn_args a = {
		.pidfd = (uintptr_t)pidfd,
		.argv = (uintptr_t)argv,
		.envp = (uintptr_t)environ,
	};

	return spawn_template_spawn(tfd, &a, sizeof(a));
}

static int run_once(const char *method, char *const argv[])
{
	int pidfd = -1, status;
	pid_t pid;

	if (!strcmp(method, "template")) {
		pid = start_template(argv, &pidfd);
	} else if (!strcmp(method, "posix_spawn")) {
		errno = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
		if (errno)
			pid = -1;
	} else {
		pid = fork();
		if (pid == 0) {
			execve(argv[0], argv, environ);
			_exit(127);
		}
	}
	if (pid < 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (pidfd >= 0)
		close(pidfd);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char *child_argv[2];
	const char *method;
	double t0, t1;
	long i, n;

	if (argc != 4) {
		fprintf(stderr, "usage: %s template|posix_spawn|fork_exec N PROGRAM\n",
			argv[0]);
		return 2;
	}
	method = argv[1];
	n = atol(argv[2]);
	child_argv[0] = argv[3];
	child_argv[1] = NULL;

	if (!strcmp(method, "template")) {
		struct spawn_template_create_args c = {
			.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC,
			.filename = (uintptr_t)argv[3],
			.execfd = SPAWN_TEMPLATE_NO_EXECFD,
		};

		tfd = spawn_template_create(&c, sizeof(c));
		if (tfd < 0) {
			printf("template-%s %s %ld unavailable(%s)\n",
			       spawn_template_backend_name(), argv[3], n,
			       strerror(errno));
			return 0;
		}
	} else if (strcmp(method, "posix_spawn") && strcmp(method, "fork_exec")) {
		fprintf(stderr, "unknown method %s\n", method);
		return 2;
	}

	for (i = 0; i < WARMUP; i++)
		if (run_once(method, child_argv) < 0) {
			fprintf(stderr, "%s: starting %s failed\n", method, argv[3]);
			return 1;
		}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (run_once(method, child_argv) < 0)
			return 1;
	t1 = now_ns();

	if (!strcmp(method, "template"))
		printf("template-%s", spawn_template_backend_name());
	else
		printf("%s", method);
	printf(" %s %ld %.0f\n", argv[3], n, (t1 - t0) / n);
	return 0;
}
