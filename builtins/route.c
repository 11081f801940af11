/* route.c - the builtin behind every routed name: spawn, or fall back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bash runs a builtin with its redirections already in place (saved copies
 * of the shell's own fds are close-on-exec), with the temporary environment
 * of `VAR=x cmd` in effect and after `set -x` tracing.  What remains of
 * execute_disk_command() we do here, in its order: search_for_command()
 * (same hash-table effects), maybe_make_export_env() and
 * put_command_name_into_env() (same `_`), then make_child()'s steps: the
 * sync of a script read ahead from stdin, the child's signal,
 * process-group and terminal steps as spawn actions (childsig.c computes
 * the dispositions), and the parent half that registers the child with
 * bash's job table and forgets old jobs holding its pid (jobreg.c).
 *
 * Whenever that cannot be exact we fall back before any child exists (or
 * after reaping one that failed before exec): by returning EX_DISKFALLBACK
 * when bash would not perform the command's redirections again, else by
 * running bash's own fork path from here (forkpath.c), so that no
 * redirection is ever performed twice.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bash-private.h"
#include "execute_cmd.h"
#include "variables.h"
#include "common.h"

#include "spawntemplate.h"
#include "automode.h"
#include "cache.h"
#include "childsig.h"
#include "forkdepth.h"
#include "forkpath.h"
#include "jobreg.h"
#include "redirs.h"
#include "route.h"
#include "table.h"

/* The last line of `bash -c`: bash may exec a simple command there in
 * place (builtins/evalstring.c:should_suppress_fork and
 * optimize_connection_fork); spawning would add a process.  We cannot see
 * the command's CMD_NO_FORK flag, nor which command of the line it is on
 * (parse_and_execute keeps the parsed line in a local), so we give way to
 * every command of that line except those in a loop or a function body,
 * which bash never runs without forking.  Nor a command with redirections
 * (should_optimize_fork): bash forks for it, so we may spawn. */
static int last_line_of_c(const struct tc_redirs *rd)
{
	return !rd->any && startup_state == 2 && parse_and_execute_level == 1 &&
	       bash_input.type == TC_st_string && bash_input.location.string &&
	       *bash_input.location.string == '\0' &&
	       loop_level == 0 && variable_context == 0;
}

/* Where bash's own fork/exec must run the command instead of us. */
static enum tc_reason context_refuses(const struct tc_redirs *rd)
{
	/* In a child bash forked, it may exec a command in place: give way
	 * unless we know it forks for this one (forkdepth.c, which also
	 * covers the strings of $( ) and <( ), run as `bash -c' runs its
	 * own). */
	if (subshell_environment && !tc_forked_may_spawn(this_command_name))
		return TC_FB_FORKED;
	if (!subshell_environment && last_line_of_c(rd))
		return TC_FB_NOFORK;
	if (executing_command_builtin)
		return TC_FB_COMMAND;
	if (restricted)
		return TC_FB_RESTRICTED;
	return TC_FB_NREASONS;
}

/* hash_search() counts a hit; peek without leaving one. */
static BUCKET_CONTENTS *hash_peek(const char *name)
{
	BUCKET_CONTENTS *b;

	if (!hashing_enabled || !hashed_filenames)
		return NULL;
	b = hash_search(name, hashed_filenames, 0);
	if (b)
		b->times_found--;
	return b;
}

/* hashcmd.c; not in the installed headers. */
extern int phash_remove(const char *);

/* Our search_for_command() counted a hit (or hashed NAME) that bash's own
 * path will count again on fallback: take ours back.  An entry our search
 * made goes, so that bash's search is a first one again: a hashed
 * relative path comes back `./`-prefixed (phash_search), and a first run
 * through PATH=../bin gives `_=../bin/NAME`. */
static void hash_undo(const char *name, int before)
{
	BUCKET_CONTENTS *b = hash_peek(name);

	if (!b)
		return;
	if (before < 0 && b->times_found == 1)
		phash_remove(name);
	else if (before >= 0 && b->times_found == before + 1)
		b->times_found--;
}

static int fall_back(struct tc_entry *e, enum tc_reason why)
{
	tc_count(e->count->fallbacks[why], 1);
	return EX_DISKFALLBACK;
}

