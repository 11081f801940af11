/* redirs.c - what bash has done for the routed command's redirections.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bash performs a builtin's redirections before calling it, but hands the
 * builtin neither the command nor its redirection list: the undo list is
 * moved out of redirection_undo_list before the call, and a {var}
 * redirection leaves no undo entry at all.  What a builtin can read is the
 * text bash printed for the simple command before expanding it
 * (execute_simple_command: print_simple_command into the_printed_command),
 * which lists the redirections after the words in print_cmd.c's format:
 * `> f`, `2>&1`, `1>&-`, `{fd}> f`, `<<EOF`, `<<< s`.  An unquoted `<` or
 * `>` outside every quote and expansion, not opening a process
 * substitution, can only be one of those.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bash-private.h"
#include "execute_cmd.h"
#include "unwind_prot.h"
#include "variables.h"

#include "redirs.h"

/* print_cmd.c, trap.c and redir.c; not in the installed headers. */
extern char *the_printed_command;
extern int signal_in_progress(int);
/* Weak: bash 5.1 lacks it, and an unresolved symbol would fail the dlopen
 * before version.c can refuse that release with its message. */
extern int varassign_redir_autoclose __attribute__((weak));

/* trap.h: the DEBUG trap's number */
#define TC_DEBUG_TRAP	NSIG

/* The current simple command as printed, or NULL when it cannot be known:
 * while a trap runs the _except_trap copy is not updated, and a DEBUG trap
 * run before our command (it runs inside other traps) has overwritten the
 * other one. */
static const char *command_text(void)
{
	const char *s = the_printed_command_except_trap;

	if (running_trap) {
		if (signal_is_trapped(TC_DEBUG_TRAP) &&
		    !signal_in_progress(TC_DEBUG_TRAP))
			return NULL;
		s = the_printed_command;
	}
	return s ? s : "";
}

static const char *skip_nested(const char *p);

/* Past the CLOSE that ends a construct whose body starts at P. */
static const char *skip_until(const char *p, char close)
{
	while (*p && *p != close) {
		const char *q = skip_nested(p);

		p = q ? q : p + 1;
	}
	return *p ? p + 1 : p;
}

static const char *skip_escaped(const char *p, char close)
{
	while (*p && *p != close)
		p += (*p == '\\' && p[1]) ? 2 : 1;
	return *p ? p + 1 : p;
}

static const char *skip_double_quoted(const char *p)
{
	while (*p && *p != '"') {
		const char *q = NULL;

		if (*p == '\\' && p[1])
			q = p + 2;
		else if (*p == '$' || *p == '`')
			q = skip_nested(p);
		p = q ? q : p + 1;
	}
	return *p ? p + 1 : p;
}

/* If P starts a quote or an expansion, the character after its end. */
static const char *skip_nested(const char *p)
{
	const char *e;

	switch (p[0]) {
	case '\\':
		return p[1] ? p + 2 : p + 1;
	case '\'':
		e = strchr(p + 1, '\'');
		return e ? e + 1 : p + strlen(p);
	case '"':
		return skip_double_quoted(p + 1);
	case '`':
		return skip_escaped(p + 1, '`');
	case '(':
		return skip_until(p + 1, ')');
	case '$':
		if (p[1] == '\'')
			return skip_escaped(p + 2, '\'');
		if (p[1] == '(')
			return skip_until(p + 2, ')');
		if (p[1] == '{')
			return skip_until(p + 2, '}');
		return NULL;
	case '<':
	case '>':
		return p[1] == '(' ? skip_until(p + 2, ')') : NULL;
	}
	return NULL;
}

