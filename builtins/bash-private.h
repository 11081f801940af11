/* bash-private.h - bash internals that the installed headers lack.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bash exports these symbols (nm -D bash) but its installed headers
 * (bash-builtins, `make install-headers`) have no declaration for them
 * (findcmd.h, hashcmd.h, input.h, parts of jobs.c).  Each declaration was
 * checked against the sources of bash 5.1.16, 5.2.15, 5.2.37 and 5.3.9;
 * where they differ, TC_BASH_COMPAT (from the installed version.h, 51, 52
 * or 53) picks the release's own.  What the installed headers do declare
 * (jobs.h's struct process and JOB, execute_cmd.h, sig.h) comes from the
 * release built against, so its layout is exact; builtins/version.c
 * refuses to load into any other release.  A symbol that another release
 * lacks is declared weak here, so that the refusal is what that release
 * shows (versions.bats).
 */
#ifndef TMPLCACHE_BASH_PRIVATE_H
#define TMPLCACHE_BASH_PRIVATE_H

#include <sys/types.h>

#include "shell.h"
#include "builtins.h"
#include "jobs.h"
#include "hashlib.h"
#include "sig.h"
#include "version.h"	/* DEFAULT_COMPAT_LEVEL: 51, 52, 53 */

#include <signal.h>
#include <stdio.h>

#define TC_BASH_COMPAT	DEFAULT_COMPAT_LEVEL
#if TC_BASH_COMPAT < 51 || TC_BASH_COMPAT > 53
#error "bash-private.h: checked against bash 5.1 to 5.3 only"
#endif

/* Arguments that 5.3 made const (builtins/common.h, input.h). */
#if TC_BASH_COMPAT >= 53
#define TC_BASH_CONST const
#else
#define TC_BASH_CONST
#endif

/* builtins/common.h declares some of these; a repeat is harmless. */
extern struct builtin *builtin_address_internal(TC_BASH_CONST char *, int);
extern void initialize_shell_builtins(void);
extern int find_reserved_word(TC_BASH_CONST char *);

/* findcmd.h */
#define CMDSRCH_HASH		0x01
#define CMDSRCH_STDPATH		0x02
extern char *search_for_command(const char *, int);
extern char *find_user_command(const char *);
extern int check_hashed_filenames;

/* hashcmd.h */
typedef struct _pathdata {
	char *path;
	int flags;
} PATH_DATA;
#define pathdata(x) ((PATH_DATA *)(x)->data)
extern HASH_TABLE *hashed_filenames;
extern int hashing_enabled;

/* jobs.c: the pipeline being built, and the shell's terminal. */
extern PROCESS *the_pipeline;
extern int shell_tty;

/* jobs.c: saved statuses of dead jobs (bgp_delete), and the job helpers
 * make_child's delete_old_job uses. */
#define TC_PIDSTAT_TABLE_SZ	4096
#define TC_DEL_NOBGPID		2
extern struct bgpids bgpids;
extern ps_index_t pidstat_table[];

/* input.h: a script read ahead in blocks from a seekable fd. */
extern int default_buffered_input;
extern int sync_buffered_stream(int);

/* builtins.c: the table bash was built with (never freed). */
extern struct builtin static_shell_builtins[];

/* The builtins whose answers tmplcache must keep stock (hide.c). */
extern int type_builtin(WORD_LIST *);
extern int builtin_builtin(WORD_LIST *);
extern int hash_builtin(WORD_LIST *);
extern int help_builtin(WORD_LIST *);
extern int compgen_builtin(WORD_LIST *);
extern int enable_builtin(WORD_LIST *);
extern int ulimit_builtin(WORD_LIST *);

/* input.h: the -c string being parsed (evalstring.c's no-fork test). */
enum tmplcache_stream_type { TC_st_none, TC_st_stdin, TC_st_stream,
			     TC_st_string, TC_st_bstream };
typedef struct {
	enum tmplcache_stream_type type;
	char *name;
	union {
		FILE *file;
		char *string;
		int buffered_fd;
	} location;
	void *getter;
	void *ungetter;
} TMPLCACHE_BASH_INPUT;
extern TMPLCACHE_BASH_INPUT bash_input;

/* redir.c: shopt varredir_close, new in 5.2.  Bash 5.1 never closes a
 * {var} redirection's fd after a builtin itself (redir.c, RX_UNDOABLE),
 * as 5.2 with the option off.  Weak: data symbols bind at load even
 * without -z now, and a build for 5.2 or later must still load into 5.1
 * far enough for
 * version.c to refuse it in one clear line (dlopen would fail first with
 * "undefined symbol"); in the release it runs in, it is always there. */
#if TC_BASH_COMPAT >= 52
extern int varassign_redir_autoclose __attribute__((weak));
#define TC_VARREDIR_CLOSE \
	(&varassign_redir_autoclose ? varassign_redir_autoclose : 0)
#else
#define TC_VARREDIR_CLOSE	0
#endif

/* execute_cmd.c, shell.c, sig.c */
extern int executing_command_builtin;
extern int subshell_environment;
extern int restricted;
extern int running_trap;
extern int error_trace_mode;	/* set -E */
extern int function_trace_mode;	/* set -T */
extern int loop_level;
extern int variable_context;
extern sigset_t top_level_mask;

/* subst.c: command_substitute()'s record of its child. */
extern pid_t current_command_subst_pid;

/* trap.h */
#define TC_DEBUG_TRAP	NSIG
#define TC_ERROR_TRAP	(NSIG + 1)
#define TC_RETURN_TRAP	(NSIG + 2)
extern char *trap_list[];	/* a trap's command, or SIG_IGN for '' */
extern void check_signals(void);
extern SigHandler *original_signals[];
extern void get_original_signal(int);
extern int signal_is_trapped(int);
extern int signal_is_ignored(int);
extern int signal_is_special(int);
extern int signal_is_hard_ignored(int);

#endif /* TMPLCACHE_BASH_PRIVATE_H */
