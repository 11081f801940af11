/* childsig.h - the signal state bash gives its children.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_CHILDSIG_H
#define TMPLCACHE_CHILDSIG_H

#include <signal.h>

/* Fill TO_DEFAULT with the signals the child must have at SIG_DFL.
 * Returns -1 when the child must ignore a signal that bash does not ignore
 * now: no spawn action can do that, so the caller falls back. */
int tc_child_signals(sigset_t *to_default);

#endif /* TMPLCACHE_CHILDSIG_H */
