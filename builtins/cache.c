/* cache.c - routed names and their templates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"	/* bash's, as its headers expect */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bash-private.h"
#include "variables.h"

#include "spawntemplate.h"
#include "cache.h"
#include "childtext.h"

const char *const tc_reason_names[TC_FB_NREASONS] = {
	[TC_FB_FORKED] = "forked",
	[TC_FB_NOFORK] = "nofork",
	[TC_FB_COMMAND] = "command",
	[TC_FB_RESTRICTED] = "restricted",
	[TC_FB_NOTFOUND] = "notfound",
	[TC_FB_RELPATH] = "relpath",
	[TC_FB_NOTELF] = "notelf",
	[TC_FB_CREATE] = "create",
	[TC_FB_CAP] = "cap",
	[TC_FB_SIGNALS] = "signals",
	[TC_FB_JOBCTL] = "jobctl",
	[TC_FB_BACKEND] = "backend",
	[TC_FB_SPAWN] = "spawn",
	[TC_FB_EXEC] = "exec",
};

struct tc_state {
	struct tc_entry **names;	/* sorted by name */
	size_t nnames, names_cap;
	struct tc_template **tmpls;
	size_t ntmpls, tmpls_cap;
	struct tc_counters *arena;	/* arena_slots slots (see arena_share) */
	size_t arena_slots;
	int arena_shared;		/* mapped shared: ARENA_SLOTS slots */
	char *slot_used;		/* which arena slots entries hold */
	char **argv;
	size_t argv_cap;
	int lru;			/* evict at the cap instead of refusing */
	unsigned long clock;		/* ticks at each template use */
};

static struct tc_state *state;
/* We are a fork: the counters are the parent's.  Beside state, not in
 * it: a fork handler sets it in every child, where a write to our own
 * static data shares its copy-on-write fault with the others'. */
static int arena_inherited;

TC_CHILD_TEXT struct tc_state *tc_state(void)
{
	return state;
}

/* Slot 0 holds the counters of names already removed. */
#define RETIRED 0

/* The counters live in the shell's own memory until its first fork, and
 * from then on in memory shared with every child it forks, so that what
 * a pipeline or subshell counts reaches the shell's totals.  Loading and
 * naming thus make no system call and no shared memory (a 576 KiB shmem
 * area was most of what loading cost a short shell besides the dlopen);
 * the shared area is made by a fork handler in the parent, before the
 * fork: its mmap costs little next to the fork.  The shared area has room
 * for every name at once, since children forked earlier keep writing to
 * it: it can never move. */
#define ARENA_SLOTS (TC_MAX_NAMES + 1)
#define ARENA_BYTES (ARENA_SLOTS * sizeof(struct tc_counters))

/* Point every entry's counters from OLD's slots to NEW's. */
static void arena_repoint(struct tc_counters *old, struct tc_counters *new)
{
	size_t i;

	for (i = 0; i < state->nnames; i++)
		state->names[i]->count = new + (state->names[i]->count - old);
}

/* Room for SLOTS slots in slot_used, the new ones free. */
static int slots_grow(size_t slots)
{
	char *used = realloc(state->slot_used, slots);

	if (!used)
		return -1;
	if (slots > state->arena_slots)
		memset(used + state->arena_slots, 0, slots - state->arena_slots);
	state->slot_used = used;
	return 0;
}

/* A private arena of SLOTS slots, holding the counters of the current
 * one, private or shared, up to SLOTS.  Slots past those are not cleared:
 * claim_slot() clears the one it claims. */
static int arena_private(size_t slots)
{
	struct tc_counters *mine;
	size_t keep = state->arena_slots < slots ? state->arena_slots : slots;

	mine = malloc(slots * sizeof(*mine));
	if (!mine || slots_grow(slots) < 0) {
		free(mine);
		return -1;
	}
	if (keep)
		memcpy(mine, state->arena, keep * sizeof(*mine));
	arena_repoint(state->arena, mine);
	if (state->arena_shared)
		munmap(state->arena, ARENA_BYTES);
	else
		free(state->arena);
	state->arena = mine;
	state->arena_slots = slots;
	state->arena_shared = 0;
	return 0;
}

/* Before a fork (a fork handler, in the parent): move the counters to
 * shared memory.  Should that fail, the child's counts stay its own. */
