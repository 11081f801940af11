/* tmplcache.c - the `tmplcache` builtin: which commands start from templates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   enable -f tmplcache.so tmplcache
 *   tmplcache sed grep git        # route these names
 *
 * Modelled on bash's `hash`: short options, a listing that can be read back
 * as input (-l), errors as "tmplcache: NAME: reason" with the other names
 * still processed.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bash-private.h"
#include "arrayfunc.h"
#include "common.h"
#include "bashgetopt.h"

#include "spawntemplate.h"
#include "automode.h"
#include "cache.h"
#include "capture.h"
#include "childtext.h"
#include "forkdepth.h"
#include "forkview.h"
#include "hide.h"
#include "report.h"
#include "stats.h"
#include "table.h"
#include "version-check.h"

extern int tmplcache_builtin(WORD_LIST *);

/* Linked without the C start files (Makefile.am): of crtbeginS.o we need
 * only this, the handle pthread_atfork() and atexit() register under. */
void *__dso_handle __attribute__((visibility("hidden"))) = &__dso_handle;

/* What `help sed` would print if the routed name were not hidden from
 * help (hide.c); kept for `enable -a`-style listings. */
static char *route_doc[] = {
	"External command routed through a spawn template by tmplcache.",
	"",
	"Runs the command found in PATH exactly as bash would; see",
	"`help tmplcache'.",
	NULL
};

/* Why NAME can never be routed, or NULL.  Only what bash's tables and
 * NAME itself tell, without a system call: naming is free, and what needs
 * the file system (not found, relative PATH entry, not ELF, the template
 * cap) is found at the name's first use, where it becomes a counted
 * fallback (route.c). */
static const char *refuse_reason(const char *name, struct builtin **ours)
{
	struct builtin *b_entry;

	*ours = NULL;
	if (!*name)
		return "empty name";
	if (strchr(name, '/'))
		return "name contains a slash: it runs without PATH lookup";
	if (find_reserved_word((char *)name) >= 0)
		return "is a shell keyword";
	/* A disabled builtin (enable -n) still holds the name in bash's table,
	 * where a second entry would never be found. */
	b_entry = builtin_address_internal((char *)name, 1);
	if (b_entry && b_entry->function != tc_route_builtin)
		return b_entry->flags & BUILTIN_ENABLED ? "is a shell builtin"
			: "is a shell builtin (disabled with enable -n)";
	*ours = b_entry;
	return NULL;
}

/* What bash would run for NAME now: the hashed path, else PATH; without
 * counting a hash hit or hashing.  NULL when not found. */
static char *resolve_now(const char *name)
{
	BUCKET_CONTENTS *b;

	b = hashing_enabled && hashed_filenames ?
		hash_search((char *)name, hashed_filenames, 0) : NULL;
	if (b) {
		b->times_found--;
		return savestring(pathdata(b)->path);
	}
	return find_user_command(name);
}

/* tmplcache NAME: route NAME, to be resolved and pinned at its first use.
 * Returns EXECUTION_SUCCESS or _FAILURE. */
static int add_name(const char *name, int quiet)
{
	struct builtin *ours;
	const char *why;

	why = refuse_reason(name, &ours);
	/* Naming a routed name again keeps its template: each use checks
	 * it against bash's search anyway. */
	if (!why && (!tc_entry_name(name) ||
		     tc_table_add(name, route_doc, name) < 0))
		why = "out of memory";
	if (why) {
		if (!quiet)
			builtin_error("%s: %s", name, why);
		return EXECUTION_FAILURE;
	}
	return EXECUTION_SUCCESS;
}

static int by_table_order(const void *a, const void *b)
{
	return tc_table_order(*(char *const *)a, *(char *const *)b);
}

/* tmplcache NAME...: add_name() for each, in one copy of bash's builtin
 * table for the names new to it (a copy per name was most of what naming
 * 30 commands cost a bash start).  Errors in the order of the names;
 * an interrupt adds the names before it. */
static int add_names(WORD_LIST *list)
{
	int status = EXECUTION_SUCCESS;
	size_t n = 0, k = 0, i, kept;
	char **fresh;
	WORD_LIST *l;

	for (l = list; l; l = l->next)
		n++;
	fresh = malloc(n * sizeof(*fresh));
	if (!fresh) {
		for (l = list; l; l = l->next) {
			if (add_name(l->word->word, 0) != EXECUTION_SUCCESS)
				status = EXECUTION_FAILURE;
			QUIT;
		}
		return status;
	}
	for (l = list; l && !interrupt_state; l = l->next) {
		const char *name = l->word->word, *why;
		struct builtin *ours;

		why = refuse_reason(name, &ours);
		if (!why && !tc_entry_name(name))
			why = "out of memory";
		if (why) {
			builtin_error("%s: %s", name, why);
			status = EXECUTION_FAILURE;
		} else if (ours) {
			ours->flags = BUILTIN_ENABLED;	/* routed already */
		} else if (!tc_table_revive(name)) {
			fresh[k++] = l->word->word;
		}
	}
	qsort(fresh, k, sizeof(*fresh), by_table_order);
	for (i = kept = 0; i < k; i++)
		if (kept == 0 || strcmp(fresh[kept - 1], fresh[i]) != 0)
			fresh[kept++] = fresh[i];
	if (tc_table_add_sorted(fresh, kept, route_doc) < 0) {
		for (i = 0; i < kept; i++)
			builtin_error("%s: out of memory", fresh[i]);
		status = EXECUTION_FAILURE;
	}
	free(fresh);
	QUIT;
	return status;
}