static int is_name_char(char c, int first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

/* P at a word's `{`: a `{NAME}` redirection?  Records NAME when it opens an
 * fd (not `{NAME}>&-`) and returns the end of `{NAME}`. */
static const char *var_redir(struct tc_redirs *r, const char *p)
{
	const char *n = p + 1, *e = n;

	while (is_name_char(*e, e == n))
		e++;
	if (e == n || e[0] != '}' || (e[1] != '<' && e[1] != '>'))
		return NULL;
	r->any = 1;
	if ((e[2] == '&' && e[3] == '-') ||
	    r->nvars == TC_REDIR_VARS || (size_t)(e - n) >= TC_REDIR_VARLEN)
		return e + 1;
	memcpy(r->vars[r->nvars], n, (size_t)(e - n));
	r->vars[r->nvars][e - n] = '\0';
	r->nvars++;
	return e + 1;
}

void tc_redirs_scan(struct tc_redirs *r)
{
	const char *s = command_text(), *p, *q;
	int word_start = 1;

	r->nvars = 0;
	/* Unknown: assume redirections, so that none is redone. */
	r->any = s == NULL;
	if (!s || !strpbrk(s, "<>"))
		return;
	/* A here-document's body follows the first newline. */
	for (p = s; *p && *p != '\n';) {
		if (*p == ' ' || *p == '\t') {
			word_start = 1;
			p++;
			continue;
		}
		if (word_start && *p == '{' && (q = var_redir(r, p))) {
			p = q;
			word_start = 0;
			continue;
		}
		word_start = 0;
		if ((*p == '<' || *p == '>') && p[1] != '(') {
			r->any = 1;
			p++;
			continue;
		}
		q = skip_nested(p);
		p = q ? q : p + 1;
	}
}

/* The next top-level word of S as [*start, return). */
static const char *next_word(const char *s, const char **start)
{
	const char *q;

	while (*s == ' ' || *s == '\t')
		s++;
	*start = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
		q = skip_nested(s);
		s = q ? q : s + 1;
	}
	return s;
}

static int word_is(const char *w, const char *e, const char *lit)
{
	return (size_t)(e - w) == strlen(lit) && memcmp(w, lit, (size_t)(e - w)) == 0;
}

static int is_assignment(const char *w, const char *e)
{
	const char *p = w;

	while (p < e && is_name_char(*p, p == w))
		p++;
	return p > w && p < e && (*p == '=' || *p == '[' ||
				  (*p == '+' && p + 1 < e && p[1] == '='));
}

int tc_redirs_command_p(void)
{
	const char *p = command_text(), *w, *e;
	int first = 1;

	if (!p)
		return 0;

	/* check_command_builtin(): [assignments] command [-p] [--] NAME,
	 * possibly repeated; the first word may be an expansion. */
	for (;; p = e) {
		e = next_word(p, &w);
		if (e == w)
			return 0;
		if (first && is_assignment(w, e))
			continue;
		if (first) {
			first = 0;
			continue;
		}
		if (word_is(w, e, "-p"))
			return 1;
		if (!word_is(w, e, "--") && !word_is(w, e, "command"))
			return 0;
	}
}

int tc_redirs_redone(const struct tc_redirs *r)
{
	if (!r->any)
		return 0;
	/* A simple command that is itself a pipeline element or an `&` job
	 * runs in a child made for it, with redirections that cannot be undone
	 * (execute_subshell_builtin_or_function): a fallback there execs in
	 * place and does not redo them.  Redirections that can be undone leave
	 * the "saved-redirects" unwind frame (execute_builtin_or_function);
	 * a {var} one leaves none, so with one we cannot tell such a child
	 * from a function run in it, and take the path that redoes nothing. */
	if ((subshell_environment & SUBSHELL_FORK) && r->nvars == 0 &&
	    !unwind_protect_tag_on_stack("saved-redirects"))
		return 0;
	return 1;
}

void tc_redirs_release_vars(const struct tc_redirs *r)
{
	unsigned i;

	for (i = 0; i < r->nvars; i++) {
		SHELL_VAR *v = find_variable(r->vars[i]);
		intmax_t fd;
		int fl;

		/* redir.c opened it with F_DUPFD from 10, not close-on-exec; with
		 * varredir_close bash closes it itself. */
		if (!v || !var_isset(v) || array_p(v) || assoc_p(v) ||
		    !legal_number(value_cell(v), &fd) || fd < 10 || fd > INT32_MAX)
			continue;
		fl = fcntl((int)fd, F_GETFD);
		if (fl < 0 || (fl & FD_CLOEXEC))
			continue;
		if (!&varassign_redir_autoclose || !varassign_redir_autoclose)
			close((int)fd);
		unbind_variable(r->vars[i]);
	}
}