/* A fallback once the redirections are in place: bash's fork path, run
 * here, with COMMAND found as bash's search found it (NULL: not found). */
static int fork_here(struct tc_entry *e, enum tc_reason why, WORD_LIST *list,
		     char *command, const struct tc_redirs *rd)
{
	int status;

	tc_count(e->count->fallbacks[why], 1);
	status = tc_fork_disk_command(this_command_name, list, command);
	tc_redirs_release_vars(rd);
	return status;
}

/* A fallback before our search: bash's own, unless it would redo the
 * redirections; then its search (`command -p` uses the standard path) and
 * its fork path, here. */
static int fall_back_unsearched(struct tc_entry *e, enum tc_reason why,
				WORD_LIST *list, const struct tc_redirs *rd)
{
	char *command;
	int flags = CMDSRCH_HASH, status;

	if (!tc_redirs_redone(rd))
		return fall_back(e, why);
	if (why == TC_FB_COMMAND && tc_redirs_command_p())
		flags |= CMDSRCH_STDPATH;
	command = search_for_command(this_command_name, flags);
	status = fork_here(e, why, list, command, rd);
	free(command);
	return status;
}

/* The template for PATH, made if the name last ran another one. */
static struct tc_template *template_for(struct tc_entry *e, const char *path,
					enum tc_reason *why)
{
	struct tc_template *t = e->tmpl;

	if (t && strcmp(t->path, path) == 0) {
		tc_template_touch(t);
		return t;
	}
	t = tc_template_get(path);
	if (!t) {
		*why = errno == ENOEXEC ? TC_FB_NOTELF :
		       errno == ENOSPC ? TC_FB_CAP : TC_FB_CREATE;
		return NULL;
	}
	tc_entry_use(e, t);
	return t;
}

/* The args struct, the actions and X_ERRNO's int, built in the library's
 * scratch (spawn_template_x_scratch): memory of its own, which it reads
 * and writes without the checks a caller's memory needs (a
 * process_vm_readv, a probe of the int).  No pidfd either
 * (SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD): bash waits by pid. */
struct spawn_call {
	struct spawn_template_spawn_args args;
	struct spawn_template_action act[12];	/* at most 11 today */
	int child_errno;
};

_Static_assert(sizeof(struct spawn_call) <= 2048,
	       "the scratch holds at least 2048 bytes");

struct spawn_plan {
	struct spawn_call *call;
	unsigned n;
	sigset_t to_default, to_ignore;
	struct sigaction ignore_saved[NSIG];
};

/* The extensions we use: the by-value signal sets save the library two
 * reads of our memory, X_CALLER_BLOCKED its own block of every signal
 * (tc_route_builtin blocks them all around the spawn). */
#define TC_EXTENSIONS \
	(1ULL << (SPAWN_TEMPLATE_ACTION_X_ERRNO - 0x100) | \
	 1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS - 0x100) | \
	 1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS - 0x100) | \
	 1ULL << (SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED - 0x100))

/* Used where the backend has it: the child ignores what it must itself,
 * so bash neither asks its own dispositions nor ignores for the spawn. */
#define TC_X_SIGIGNORE \
	(1ULL << (SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS - 0x100))

/* Signals 1..64 of a sigset_t as the kernel's 64-bit set (bit sig-1). */
static __u64 sigset_bits(const sigset_t *set)
{
	__u64 bits = 0;
	int sig;

	for (sig = 1; sig < NSIG && sig <= 64; sig++)
		if (sigismember(set, sig))
			bits |= 1ULL << (sig - 1);
	return bits;
}

static void add_action(struct spawn_plan *p, __u32 type, int fd, __u64 arg)
{
	p->call->act[p->n++] = (struct spawn_template_action){
		.type = type, .fd = fd, .arg = arg,
	};
}

/* make_child()'s child steps as actions.  Returns the reason to fall back,
 * or TC_FB_NREASONS. */
static enum tc_reason plan_child(struct spawn_plan *p)
{
	__u64 ext = spawn_template_extensions();

