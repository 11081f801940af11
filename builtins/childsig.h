/* childsig.h - the signal state bash gives its children.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_CHILDSIG_H
#define TMPLCACHE_CHILDSIG_H

#include <signal.h>

/* Fill TO_DEFAULT with the signals the child must have at SIG_DFL, and
 * TO_IGNORE with those it must ignore: all of them when CHILD_IGNORES
 * (the library's X_SIGIGNORE_BITS sets them in the child, skipping those
 * ignored already, and bash's dispositions need not be asked), else only
 * those bash does not ignore now.  Returns -1 when no spawn can be exact
 * (without CHILD_IGNORES, the child must ignore SIGCHLD, which bash
 * catches): the caller falls back. */
int tc_child_signals(sigset_t *to_default, sigset_t *to_ignore,
		     int child_ignores);

/* Around the spawn: block TO_IGNORE's signals and ignore them in bash, so
 * the child inherits that; the caller restores its own signal mask after
 * tc_ignore_end().  SAVED holds NSIG entries.  tc_ignore_begin returns -1
 * (nothing ignored) when one of them is already pending: ignoring would
 * discard it. */
int tc_ignore_begin(const sigset_t *to_ignore, struct sigaction *saved);
void tc_ignore_end(const sigset_t *to_ignore, const struct sigaction *saved);

#endif /* TMPLCACHE_CHILDSIG_H */
