/* spawn-floor.c - what one spawn+wait costs, by method, in one run.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Times N spawns (each waited for) of one program through:
 *   libspawntemplate's active backend (spawn_template_spawn),
 *   glibc posix_spawn, vfork+execve, fork+execve,
 * and, in helper processes forced with SPAWN_TEMPLATE_BACKEND (the backend
 * is chosen once per process), the userspace backend when the active one
 * is the kernel's, plus every other available backend with -a.  Methods are
 * interleaved over rounds (the order rotates each round) so drift hits all
 * of them alike; the report is the median over rounds in microseconds per
 * spawn and each one's ratio to the fastest, and the same for CPU time
 * (user+system of the spawner and its children, from getrusage), which a
 * busy machine disturbs less than wall time.
 *
 * -m MB touches that much heap first (in the helpers too): fork+execve
 * copies page tables, so it grows with memory; the others should not.
 *
 * A benchmark reports; it checks nothing.  Non-zero exit statuses are
 * counted and printed so a broken method cannot pass for a fast one.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawntemplate.h"

extern char **environ;

#define MAX_METHODS 8
#define MAX_ROUNDS 99

struct opts {
	long n;			/* spawns per method per round */
	int rounds;
	long mb;		/* heap to touch first */
	bool all_backends;
	const char *only;	/* -M: time this one method alone */
	char **argv;		/* program and its arguments */
};

struct method {
	char name[48];
	/* N spawns in this process, or through a helper when helper_in >= 0 */
	long (*run)(const struct opts *o, int *failures);
	int helper_in, helper_out;
	pid_t helper_pid;
	double us[MAX_ROUNDS];
	double cpu[MAX_ROUNDS];	/* user+system of the process and its children */
	long failures;
};

static int template_fd = -1;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time used so far by this process and its reaped children, in ns:
 * on a busy machine wall time mostly measures waiting for a CPU. */
static uint64_t cpu_ns(void)
{
	struct rusage s, c;

	getrusage(RUSAGE_SELF, &s);
	getrusage(RUSAGE_CHILDREN, &c);
	return ((uint64_t)(s.ru_utime.tv_sec + s.ru_stime.tv_sec +
			   c.ru_utime.tv_sec + c.ru_stime.tv_sec) * 1000000u +
		(uint64_t)(s.ru_utime.tv_usec + s.ru_stime.tv_usec +
			   c.ru_utime.tv_usec + c.ru_stime.tv_usec)) * 1000u;
}

static void wait_child(pid_t pid, int *failures)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
	if (st != 0)
		++*failures;
}

static long run_library(const struct opts *o, int *failures)
{
	int pidfd;
	struct spawn_template_spawn_args a = {
		.pidfd = (uintptr_t)&pidfd,
		.argv = (uintptr_t)o->argv,
		.envp = (uintptr_t)environ,
	};

	for (long i = 0; i < o->n; i++) {
		pid_t pid = spawn_template_spawn(template_fd, &a, sizeof(a));

		if (pid < 0) {
			perror("spawn_template_spawn");
			exit(2);
		}
		wait_child(pid, failures);
		close(pidfd);
	}
	return 0;
}

static long run_posix_spawn(const struct opts *o, int *failures)
{
	for (long i = 0; i < o->n; i++) {
		pid_t pid;
		int err = posix_spawn(&pid, o->argv[0], NULL, NULL, o->argv,
				      environ);

		if (err) {
			fprintf(stderr, "posix_spawn: %s\n", strerror(err));
			exit(2);
		}
		wait_child(pid, failures);
	}
	return 0;
}

/* One vfork+execve, alone in its function: nothing of the caller's frame
 * can be clobbered by the child. */
static __attribute__((noinline)) pid_t vfork_exec(char **argv)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	return pid;
}

static long run_vfork(const struct opts *o, int *failures)
{
	for (long i = 0; i < o->n; i++) {
		pid_t pid = vfork_exec(o->argv);

		if (pid < 0) {
			perror("vfork");
			exit(2);
		}
		wait_child(pid, failures);
	}
	return 0;
}

static long run_fork(const struct opts *o, int *failures)
{
	for (long i = 0; i < o->n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execve(o->argv[0], o->argv, environ);
			_exit(127);
		}
		if (pid < 0) {
			perror("fork");
			exit(2);
		}
		wait_child(pid, failures);
	}
	return 0;
}

