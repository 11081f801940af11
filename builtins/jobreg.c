/* jobreg.c - hand a spawned child to bash's job table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bash reaps every child in its SIGCHLD handler with waitpid(-1), so a child
 * it does not know about loses its status.  We register the child exactly
 * as the parent half of jobs.c:make_child() does, and return from the
 * builtin; execute_cmd.c (case cm_simple) then sees already_making_children
 * and runs stop_pipeline() and wait_for(last_made_pid) itself, as it does
 * after a fork: $?, PIPESTATUS, `set -e`, `time`, the "Segmentation fault"
 * notice, Ctrl-Z and `jobs` all go through bash's own code.
 *
 * Two steps of make_child are static in bash and cannot be called:
 * delete_old_job() and bgp_delete(), which drop a saved status of an
 * earlier job whose pid the kernel has now reused.  They matter only for a
 * later `wait PID` naming that reused pid.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <stdlib.h>
#include <string.h>

#include "bash-private.h"
#include "execute_cmd.h"

#include "jobreg.h"

int tc_job_prepare(void)
{
	int started = !already_making_children;

	making_children();	/* starts a new pipeline, as make_child does */
	return started;
}

void tc_job_unprepare(int started)
{
	/* Leave the job state as bash had it: its own make_child() will
	 * start the pipeline again (and its process-group pipe). */
	if (started) {
		stop_making_children();
		close_pgrp_pipe();
	}
}

pid_t tc_job_pgrp(void)
{
	return job_control ? pipeline_pgrp : 0;
}

void tc_job_register(pid_t pid)
{
	PROCESS *p = xmalloc(sizeof(*p));
	const char *line = the_printed_command_except_trap;

	if (job_control) {
		if (pipeline_pgrp == 0)
			pipeline_pgrp = pid;
	} else if (pipeline_pgrp == 0) {
		pipeline_pgrp = shell_pgrp;
	}

	/* add_process(): the newest process goes last in the circular list. */
	p->pid = pid;
	WSTATUS(p->status) = 0;
	p->running = PS_RUNNING;
	p->command = savestring(line ? line : "");
	p->next = the_pipeline;
	the_pipeline = p;
	if (p->next == NULL) {
		p->next = p;
	} else {
		PROCESS *q = p->next;

		while (q->next != p->next)
			q = q->next;
		q->next = p;
	}

	last_made_pid = pid;
	js.c_totforked++;
	js.c_living++;
}
