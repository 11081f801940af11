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
 * Two steps of make_child are static in bash: delete_old_job() and
 * bgp_delete(), which forget an earlier job whose pid the kernel has now
 * given to the new child.  Without them wait_for() would find the dead old
 * job first and return its status at once, while the child still runs.
 * They are redone here from what bash exports (jobs[], get_job_by_pid,
 * delete_job, bgpids, pidstat_table), as in jobs.c 5.1 to 5.3 (the same
 * code in each).
 */
#include "config.h"	/* bash's, as its headers expect */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bash-private.h"
#include "execute_cmd.h"

#include "jobreg.h"

/* Highest free fd under bash's HIGH_FD_MAX (256) and the fd limit, as
 * general.c:move_to_high_fd looks, or -1.  Above a low `ulimit -n' the
 * dup2 would fail, and the pipe stay on the fd it must leave. */
static int high_free_fd(void)
{
	int fd = getdtablesize();

	if (fd > 256 || fd <= 0)
		fd = 256;
	for (fd--; fd > 9; fd--)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			return fd;
	return -1;
}

/* start_pipeline() opens bash's process-group pipe (set -m) on the lowest
 * free fds.  Stock bash does that before a disk command's redirections,
 * which happen in the child; in a builtin they are already done, so
 * `NAME 2>&-` gives the pipe fd 2, bash's undo dup2()s stderr back over
 * it, and stop_pipeline()'s close of the pipe then closes stderr for good.
 * Move the pipe where bash keeps its own fds (as move_to_high_fd). */
static void pgrp_pipe_aside(void)
{
	int p[2], i, fd;

	save_pgrp_pipe(p, 1);
	for (i = 0; i < 2; i++) {
		if (p[i] < 0 || (fd = high_free_fd()) < 0)
			continue;
		if (dup2(p[i], fd) < 0)
			continue;
		close(p[i]);
		p[i] = fd;
	}
	restore_pgrp_pipe(p);
}

int tc_job_prepare(int redirected)
{
	int started = !already_making_children;

	making_children();	/* starts a new pipeline, as make_child does */
	/* Only a command with redirections can have closed an fd the pipe
	 * then takes: the others keep the syscalls. */
	if (started && job_control && redirected)
		pgrp_pipe_aside();
	return started;
}

void tc_job_making_children(void)
{
	tc_job_prepare(1);	/* the fork path runs only with redirections */
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

/* jobs.c:delete_old_job(): a dead job holding PID goes; a live one (which
 * cannot be: the kernel does not reuse a live pid) loses the pid. */
static void delete_old_job(pid_t pid)
{
	PROCESS *p = NULL;
	int job = get_job_by_pid(pid, 0, &p);

	if (job == NO_JOB)
		return;
	if (JOBSTATE(job) == JDEAD)
		delete_job(job, TC_DEL_NOBGPID);
	else if (p)
		p->pid = 0;
}

/* jobs.c:pshash_getbucket() */
static ps_index_t *bgp_bucket(pid_t pid)
{
	unsigned long hash = pid * 0x9e370001UL;

	return &pidstat_table[hash % TC_PIDSTAT_TABLE_SZ];
}

/* jobs.c:bgp_delete() and pshash_delindex(): forget a saved status. */
static void bgp_delete(pid_t pid)
{
	ps_index_t psi, orig;
	struct pidstat *ps;

	if (bgpids.storage == NULL || bgpids.nalloc == 0 || bgpids.npid == 0)
		return;
	for (orig = psi = *bgp_bucket(pid); psi != NO_PIDSTAT;
	     psi = bgpids.storage[psi].bucket_next) {
		if (bgpids.storage[psi].pid == pid)
			break;
		if (orig == bgpids.storage[psi].bucket_next)
			return;	/* a looping chain: bash warns and gives up */
	}
	if (psi == NO_PIDSTAT)
		return;
	ps = &bgpids.storage[psi];
	if (ps->bucket_next != NO_PIDSTAT)
		bgpids.storage[ps->bucket_next].bucket_prev = ps->bucket_prev;
	if (ps->bucket_prev != NO_PIDSTAT)
		bgpids.storage[ps->bucket_prev].bucket_next = ps->bucket_next;
	else
		*bgp_bucket(ps->pid) = ps->bucket_next;
	ps->pid = NO_PID;
	ps->bucket_next = ps->bucket_prev = NO_PIDSTAT;
	bgpids.npid--;
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

	/* add_process(): the newest process goes last in the circular list.
	 * Zeroed first: 5.3's struct process has a flags word (PROC_COMSUB,
	 * PROC_PROCSUB) that alloc_process() sets to 0. */
	memset(p, 0, sizeof(*p));
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

	/* make_child's order: after add_process, so only older jobs match. */
	delete_old_job(pid);
	bgp_delete(pid);

	last_made_pid = pid;
	js.c_totforked++;
	js.c_living++;
}
