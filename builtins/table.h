/* table.h - routing builtins in bash's builtin table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_TABLE_H
#define TMPLCACHE_TABLE_H

#include "builtins.h"
#include "command.h"

/* The one function behind every routed name (route.c). */
extern int tc_route_builtin(WORD_LIST *);

/* Add a routing builtin NAME (or revive a flagged one). -1: no memory. */
int tc_table_add(const char *name, char *const *doc, const char *short_doc);
/* Enable NAME's routing builtin if the table has one flagged deleted
 * (bash's lookups skip those; they find the others): 1, else 0.  A
 * binary search, only between an unload and the compaction after it. */
int tc_table_revive(const char *name);
/* bash's order of its builtin table (shell_builtin_compare): the first
 * chars compared as plain (signed) chars, then strcmp. */
int tc_table_order(const char *a, const char *b);
/* Add routing builtins for K NAMES in tc_table_order, none of them in
 * the table yet, with one copy of the table.  -1: no memory. */
int tc_table_add_sorted(char *const *names, size_t k, char *const *doc);
/* Remove every routing builtin now (compacts in place). */
void tc_table_remove_all(void);
/* Whether the routing builtins are hidden now (see below). */
int tc_table_hidden(void);
/* Remove NAME's routing builtin now (compacts in place). */
int tc_table_remove(const char *name);
/* Inside bash's unload of tmplcache: flag only, never move the array. */
void tc_table_flag_all_deleted(void);
/* Drop every flagged routing builtin; safe outside dyn_unload_builtin. */
void tc_table_compact_deleted(void);
/* Whether NAME is still a live routing builtin. */
int tc_table_present(const char *name);
/* Hide routing builtins from bash's lookups and listings (so `type`,
 * `builtin`, `hash`, `help`, `compgen`, `enable` answer as stock bash), or
 * show them again; calls nest.  bash may load or delete builtins while
 * they are hidden (enable): a name that became a real builtin, or every
 * name once tmplcache is unloaded, is not shown again. */
void tc_table_set_hidden(int hidden);
/* tc_table_set_hidden(1) when not hidden, with what it would make, made
 * beforehand (forkview.c): VIEW, the table's K entries but ours, with room
 * for all and the terminator, and STASH, ours (COUNT).  Writes nothing of
 * the table; VIEW and STASH are the table's and the stash's from then on. */
void tc_table_hide_as(struct builtin *view, int k, struct builtin *stash,
		      int count);

#endif /* TMPLCACHE_TABLE_H */
