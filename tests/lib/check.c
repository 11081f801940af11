/* check.c - the test runner behind check.h.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawntemplate.h"
#include "check.h"

/* Counters live in a shared mapping: tests run in forked processes (and a
 * few fork again), and every check must reach the summary. */
struct counters {
	unsigned checks;
	unsigned failures;
};

static struct counters *counters;
static const char *active_backend = "none";
static bool active_is_kernel;

const char *check_backend(void)
{
	return active_backend;
}

bool check_backend_is_kernel(void)
{
	return active_is_kernel;
}

unsigned check_failures(void)
{
	return __atomic_load_n(&counters->failures, __ATOMIC_SEQ_CST);
}

static unsigned test_failures_at_start;

_Noreturn void check_end_test_now(void)
{
	fflush(NULL);
	_exit(check_failures() != test_failures_at_start ? 1 : 0);
}

static void count(bool ok)
{
	__atomic_add_fetch(&counters->checks, 1, __ATOMIC_SEQ_CST);
	if (!ok)
		__atomic_add_fetch(&counters->failures, 1, __ATOMIC_SEQ_CST);
}

void check_true(bool ok, const char *file, int line, const char *expr)
{
	count(ok);
	if (!ok)
		fprintf(stderr, "%s:%d: FAIL: %s\n", file, line, expr);
}

void check_eq(long long a, long long b, const char *file, int line,
	      const char *ea, const char *eb)
{
	count(a == b);
	if (a != b)
		fprintf(stderr, "%s:%d: FAIL: %s == %s (%lld != %lld)\n",
			file, line, ea, eb, a, b);
}

void check_streq(const char *a, const char *b, const char *file, int line,
		 const char *ea, const char *eb)
{
	bool ok = a && b && strcmp(a, b) == 0;

	count(ok);
	if (!ok)
		fprintf(stderr, "%s:%d: FAIL: %s == %s (\"%s\" != \"%s\")\n",
			file, line, ea, eb, a ? a : "(null)",
			b ? b : "(null)");
}

void check_errno(long long ret, int err, int want, const char *file,
		 int line, const char *expr, const char *ewant)
{
	bool ok = ret == -1 && err == want;

	count(ok);
	if (ok)
		return;
	if (ret != -1)
		fprintf(stderr, "%s:%d: FAIL: %s returned %lld, want -1/%s\n",
			file, line, expr, ret, ewant);
	else
		fprintf(stderr, "%s:%d: FAIL: %s: errno %s (%d), want %s\n",
			file, line, expr, strerrorname_np(err) ?
			strerrorname_np(err) : "?", err, ewant);
}

void check_ok(long long ret, int err, const char *file, int line,
	      const char *expr)
{
	count(ret != -1);
	if (ret == -1)
		fprintf(stderr, "%s:%d: FAIL: %s: %s (%s)\n", file, line, expr,
			strerror(err), strerrorname_np(err) ?
			strerrorname_np(err) : "?");
}

_Noreturn void check_skip(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: SKIP: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	exit(77);
}

_Noreturn void check_fatal(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: HARD ERROR: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	exit(99);
}

/* ---- backend gate ----------------------------------------------------- */

static const char *backend_name(enum spawn_template_backend b)
{
	switch (b) {
	case SPAWN_TEMPLATE_BACKEND_KERNEL: return "kernel";
	case SPAWN_TEMPLATE_BACKEND_CLONE3: return "clone3";
	case SPAWN_TEMPLATE_BACKEND_CLONE: return "clone";
	case SPAWN_TEMPLATE_BACKEND_NONE: return "none";
	}
	return "?";
}

