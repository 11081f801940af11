/* forkdepth.c - may a routed command spawn in a child bash forked?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In a child (pipeline element, `( )', `&' job, $( ), <( )) bash may exec
 * a command in place instead of forking for it (CMD_NO_FORK).  We cannot
 * see that flag (the command being run is static in execute_cmd.c), so we
 * record the shell's depths at each fork (a pthread_atfork child handler
 * runs in the child with the forking shell's state) and spawn only where
 * bash 5.1-5.3 never sets it (execute_cmd.c, builtins/evalstring.c):
 *  - in a loop entered after the fork: bash marks only the commands at
 *    the top of the child's command list (execute_in_subshell,
 *    optimize_subshell_command, parse_and_execute's should_suppress_fork
 *    and optimize_connection_fork in $( ) and <( )), of a function body
 *    (optimize_shell_function; 5.3 also for `f &') where loop_level
 *    restarts at 0, and of a string parse_and_execute runs;
 *  - in a function entered after the fork, unless the command may be the
 *    one of its body bash can mark: the body itself when simple, else the
 *    simple command after its last connector - if its name could be the
 *    one running;
 *  - anywhere in the child of a compound command that is not `( )' (an
 *    `{ ...; } &' job, a `while ...; done' pipeline element):
 *    execute_in_subshell marks only a simple command or a `( )' there;
 * and never inside a string parse_and_execute runs after the fork (eval,
 * source and traps pass SEVAL_NOOPTIMIZE, `mapfile -C' does not: bash
 * 5.2 execs `mapfile -C "a; b"''s b in place in a `( )' even in a loop).
 */
#include "config.h"	/* bash's, as its headers expect */

#include <string.h>

#include "bash-private.h"
#include "command.h"
#include "common.h"
#include "variables.h"
#include "execute_cmd.h"

#include "childtext.h"
#include "forkdepth.h"

static int on;			/* tmplcache -F */
/* The depths when this child forked, if it forked after our first load:
 * one that loads us later does not know them. */
static int fork_recorded, fork_loop, fork_func, fork_strings;

/* Children where bash may exec a command of the child's own list in
 * place; the others run a compound command (execute_in_subshell with
 * user_subshell 0) or a function (5.3: `f &', see above). */
#define MAY_EXEC_IN_PLACE (SUBSHELL_PAREN | SUBSHELL_COMSUB | SUBSHELL_FORK | \
			   SUBSHELL_PROCSUB | SUBSHELL_COPROC)

void tc_forked_set(int enable)
{
	on = enable;
}

TC_CHILD_TEXT int tc_forked_enabled(void)
{
	return on;
}

TC_CHILD_TEXT void tc_forked_record(void)
{
	fork_recorded = 1;
	fork_loop = loop_level;
	fork_func = variable_context;
	fork_strings = parse_and_execute_level;
}

/* The simple command of BODY that bash may exec in place, or NULL. */
static COMMAND *nofork_candidate(COMMAND *body)
{
	COMMAND *c = body;

	if (c && c->type == cm_group)
		c = c->value.Group->command;
	if (c && c->type == cm_simple)
		return c;
	/* Whatever the connector (the tokens for && and || differ between
	 * bash versions): `a & b' is only ever given way to needlessly. */
	if (c && c->type == cm_connection) {
		COMMAND *second = c->value.Connection->second;

		if (second && second->type == cm_simple)
			return second;
	}
	return NULL;
}

/* Whether the word is the literal NAME, or may expand to it. */
static int may_be(const WORD_DESC *w, const char *name)
{
	if (strpbrk(w->word, "$`\\'\"*?[~{"))
		return 1;
	return strcmp(w->word, name) == 0;
}

/* Whether the command now running (named NAME) may be the one in the
 * current function's body that bash execs in place. */
static int may_be_function_tail(const char *name)
{
	COMMAND *c;
	WORD_LIST *w;

	if (!this_shell_function)
		return 1;
	/* The body's own commands run at loop level 0 (execute_function
	 * resets it past compat 43): one in a loop of the body is not it. */
	if (shell_compatibility_level > 43 && loop_level > 0)
		return 0;
	c = nofork_candidate(function_cell(this_shell_function));
	/* should_optimize_fork: never timed, inverted or with redirections
	 * (allowed only in a <( ) child). */
	if (!c || (c->flags & (CMD_TIME_PIPELINE | CMD_INVERT_RETURN)))
		return 0;
	if ((c->redirects || c->value.Simple->redirects) &&
	    !(subshell_environment & SUBSHELL_PROCSUB))
		return 0;
	for (w = c->value.Simple->words; w; w = w->next) {
		if (w->word->flags & W_ASSIGNMENT)
			continue;
		return may_be(w->word, name);
	}
	return 0;
}

int tc_forked_may_spawn(const char *name)
{
	/* $( ) and <( ) children restart the count and run their string. */
	int strings = subshell_environment & (SUBSHELL_COMSUB | SUBSHELL_PROCSUB)
		      ? 1 : fork_strings;

	if (!on || !fork_recorded || parse_and_execute_level > strings)
		return 0;
	if (variable_context > fork_func)
		return !may_be_function_tail(name);
	/* execute_in_subshell restarts the count in a `( )' past compat 44. */
	if (loop_level > (shell_compatibility_level > 44 &&
			  (subshell_environment & SUBSHELL_PAREN) ? 0 : fork_loop))
		return 1;
	return (subshell_environment & MAY_EXEC_IN_PLACE) == 0;
}
