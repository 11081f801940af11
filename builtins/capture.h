/* capture.h - `tmplcache -o VAR NAME ARGS`: VAR=$(NAME ARGS) without a fork.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_CAPTURE_H
#define TMPLCACHE_CAPTURE_H

#include "command.h"

#define TC_CAPTURE_STDERR	1	/* -e: as `VAR=$(LIST 2>&1)' */
#define TC_CAPTURE_KEEPNL	2	/* -k: keep trailing newlines */
#define TC_CAPTURE_REDIRECTED	4	/* (set by tc_capture) */

/* Run LIST (a name and its arguments) with its stdout captured into VAR
 * as `VAR=$(LIST)` would capture it, as FLAGS say; a routed name is
 * spawned, anything else runs bash's own command substitution.  Returns
 * the command's status, or EXECUTION_FAILURE when VAR cannot be assigned
 * (bash's message printed). */
int tc_capture(const char *var, int flags, WORD_LIST *list);

#endif /* TMPLCACHE_CAPTURE_H */
