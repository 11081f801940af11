/* automode.h - `tmplcache -a`: route every command found on PATH.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_AUTOMODE_H
#define TMPLCACHE_AUTOMODE_H

#include <stddef.h>

struct tc_entry;

/* Read the PATH directories and add a routing builtin for every name in
 * them (no entry, no template yet: both come at first use), turn on the
 * LRU cap, and rescan from then on when PATH or a directory changes.
 * Returns 0, or -1 when out of memory.  DOC is the routed names' help. */
int tc_auto_start(char *const *doc);
/* Stop rescanning; the caller removes the routing builtins. */
void tc_auto_stop(void);
int tc_auto_on(void);
/* Rescan if PATH or the mtime of one of its directories changed: the
 * PATH comparison makes no system call, the mtimes one stat each.  Runs
 * before every fork of the shell itself (a command not routed yet runs
 * bash's way and is routed from its next use). */
void tc_auto_check(void);
/* The entry for routed NAME, made at its first use; NULL without -a, in a
 * child bash forked, or past TC_MAX_NAMES (a counted fallback). */
struct tc_entry *tc_auto_entry(const char *name);
size_t tc_auto_names(void);
unsigned long tc_auto_rescans(void);

#endif /* TMPLCACHE_AUTOMODE_H */
