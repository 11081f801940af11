/* capture.c - `tmplcache -o VAR NAME ARGS`: VAR=$(NAME ARGS) without a fork.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bash forks a subshell for `x=$(tool)`, which then execs the tool in its
 * place: there is no second fork to save.  Here a routed NAME is spawned
 * as route.c spawns it, with its stdout (and with -e its stderr) on a
 * pipe the shell reads to EOF, and waited for as subst.c's
 * command_substitute() waits for its child: the child stays out of the
 * job table's jobs (no stop_pipeline, so no job and no signal notice),
 * in the shell's process group, with SIGINT blocked in the shell while
 * it reads, and last_made_pid left as it was.  VAR then gets what
 * read_comsub() makes of the output: NUL bytes dropped with bash's
 * warning, trailing newlines stripped.
 *
 * Anything else -- NAME not a routed name as bash would look it up now
 * (a function, a builtin, not routed, routing hidden in a forked child
 * without -F), job control on, an `&' subshell, or any of route.c's
 * fallback reasons -- runs command_substitute() itself on the words
 * quoted again, which is what `VAR=$(NAME ARGS)` runs.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bash-private.h"
#include "bashintl.h"
#include "execute_cmd.h"
#include "subst.h"
#include "variables.h"
#include "common.h"

#include "automode.h"
#include "cache.h"
#include "capture.h"
#include "redirs.h"
#include "route.h"
#include "table.h"

/* The routed entry bash would run for NAME now, or NULL: bash looks for
 * a function first, and finds no routing builtin while they are hidden
 * (a forked child without -F) or after `enable -n NAME`. */
static struct tc_entry *routed_entry(const char *name)
{
	struct builtin *b;
	struct tc_entry *e;

	if (find_function((char *)name))
		return NULL;
	b = builtin_address_internal((char *)name, 0);
	if (!b || b->function != tc_route_builtin ||
	    !(b->flags & BUILTIN_ENABLED))
		return NULL;
	e = tc_entry_find(name);
	return e ? e : tc_auto_entry(name);	/* -a: made at first use */
}

/* Where a spawn could not be what command_substitute() makes. */
static enum tc_reason context_refuses(void)
{
	/* Its child joins the shell's process group with the tty signals
	 * ignored (make_child, pipeline_pgrp == shell_pgrp): not done. */
	if (job_control)
		return TC_FB_JOBCTL;
	/* make_child(FORK_ASYNC) in an `&' subshell. */
	if (subshell_environment & SUBSHELL_ASYNC)
		return TC_FB_FORKED;
	if (restricted)
		return TC_FB_RESTRICTED;
	/* Traps the comsub child keeps (reset_signal_handlers) and would
	 * run there: ERR with set -E, DEBUG and RETURN with set -T. */
	if ((error_trace_mode && signal_is_trapped(TC_ERROR_TRAP)) ||
	    (function_trace_mode && (signal_is_trapped(TC_DEBUG_TRAP) ||
				     signal_is_trapped(TC_RETURN_TRAP))))
		return TC_FB_SIGNALS;
	return TC_FB_NREASONS;
}

#if TC_BASH_COMPAT == 51
/* 5.1's any_signals_trapped() counts the traps to '' too, which
 * reset_signal_handlers() leaves trapped in the comsub child. */
static int ignore_traps_kept(void)
{
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (signal_is_trapped(sig) && trap_list[sig] == (char *)SIG_IGN)
			return 1;
	return 0;
}
#endif

/* Whether the command gets SHLVL one less: the comsub child execs it in
 * place (evalstring.c:should_suppress_fork: one command, no redirection,
 * not in a trap, no trap left after reset_signal_handlers but, from 5.2
 * on, ignored ones), lowering SHLVL as execute_disk_command() does then
 * (from 5.2 on, not in a pipeline).  The stock form of -e has `2>&1', of
 * -k a second command, and redirections of the tmplcache command stand
 * for some inside the $( ). */
static int stock_lowers_shlvl(int flags)
{
	if (flags & (TC_CAPTURE_STDERR | TC_CAPTURE_KEEPNL |
		     TC_CAPTURE_REDIRECTED) || running_trap)
		return 0;
#if TC_BASH_COMPAT == 51
	return !ignore_traps_kept();
#else
	return !(subshell_environment & SUBSHELL_PIPE);
#endif
}

