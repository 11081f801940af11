/* childsig.c - the signal state bash gives its children, computed up front.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A child bash forks for a disk command (jobs.c:make_child, then
 * execute_cmd.c:execute_disk_command) ends up, at execve, with:
 *   mask         top_level_mask (restore_sigmask);
 *   trapped      `trap '' SIG` stays ignored, any other trap goes back to
 *                the disposition bash started with (restore_original_signals);
 *   special      SIGINT, SIGQUIT, SIGCHLD, interactive SIGTERM: the
 *                disposition bash started with;
 *   TSTP/TTIN/TTOU  ignored only if ignored at startup and untrapped
 *                (default_tty_job_signals);
 *   terminating  (SIGHUP, SIGPIPE, SIGXFSZ, ...) in an interactive shell:
 *                the disposition they had when bash put its handlers on
 *                them (reset_terminating_signals), e.g. nohup's SIGHUP
 *                stays ignored;
 *   the rest     as in bash now: ignored stays ignored, a handler becomes
 *                the default at execve.
 * The library's child already resets handlers and keeps ignores, which is
 * "the rest".  For the listed signals we compute the wanted state: the ones
 * to reset go in a SIGDEFAULT set; the ones to ignore in an X_SIGIGNORE
 * set, which the child applies from its own exact view (no query of ours),
 * or, on a backend without it (the kernel's: the RFC has no "ignore"
 * action), a set that the parent ignores just for the spawn when bash
 * does not ignore it now (a child inherits the parent's ignores).
 */
#include "config.h"	/* bash's, as its headers expect */

#define _GNU_SOURCE 1	/* clone() */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bash-private.h"

#include "childsig.h"

static int started_ignored(int sig)
{
	get_original_signal(sig);	/* fetches it the first time */
	return original_signals[sig] == SIG_IGN;
}

/* ---- what reset_terminating_signals() restores -------------------------
 * sig.c keeps the startup disposition of each terminating signal in a
 * static table, fixed once bash installed its handlers (at startup, in an
 * interactive shell).  A throwaway clone(CLONE_VM|CLONE_VFORK) child, on
 * its own stack with a guard page and with every signal blocked, marks
 * every disposition, runs the function (it only reads bash's memory and
 * calls sigaction on its own copy of the handlers) and reports what it
 * set.  The function skips a trapped or special signal: that one is
 * learnt at a later spawn, once untrapped. */

enum { TS_UNKNOWN, TS_DFL, TS_IGN, TS_UNTOUCHED };
static unsigned char termsig_start[NSIG];

struct probe {
	uint64_t ign, dfl;	/* bit sig-1 */
};

#define PROBE_STACK	65536

static void probe_mark(int sig)
{
	(void)sig;	/* never runs: the probe child blocks every signal */
}

static int probe_child(void *arg)
{
	struct probe *r = arg;
	struct sigaction mark = { .sa_handler = probe_mark }, sa;
	int sig;

	for (sig = 1; sig < NSIG && sig <= 64; sig++)
		sigaction(sig, &mark, NULL);
	reset_terminating_signals();
	for (sig = 1; sig < NSIG && sig <= 64; sig++) {
		if (sigaction(sig, NULL, &sa) < 0)
			continue;
		if (sa.sa_handler == SIG_IGN)
			r->ign |= 1ULL << (sig - 1);
		else if (sa.sa_handler == SIG_DFL)
			r->dfl |= 1ULL << (sig - 1);
	}
	return 0;
}

static int probe_candidate(int sig)
{
	return sig <= 64 && sig != SIGKILL && sig != SIGSTOP &&
	       !signal_is_trapped(sig) && !signal_is_special(sig);
}

/* Learn the startup dispositions not known yet.  Returns -1 on failure. */
static int learn_termsigs(void)
{
	struct probe r = { 0, 0 };
	sigset_t all, old;
	int sig, need = 0, saved = errno, status;
	size_t guard;
	char *stack;
	pid_t pid;

	for (sig = 1; sig < NSIG; sig++)
		if (termsig_start[sig] == TS_UNKNOWN && probe_candidate(sig))
			need = 1;
	if (!need)
		return 0;
	guard = (size_t)sysconf(_SC_PAGESIZE);
	stack = mmap(NULL, guard + PROBE_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED || mprotect(stack, guard, PROT_NONE) < 0) {
		if (stack != MAP_FAILED)
			munmap(stack, guard + PROBE_STACK);
		errno = saved;
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* No exit signal: bash's waitpid(-1) never sees this child. */
	pid = clone(probe_child, stack + guard + PROBE_STACK,
		    CLONE_VM | CLONE_VFORK, &r);
	if (pid > 0)
		while (waitpid(pid, &status, __WCLONE) < 0 && errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap(stack, guard + PROBE_STACK);
	errno = saved;
	if (pid < 0)
		return -1;
	for (sig = 1; sig < NSIG; sig++) {
		if (termsig_start[sig] != TS_UNKNOWN || !probe_candidate(sig))
			continue;
		termsig_start[sig] = r.ign & 1ULL << (sig - 1) ? TS_IGN :
				     r.dfl & 1ULL << (sig - 1) ? TS_DFL :
				     TS_UNTOUCHED;
	}
	return 0;
}

static int must_ignore(int sig, int *decided)
{
	*decided = 1;
	if (signal_is_trapped(sig))
		return signal_is_ignored(sig) || started_ignored(sig);
	if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return signal_is_hard_ignored(sig);
	if (signal_is_special(sig))
		return started_ignored(sig);
	if (interactive_shell && termsig_start[sig] == TS_IGN)
		return 1;
	*decided = 0;
	return 0;
}

static int ignored_now(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

int tc_child_signals(sigset_t *to_default, sigset_t *to_ignore,
		     int child_ignores)
{
	int sig, decided;

	sigemptyset(to_default);
	sigemptyset(to_ignore);
	if (interactive_shell && learn_termsigs() < 0)
		return -1;
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (must_ignore(sig, &decided)) {
			if (child_ignores) {
				sigaddset(to_ignore, sig);
				continue;
			}
			if (ignored_now(sig))
				continue;
			/* Ignoring SIGCHLD even for a moment would let the
			 * kernel reap bash's other children. */
			if (sig == SIGCHLD)
				return -1;
			sigaddset(to_ignore, sig);
		} else if (decided) {
			sigaddset(to_default, sig);
		}
	}
	return 0;
}

/* ---- ignoring for the spawn ---------------------------------------------
 * With the signal blocked, one that arrives while we ignore it stays
 * pending (Linux never discards a blocked signal) and reaches bash's
 * handler once we restore it.  Setting SIG_IGN does discard one already
 * pending, so a pending one makes us fall back instead. */

int tc_ignore_begin(const sigset_t *to_ignore, struct sigaction *saved)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t pending;
	int sig;

	if (sigisemptyset(to_ignore))
		return 0;
	sigprocmask(SIG_BLOCK, to_ignore, NULL);
	sigpending(&pending);
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(to_ignore, sig) && sigismember(&pending, sig))
			return -1;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(to_ignore, sig))
			sigaction(sig, &ign, &saved[sig]);
	return 0;
}

void tc_ignore_end(const sigset_t *to_ignore, const struct sigaction *saved)
{
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(to_ignore, sig))
			sigaction(sig, &saved[sig], NULL);
}
