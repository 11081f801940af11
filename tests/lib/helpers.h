/* helpers.h - shared pieces of the libspawntemplate tests: templates,
 * spawning childview and reading what it saw, fd and signal snapshots.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HELPERS_H
#define HELPERS_H

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spawntemplate.h"
#include "check.h"

#define PTR(p) ((__u64)(uintptr_t)(p))

/* ---- childview and templates ---- */

/* Absolute path of the childview helper: $CHILDVIEW (set by the Makefile),
 * else next to this test program. */
const char *childview_path(void);

/* A template for path (absolute), SPAWN_TEMPLATE_CREATE_CLOEXEC.  A failure
 * is a failed check and returns -1. */
#define TEMPLATE_FOR(path) template_for((path), __FILE__, __LINE__)
int template_for(const char *path, const char *file, int line);

/* Raw create with the common fields; returns what the library returns. */
int create_template(const char *path, int execfd, __u64 flags);

/* Is this extension action type supported by the active backend? */
bool extension_supported(__u32 type);

/* ---- actions ---- */

struct spawn_template_action act_close(int fd);
struct spawn_template_action act_dup2(int fd, int newfd, __u32 flags);
struct spawn_template_action act_fchdir(int fd);
struct spawn_template_action act_open(int dirfd, int newfd,
				      struct spawn_template_open *open);
struct spawn_template_action act_close_range(int fd, int newfd, __u32 flags);
struct spawn_template_action act_sigmask(struct spawn_template_sigset *set);
struct spawn_template_action act_sigdefault(struct spawn_template_sigset *set);
struct spawn_template_action act_setpgid(pid_t pgid);
struct spawn_template_action act_tcsetpgrp(int fd, pid_t pgrp);
struct spawn_template_action act_errno(int *err);

/* A spawn_template_sigset pointing at set. */
struct spawn_template_sigset sigset_of(const sigset_t *set);

/* ---- what the child saw ---- */

struct view {
	char *text;		/* the raw output, NUL-terminated */
	char **lines;		/* pointers into text */
	size_t nlines;
};

/* The rest of the first line "key rest", or NULL. */
const char *view_get(const struct view *v, const char *key);
/* view_get() as a number (base 10), or def when missing. */
long long view_num(const struct view *v, const char *key, long long def);
/* view_get() read as hex (the /proc/self/status signal sets). */
unsigned long long view_hex(const struct view *v, const char *key);
/* Target of fd in the child, or NULL when the child did not have it. */
const char *view_fd(const struct view *v, int fd);
/* The child's F_GETFL flags of fd, or -1. */
int view_fdfl(const struct view *v, int fd);
/* How many fds the child had open. */
int view_nfds(const struct view *v);
/* Is the output complete (ends with "end")? */
bool view_complete(const struct view *v);
void view_free(struct view *v);

/* ---- spawning childview ---- */

struct run_opts {
	__u64 flags;			/* SPAWN_TEMPLATE_SPAWN_* */
	const char *const *args;	/* argv[1..], NULL-terminated, or NULL */
	const char *const *envp;	/* NULL: { "CHILDVIEW_TEST=1", NULL } */
	const struct spawn_template_action *actions;
	size_t nactions;
	/* No pipe: run only the caller's actions; nothing is captured. */
	bool raw;
	/* Leave the child running: the caller reaps (reap_run). */
	bool nowait;
};

struct run {
	pid_t pid;
	int pidfd;		/* closed after reaping, -1 */
	int code;		/* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int status;		/* exit status, or the signal */
	struct view view;
};

/* Spawns childview from tfd with a pipe put at the child's fd 1 (a DUP2
 * action placed before the caller's actions), reads its output to EOF and
 * reaps it through the pidfd.  Returns 0 when a child was spawned, or -1
 * with the library's errno (no child then). */
int run_child(int tfd, const struct run_opts *o, struct run *r);
/* posix_spawn(path) with run_child()'s argv ("childview" + args),
 * environment and stdout pipe: the oracle for what an ordinary exec gives.
 * The child is left running, as with nowait.  0, or -1 with errno. */
int posix_spawn_run(const char *path, const char *const *args, struct run *r);
/* Reaps a nowait child and closes its pidfd. */
void reap_run(struct run *r);
void run_free(struct run *r);
/* exited with status? */
bool run_exited(const struct run *r, int status);
/* A check that the child exited with status; prints how it ended. */
#define CHECK_EXITED(r, status) \
	check_exited((r), (status), __FILE__, __LINE__)
void check_exited(const struct run *r, int status, const char *file,
		  int line);

