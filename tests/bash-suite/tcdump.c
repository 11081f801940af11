/* tcdump.c - write a shell's `tmplcache -s` table to a file when it exits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bash's test suite must run unchanged under tmplcache, so the counters
 * cannot come from an EXIT trap (the tests set and print their own traps).
 * The BASH_ENV file runs `enable -f tcdump.so tcdump && tcdump FILE &&
 * enable -d tcdump`: the builtin registers an atexit handler and is gone
 * again before the test starts, so `enable` and `compgen -b` are as before.
 * At exit the handler calls the `tmplcache` builtin with `-s`, its stdout
 * sent to FILE.PID.  Only the process that ran `tcdump` dumps: tmplcache's
 * counters sit in a shared mapping, so the fallbacks of forked subshells
 * are already in its table, and a subshell dumping too would count twice.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"
#include "builtins.h"
#include "common.h"
#include "bashgetopt.h"
#include "sig.h"

extern struct builtin *builtin_address_internal(char *, int);

static char *dump_path;		/* FILE.PID, NULL until `tcdump FILE` */
static pid_t dump_owner;

static void dump_counters(void)
{
	struct builtin *b;
	WORD_DESC word = { .word = "-s" };
	WORD_LIST args = { .next = NULL, .word = &word };
	int fd, saved;

	if (!dump_path || getpid() != dump_owner)
		return;
	/* A pending signal would make the builtin's QUIT longjmp out of exit. */
	if (interrupt_state || terminating_signal)
		return;
	b = builtin_address_internal("tmplcache", 0);
	if (!b || !b->function || !(b->flags & BUILTIN_ENABLED))
		return;
	fd = open(dump_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	fflush(stdout);		/* the shell's own output first, where it goes */
	saved = fcntl(1, F_DUPFD_CLOEXEC, 10);
	if (dup2(fd, 1) == 1) {
		reset_internal_getopt();
		b->function(&args);
		fflush(stdout);
	}
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	} else {
		close(1);
	}
	close(fd);
}

/* Keep this code mapped after `enable -d tcdump`: the handler runs at exit. */
static void pin_self(void)
{
	Dl_info info;

	if (dladdr((void *)dump_counters, &info) && info.dli_fname)
		dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

int tcdump_builtin(WORD_LIST *list)
{
	static int registered;
	size_t n;

	if (!list || list->next) {
		builtin_usage();
		return EX_USAGE;
	}
	/* A forked bash running a script without #! reads BASH_ENV again:
	 * its parent, whose counters it shares, still writes them. */
	if (registered && dump_owner != getpid())
		return EXECUTION_SUCCESS;
	n = strlen(list->word->word) + 32;
	free(dump_path);
	dump_path = malloc(n);
	if (!dump_path) {
		builtin_error("%s: cannot allocate memory", list->word->word);
		return EXECUTION_FAILURE;
	}
	dump_owner = getpid();
	snprintf(dump_path, n, "%s.%ld", list->word->word, (long)dump_owner);
	if (!registered) {
		pin_self();
		if (atexit(dump_counters) != 0) {
			builtin_error("cannot register the exit handler");
			return EXECUTION_FAILURE;
		}
		registered = 1;
	}
	return EXECUTION_SUCCESS;
}

char *tcdump_doc[] = {
	"Write `tmplcache -s' to FILE.PID when this shell exits.",
	"",
	"A test helper for bash's own test suite (tests/bash-suite).",
	NULL
};

struct builtin tcdump_struct = {
	"tcdump",
	tcdump_builtin,
	BUILTIN_ENABLED,
	tcdump_doc,
	"tcdump FILE",
	0
};
