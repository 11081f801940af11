/* jobreg.h - hand a spawned child to bash's job table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_JOBREG_H
#define TMPLCACHE_JOBREG_H

#include <sys/types.h>

/* Before spawning: start the pipeline the child will belong to.  Returns
 * what tc_job_unprepare() needs to undo that when we fall back. */
int tc_job_prepare(int redirected);
void tc_job_unprepare(int started);
/* For bash's own make_child() run from the builtin: start the pipeline
 * as tc_job_prepare() does (its pipe kept off the redirected fds). */
void tc_job_making_children(void);
/* The process group the child joins: 0 for a new one led by the child
 * (job control on, first process), the pipeline's otherwise; 0 also when
 * job control is off (the child stays in the shell's group). */
pid_t tc_job_pgrp(void);
/* After a successful spawn, with SIGCHLD blocked: record the child. */
void tc_job_register(pid_t pid);

#endif /* TMPLCACHE_JOBREG_H */
