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

#include "table.h"

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

int tc_table_add(const char *name, char *const *doc, const char *short_doc)
{
	struct builtin *self, *old, *grown;
	size_t n = (size_t)num_shell_builtins;

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
	memcpy(grown, shell_builtins, n * sizeof(*grown));
	grown[n] = (struct builtin){
		.name = strdup(name),
		.function = tc_route_builtin,
		.flags = BUILTIN_ENABLED,
		.long_doc = doc,
		.short_doc = short_doc,
		.handle = self ? self->handle : NULL,
	};
	if (!grown[n].name) {
		free(grown);
		return -1;
	}
	memset(&grown[n + 1], 0, sizeof(grown[n + 1]));
	if (shell_builtins != static_shell_builtins)
		free(shell_builtins);
	shell_builtins = grown;
	num_shell_builtins = (int)n + 1;
	initialize_shell_builtins();	/* re-sorts for the binary search */
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

void tc_table_flag_all_deleted(void)
{
	int i;

	for (i = 0; i < num_shell_builtins; i++)
		if (shell_builtins[i].function == tc_route_builtin)
			shell_builtins[i].flags |= BUILTIN_DELETED;
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
}

int tc_table_present(const char *name)
{
	return find_ours(name, 0) != NULL;
}

/* Hiding moves the routing builtins past the table's terminating entry:
 * help and compgen walk the array up to that entry, type and hash search it
 * up to num_shell_builtins.  The entries before it stay sorted. */
static int hidden_count;

void tc_table_set_hidden(int hidden)
{
	int i, k, n = num_shell_builtins;
	struct builtin *b = shell_builtins;

	if (hidden && !hidden_count) {
		struct builtin moved[n > 0 ? n : 1];

		for (i = k = 0; i < n; i++) {
			if (b[i].function == tc_route_builtin)
				moved[hidden_count++] = b[i];
			else
				b[k++] = b[i];
		}
		if (!hidden_count)
			return;
		memset(&b[k], 0, sizeof(b[k]));		/* the terminator */
		memcpy(&b[k + 1], moved, (size_t)hidden_count * sizeof(*b));
		num_shell_builtins = k;
	} else if (!hidden && hidden_count) {
		memmove(&b[n], &b[n + 1], (size_t)hidden_count * sizeof(*b));
		num_shell_builtins = n + hidden_count;
		memset(&b[num_shell_builtins], 0, sizeof(*b));
		hidden_count = 0;
		initialize_shell_builtins();	/* re-sort */
	}
}