static void touch_heap(long mb)
{
	size_t len = (size_t)mb << 20;
	volatile char *p;

	if (!len)
		return;
	p = malloc(len);
	if (!p) {
		perror("malloc");
		exit(2);
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	/* kept for the whole run */
}

static void make_template(const char *path)
{
	struct spawn_template_create_args c = {
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC,
		.filename = (uintptr_t)path,
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
	};

	template_fd = spawn_template_create(&c, sizeof(c));
}

/* Helper mode: a process whose library backend was forced through the
 * environment.  Says its backend name (or "none"), then times batches on
 * request: one byte in, elapsed ns and failures out. */
static int helper(const struct opts *o)
{
	uint64_t res[3];
	char cmd;

	touch_heap(o->mb);
	make_template(o->argv[0]);
	if (template_fd < 0)
		printf("none\n");
	else
		printf("%s\n", spawn_template_backend_name());
	fflush(stdout);
	if (template_fd < 0)
		return 0;
	while (read(0, &cmd, 1) == 1) {
		int failures = 0;
		uint64_t c0 = cpu_ns(), t0 = now_ns();

		run_library(o, &failures);
		res[0] = now_ns() - t0;
		res[1] = (uint64_t)failures;
		res[2] = cpu_ns() - c0;
		if (write(1, res, sizeof(res)) != sizeof(res))
			return 1;
	}
	return 0;
}

/* Start this program again as a helper forced to backend; false if that
 * backend is not available there. */
static bool start_helper(struct method *m, const char *backend,
			 const struct opts *o, char *self)
{
	int to[2], from[2];
	char name[32] = "";
	char nbuf[24], mbuf[24];
	FILE *f;

	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC)) {
		perror("pipe");
		exit(2);
	}
	m->helper_pid = fork();
	if (m->helper_pid < 0) {
		perror("fork");
		exit(2);
	}
	if (m->helper_pid == 0) {
		char *args[64] = { self, "-H", "-n", nbuf, "-m", mbuf, "--" };
		int k = 7;

		snprintf(nbuf, sizeof(nbuf), "%ld", o->n);
		snprintf(mbuf, sizeof(mbuf), "%ld", o->mb);
		for (int i = 0; o->argv[i] && k < 63; i++)
			args[k++] = o->argv[i];
		args[k] = NULL;
		dup2(to[0], 0);
		dup2(from[1], 1);
		setenv("SPAWN_TEMPLATE_BACKEND", backend, 1);
		execv("/proc/self/exe", args);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	m->helper_out = to[1];
	m->helper_in = from[0];
	f = fdopen(dup(from[0]), "r");
	if (!f || !fgets(name, sizeof(name), f))
		name[0] = 0;
	if (f)
		fclose(f);
	name[strcspn(name, "\n")] = 0;
	if (!name[0] || !strcmp(name, "none")) {
		close(m->helper_out);
		close(m->helper_in);
		waitpid(m->helper_pid, NULL, 0);
		m->helper_in = m->helper_out = -1;
		return false;
	}
	snprintf(m->name, sizeof(m->name), "library (%s)", name);
	return true;
}

static void time_method(struct method *m, const struct opts *o, int round)
{
	uint64_t res[3];
	int failures = 0;

	if (m->helper_in < 0) {
		uint64_t c0 = cpu_ns(), t0 = now_ns();

		m->run(o, &failures);
		res[0] = now_ns() - t0;
		res[1] = (uint64_t)failures;
		res[2] = cpu_ns() - c0;
	} else if (write(m->helper_out, "r", 1) != 1 ||
		   read(m->helper_in, res, sizeof(res)) != sizeof(res)) {
		fprintf(stderr, "%s: helper died\n", m->name);
		exit(2);
	}
	m->failures += (long)res[1];
	m->us[round] = (double)res[0] / 1000.0 / (double)o->n;
	m->cpu[round] = (double)res[2] / 1000.0 / (double)o->n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: spawn-floor [-n N] [-r ROUNDS] [-m MB] [-a] [-M METHOD] [PROGRAM [ARG...]]\n"
		"  -n N       spawns per method per round (default 2000)\n"
		"  -r ROUNDS  rounds, methods interleaved (default 5)\n"
		"  -m MB      touch MB of heap first (fork grows with it)\n"
		"  -a         also every other available library backend\n"
		"  -M METHOD  only library, posix_spawn, vfork or fork (for strace)\n"
		"  PROGRAM    absolute path (default /bin/true)\n");
}

