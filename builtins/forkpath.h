/* forkpath.h - bash's own fork/exec, run from inside the builtin.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_FORKPATH_H
#define TMPLCACHE_FORKPATH_H

#include "command.h"	/* WORD_LIST; shell.h has no include guard */

/* Run NAME with the arguments LIST as execute_disk_command() does once the
 * redirections are in place: make_child(), then in the child the signal
 * resets and shell_execve() of COMMAND, or command_not_found_handle or
 * bash's message when COMMAND is NULL.  COMMAND stays the caller's.  In the
 * parent, returns a builtin status; bash then waits for the child (its
 * execute_command_internal sees already_making_children), or, in a child
 * bash made for one simple command, the child's status after waiting. */
int tc_fork_disk_command(const char *name, WORD_LIST *list, char *command);

#endif /* TMPLCACHE_FORKPATH_H */
