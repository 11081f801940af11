/* bash-private.h - bash 5.2 internals that the installed headers lack.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian's bash exports these symbols (nm -D /bin/bash) but bash-builtins
 * ships no header for them (findcmd.h, hashcmd.h, input.h, parts of
 * jobs.c).  Each declaration matches the bash 5.2 source; configure checks
 * the bash version, and the tests compare routed runs with stock bash, so a
 * layout that drifted would show there first.
 */
#ifndef TMPLCACHE_BASH_PRIVATE_H
#define TMPLCACHE_BASH_PRIVATE_H

#include <sys/types.h>

#include "shell.h"
#include "builtins.h"
#include "jobs.h"
#include "hashlib.h"
#include "sig.h"

#include <signal.h>
#include <stdio.h>

/* builtins/common.h declares some of these; a repeat is harmless. */
extern struct builtin *builtin_address_internal(char *, int);
extern void initialize_shell_builtins(void);
extern int find_reserved_word(char *);

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

/* execute_cmd.c, shell.c, sig.c */
extern int executing_command_builtin;
extern int subshell_environment;
extern int restricted;
extern int running_trap;
extern int loop_level;
extern int variable_context;
extern sigset_t top_level_mask;

/* trap.h */
extern SigHandler *original_signals[];
extern void get_original_signal(int);
extern int signal_is_trapped(int);
extern int signal_is_ignored(int);
extern int signal_is_special(int);
extern int signal_is_hard_ignored(int);

#endif /* TMPLCACHE_BASH_PRIVATE_H */