static int remove_name(const char *name)
{
	struct tc_entry *e = tc_entry_find(name);

	/* -a adds names without an entry until their first use. */
	if (!e && tc_auto_on() && tc_table_present(name)) {
		tc_table_remove(name);
		return EXECUTION_SUCCESS;
	}
	if (!e) {
		builtin_error("%s: not routed", name);
		return EXECUTION_FAILURE;
	}
	tc_table_remove(name);
	tc_entry_remove(e);
	return EXECUTION_SUCCESS;
}

static int remove_one(struct tc_entry *e, void *unused)
{
	tc_table_remove(e->name);
	tc_entry_remove(e);
	return 0;
}

static void remove_all(void)
{
	/* tc_entry_each cannot survive removal: take the first until none. */
	while (tc_entry_count() > 0)
		tc_entry_each(remove_one, NULL);
	if (tc_auto_on()) {
		tc_auto_stop();
		tc_table_remove_all();
	}
}

/* The listing's path column for a name not yet pinned: never run, or its
 * last run fell back.  No path starts with '('. */
#define NOT_RESOLVED "(not yet resolved)"

static int list_one(struct tc_entry *e, void *reusable)
{
	if (reusable)
		printf("builtin tmplcache %s\n", e->name);
	else
		printf("%-20s %s\n", e->name,
		       e->tmpl ? e->tmpl->path : NOT_RESOLVED);
	QUIT;
	return 0;
}

/* -t NAME: the pinned path; before the first use pins one, the path bash
 * would run now (found here, neither hashed nor pinned). */
static int print_path(const char *name)
{
	struct tc_entry *e = tc_entry_find(name);
	char *path;

	if (!e && !(tc_auto_on() && tc_table_present(name))) {
		builtin_error("%s: not routed", name);
		return EXECUTION_FAILURE;
	}
	if (e && e->tmpl) {
		printf("%s\n", e->tmpl->path);
		return EXECUTION_SUCCESS;
	}
	path = resolve_now(name);
	if (!path) {
		builtin_error("%s: not found", name);
		return EXECUTION_FAILURE;
	}
	printf("%s\n", path);
	free(path);
	return EXECUTION_SUCCESS;
}

/* -H [N]: route every command in bash's hash table hit N times or more.
 * hash_walk() passes no argument along, hence the file-scope pointer. */
struct adopt {
	int min_hits;
};

static struct adopt *adopting;

static int adopt_one(BUCKET_CONTENTS *b)
{
	if (b->times_found >= adopting->min_hits && !tc_entry_find(b->key))
		add_name(b->key, 1);
	return 1;
}

static int adopt_hashed(int min_hits)
{
	struct adopt a = { .min_hits = min_hits };

	if (!hashed_filenames)
		return EXECUTION_SUCCESS;
	adopting = &a;
	hash_walk(hashed_filenames, adopt_one);
	adopting = NULL;
	return EXECUTION_SUCCESS;
}

/* After every `enable`: forget names whose routing builtin was deleted;
 * finish an unload of tmplcache itself (see hide.c). */
static int forget_if_gone(struct tc_entry *e, void *unused)
{
	if (!tc_table_present(e->name)) {
		tc_entry_remove(e);
		return 1;	/* the list changed: walk again */
	}
	return 0;
}

static void reconcile(void)
{
	if (!tc_state()) {
		tc_table_compact_deleted();
		return;
	}
	while (tc_entry_each(forget_if_gone, NULL))
		;
}

/* -o VAR [-ek] NAME [ARG ...]: nothing else goes with it. */
static int capture(const char *var, int flags, WORD_LIST *list,
		   int other_ops)
{
	if (!var || other_ops || !list) {
		builtin_usage();
		return EX_USAGE;
	}
	if (!legal_identifier(var) && !valid_array_reference(var, 0)) {
		sh_invalidid((char *)var);
		return EXECUTION_FAILURE;
	}
	return tc_capture(var, flags, list);
}

