/* cache.h - tmplcache's state: routed names, templates, counters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All state lives in one struct created when the loadable is enabled and
 * destroyed when it is deleted (STYLE.md #10).  Templates are keyed by the
 * executable's absolute path, so two names for one binary, or one name
 * resolved through another PATH, share or add templates as bash's own
 * resolution dictates.
 */
#ifndef TMPLCACHE_CACHE_H
#define TMPLCACHE_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* Why a routed name went to bash's own fork/exec.  Names are the keys of
 * `tmplcache -s -v VAR` (fallback_NAME) and the labels of `tmplcache -s`. */
enum tc_reason {
	TC_FB_FORKED,		/* pipeline, subshell, &, $(): bash execs in place */
	TC_FB_NOFORK,		/* last command of bash -c: bash execs in place */
	TC_FB_COMMAND,		/* run through `command`: may be `command -p` */
	TC_FB_RESTRICTED,	/* restricted shell */
	TC_FB_NOTFOUND,		/* not found: bash prints its message or runs
				   command_not_found_handle */
	TC_FB_RELPATH,		/* resolved to a relative path (`.` in PATH) */
	TC_FB_NOTELF,		/* a script or other non-ELF file */
	TC_FB_CREATE,		/* template could not be made (EACCES, ...) */
	TC_FB_CAP,		/* template cap (TMPLCACHE_MAX) reached */
	TC_FB_SIGNALS,		/* a signal must stay ignored that bash handles */
	TC_FB_JOBCTL,		/* job control the backend cannot set up */
	TC_FB_BACKEND,		/* backend lacks what exactness needs */
	TC_FB_SPAWN,		/* spawn failed before a child existed */
	TC_FB_EXEC,		/* the child failed before exec: bash redoes it
				   to print its own message */
	TC_FB_NREASONS
};

extern const char *const tc_reason_names[TC_FB_NREASONS];

/* Counters live in memory shared with every process this shell forks, so
 * the fallbacks counted inside a pipeline or subshell (which run in a
 * forked child) reach the shell's totals.  Update them with tc_count(). */
struct tc_counters {
	unsigned long spawns;
	unsigned long recreated;
	unsigned long evicted;	/* templates closed by the LRU cap (-a) */
	unsigned long fallbacks[TC_FB_NREASONS];
	uint64_t spawn_ns;	/* time inside spawn_template_spawn() */
};

/* One pinned executable. */
struct tc_template {
	char *path;		/* absolute, as bash resolved it */
	int fd;			/* template fd: close-on-exec, >= TC_FD_BASE */
	unsigned users;		/* names whose last resolution is this one */
	unsigned long last_use;	/* tc_template_touch()'s clock */
};

/* One routed name. */
struct tc_entry {
	struct tc_template *tmpl;	/* where the name last resolved */
	struct tc_counters *count;	/* a slot of the arena (cache.c) */
	char name[];			/* one allocation with the entry */
};

#define tc_count(field, n) __atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)

/* The most names routed at once (the size of the shared counter arena). */
#define TC_MAX_NAMES 4096

/* Template fds live at or above the soft RLIMIT_NOFILE, where no script
 * can name them, when the hard limit leaves room; otherwise below the
 * soft limit, never below TC_FD_BASE: clear of 0-9, of the fds `exec
 * {var}>` hands out (the lowest free from 10 up), and of bash's own high
 * fds (below 256).  Never at or above TC_FD_TOP (see cache.c). */
#define TC_FD_TOP 2048
#define TC_FD_BASE 300

/* Default for the cap; the shell variable TMPLCACHE_MAX overrides it. */
#define TC_MAX_DEFAULT 256

struct tc_state;

struct tc_state *tc_state(void);	/* NULL when not loaded */
int tc_state_init(void);
void tc_state_destroy(void);
/* Before every fork of the shell (a fork handler): the counters move to
 * memory shared with the child, once. */
void tc_state_prefork(void);
/* In every child bash forks (a fork handler): its counters are the
 * parent's until it adds or removes a name. */
void tc_state_forked(void);

struct tc_entry *tc_entry_find(const char *name);
struct tc_entry *tc_entry_add(const char *name, struct tc_template *t);
/* NAME's entry, added without a template when new: naming a routed name
 * again keeps its template.  NULL: no memory, or TC_MAX_NAMES reached. */
struct tc_entry *tc_entry_name(const char *name);
void tc_entry_remove(struct tc_entry *e);
/* Call fn for every entry in name order; stops early when fn returns
 * non-zero and returns that value. */
int tc_entry_each(int (*fn)(struct tc_entry *, void *), void *arg);
size_t tc_entry_count(void);

/* The template for PATH, made if there is none (and touched).  Returns
 * NULL with errno: ENOEXEC not ELF, EMFILE no fd slot above TC_FD_BASE,
 * ENOSPC cap reached (and no LRU),
 * or what spawn_template_create() said. */
struct tc_template *tc_template_get(const char *path);
/* At the cap, tc_template_get() refuses (ENOSPC), or with LRU set
 * (tmplcache -a) closes the least recently used template to make room. */
void tc_templates_lru(int on);
/* T is being used now (for the LRU order). */
void tc_template_touch(struct tc_template *t);
/* Replace a stale template's fd with a fresh one for the same path. */
int tc_template_refresh(struct tc_template *t);
/* Move templates that the soft fd limit no longer keeps from scripts
 * above it (after `ulimit`), where the hard limit leaves room. */
void tc_templates_replace(void);
/* Point E at T, dropping E's old template if nobody uses it any more. */
void tc_entry_use(struct tc_entry *e, struct tc_template *t);
size_t tc_template_count(void);
size_t tc_template_cap(void);

/* Counters of names already removed, so totals survive -d. */
struct tc_counters *tc_retired(void);

/* argv buffer reused across spawns: room for N pointers. */
char **tc_argv_buffer(size_t n);

#endif /* TMPLCACHE_CACHE_H */
