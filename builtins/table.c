/* table.c - adding and removing routing builtins in bash's builtin table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bash keeps its builtins in one sorted array, shell_builtins, searched by
 * binary search.  enable -f grows it by copying (builtins/enable.def); we do
 * the same to add, and remove by compacting in place, which never moves
 * the array.  One case forbids even that: inside bash's own
 * dyn_unload_builtin() (enable -d tmplcache) bash holds a pointer into the
 * array across our unload hook, so there we only flag entries
 * BUILTIN_DELETED (bash's lookups skip them) and compact later.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <stdlib.h>
#include <string.h>

#include "bash-private.h"

#include "cache.h"
#include "childtext.h"
#include "table.h"

static const char *current_name(void);
static void repoint_current(const char *name);

static struct builtin *find_ours(const char *name, int deleted_ok)
{
	int i;

	for (i = 0; i < num_shell_builtins; i++) {
		struct builtin *b = &shell_builtins[i];

		if (b->function == tc_route_builtin && strcmp(b->name, name) == 0 &&
		    (deleted_ok || !(b->flags & BUILTIN_DELETED)))
			return b;
	}
	return NULL;
}

int tc_table_order(const char *a, const char *b)
{
	int c = a[0] - b[0];

	return c ? c : strcmp(a, b);
}

/* Where NAME goes in bash's sorted table. */
static size_t sorted_index(const char *name)
{
	size_t lo = 0, hi = (size_t)num_shell_builtins;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tc_table_order(shell_builtins[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Set by tc_table_flag_all_deleted(), cleared by tc_table_compact_deleted():
 * only in between can the table hold an entry of ours that bash's lookups
 * skip (BUILTIN_DELETED). */
static int flagged;

int tc_table_revive(const char *name)
{
	size_t i;

	if (!flagged)
		return 0;	/* no search for each name routed */

	/* The table is in bash's order: NAME's entries are together there. */
	for (i = sorted_index(name); i < (size_t)num_shell_builtins &&
	     tc_table_order(shell_builtins[i].name, name) == 0; i++)
		if (shell_builtins[i].function == tc_route_builtin) {
			shell_builtins[i].flags = BUILTIN_ENABLED;
			return 1;
		}
	return 0;
}

int tc_table_add(const char *name, char *const *doc, const char *short_doc)
{
	struct builtin *self, *old, *grown;
	size_t n = (size_t)num_shell_builtins, at;
	const char *cur;

	old = find_ours(name, 1);
	if (old) {
		old->flags = BUILTIN_ENABLED;
		return 0;
	}
	/* Share tmplcache's dlopen handle, so enable -d counts us as users
	 * of the shared object. */
	self = builtin_address_internal("tmplcache", 1);
	grown = malloc((n + 2) * sizeof(*grown));
	if (!grown)
		return -1;
	/* Insert in place rather than re-sort: qsort for every name was most
	 * of what routing 30 names cost a bash start. */
	at = sorted_index(name);
	memcpy(grown, shell_builtins, at * sizeof(*grown));
	memcpy(grown + at + 1, shell_builtins + at, (n - at) * sizeof(*grown));
	grown[at] = (struct builtin){
		.name = strdup(name),
		.function = tc_route_builtin,
		.flags = BUILTIN_ENABLED,
		.long_doc = doc,
		.short_doc = short_doc,
		.handle = self ? self->handle : NULL,
	};
	if (!grown[at].name) {
		free(grown);
		return -1;
	}
	memset(&grown[n + 1], 0, sizeof(grown[n + 1]));
	cur = current_name();
	if (shell_builtins != static_shell_builtins)
		free(shell_builtins);
	shell_builtins = grown;
	num_shell_builtins = (int)n + 1;
	repoint_current(cur);
	return 0;
}

/* Many names at once, merged in order: adding a PATH directory's
 * thousands of names one by one would copy the table once per name.  The
 * table grows in place where realloc can (bash's `enable -f' just made it,
 * at the top of the heap), and the names are merged in from the back. */
int tc_table_add_sorted(char *const *names, size_t k, char *const *doc)
{
	struct builtin *self, *grown, *b = shell_builtins;
	size_t n = (size_t)num_shell_builtins, i, j, o;
	const char *cur;
	char **dup, *handle;

	if (!k)
		return 0;
	/* Read before the table moves. */
	self = builtin_address_internal("tmplcache", 1);
	handle = self ? self->handle : NULL;
	dup = calloc(k, sizeof(*dup));
	for (j = 0; dup && j < k; j++)
		if (!(dup[j] = strdup(names[j])))
			break;
	cur = current_name();
	grown = NULL;
	if (dup && j == k) {
		if (b == static_shell_builtins) {
			grown = malloc((n + k + 1) * sizeof(*grown));
			if (grown)
				memcpy(grown, b, n * sizeof(*grown));
		} else {
			grown = realloc(b, (n + k + 1) * sizeof(*grown));
		}
	}
	if (!grown) {		/* the table is as it was */
		while (dup && j-- > 0)
			free(dup[j]);
		free(dup);
		return -1;
	}
	memset(&grown[n + k], 0, sizeof(grown[n + k]));
	/* Equal names (none: they are new) would go as a forward merge
	 * puts them: ours first. */
	for (i = n, j = k, o = n + k; j > 0; ) {
		if (i > 0 && tc_table_order(grown[i - 1].name, dup[j - 1]) >= 0) {
			grown[--o] = grown[--i];
			continue;
		}
		j--;
		grown[--o] = (struct builtin){
			.name = dup[j],
			.function = tc_route_builtin,
			.flags = BUILTIN_ENABLED,
			.long_doc = doc,
			.short_doc = dup[j],
			.handle = handle,
		};
	}
	free(dup);
	shell_builtins = grown;
	num_shell_builtins = (int)(n + k);
	repoint_current(cur);
	return 0;
}

static void compact_at(struct builtin *b)
{
	int i = (int)(b - shell_builtins);

	free(b->name);
	/* Moves the terminating NULL entry down too. */
	memmove(b, b + 1, (size_t)(num_shell_builtins - i) * sizeof(*b));
	num_shell_builtins--;
}

int tc_table_remove(const char *name)
{
	struct builtin *b = find_ours(name, 1);

	if (!b)
		return -1;
	compact_at(b);
	return 0;
}

void tc_table_remove_all(void)
{
	struct builtin *b = shell_builtins;
	const char *cur = current_name();
	int i, k;

	for (i = k = 0; i < num_shell_builtins; i++) {
		if (b[i].function == tc_route_builtin)
			free(b[i].name);
		else
			b[k++] = b[i];
	}
	memset(&b[k], 0, sizeof(b[k]));
	num_shell_builtins = k;
	repoint_current(cur);
}

void tc_table_flag_all_deleted(void)
{
	int i;

	for (i = 0; i < num_shell_builtins; i++)
		if (shell_builtins[i].function == tc_route_builtin)
			shell_builtins[i].flags |= BUILTIN_DELETED;
	flagged = 1;
}

void tc_table_compact_deleted(void)
{
	int i = 0;

	while (i < num_shell_builtins) {
		struct builtin *b = &shell_builtins[i];

		if (b->function == tc_route_builtin && (b->flags & BUILTIN_DELETED))
			compact_at(b);
		else
			i++;
	}
	flagged = 0;
}

/* Hiding takes the routing builtins out of the table into a stash of our
 * own and closes the gap, so bash's lookups (binary search up to
 * num_shell_builtins) and listings (a walk up to the terminating entry)
 * see the table stock bash would have.  While they are hidden, bash may
 * replace the table (enable -f, enable -d copy it) or unload tmplcache;
 * showing them again copes with both.  Hiding nests: `builtin help x`. */
static struct {
	int depth;
	struct builtin *stash;
	int count;
	struct builtin *array;	/* the table as we left it */
	int num;
	/* The table tc_table_hide_as() replaced, kept (a forked child's,
	 * left for its life; not freed: bash may still point into it). */
	struct builtin *replaced;
} hid;

static int comes_back(const struct builtin *s);

int tc_table_present(const char *name)
{
	struct builtin *b = builtin_address_internal((char *)name, 1);
	int i;

	if (b && b->function == tc_route_builtin)	/* a binary search */
		return 1;
	for (i = 0; i < hid.count; i++)
		if (strcmp(hid.stash[i].name, name) == 0)
			return comes_back(&hid.stash[i]);
	return 0;
}

/* current_builtin points into the table (builtin_usage() prints its
 * short_doc): follow the entry it names across a move or re-sort. */
TC_CHILD_TEXT static const char *current_name(void)
{
	struct builtin *c = current_builtin;

	if (c >= shell_builtins && c < shell_builtins + num_shell_builtins)
		return c->name;
	return NULL;
}

TC_CHILD_TEXT static void repoint_current(const char *name)
{
	int i;

	if (!name)
		return;
	for (i = 0; i < num_shell_builtins; i++)
		if (shell_builtins[i].name == name) {
			current_builtin = &shell_builtins[i];
			return;
		}
}

static void hide(void)
{
	int i, k, n = num_shell_builtins;
	struct builtin *b = shell_builtins;
	const char *cur = current_name();

	hid.count = 0;
	for (i = 0; i < n; i++)
		if (b[i].function == tc_route_builtin)
			hid.count++;
	if (!hid.count)
		return;
	hid.stash = malloc((size_t)hid.count * sizeof(*hid.stash));
	if (!hid.stash) {
		hid.count = 0;		/* no memory: answer as before */
		return;
	}
	for (i = k = hid.count = 0; i < n; i++) {
		if (b[i].function == tc_route_builtin)
			hid.stash[hid.count++] = b[i];
		else
			b[k++] = b[i];
	}
	memset(&b[k], 0, sizeof(b[k]));		/* the terminator */
	num_shell_builtins = k;
	hid.array = b;
	hid.num = k;
	repoint_current(cur);
}

/* A stashed entry comes back unless tmplcache was unloaded meanwhile or
 * its name became a real builtin (enable -f FILE NAME). */
static int comes_back(const struct builtin *s)
{
	return tc_state() && !builtin_address_internal(s->name, 1);
}

static void show(void)
{
	int i, keep = 0, n = num_shell_builtins;
	struct builtin *b = shell_builtins;
	const char *cur = current_name();

	/* Only a new table (enable -f makes one) can hold a real builtin of
	 * a stashed name: skip thousands of lookups (tmplcache -a) when
	 * bash kept ours. */
	int same = b == hid.array && n == hid.num && tc_state();

	for (i = 0; i < hid.count; i++) {
		if (same || comes_back(&hid.stash[i]))
			hid.stash[keep++] = hid.stash[i];
		else
			free(hid.stash[i].name);
	}
	if (keep && (b != hid.array || n != hid.num)) {
		/* bash made a new table: it has room for its own entries. */
		struct builtin *grown = malloc((size_t)(n + keep + 1) * sizeof(*b));

		if (!grown) {
			for (i = 0; i < keep; i++)
				free(hid.stash[i].name);
			keep = 0;	/* routing lost; tmplcache -l tells */
		} else {
			memcpy(grown, b, (size_t)n * sizeof(*b));
			if (b != static_shell_builtins)
				free(b);
			shell_builtins = b = grown;
		}
	}
	if (keep) {
		/* Both are in bash's order (hide() kept it, bash sorts what it
		 * makes): merge from the back, in place, rather than re-sort
		 * thousands of names (tmplcache -a) at every `type'. */
		int from = n - 1, back = keep - 1, to = n + keep - 1;

		while (back >= 0) {
			if (from >= 0 && tc_table_order(b[from].name,
							hid.stash[back].name) > 0)
				b[to--] = b[from--];
			else
				b[to--] = hid.stash[back--];
		}
		num_shell_builtins = n + keep;
		memset(&b[num_shell_builtins], 0, sizeof(*b));
		repoint_current(cur);
	}
	free(hid.stash);
	hid.stash = NULL;
	hid.count = 0;
}

TC_CHILD_TEXT
void tc_table_hide_as(struct builtin *view, int k, struct builtin *stash,
		      int count)
{
	const char *cur = current_name();

	hid.depth++;
	hid.stash = stash;
	hid.count = count;
	hid.array = view;
	hid.num = k;
	hid.replaced = shell_builtins;
	shell_builtins = view;
	num_shell_builtins = k;
	repoint_current(cur);
}

TC_CHILD_TEXT int tc_table_hidden(void)
{
	return hid.depth > 0;
}

void tc_table_set_hidden(int hidden)
{
	if (hidden) {
		if (hid.depth++ == 0)
			hide();
	} else if (hid.depth > 0 && --hid.depth == 0) {
		show();
	}
}
