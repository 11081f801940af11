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
 *   the rest     as in bash now: ignored stays ignored, a handler becomes
 *                the default at execve.
 * The library's child already resets handlers and keeps ignores, which is
 * "the rest".  For the listed signals we compute the wanted state: the ones
 * to reset go in a SIGDEFAULT set; one that must stay ignored is fine when
 * bash ignores it now, and otherwise no action can express it (the RFC has
 * no "ignore"), so the caller falls back.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <signal.h>
#include <stddef.h>

#include "bash-private.h"

#include "childsig.h"

static int started_ignored(int sig)
{
	get_original_signal(sig);	/* fetches it the first time */
	return original_signals[sig] == SIG_IGN;
}

static int child_ignores(int sig, int *decided)
{
	*decided = 1;
	if (signal_is_trapped(sig))
		return signal_is_ignored(sig) || started_ignored(sig);
	if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return signal_is_hard_ignored(sig);
	if (signal_is_special(sig))
		return started_ignored(sig);
	*decided = 0;
	return 0;
}

static int ignored_now(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

int tc_child_signals(sigset_t *to_default)
{
	int sig, decided;

	sigemptyset(to_default);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (child_ignores(sig, &decided)) {
			if (!ignored_now(sig))
				return -1;
		} else if (decided) {
			sigaddset(to_default, sig);
		}
	}
	return 0;
}