void tc_state_prefork(void)
{
	struct tc_counters *shared;

	if (!state || state->arena_shared || slots_grow(ARENA_SLOTS) < 0)
		return;
	shared = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return;
	memcpy(shared, state->arena, state->arena_slots * sizeof(*shared));
	arena_repoint(state->arena, shared);
	free(state->arena);
	state->arena = shared;
	state->arena_slots = ARENA_SLOTS;
	state->arena_shared = 1;
}

/* A forked child that adds or removes names gets counters of its own, so
 * its changes never zero or double-count its parent's.  (Fallbacks counted
 * in a child that changes nothing still reach the parent.)  Its own are
 * private again, up to the highest slot in use, until it forks. */
static int arena_own(void)
{
	size_t top = 1;

	if (!arena_inherited)
		return 0;
	if (state->arena_shared) {
		size_t i;

		for (i = 1; i < state->arena_slots; i++)
			if (state->slot_used[i])
				top = i + 1;
		if (arena_private(top < 16 ? 16 : top) < 0)
			return -1;
	}
	arena_inherited = 0;
	return 0;
}

/* From a fork handler, rather than comparing getpid() on every name added:
 * naming stays free of system calls. */
TC_CHILD_TEXT void tc_state_forked(void)
{
	if (state)
		arena_inherited = 1;
}

int tc_state_init(void)
{
	if (state)
		return 0;
	state = calloc(1, sizeof(*state));
	if (!state)
		return -1;
	arena_inherited = 0;	/* a new state's counters are its own */
	/* Room for 31 names before it grows. */
	if (arena_private(32) < 0) {
		free(state);
		state = NULL;
		return -1;
	}
	memset(&state->arena[RETIRED], 0, sizeof(state->arena[RETIRED]));
	state->slot_used[RETIRED] = 1;
	return 0;
}

/* Close a template fd only if the number is still the close-on-exec fd we
 * made: a user's `exec 300>file` or `exec 300>&-` may have taken it over. */
static void close_if_ours(int fd)
{
	if (fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC)
		close(fd);
}

static void template_free(struct tc_template *t)
{
	close_if_ours(t->fd);
	free(t->path);
	free(t);
}

void tc_state_destroy(void)
{
	size_t i;

	if (!state)
		return;
	for (i = 0; i < state->nnames; i++) {
		free(state->names[i]);
	}
	for (i = 0; i < state->ntmpls; i++)
		template_free(state->tmpls[i]);
	free(state->names);
	free(state->tmpls);
	free(state->argv);
	/* A forked child unmaps only its own view of the parent's counters. */
	if (state->arena_shared)
		munmap(state->arena, ARENA_BYTES);
	else
		free(state->arena);
	free(state->slot_used);
	free(state);
	state = NULL;
}

/* Index of NAME, or of where it would go (with *found = 0). */
static size_t name_index(const char *name, int *found)
{
	size_t lo = 0, hi = state->nnames;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(state->names[mid]->name, name);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

struct tc_entry *tc_entry_find(const char *name)
{
	int found;
	size_t i;

	if (!state || !name)
		return NULL;
	i = name_index(name, &found);
	return found ? state->names[i] : NULL;
}

static int grow(void **array, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*array, ncap * elem);
	if (!p)
		return -1;
	*array = p;
	*cap = ncap;
	return 0;
}

/* A free slot: one exists while nnames < TC_MAX_NAMES, in a private
 * arena once it has grown.  NULL: no memory. */
static struct tc_counters *claim_slot(void)
{
	size_t i = 1;

	while (i < state->arena_slots && state->slot_used[i])
		i++;
	if (i == state->arena_slots && arena_private(i * 2 < ARENA_SLOTS ?
						     i * 2 : ARENA_SLOTS) < 0)
		return NULL;
	state->slot_used[i] = 1;
	memset(&state->arena[i], 0, sizeof(state->arena[i]));
	return &state->arena[i];
}

struct tc_entry *tc_entry_name(const char *name)
{
	struct tc_entry *e;
	size_t i, len;
	int found;

	i = name_index(name, &found);
	if (found)
		return state->names[i];
	if (state->nnames >= TC_MAX_NAMES || arena_own() < 0 ||
	    grow((void **)&state->names, &state->names_cap, state->nnames + 1,
		 sizeof(*state->names)))
		return NULL;
	len = strlen(name) + 1;
	e = malloc(sizeof(*e) + len);
	if (!e || !(e->count = claim_slot())) {
		free(e);
		return NULL;
	}
	e->tmpl = NULL;
	memcpy(e->name, name, len);
	memmove(&state->names[i + 1], &state->names[i],
		(state->nnames - i) * sizeof(*state->names));
	state->names[i] = e;
	state->nnames++;
	return e;
}