int main(int argc, char **argv)
{
	static char *default_argv[] = { "/bin/true", NULL };
	struct opts o = { .n = 2000, .rounds = 5, .argv = default_argv };
	struct method m[MAX_METHODS];
	bool is_helper = false;
	int nm = 0, c;
	double best = 0, best_cpu = 0;

	while ((c = getopt(argc, argv, "+n:r:m:aM:Hh")) != -1) {
		switch (c) {
		case 'n': o.n = strtol(optarg, NULL, 10); break;
		case 'r': o.rounds = (int)strtol(optarg, NULL, 10); break;
		case 'm': o.mb = strtol(optarg, NULL, 10); break;
		case 'a': o.all_backends = true; break;
		case 'M': o.only = optarg; break;
		case 'H': is_helper = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		o.argv = argv + optind;
	if (o.n < 1 || o.rounds < 1 || o.rounds > MAX_ROUNDS || o.mb < 0 ||
	    o.argv[0][0] != '/') {
		usage(stderr);
		return 2;
	}
	if (is_helper)
		return helper(&o);

	signal(SIGPIPE, SIG_IGN);
	memset(m, 0, sizeof(m));
	for (int i = 0; i < MAX_METHODS; i++)
		m[i].helper_in = m[i].helper_out = -1;

	/* Helpers first: they are forked before this process grows. */
	make_template(o.argv[0]);
	if (template_fd < 0) {
		fprintf(stderr, "spawn_template_create(%s): %s\n", o.argv[0],
			strerror(errno));
		return 2;
	}
	{
		enum spawn_template_backend active = spawn_template_backend();
		static const struct { const char *env; enum spawn_template_backend b; } others[] = {
			{ "userspace", SPAWN_TEMPLATE_BACKEND_NONE },	/* when kernel */
			{ "clone3", SPAWN_TEMPLATE_BACKEND_CLONE3 },
			{ "clone", SPAWN_TEMPLATE_BACKEND_CLONE },
			{ "kernel", SPAWN_TEMPLATE_BACKEND_KERNEL },
		};

		for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
			bool want = i == 0 ? active == SPAWN_TEMPLATE_BACKEND_KERNEL :
				    o.all_backends && others[i].b != active &&
				    !(active == SPAWN_TEMPLATE_BACKEND_KERNEL &&
				      others[i].b == SPAWN_TEMPLATE_BACKEND_CLONE3);

			if (want && !o.only && start_helper(&m[nm], others[i].env, &o, argv[0]))
				nm++;
		}
	}
	touch_heap(o.mb);

	snprintf(m[nm].name, sizeof(m[nm].name), "library (%s)",
		 spawn_template_backend_name());
	m[nm++].run = run_library;
	snprintf(m[nm].name, sizeof(m[nm].name), "posix_spawn");
	m[nm++].run = run_posix_spawn;
	snprintf(m[nm].name, sizeof(m[nm].name), "vfork+execve");
	m[nm++].run = run_vfork;
	snprintf(m[nm].name, sizeof(m[nm].name), "fork+execve");
	m[nm++].run = run_fork;
	if (o.only) {
		/* Keep one in-process method: a syscall trace of this process
		 * then holds that method's spawns and nothing else. */
		int keep = -1;

		for (int k = 0; k < nm; k++)
			if (!strncmp(m[k].name, o.only, strlen(o.only)) &&
			    (m[k].name[strlen(o.only)] == '\0' || m[k].name[strlen(o.only)] == ' ' ||
			     m[k].name[strlen(o.only)] == '+'))
				keep = k;
		if (keep < 0) {
			fprintf(stderr, "spawn-floor: %s: no such method\n", o.only);
			return 2;
		}
		m[0] = m[keep];
		nm = 1;
	}

	for (int r = 0; r < o.rounds; r++)
		for (int k = 0; k < nm; k++) {
			struct method *x = &m[(k + r) % nm];

			time_method(x, &o, r);
		}

	printf("# %s: %ld spawns x %d rounds, %ld MB touched; medians per spawn:\n"
	       "# wall time, ratio to the fastest; CPU time (user+system of the\n"
	       "# spawner and the child), ratio to the lowest\n",
	       o.argv[0], o.n, o.rounds, o.mb);
	for (int k = 0; k < nm; k++) {
		double med = median(m[k].us, o.rounds);
		double cmed = median(m[k].cpu, o.rounds);

		if (k == 0 || med < best)
			best = med;
		if (k == 0 || cmed < best_cpu)
			best_cpu = cmed;
	}
	for (int k = 0; k < nm; k++) {
		double med = median(m[k].us, o.rounds);
		double cmed = median(m[k].cpu, o.rounds);

		printf("%-22s %9.1f us  x%.3f   cpu %9.1f us  x%.3f", m[k].name,
		       med, med / best, cmed, cmed / best_cpu);
		if (m[k].failures)
			printf("  (%ld non-zero exits)", m[k].failures);
		printf("\n");
	}
	for (int k = 0; k < nm; k++)
		if (m[k].helper_out >= 0) {
			close(m[k].helper_out);
			waitpid(m[k].helper_pid, NULL, 0);
		}
	return 0;
}