int tmplcache_builtin(WORD_LIST *list)
{
	int opt, status = EXECUTION_SUCCESS;
	int op_list = 0, op_remove = 0, op_all = 0, op_path = 0, op_stats = 0;
	int op_adopt = 0, op_auto = 0, op_forked = -1, capture_flags = 0;
	char *var = NULL, *capture_var = NULL;
	WORD_LIST *l;
	intmax_t n;

	reset_internal_getopt();
	while ((opt = internal_getopt(list, "adeFfklo:rstv:H")) != -1) {
		switch (opt) {
		case 'a': op_auto = 1; break;
		case 'd': op_remove = 1; break;
		case 'e': capture_flags |= TC_CAPTURE_STDERR; break;
		case 'F': op_forked = 1; break;
		case 'f': op_forked = 0; break;
		case 'k': capture_flags |= TC_CAPTURE_KEEPNL; break;
		case 'l': op_list = 1; break;
		case 'o': capture_var = list_optarg; break;
		case 'r': op_all = 1; break;
		case 's': op_stats = 1; break;
		case 't': op_path = 1; break;
		case 'v': var = list_optarg; break;
		case 'H': op_adopt = 1; break;
		CASE_HELPOPT;
		default:
			builtin_usage();
			return EX_USAGE;
		}
	}
	list = loptend;

	if (capture_var || capture_flags)
		return capture(capture_var, capture_flags, list,
			       op_list | op_remove | op_all | op_path |
			       op_stats | op_adopt | op_auto |
			       (op_forked >= 0) | (var != NULL));
	if (var && !op_stats) {
		builtin_error("-v: only with -s");
		return EX_USAGE;
	}
	if (var && !legal_identifier(var)) {
		sh_invalidid(var);
		return EXECUTION_FAILURE;
	}
	if ((op_remove || op_path) && !list) {
		sh_needarg(op_remove ? "-d" : "-t");
		return EX_USAGE;
	}

	if (op_forked >= 0)
		tc_forked_set(op_forked);
	if (op_all)
		remove_all();
	if (op_auto && tc_auto_start(route_doc) < 0) {
		builtin_error("-a: out of memory");
		status = EXECUTION_FAILURE;
	}
	if (op_adopt) {
		n = 1;
		if (list && legal_number(list->word->word, &n) && n >= 0)
			list = list->next;
		else if (list) {
			sh_invalidnum(list->word->word);
			return EX_USAGE;
		}
		status = adopt_hashed((int)n);
	}
	if (list && !op_remove && !op_path)
		status = add_names(list) == EXECUTION_SUCCESS ? status
							      : EXECUTION_FAILURE;
	for (l = op_remove || op_path ? list : NULL; l; l = l->next) {
		int r;

		if (op_remove)
			r = remove_name(l->word->word);
		else
			r = print_path(l->word->word);
		if (r != EXECUTION_SUCCESS)
			status = r;
		QUIT;
	}
	if (op_stats && tc_stats_report(var) != EXECUTION_SUCCESS)
		status = EXECUTION_FAILURE;
	if (op_list && tc_forked_enabled())
		printf("builtin tmplcache -F\n");
	if (op_list && tc_auto_on())
		printf("builtin tmplcache -a\n");
	if (op_list || (!list && !op_all && !op_stats && !op_adopt &&
			 !op_auto && op_forked < 0))
		tc_entry_each(list_one, op_list ? (void *)1 : NULL);
	return sh_chkwrite(status);
}

/* In every child bash forks (pipeline element, subshell, `&' job, $(...),
 * <(...)) routing ends by default: the child sees bash's own table, and
 * `$(command -v NAME)', which bash's `command' prefix handling keeps us
 * from wrapping (execute_cmd.c compares command_builtin's address),
 * prints the path as stock does.  With -F the child keeps routing, and
 * spawns in the loops and functions it enters (forkdepth.c).  Our spawns
 * use clone, which runs no fork handlers. */
TC_CHILD_TEXT static void unroute_in_child(void)
{
	tc_forked_record();	/* also unloaded: a later load may need it */
	if (tc_state()) {
		tc_state_forked();
		if (!tc_forked_enabled())
			tc_forkview_hide();	/* for the child's life */
	}
}

static void before_fork(void)
{
	tc_state_prefork();
	if (tc_state() && !tc_forked_enabled())
		tc_forkview_prepare();	/* for unroute_in_child */
}

int tmplcache_builtin_load(char *name)
{
	static int atfork_set;

	if (tc_version_check(name) < 0)
		return 0;
	if (tc_state_init() < 0)
		return 0;
	/* Once: linked -z nodelete, this code, and so the handlers, stays
	 * mapped (Makefile.am). */
	if (!atfork_set &&
	    pthread_atfork(before_fork, NULL, unroute_in_child) == 0)
		atfork_set = 1;
	tc_report_load();
	tc_table_compact_deleted();	/* leftovers of an earlier unload */
	tc_hide_install(reconcile, tc_templates_replace);
	return 1;
}