/* adjust_shell_level(-1), for the child's environment only: the shell's
 * SHLVL stays.  Returns what shlvl_restore() needs (xmalloc'd). */
static char *shlvl_lower(void)
{
	SHELL_VAR *v = find_variable("SHLVL");
	char *old = v ? get_variable_value(v) : NULL, buf[32];
	intmax_t level;

	if (!old || !*old || !legal_number(old, &level))
		level = 0;
	snprintf(buf, sizeof(buf), "%jd", level > 0 ? level - 1 : 0);
	maybe_make_export_env();
	update_export_env_inplace("SHLVL=", 6, buf);
	/* Not exported (or not set): the next command's environment is
	 * made again without it. */
	return v && exported_p(v) && old ? savestring(old) : NULL;
}

static void shlvl_restore(char *old)
{
	if (old)
		update_export_env_inplace("SHLVL=", 6, old);
	else
		array_needs_making = 1;
	free(old);
}

/* What the comsub child's search_for_command() finds, with the parent's
 * hash table left as the child's search leaves it here: unchanged. */
static char *search_unhashed(const char *name)
{
	BUCKET_CONTENTS *b;
	int before = -1;
	char *path;

	b = hashing_enabled && hashed_filenames ?
		hash_search((char *)name, hashed_filenames, 0) : NULL;
	if (b)
		before = --b->times_found;
	path = search_for_command(name, 0);
	b = hashing_enabled && hashed_filenames ?
		hash_search((char *)name, hashed_filenames, 0) : NULL;
	if (b && before >= 0)
		b->times_found = before;
	return path;
}

/* A pipe whose ends are both close-on-exec and above 2, so that the
 * child's dup2 onto 1 (or 2) always makes a new, inherited fd. */
static int capture_pipe(int fds[2])
{
	int i;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		int fd;

		if (fds[i] > 2)
			continue;
		fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
		if (fd < 0) {
			close(fds[0]);
			close(fds[1]);
			return -1;
		}
		close(fds[i]);
		fds[i] = fd;
	}
	return 0;
}

static void close_fd(void *fd)
{
	close((int)(intptr_t)fd);
}

/* read_comsub(): everything to EOF, with zread()'s EINTR handling outside
 * a builtin (check_signals), NULs dropped with its one warning, trailing
 * newlines stripped unless KEEPNL.  Like read_comsub's, the buffer is
 * lost if a signal ends the command here. */
static char *read_output(int fd, int keepnl)
{
	size_t n = 0, size = 4096, i, j;
	char *buf = xmalloc(size);
	int warned = 0;
	ssize_t r;

	for (;;) {
		if (size - n < 2048) {
			size *= 2;
			buf = xrealloc(buf, size);
		}
		check_signals();
		while ((r = read(fd, buf + n, size - n - 1)) < 0 &&
		       errno == EINTR)
			check_signals();
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	for (i = j = 0; i < n; i++) {
		if (buf[i] != '\0') {
			buf[j++] = buf[i];
		} else if (!warned) {
			internal_warning("%s", _("command substitution: ignored null byte in input"));
			warned = 1;
		}
	}
	while (!keepnl && j > 0 && buf[j - 1] == '\n')
		j--;
	buf[j] = '\0';
	return buf;
}

/* command_substitute()'s parent half, after make_child(): read, wait. */
static char *collect(pid_t pid, int fd, pid_t old_pid, int keepnl)
{
	sigset_t set, oset;
	char *value;

	begin_unwind_frame("tc-capture");
	add_unwind_protect(close_fd, (void *)(intptr_t)fd);
	/* The child gets the SIGINT from the terminal too: it dies or
	 * handles it, and the read ends. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &oset);
	value = read_output(fd, keepnl);
	close(fd);
	discard_unwind_frame("tc-capture");
	sigprocmask(SIG_SETMASK, &oset, NULL);

	current_command_subst_pid = pid;
	last_command_exit_value = wait_for(pid, JWAIT_NOTERM);
	last_command_subst_pid = pid;
	last_made_pid = old_pid;
	/* As command_substitute(): a SIGINT that killed the command is the
	 * shell's too (it breaks out of loops). */
	if (last_command_exit_value == 128 + SIGINT &&
	    last_command_exit_signal == SIGINT)
		kill(getpid(), SIGINT);
	return value;
}

/* Spawn E's command with its output on a pipe and collect it.  NULL with
 * the reason in *WHY when it must fall back (no child left then). */
static char *spawn_and_collect(struct tc_entry *e, WORD_LIST *list,
			       int flags, enum tc_reason *why)
{
	const char *name = list->word->word;
	pid_t old_pid = last_made_pid, old_pgrp = pipeline_pgrp, pid;
	int fds[2], dups[2][2], in_place = stock_lowers_shlvl(flags);
	char *path, *shlvl = NULL;

	path = search_unhashed(name);
	if (!path) {
		*why = TC_FB_NOTFOUND;
		return NULL;
	}
	if (path[0] != '/') {
		*why = TC_FB_RELPATH;
		free(path);
		return NULL;
	}
	if (capture_pipe(fds) < 0) {
		*why = TC_FB_SPAWN;
		free(path);
		return NULL;
	}
	dups[0][0] = dups[1][0] = fds[1];
	dups[0][1] = 1;
	dups[1][1] = 2;

	/* command_substitute(): the child is in the shell's process group,
	 * and the pipeline that make_child starts ends at once. */
	pipeline_pgrp = shell_pgrp;
	cleanup_the_pipeline();
	if (in_place)
		shlvl = shlvl_lower();
	pid = tc_route_spawn(e, name, path, list->next, 0,
			     (const int (*)[2])dups,
			     flags & TC_CAPTURE_STDERR ? 2 : 1, why);
	if (in_place)
		shlvl_restore(shlvl);
	stop_making_children();
	pipeline_pgrp = old_pgrp;
	free(path);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		last_made_pid = old_pid;
		return NULL;
	}
	tc_count(e->count->spawns, 1);
	return collect(pid, fds[0], old_pid, flags & TC_CAPTURE_KEEPNL);
}

