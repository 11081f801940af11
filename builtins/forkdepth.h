/* forkdepth.h - may a routed command spawn in a child bash forked?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_FORKDEPTH_H
#define TMPLCACHE_FORKDEPTH_H

/* tmplcache -F / -f: route in forked children, or not (the default). */
void tc_forked_set(int enable);
int tc_forked_enabled(void);
/* From the fork handler, in the child: the depths it was forked at. */
void tc_forked_record(void);
/* In a child, whether the command NAME now running is one bash would
 * fork for (so we may spawn it) rather than exec in place. */
int tc_forked_may_spawn(const char *name);

#endif /* TMPLCACHE_FORKDEPTH_H */
