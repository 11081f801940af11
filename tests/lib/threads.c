/* threads.c - spawns from several threads at once.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The userspace backends share memory with the child until exec
 * (CLONE_VM): argv, actions, the error slot and the stack must be per
 * call.  Every child reports its argv; a mix-up shows as a wrong token or
 * a wrong exit status.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#define THREADS 4
#define PER_THREAD scaled_rounds(500)	/* TC_LIB_ROUNDS: fewer in CI's VM */

static int tfd_shared = -1;

struct worker {
	pthread_t t;
	int id;
	int tfd;
	const char *want_exe;
	int rounds;
	int errors;
};

static void *spawner(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < w->rounds; i++) {
		char code[16], token[64];
		const char *args[] = { "-x", code, token, NULL };
		struct run_opts o = { .args = args };
		struct run r;
		int want = (w->id * 37 + i) % 200;

		snprintf(code, sizeof(code), "%d", want);
		snprintf(token, sizeof(token), "thread-%d-round-%d", w->id, i);
		if (run_child(w->tfd, &o, &r) != 0) {
			fprintf(stderr, "# thread %d round %d: spawn: %m\n",
				w->id, i);
			w->errors++;
			continue;
		}
		if (!run_exited(&r, want) || !view_complete(&r.view) ||
		    !view_get(&r.view, "arg 3") ||
		    strcmp(view_get(&r.view, "arg 3"), token) != 0 ||
		    strcmp(view_get(&r.view, "exe"), w->want_exe) != 0) {
			fprintf(stderr, "# thread %d round %d: wrong child "
				"(code %d status %d)\n", w->id, i, r.code,
				r.status);
			w->errors++;
		}
		run_free(&r);
	}
	return NULL;
}

static void test_concurrent_spawns(void)
{
	struct worker w[THREADS];
	struct fdset before, after;
	int errors = 0;

	tfd_shared = TEMPLATE_FOR(childview_path());
	if (tfd_shared < 0)
		return;
	fdset_self(&before);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .id = i, .tfd = tfd_shared,
					.want_exe = childview_path(),
					.rounds = PER_THREAD };
		REQUIRE(pthread_create(&w[i].t, NULL, spawner, &w[i]) == 0);
	}
	for (int i = 0; i < THREADS; i++) {
		REQUIRE(pthread_join(w[i].t, NULL) == 0);
		errors += w[i].errors;
	}
	printf("# %d threads x %ld spawns: %d wrong\n", THREADS, PER_THREAD,
	       errors);
	CHECK_EQ(errors, 0);
	fdset_self(&after);
	CHECK_EQ(after.n, before.n);
	CHECK(no_child_exists());
	close(tfd_shared);
}

static char copy[PATH_MAX + 16];
static volatile int churn_stop;

/* Makes and drops templates (and dupfd copies) for another executable,
 * spawning from some of them. */
static void *churner(void *arg)
{
	struct worker *w = arg;
	int i = 0;

	while (!__atomic_load_n(&churn_stop, __ATOMIC_SEQ_CST)) {
		int fd = create_template(copy, SPAWN_TEMPLATE_NO_EXECFD,
					 SPAWN_TEMPLATE_CREATE_CLOEXEC);
		int d;

		if (fd < 0) {
			fprintf(stderr, "# churner %d: create: %m\n", w->id);
			w->errors++;
			continue;
		}
		d = spawn_template_dupfd(fd, 0, 1);
		close(fd);
		if (d < 0) {
			fprintf(stderr, "# churner %d: dupfd: %m\n", w->id);
			w->errors++;
			continue;
		}
		if (i++ % 10 == 0) {
			const char *args[] = { NULL };
			struct run_opts o = { .args = args };
			struct run r;

			if (run_child(d, &o, &r) != 0 ||
			    !run_exited(&r, 0) ||
			    !view_get(&r.view, "exe") ||
			    strcmp(view_get(&r.view, "exe"), copy) != 0) {
				fprintf(stderr, "# churner %d: wrong child\n",
					w->id);
				w->errors++;
			}
			run_free(&r);
		}
		close(d);
	}
	w->rounds = i;
	return NULL;
}

static void test_spawns_while_templates_come_and_go(void)
{
	char dir[PATH_MAX];
	struct worker spawners[2], churners[2];
	struct fdset before, after;
	int errors = 0, churned = 0;

	make_tempdir(dir);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	copy_file(childview_path(), copy, 0755);
	tfd_shared = TEMPLATE_FOR(childview_path());
	if (tfd_shared < 0)
		return;
	fdset_self(&before);
	for (int i = 0; i < 2; i++) {
		churners[i] = (struct worker){ .id = i };
		REQUIRE(pthread_create(&churners[i].t, NULL, churner,
				       &churners[i]) == 0);
	}
	for (int i = 0; i < 2; i++) {
		spawners[i] = (struct worker){ .id = i, .tfd = tfd_shared,
					       .want_exe = childview_path(),
					       .rounds = 300 };
		REQUIRE(pthread_create(&spawners[i].t, NULL, spawner,
				       &spawners[i]) == 0);
	}
	for (int i = 0; i < 2; i++) {
		REQUIRE(pthread_join(spawners[i].t, NULL) == 0);
		errors += spawners[i].errors;
	}
	__atomic_store_n(&churn_stop, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 2; i++) {
		REQUIRE(pthread_join(churners[i].t, NULL) == 0);
		errors += churners[i].errors;
		churned += churners[i].rounds;
	}
	printf("# 2 x 300 spawns beside %d template create/dupfd/close "
	       "rounds: %d wrong\n", churned, errors);
	CHECK_EQ(errors, 0);
	CHECK(churned > 0);
	fdset_self(&after);
	CHECK_EQ(after.n, before.n);
	CHECK(no_child_exists());
	close(tfd_shared);
	remove_tree(dir);
}

static const struct check_test tests[] = {
	CHECK_TEST_TIMEOUT(test_concurrent_spawns, 600),
	CHECK_TEST_TIMEOUT(test_spawns_while_templates_come_and_go, 600),
	{ 0 }
};

int main(void)
{
	return check_main(tests);
}