/* The stock forms that the spawn path matches (stock_execs_in_place). */
#define WITH_STDERR	" 2>&1"
#define REDIRECTED	" 1>&1"		/* a no-op, but bash forks for it */
#define KEEP_NL		"; tc_status=$?; printf .; exit $tc_status"

/* What `VAR=$(NAME ARGS)` runs, with each word quoted as one word. */
static char *substitute(WORD_LIST *list, int flags)
{
	const char *tail;
	size_t n;
	size_t len = 0;
	WORD_LIST *l;
	WORD_DESC *w;
	char *cmd = NULL, *q, *value;

	for (l = list; l; l = l->next) {
		q = sh_single_quote(l->word->word);
		cmd = xrealloc(cmd, len + strlen(q) + 2);
		if (len)
			cmd[len++] = ' ';
		strcpy(cmd + len, q);
		len += strlen(q);
		free(q);
	}
	tail = flags & TC_CAPTURE_STDERR ? WITH_STDERR :
	       flags & TC_CAPTURE_REDIRECTED ? REDIRECTED : "";
	cmd = xrealloc(cmd, len + strlen(tail) + sizeof(KEEP_NL));
	strcpy(cmd + len, tail);
	if (flags & TC_CAPTURE_KEEPNL)
		strcat(cmd, KEEP_NL);
	/* Every byte quoted: dequoting gives back exactly the output. */
	w = command_substitute(cmd, Q_DOUBLE_QUOTES, 0);
	free(cmd);
	value = dequote_string(w && w->word ? w->word : "");
	if (w)
		dispose_word(w);
	n = strlen(value);
	if ((flags & TC_CAPTURE_KEEPNL) && n && value[n - 1] == '.')
		value[n - 1] = '\0';
	return value;
}

int tc_capture(const char *var, int flags, WORD_LIST *list)
{
	struct tc_entry *e = routed_entry(list->word->word);
	enum tc_reason why = TC_FB_NREASONS;
	struct tc_redirs rd;
	char *value = NULL;
	SHELL_VAR *v;
	int status;

	tc_redirs_scan(&rd);
	if (rd.any)
		flags |= TC_CAPTURE_REDIRECTED;

	if (e) {
		why = context_refuses();
		if (why == TC_FB_NREASONS)
			value = spawn_and_collect(e, list, flags, &why);
		if (!value)
			tc_count(e->count->fallbacks[why], 1);
	}
	if (!value)
		value = substitute(list, flags);
	status = last_command_exit_value;
	/* printf -v's way: bash's own message for a readonly VAR. */
	v = builtin_bind_variable((char *)var, value, 0);
	if (!v || readonly_p(v) || noassign_p(v))
		status = EXECUTION_FAILURE;
	free(value);
	return status;
}
