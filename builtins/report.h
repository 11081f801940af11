/* report.h - TMPLCACHE_REPORT=DIR: counters left in DIR at exit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_REPORT_H
#define TMPLCACHE_REPORT_H

/* At load: when TMPLCACHE_REPORT is exported and not empty, this process
 * writes a record into that directory at exit (once, however often
 * tmplcache is loaded). */
void tc_report_load(void);
/* At unload, before the state goes: keep the counters for the record. */
void tc_report_unload(void);

#endif /* TMPLCACHE_REPORT_H */
