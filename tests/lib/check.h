/* check.h - a tiny test framework for the libspawntemplate tests.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A test program lists its tests and calls check_main().  check_main()
 * first makes sure the backend the Makefile forced (SPAWN_TEMPLATE_BACKEND)
 * is the one the library runs, or skips the whole program visibly when the
 * machine lacks it.  Then it runs every test in a forked process of its own,
 * so one test's signal mask, umask, cwd or credentials never leak into the
 * next, and a crash is reported instead of ending the run.
 *
 * Failed checks print "file:line: expression" and the values involved.
 * Exit status (automake): 0 pass, 1 a check failed, 77 every test skipped,
 * 99 hard error (a test crashed, hung, or its setup failed).
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct check_test {
	const char *name;
	void (*fn)(void);
	unsigned timeout;	/* watchdog in seconds, 0: default */
};

#define CHECK_TEST(fn) { #fn, fn, 0 }
#define CHECK_TEST_TIMEOUT(fn, secs) { #fn, fn, secs }

int check_main(const struct check_test *tests);

/* The backend check_main() verified; "none" before it ran. */
const char *check_backend(void);
/* Is the active backend the kernel one? */
bool check_backend_is_kernel(void);

void check_true(bool ok, const char *file, int line, const char *expr);
void check_eq(long long a, long long b, const char *file, int line,
	      const char *ea, const char *eb);
void check_streq(const char *a, const char *b, const char *file, int line,
		 const char *ea, const char *eb);
void check_errno(long long ret, int err, int want, const char *file,
		 int line, const char *expr, const char *ewant);
void check_ok(long long ret, int err, const char *file, int line,
	      const char *expr);
_Noreturn void check_skip(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void check_fatal(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Failures so far in the running test: lets a test stop early. */
unsigned check_failures(void);
/* Ends the running test at once with _exit(): for a test that changed its
 * credentials, where a sanitizer's exit-time leak check (which attaches
 * with ptrace) can no longer work. */
_Noreturn void check_end_test_now(void);

#define CHECK(expr) check_true(!!(expr), __FILE__, __LINE__, #expr)
#define CHECK_EQ(a, b) \
	check_eq((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)
#define CHECK_STREQ(a, b) check_streq((a), (b), __FILE__, __LINE__, #a, #b)
/* expr must fail (-1) with errno == want. */
#define CHECK_ERRNO(expr, want) do {					\
		long long check_ret_;					\
		errno = 0;						\
		check_ret_ = (long long)(expr);				\
		check_errno(check_ret_, errno, (want), __FILE__,	\
			    __LINE__, #expr, #want);			\
	} while (0)
/* expr must not return -1; prints errno when it does. */
#define CHECK_OK(expr) do {						\
		long long check_ret_;					\
		errno = 0;						\
		check_ret_ = (long long)(expr);				\
		check_ok(check_ret_, errno, __FILE__, __LINE__, #expr);	\
	} while (0)
/* Setup that must work for the test to mean anything: a hard error. */
#define REQUIRE(expr) do {						\
		if (!(expr))						\
			check_fatal(__FILE__, __LINE__, "%s (errno %m)", \
				    #expr);				\
	} while (0)
#define SKIP(...) check_skip(__FILE__, __LINE__, __VA_ARGS__)

#endif /* CHECK_H */
