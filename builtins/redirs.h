/* redirs.h - what bash has done for the routed command's redirections.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_REDIRS_H
#define TMPLCACHE_REDIRS_H

#define TC_REDIR_VARS		8
#define TC_REDIR_VARLEN		64

struct tc_redirs {
	int any;		/* the command has redirections */
	int stdpath;		/* it runs as `command -p NAME` */
	unsigned nvars;		/* {var} redirections that opened an fd */
	char vars[TC_REDIR_VARS][TC_REDIR_VARLEN];
};

/* Read the current simple command as bash printed it. */
void tc_redirs_scan(struct tc_redirs *r);

/* Under `command`: was it `command -p NAME` (check_command_builtin)? */
int tc_redirs_command_p(void);

/* Would a fallback (EX_DISKFALLBACK) make bash perform them again? */
int tc_redirs_redone(const struct tc_redirs *r);

/* After the child is started: close the fds that {var} redirections opened
 * in the shell and unset their variables, as stock bash (which opens them
 * in the child) leaves them. */
void tc_redirs_release_vars(const struct tc_redirs *r);

#endif /* TMPLCACHE_REDIRS_H */
