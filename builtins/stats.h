/* stats.h - `tmplcache -s`: counters per name and in total.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_STATS_H
#define TMPLCACHE_STATS_H

/* Print the statistics, or store them in the associative array VAR when
 * VAR is not NULL.  Returns a builtin exit status. */
int tc_stats_report(const char *var);

#endif /* TMPLCACHE_STATS_H */
