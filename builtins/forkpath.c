/* forkpath.c - bash's own fork/exec, run from inside the builtin.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A builtin that returns EX_DISKFALLBACK makes bash perform the command's
 * redirections a second time (execute_simple_command: "The redirections
 * have already been `undone', so this will have to do them again"): a file
 * is created twice, a FIFO opened twice, a here-document or a process
 * substitution expanded twice.  When the redirections are in place we run
 * instead what execute_disk_command() runs after its search, in its order:
 * maybe_make_export_env() and put_command_name_into_env(), make_child()
 * (which syncs buffered script input and drops old jobs itself), and in
 * the child the steps before shell_execve().  The child keeps the shell's
 * saved copies of redirected fds; they are close-on-exec (redir.c), so the
 * command never sees them.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <stdlib.h>

#include "bash-private.h"
#include "bashintl.h"
#include "execute_cmd.h"
#include "make_cmd.h"
#include "quit.h"
#include "variables.h"

#include "forkpath.h"
#include "jobreg.h"

/* trap.c and jobs.c; not in the installed headers. */
extern void restore_original_signals(void);

/* The child half of execute_disk_command() for a command with no pipes,
 * not async, its redirections already done. */
_Noreturn static void child(const char *name, WORD_LIST *list, char *command)
{
	WORD_LIST *words = make_word_list(make_word(name), list);
	SHELL_VAR *hook;

	reset_terminating_signals();
	restore_original_signals();
	subshell_environment &= ~SUBSHELL_IGNTRAP;
	subshell_environment |= SUBSHELL_FORK;

	if (command)
		exit(shell_execve(command,
				  strvec_from_word_list(words, 0, 0, NULL),
				  export_env));

	hook = find_function("command_not_found_handle");
	if (!hook) {
		internal_error(_("%s: command not found"),
			       printable_filename((char *)name, 0));
		exit(EX_NOTFOUND);
	}
	/* As bash: the hook manages no process groups of its own. */
	without_job_control();
	set_sigchld_handler();
	exit(execute_shell_function(hook,
		make_word_list(make_word("command_not_found_handle"), words)));
}

int tc_fork_disk_command(const char *name, WORD_LIST *list, char *command)
{
	const char *line = the_printed_command_except_trap;
	pid_t pid;

	if (command) {
		maybe_make_export_env();
		put_command_name_into_env(command);
	}
	tc_job_making_children();
	/* make_child keeps the string as the job's command text. */
	pid = make_child(savestring(line ? line : ""), 0);
	if (pid == 0)
		child(name, list, command);
	QUIT;
	/* In a child bash made to run one simple command (a pipeline element
	 * or `&` job, SUBSHELL_FORK), bash exits with the builtin's status
	 * as soon as it returns (execute_subshell_builtin_or_function): wait
	 * here as execute_command_internal would, so that the status is the
	 * command's.  A function run there comes back to the same wait with
	 * nothing left to wait for. */
	if (subshell_environment & SUBSHELL_FORK) {
		stop_pipeline(0, NULL);
		return wait_for(pid, 0);
	}
	return EXECUTION_SUCCESS;
}
