/* hide.c - keep bash's introspection builtins answering as stock bash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A routed name is a builtin to bash, so `type sed`, `builtin sed`,
 * `hash sed`, `help sed` and `compgen -b` would report it as one.  While
 * one of those builtins runs on a routed name we hide the routing builtins
 * (table.c) and show them again after, also when the builtin longjmps out
 * (an unwind-protect).
 *
 * `enable` is wrapped too: it always runs with them hidden; after it we
 * forget names that became real builtins (enable -f FILE NAME), and every
 * name when it unloaded tmplcache itself.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <string.h>

#include "bash-private.h"
#include "unwind_prot.h"
#include "common.h"

#include "hide.h"
#include "table.h"

struct wrapped {
	const char *name;
	sh_builtin_func_t *stock;
	sh_builtin_func_t *wrapper;
};

static int hiding_type(WORD_LIST *);
static int hiding_builtin(WORD_LIST *);
static int hiding_hash(WORD_LIST *);
static int hiding_help(WORD_LIST *);
static int hiding_compgen(WORD_LIST *);
static int reconciling_enable(WORD_LIST *);
static int replacing_ulimit(WORD_LIST *);

/* Not `command`: execute_simple_command() recognises the `command` prefix
 * by its function pointer, so wrapping it would change how every
 * `command NAME` runs.  `command -v NAME` therefore prints NAME in the
 * shell itself; in the children bash forks routing has ended (tmplcache.c,
 * unroute_in_child). */
static struct wrapped wrapped[] = {
	{ "type", type_builtin, hiding_type },
	{ "builtin", builtin_builtin, hiding_builtin },
	{ "hash", hash_builtin, hiding_hash },
	{ "help", help_builtin, hiding_help },
	{ "compgen", compgen_builtin, hiding_compgen },
	{ "enable", enable_builtin, reconciling_enable },
	{ "ulimit", ulimit_builtin, replacing_ulimit },
};
#define NWRAPPED (sizeof(wrapped) / sizeof(wrapped[0]))

static void (*after_enable)(void);
static void (*after_ulimit)(void);

static void show_again(void *unused)
{
	tc_table_set_hidden(0);
}

static int run_hidden(sh_builtin_func_t *stock, WORD_LIST *list)
{
	int r;

	begin_unwind_frame("tmplcache-hide");
	add_unwind_protect(show_again, NULL);
	tc_table_set_hidden(1);
	r = stock(list);
	run_unwind_frame("tmplcache-hide");
	return r;
}

/* Whether any operand (the first only, with FIRST) is a routed name. */
static int names_routed(WORD_LIST *list, int first)
{
	for (; list; list = list->next) {
		const char *w = list->word->word;

		if (w[0] == '-' && w[1])
			continue;
		if (tc_table_present(w))
			return 1;
		if (first)
			return 0;
	}
	return 0;
}

static int hiding_type(WORD_LIST *l)
{
	return names_routed(l, 0) ? run_hidden(type_builtin, l) : type_builtin(l);
}

static int hiding_builtin(WORD_LIST *l)
{
	return names_routed(l, 1) ? run_hidden(builtin_builtin, l)
				  : builtin_builtin(l);
}

static int hiding_hash(WORD_LIST *l)
{
	return names_routed(l, 0) ? run_hidden(hash_builtin, l) : hash_builtin(l);
}

static int hiding_help(WORD_LIST *l)
{
	return run_hidden(help_builtin, l);
}

static int hiding_compgen(WORD_LIST *l)
{
	/* pcomplete.c asks whether compgen is what runs. */
	this_shell_builtin = compgen_builtin;
	return run_hidden(compgen_builtin, l);
}

/* enable runs with the routing builtins hidden in every form, so it
 * answers for a routed name as for any command that is not a builtin:
 * `enable NAME`, `-n`, `-d` say "not a shell builtin", `-f FILE NAME` loads
 * a real builtin NAME (the routing is then dropped), listings omit them.
 * `enable -d tmplcache` then finds tmplcache the only user of its shared
 * object; linked -z nodelete, our code stays mapped past dlclose. */
static int reconciling_enable(WORD_LIST *list)
{
	int r = run_hidden(enable_builtin, list);

	if (after_enable)
		after_enable();
	return r;
}

/* `ulimit -n` may let scripts name template fds: move them (cache.c). */
static int replacing_ulimit(WORD_LIST *list)
{
	int r = ulimit_builtin(list);

	if (after_ulimit)
		after_ulimit();
	return r;
}

static struct builtin *table_entry(const char *name)
{
	return builtin_address_internal((char *)name, 1);
}

void tc_hide_install(void (*reconcile)(void), void (*replace)(void))
{
	size_t i;

	after_enable = reconcile;
	after_ulimit = replace;
	for (i = 0; i < NWRAPPED; i++) {
		struct builtin *b = table_entry(wrapped[i].name);

		if (b && b->function == wrapped[i].stock)
			b->function = wrapped[i].wrapper;
	}
}

void tc_hide_remove(void)
{
	size_t i;

	for (i = 0; i < NWRAPPED; i++) {
		struct builtin *b = table_entry(wrapped[i].name);

		if (b && b->function == wrapped[i].wrapper)
			b->function = wrapped[i].stock;
	}
}