	if ((ext & TC_EXTENSIONS) != TC_EXTENSIONS)
		return TC_FB_BACKEND;
	if (tc_child_signals(&p->to_default, &p->to_ignore,
			     (ext & TC_X_SIGIGNORE) != 0) < 0)
		return TC_FB_SIGNALS;
	if (ext & TC_X_SIGIGNORE) {
		add_action(p, SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS, 0,
			   sigset_bits(&p->to_ignore));
		sigemptyset(&p->to_ignore);	/* nothing for bash to ignore */
	}

	add_action(p, SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS, 0,
		   sigset_bits(&p->to_default));
	add_action(p, SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS, 0,
		   sigset_bits(&top_level_mask));
	add_action(p, SPAWN_TEMPLATE_ACTION_X_ERRNO, 0,
		   (uintptr_t)&p->call->child_errno);
	add_action(p, SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED, 0, 0);

	if (job_control) {
		int pgrp_pipe[2];

		if (!(ext & (1ULL << (SPAWN_TEMPLATE_ACTION_X_TCSETPGRP - 0x100))))
			return TC_FB_JOBCTL;
		add_action(p, SPAWN_TEMPLATE_ACTION_X_SETPGID, 0,
			   (__u64)tc_job_pgrp());
		/* give_terminal_to() ignores a failing tcsetpgrp(); ours would
		 * end the child, so only ask when it will work. */
		if (running_in_background == 0 && tc_job_pgrp() != shell_pgrp) {
			if (shell_tty < 0 || tcgetpgrp(shell_tty) < 0)
				return TC_FB_JOBCTL;
			add_action(p, SPAWN_TEMPLATE_ACTION_X_TCSETPGRP,
				   shell_tty, 0);
		}
		/* The child closes bash's process-group pipe (sh_closepipe). */
		save_pgrp_pipe(pgrp_pipe, 0);
		if (pgrp_pipe[0] >= 0)
			add_action(p, SPAWN_TEMPLATE_ACTION_CLOSE, pgrp_pipe[0], 0);
		if (pgrp_pipe[1] >= 0)
			add_action(p, SPAWN_TEMPLATE_ACTION_CLOSE, pgrp_pipe[1], 0);
	}
	return TC_FB_NREASONS;
}

/* make_child() first puts a script that bash reads ahead in blocks from a
 * seekable fd back where bash really is, so that a child reading the same
 * fd (`bash < script` running `head -n1`) reads on from there.  It skips
 * that for an async child, which never comes here. */
static void sync_script_input(void)
{
	if (default_buffered_input != -1)
		sync_buffered_stream(default_buffered_input);
}