/* waitid(P_PIDFD) with the raw system call. */
int waitid_pidfd(int pidfd, siginfo_t *info, int options);
int pidfd_send_signal_raw(int pidfd, int sig);

/* ---- failure before any child ---- */

/* spawn must fail with want, leave no child to reap, and leave the fd table
 * as it was.  The caller must have no child of its own. */
#define CHECK_SPAWN_FAILS(tfd, args, size, want) \
	check_spawn_fails((tfd), (args), (size), (want), __FILE__, __LINE__, #want)
void check_spawn_fails(int tfd, const struct spawn_template_spawn_args *args,
		       size_t size, int want, const char *file, int line,
		       const char *ewant);
#define CHECK_CREATE_FAILS(args, size, want) \
	check_create_fails((args), (size), (want), __FILE__, __LINE__, #want)
void check_create_fails(const struct spawn_template_create_args *args,
			size_t size, int want, const char *file, int line,
			const char *ewant);

/* True when the process has no child (waitpid(-1, WNOHANG): ECHILD). */
bool no_child_exists(void);

/* ---- fds ---- */

#define FDSET_MAX 1024
struct fdset {
	int n;
	int fd[FDSET_MAX];
};

/* The fds open in this process (the listing's own excluded), ascending. */
void fdset_self(struct fdset *s);
/* Only those without FD_CLOEXEC: what an exec keeps. */
void fdset_inheritable(struct fdset *s);
bool fdset_has(const struct fdset *s, int fd);
void fdset_add(struct fdset *s, int fd);
void fdset_del(struct fdset *s, int fd);
int fd_count(void);
/* readlink of /proc/self/fd/N into buf, "" on error. */
const char *fd_target(int fd, char *buf, size_t size);
/* Checks that the child had exactly the fds in want. */
#define CHECK_CHILD_FDS(view, want) \
	check_child_fds((view), (want), __FILE__, __LINE__)
void check_child_fds(const struct view *v, const struct fdset *want,
		     const char *file, int line);

/* ---- signals ---- */

static inline unsigned long long sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The calling thread's blocked set as the kernel has it (SigBlk). */
unsigned long long thread_sigblk(void);
/* Signals 1..64 this process ignores (its SigIgn). */
unsigned long long ignored_signals(void);

/* ---- files ---- */

/* A fresh directory under $TMPDIR or /tmp; the path is written to dir. */
void make_tempdir(char dir[PATH_MAX]);
void remove_tree(const char *dir);
/* A fresh directory (make_tempdir), marker = dir/child-ran, and *open an
 * OPEN action's target that creates it: the marker proves whether a
 * child ran its actions. */
void marker_setup(char dir[PATH_MAX], char marker[PATH_MAX + 16],
		  struct spawn_template_open *open);
/* Two fresh pages, the first with prot, the second PROT_NONE: returns the
 * first (for pointers at the edge of mapped memory). */
char *page_before_hole(int prot);
/* n scaled by $TC_LIB_ROUNDS, a percentage (default 100; at least 1
 * round): the loops of the long tests (no_leaks, identity_race,
 * threads).  CI's check-kernel runs them at 10 % on its emulated CPU,
 * where each spawn costs milliseconds. */
long scaled_rounds(long n);
/* Whether this kernel has process_vm_readv.  The userspace backends read
 * caller memory with it; a kernel built without CROSS_MEMORY_ATTACH (our
 * reference kernel) lacks it, and they then copy directly, so there an
 * unreadable pointer is a SIGSEGV, not EFAULT. */
bool user_reads_are_checked(void);
#define NO_CHECKED_READS \
	"no process_vm_readv on this kernel: unreadable pointers are not EFAULT here"
/* Copies src to dst with mode (exact, umask ignored). */
void copy_file(const char *src, const char *dst, mode_t mode);
/* Writes data to path with mode (exact). */
void write_file(const char *path, const void *data, size_t len, mode_t mode);

/* Runs fn(arg) in a forked child of the test (for credential changes that
 * must not outlive it) and waits; the child's checks count as the test's.
 * Returns its exit status; pass it to child_outcome() after cleaning up,
 * so that a skip or hard error in the child becomes the test's. */
int in_child(void (*fn)(void *), void *arg);
void child_outcome(int status);
/* Drops to the user nobody (and its group, no supplementary groups). */
void become_nobody(void);

/* Runs the childview copy at path through a new template: 0 when the child
 * ran and exited 0. */
int spawn_path_ok(const char *path);

#endif /* HELPERS_H */