void tmplcache_builtin_unload(char *name)
{
	/* Inside bash's dyn_unload_builtin: flag, never move the table. */
	tc_table_flag_all_deleted();
	tc_auto_stop();
	tc_hide_remove();
	tc_forkview_free();
	tc_report_unload();		/* the counters outlive the state */
	tc_state_destroy();
}

char *tmplcache_doc[] = {
	"Start external commands from spawn templates.",
	"",
	"Routes each NAME through a spawn template.  Naming only remembers the",
	"name, without touching the file system; at the name's first use the",
	"command bash would run for it (found through PATH, hashed or not) is",
	"pinned once and later started with a vfork-style clone and execveat",
	"instead of fork, so its cost does not grow with the shell's memory.",
	"Everything the command sees is what stock bash gives it; where that",
	"cannot be exact (what a child bash forks execs in place, not found, for a",
	"script, a relative PATH entry, past TMPLCACHE_MAX, a changed file that",
	"cannot be pinned again, ...) bash runs the command its own way and the",
	"fallback is counted.",
	"",
	"With no arguments, lists the routed names and the paths they run;",
	"a name not pinned yet (never run, or its last run fell back) shows",
	"`(not yet resolved)'.",
	"",
	"Options:",
	"  -d\tstop routing each NAME",
	"  -l\tlist in a format that can be reused as input",
	"  -r\tstop routing every name",
	"  -t\tprint the path each NAME runs: the pinned one, else the one",
	"    \tbash would run now (an error if there is none)",
	"  -s\tprint statistics: spawns, fallbacks by reason, template",
	"    \tre-creations and mean spawn time, per name and in total",
	"  -v VAR\twith -s, store the statistics in the associative array VAR",
	"    \tinstead: VAR[spawns], VAR[fallbacks], VAR[recreated],",
	"    \tVAR[mean_us], VAR[evicted], VAR[fallback_REASON],",
	"    \tVAR[NAME:spawns], ...; with -a also VAR[auto_names] and",
	"    \tVAR[auto_rescans]",
	"  -a\troute every command found in PATH, now and as PATH and its",
	"    \tdirectories change (a command new to them runs bash's way",
	"    \tonce); at TMPLCACHE_MAX the least recently used template",
	"    \tis closed; -r ends it",
	"  -H [N]\troute every command in the hash table (see `hash') found",
	"    \tat least N times (default 1)",
	"  -F\tkeep routing in the children bash forks, where it spawns the",
	"    \tcommands run in loops and functions entered after the fork",
	"  -f\tend routing in every child bash forks (the default)",
	"  -o VAR\trun NAME with ARGs, its output captured into VAR as",
	"    \t`VAR=$(NAME ARGs)' would (trailing newlines stripped, NUL",
	"    \tbytes dropped with bash's warning), without forking the",
	"    \tshell when NAME is routed; otherwise bash's own command",
	"    \tsubstitution runs it; the status is NAME's",
	"  -e\twith -o, capture NAME's stderr too, as `VAR=$(NAME 2>&1)'",
	"  -k\twith -o, keep trailing newlines, as `VAR=$(NAME; printf .)'",
	"    \tthen VAR=${VAR%.}",
	"",
	"Fallback reasons (-s): forked (a child bash forked may exec it in",
	"place), nofork (the last line of bash -c), command (run through",
	"`command'), restricted, notfound, relpath (a relative PATH entry),",
	"notelf (a script), create (no template), cap (TMPLCACHE_MAX), signals,",
	"jobctl (job control the backend cannot do), backend (no child error",
	"report), spawn, exec (the spawn or the child failed: bash redoes it).",
	"",
	"Shell variables:",
	"  TMPLCACHE_MAX\tthe most templates at once (default 256)",
	"  TMPLCACHE_REPORT\ta directory: when exported at load, the shell",
	"    \twrites its counters there at exit (tmplcache-report)",
	"",
	"Routed names still answer `type', `hash', `help', `enable' and, in",
	"`$(...)' unless -F is in effect, `command -v' as plain commands.",
	"`enable -d tmplcache' stops routing every name and closes every",
	"template.",
	"",
	"Exit Status:",
	"With -o, the status of NAME, or failure if VAR is invalid or",
	"readonly.  Otherwise returns success unless a NAME cannot be routed (a",
	"builtin, a keyword, a name with a slash) or is not routed, -t finds no",
	"command for a NAME, or an invalid option is given.",
	NULL
};

struct builtin tmplcache_struct = {
	"tmplcache",
	tmplcache_builtin,
	BUILTIN_ENABLED,
	tmplcache_doc,
	"tmplcache [-alrs] [-v var] [-d name ...] [-t name ...] [-H [n]] [-F|-f] [name ...] or tmplcache -o var [-ek] name [arg ...]",
	0
};