static char **build_argv(const char *name, WORD_LIST *list)
{
	size_t n = 2;
	WORD_LIST *l;
	char **argv;

	for (l = list; l; l = l->next)
		n++;
	argv = tc_argv_buffer(n);
	if (!argv)
		return NULL;
	n = 0;
	argv[n++] = (char *)name;
	for (l = list; l; l = l->next)
		argv[n++] = l->word->word;
	argv[n] = NULL;
	return argv;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spawn with every signal blocked (the caller's doing), so that bash's
 * SIGCHLD handler cannot reap the child before it is registered.
 * Refreshes a stale template once.  Returns the pid, or -1 with the
 * reason in *why. */
static pid_t spawn_child(struct tc_entry *e, struct tc_template *t,
			 char **argv, struct spawn_plan *p, enum tc_reason *why)
{
	struct spawn_template_spawn_args *a = &p->call->args;
	int tries;
	uint64_t t0;
	pid_t pid = -1;

	*a = (struct spawn_template_spawn_args){
		.flags = SPAWN_TEMPLATE_SPAWN_INHERIT_FDS |
			 SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD,
		.argv = (uintptr_t)argv,
		.envp = (uintptr_t)export_env,
		.actions = (uintptr_t)p->call->act,
		.actions_len = p->n,
	};
	for (tries = 0; tries < 2; tries++) {
		t0 = now_ns();
		pid = spawn_template_spawn(t->fd, a, sizeof(*a));
		tc_count(e->count->spawn_ns, now_ns() - t0);
		if (pid >= 0 || tries > 0)
			break;
		/* ESTALE: the file changed; EBADF/EINVAL: the user closed or
		 * replaced our fd.  Either way, pin the file anew. */
		if (errno != ESTALE && errno != EBADF && errno != EINVAL)
			break;
		if (tc_template_refresh(t) < 0) {
			*why = errno == ENOEXEC ? TC_FB_NOTELF : TC_FB_CREATE;
			return -1;
		}
		tc_count(e->count->recreated, 1);
	}
	if (pid < 0) {
		*why = TC_FB_SPAWN;
		return -1;
	}
	if (p->call->child_errno) {
		int status;

		/* Failed before exec: reap it ourselves (SIGCHLD is blocked,
		 * bash never saw it) and let bash redo it for its message. */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		*why = TC_FB_EXEC;
		return -1;
	}
	return pid;
}

pid_t tc_route_spawn(struct tc_entry *e, const char *name, const char *path,
		     WORD_LIST *list, int redirected, const int (*dups)[2],
		     unsigned ndups, enum tc_reason *why)
{
	struct spawn_plan plan = { .n = 0 };
	struct tc_template *t;
	sigset_t block, saved;
	char **argv;
	int started;
	unsigned i;
	pid_t pid;

	t = template_for(e, path, why);
	if (!t)
		return -1;
	argv = build_argv(name, list);
	if (!argv) {
		*why = TC_FB_SPAWN;
		return -1;
	}

	maybe_make_export_env();
	put_command_name_into_env((char *)path);

	/* Every signal, not just bash's SIGCHLD, SIGINT and SIGTERM: the
	 * library needs them all blocked around its clone, and is told so
	 * (X_CALLER_BLOCKED) rather than doing it again.  The others wait
	 * the few microseconds to the restore below. */
	sigfillset(&block);
	sigprocmask(SIG_BLOCK, &block, &saved);
	plan.call = spawn_template_x_scratch(NULL);
	started = tc_job_prepare(redirected);
	sync_script_input();
	*why = plan_child(&plan);
	for (i = 0; i < ndups && *why == TC_FB_NREASONS; i++) {
		add_action(&plan, SPAWN_TEMPLATE_ACTION_DUP2, dups[i][0], 0);
		plan.call->act[plan.n - 1].newfd = dups[i][1];
	}
	if (*why == TC_FB_NREASONS &&
	    tc_ignore_begin(&plan.to_ignore, plan.ignore_saved) < 0)
		*why = TC_FB_SIGNALS;
	pid = -1;
	if (*why == TC_FB_NREASONS) {
		pid = spawn_child(e, t, argv, &plan, why);
		tc_ignore_end(&plan.to_ignore, plan.ignore_saved);
	}
	if (pid < 0) {
		tc_job_unprepare(started);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return -1;
	}
	tc_job_register(pid);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return pid;
}

int tc_route_builtin(WORD_LIST *list)
{
	const char *name = this_command_name;
	struct tc_entry *e = tc_entry_find(name);
	enum tc_reason why;
	struct tc_redirs rd;
	char *path;
	int hits_before;

	/* Stock bash runs a disk command with no current builtin. */
	this_shell_builtin = NULL;
	if (!e)
		e = tc_auto_entry(name);	/* -a: made at first use */
	if (!e)
		return EX_DISKFALLBACK;
	tc_redirs_scan(&rd);
	why = context_refuses(&rd);
	if (why != TC_FB_NREASONS)
		return fall_back_unsearched(e, why, list, &rd);

	{
		BUCKET_CONTENTS *b = hash_peek(name);

		hits_before = b ? b->times_found : -1;
	}
	path = search_for_command(name, CMDSRCH_HASH);
	if (!path) {
		why = TC_FB_NOTFOUND;
		goto fallback;
	}
	if (path[0] != '/') {
		why = TC_FB_RELPATH;
		goto fallback;
	}
	if (tc_route_spawn(e, name, path, list, rd.any, NULL, 0, &why) < 0)
		goto fallback;
	tc_count(e->count->spawns, 1);
	tc_redirs_release_vars(&rd);
	free(path);
	return EXECUTION_SUCCESS;

fallback:
	if (tc_redirs_redone(&rd)) {
		int status = fork_here(e, why, list, path, &rd);

		free(path);
		return status;
	}
	hash_undo(name, hits_before);
	free(path);
	return fall_back(e, why);
}
