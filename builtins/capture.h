/* capture.h - `tmplcache -o VAR NAME ARGS`: VAR=$(NAME ARGS) without a fork.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_CAPTURE_H
#define TMPLCACHE_CAPTURE_H

#include "command.h"

/* Run LIST (a name and its arguments) with its stdout, and its stderr
 * when WITH_STDERR, captured into VAR as `VAR=$(LIST)` would capture it;
 * a routed name is spawned, anything else runs bash's own command
 * substitution.  Returns the command's status, or EXECUTION_FAILURE when
 * VAR cannot be assigned (bash's message printed). */
int tc_capture(const char *var, int with_stderr, WORD_LIST *list);

#endif /* TMPLCACHE_CAPTURE_H */
