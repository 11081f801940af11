/* route.h - spawn a routed name's command, as route.c does for the name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_ROUTE_H
#define TMPLCACHE_ROUTE_H

#include <sys/types.h>

#include "command.h"

#include "cache.h"

/* Start E's command PATH (absolute, as bash's search found it) as NAME
 * with the arguments LIST, with make_child()'s steps and the parent half
 * that registers the child in bash's job table; REDIRECTED: the command
 * has redirections (jobreg.c).  DUPS: NDUPS pairs {from, to} that the
 * child dup2()s last (FROM close-on-exec, TO not FROM).  Returns the pid,
 * or -1 with the reason to fall back in *WHY, no child left behind. */
pid_t tc_route_spawn(struct tc_entry *e, const char *name, const char *path,
		     WORD_LIST *list, int redirected, const int (*dups)[2],
		     unsigned ndups, enum tc_reason *why);

#endif /* TMPLCACHE_ROUTE_H */