struct tc_entry *tc_entry_add(const char *name, struct tc_template *t)
{
	struct tc_entry *e = tc_entry_name(name);

	if (e)
		tc_entry_use(e, t);
	return e;
}

static void retire_counters(struct tc_counters *c)
{
	struct tc_counters *old = &state->arena[RETIRED];
	int r;

	tc_count(old->spawns, c->spawns);
	tc_count(old->recreated, c->recreated);
	tc_count(old->evicted, c->evicted);
	tc_count(old->spawn_ns, c->spawn_ns);
	for (r = 0; r < TC_FB_NREASONS; r++)
		tc_count(old->fallbacks[r], c->fallbacks[r]);
	state->slot_used[c - state->arena] = 0;
}

void tc_entry_remove(struct tc_entry *e)
{
	int found;
	size_t i = name_index(e->name, &found);

	if (!found || state->names[i] != e || arena_own() < 0)
		return;
	tc_entry_use(e, NULL);
	retire_counters(e->count);
	memmove(&state->names[i], &state->names[i + 1],
		(state->nnames - i - 1) * sizeof(*state->names));
	state->nnames--;
	free(e);
}

int tc_entry_each(int (*fn)(struct tc_entry *, void *), void *arg)
{
	size_t i;
	int r;

	for (i = 0; state && i < state->nnames; i++) {
		r = fn(state->names[i], arg);
		if (r)
			return r;
	}
	return 0;
}

size_t tc_entry_count(void)
{
	return state ? state->nnames : 0;
}

size_t tc_template_count(void)
{
	return state ? state->ntmpls : 0;
}

size_t tc_template_cap(void)
{
	char *v = get_string_value("TMPLCACHE_MAX");
	intmax_t n;

	if (v && *v && legal_number(v, &n) && n >= 0)
		return (size_t)n;
	return TC_MAX_DEFAULT;
}

/* Whether another template still claims number N: after a user closed
 * it (exec N<&-), a refresh must not hand N to a second template, or a
 * spawn of the first would run the second's file. */
static int fd_claimed(int n)
{
	size_t i;

	for (i = 0; i < state->ntmpls; i++)
		if (state->tmpls[i]->fd == n)
			return 1;
	return 0;
}

static int free_fd_below(int top, int bottom)
{
	int n;

	/* Our own templates first: they sit at the top, and asking the
	 * kernel about each was one system call per template made before. */
	for (n = top - 1; n >= bottom; n--)
		if (!fd_claimed(n) && fcntl(n, F_GETFD) < 0 && errno == EBADF)
			return n;
	return -1;
}

/* Where template fds go.  A script may name any fd below the soft
 * RLIMIT_NOFILE, and bash undoes a user's `exec N>file` when N holds a
 * close-on-exec fd above 9, taking it for one of its own (redir.c,
 * add_undo_redirect), so a template there would defeat the script.  No
 * script can name an fd at or above the soft limit: we go there when the
 * hard limit leaves room, raising the soft limit only for the dup (the fd
 * stays valid under the lower limit).  Otherwise below the soft limit,
 * never below TC_FD_BASE.  Either way the highest free number below
 * TC_FD_TOP: fork (and our clone) copies the fd table up to the highest
 * open fd (2047 costs ~4 us a fork over 1023, 4095 ~12 us), and
 * error-testing scripts name the first fd past the limit (1024).
 *
 * Returns a copy of template FD placed so, or -1. */
static int place_template(int fd)
{
	struct rlimit rl, raised;
	rlim_t top;
	int n, high, err;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	raised = rl;
	top = rl.rlim_max < TC_FD_TOP ? rl.rlim_max : TC_FD_TOP;
	n = rl.rlim_cur < top ? free_fd_below((int)top, (int)rl.rlim_cur) : -1;
	if (n >= 0) {
		raised.rlim_cur = top;
		if (setrlimit(RLIMIT_NOFILE, &raised) < 0)
			n = -1;
	}
	if (n < 0) {
		top = rl.rlim_cur < TC_FD_TOP ? rl.rlim_cur : TC_FD_TOP;
		n = free_fd_below((int)top, TC_FD_BASE);
		if (n < 0) {
			errno = EMFILE;
			return -1;
		}
	}
	high = spawn_template_dupfd(fd, n, 1);
	err = errno;
	if (raised.rlim_cur != rl.rlim_cur)
		setrlimit(RLIMIT_NOFILE, &rl);
	errno = err;
	return high;
}