/* Returns 0 to run the tests, or the exit status to end with. */
static int gate_backend(void)
{
	const char *forced = getenv("SPAWN_TEMPLATE_BACKEND");
	enum spawn_template_backend b = spawn_template_backend();
	const char *name = spawn_template_backend_name();

	printf("# backend: forced %s, active %s\n", forced ? forced : "(no)",
	       name);
	if (!name || strcmp(name, backend_name(b)) != 0) {
		printf("# HARD ERROR: spawn_template_backend_name() \"%s\" "
		       "does not match spawn_template_backend() %d\n",
		       name ? name : "(null)", (int)b);
		return 99;
	}
	if (b == SPAWN_TEMPLATE_BACKEND_NONE) {
		/* The header promises ENOSYS from every call then: check it,
		 * so that a broken library cannot hide behind a skip. */
		struct spawn_template_create_args a = {
			.filename = (__u64)(uintptr_t)"/proc/self/exe",
			.execfd = SPAWN_TEMPLATE_NO_EXECFD,
		};
		int r;

		errno = 0;
		r = spawn_template_create(&a, sizeof(a));
		if (r != -1 || errno != ENOSYS) {
			printf("# FAIL: no backend, but spawn_template_create "
			       "returned %d errno %d, not ENOSYS\n", r, errno);
			return 1;
		}
		printf("# SKIP: backend %s is not available on this machine "
		       "(the library reports none; calls fail with ENOSYS)\n",
		       forced ? forced : "(default)");
		return 77;
	}
	if (forced && strcmp(forced, "userspace") == 0) {
		if (b == SPAWN_TEMPLATE_BACKEND_KERNEL) {
			printf("# HARD ERROR: forced userspace, got kernel\n");
			return 99;
		}
	} else if (forced && strcmp(forced, name) != 0) {
		printf("# HARD ERROR: forced backend %s, library runs %s\n",
		       forced, name);
		return 99;
	}
	active_backend = name;
	active_is_kernel = b == SPAWN_TEMPLATE_BACKEND_KERNEL;
	return 0;
}

/* ---- runner ----------------------------------------------------------- */

static volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

/* Runs one test in a child process; returns its exit status in the
 * automake sense. */
static int run_one(const struct check_test *t, unsigned *nchecks,
		   unsigned *nfail)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned before_checks = counters->checks;
	unsigned before_fail = counters->failures;
	int status, rc;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 99;
	}
	if (pid == 0) {
		/* The test starts with the signal state the runner had. */
		signal(SIGALRM, SIG_DFL);
		test_failures_at_start = before_fail;
		t->fn();
		fflush(NULL);
		exit(counters->failures != before_fail ? 1 : 0);
	}

	watchdog_fired = 0;
	sigaction(SIGALRM, &sa, NULL);
	alarm(t->timeout ? t->timeout : 120);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			return 99;
		}
		if (watchdog_fired) {
			printf("# HARD ERROR: %s still running after %u s: "
			       "killed\n", t->name,
			       t->timeout ? t->timeout : 120);
			kill(pid, SIGKILL);
		}
	}
	alarm(0);
	signal(SIGALRM, SIG_DFL);

	*nchecks = counters->checks - before_checks;
	*nfail = counters->failures - before_fail;
	if (WIFSIGNALED(status)) {
		printf("# HARD ERROR: %s killed by signal %d (%s)\n", t->name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 99;
	}
	rc = WEXITSTATUS(status);
	if (*nfail && rc != 99)
		rc = 1;	/* a failed check before a skip is still a failure */
	if (rc == 0 && *nchecks == 0) {
		printf("# HARD ERROR: %s ran no check\n", t->name);
		rc = 99;
	}
	return rc;
}

int check_main(const struct check_test *tests)
{
	unsigned ran = 0, passed = 0, failed = 0, skipped = 0, hard = 0;
	unsigned total_checks = 0, total_fail = 0;
	const struct check_test *t;
	int rc, n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	counters = mmap(NULL, sizeof(*counters), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counters == MAP_FAILED) {
		perror("mmap");
		return 99;
	}
	rc = gate_backend();
	if (rc)
		return rc;

	for (t = tests; t->name; t++) {
		unsigned nchecks = 0, nfail = 0;

		rc = run_one(t, &nchecks, &nfail);
		n++;
		ran++;
		total_checks += nchecks;
		total_fail += nfail;
		switch (rc) {
		case 0:
			passed++;
			printf("ok %d - %s [%s] (%u checks)\n", n, t->name,
			       active_backend, nchecks);
			break;
		case 77:
			skipped++;
			printf("ok %d - %s [%s] # SKIP (%u checks before "
			       "the skip)\n", n, t->name, active_backend,
			       nchecks);
			break;
		case 99:
			hard++;
			printf("not ok %d - %s [%s] # HARD ERROR\n", n,
			       t->name, active_backend);
			break;
		default:
			failed++;
			printf("not ok %d - %s [%s] (exit %d; %u of %u "
			       "checks failed)\n", n, t->name, active_backend,
			       rc, nfail, nchecks);
			break;
		}
	}
	printf("# %s: %u tests: %u passed, %u failed, %u skipped, %u hard "
	       "errors; %u checks, %u failed\n", active_backend, ran, passed,
	       failed, skipped, hard, total_checks, total_fail);
	if (hard)
		return 99;
	if (failed)
		return 1;
	if (skipped == ran)
		return 77;
	return 0;
}