/* Make a template for PATH and move its fd clear of the user's fds.
 * Without write pinning where the backend offers the choice: stock bash
 * never makes `cp new ~/bin/tool` fail with ETXTBSY, and the spawn's
 * identity check (ESTALE) catches the rewrite either way. */
static int template_open(const char *path)
{
	struct spawn_template_create_args a = {
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC |
			 (spawn_template_extensions() &
			  SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN),
		.filename = (uintptr_t)path,
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
	};
	int fd, high, err;

	fd = spawn_template_create(&a, sizeof(a));
	if (fd < 0)
		return -1;
	high = place_template(fd);
	err = errno;
	close(fd);
	errno = err;
	return high;	/* EMFILE: no free number (ulimit -n) */
}

/* After `ulimit -n`: a template the soft limit no longer keeps from
 * scripts moves to where place_template() would put it now, if higher. */
void tc_templates_replace(void)
{
	struct rlimit rl;
	size_t i;

	if (!state || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	for (i = 0; i < state->ntmpls; i++) {
		struct tc_template *t = state->tmpls[i];
		int high;

		if ((rlim_t)t->fd >= rl.rlim_cur)
			continue;
		high = place_template(t->fd);
		if (high < 0)
			continue;	/* stale or replaced: spawn refreshes it */
		if (high < t->fd) {
			close(high);
			continue;
		}
		close_if_ours(t->fd);
		t->fd = high;
	}
}

void tc_templates_lru(int on)
{
	if (state)
		state->lru = on;
}

void tc_template_touch(struct tc_template *t)
{
	t->last_use = ++state->clock;
}

/* Close the least recently used template: every name using it lets go
 * (and counts it), the last one frees it. */
static void evict_lru(void)
{
	struct tc_template *victim = state->tmpls[0];
	size_t i;

	for (i = 1; i < state->ntmpls; i++)
		if (state->tmpls[i]->last_use < victim->last_use)
			victim = state->tmpls[i];
	for (i = 0; i < state->nnames && victim; i++) {
		struct tc_entry *e = state->names[i];

		if (e->tmpl != victim)
			continue;
		tc_count(e->count->evicted, 1);
		if (victim->users == 1)
			victim = NULL;	/* freed by this last release */
		tc_entry_use(e, NULL);
	}
}

struct tc_template *tc_template_get(const char *path)
{
	struct tc_template *t;
	size_t i, cap = tc_template_cap();

	for (i = 0; i < state->ntmpls; i++)
		if (strcmp(state->tmpls[i]->path, path) == 0) {
			tc_template_touch(state->tmpls[i]);
			return state->tmpls[i];
		}
	while (state->lru && cap > 0 && state->ntmpls >= cap) {
		size_t before = state->ntmpls;

		evict_lru();
		if (state->ntmpls == before)
			break;		/* no name held it: refuse as without LRU */
	}
	if (state->ntmpls >= cap) {
		errno = ENOSPC;
		return NULL;
	}
	if (grow((void **)&state->tmpls, &state->tmpls_cap, state->ntmpls + 1,
		 sizeof(*state->tmpls)))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->path = strdup(path))) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->fd = template_open(path);
	if (t->fd < 0) {
		int err = errno;

		free(t->path);
		free(t);
		errno = err;
		return NULL;
	}
	state->tmpls[state->ntmpls++] = t;
	tc_template_touch(t);
	return t;
}

int tc_template_refresh(struct tc_template *t)
{
	/* Close first: the new template may land on the same number. */
	close_if_ours(t->fd);
	t->fd = -1;
	t->fd = template_open(t->path);
	return t->fd < 0 ? -1 : 0;
}

static void template_release(struct tc_template *t)
{
	size_t i;

	if (!t || --t->users > 0)
		return;
	for (i = 0; i < state->ntmpls; i++) {
		if (state->tmpls[i] == t) {
			state->tmpls[i] = state->tmpls[--state->ntmpls];
			template_free(t);
			return;
		}
	}
}

void tc_entry_use(struct tc_entry *e, struct tc_template *t)
{
	if (e->tmpl == t)
		return;
	if (t)
		t->users++;
	template_release(e->tmpl);
	e->tmpl = t;
}

struct tc_counters *tc_retired(void)
{
	return &state->arena[RETIRED];
}

char **tc_argv_buffer(size_t n)
{
	if (grow((void **)&state->argv, &state->argv_cap, n,
		 sizeof(*state->argv)))
		return NULL;
	return state->argv;
}
