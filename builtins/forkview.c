/* forkview.c - a forked child hides the routing builtins without writing
 * to bash's table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every child a loaded shell forks hides the routing builtins (unless -F),
 * even one about to exec cat.  Hiding in the child compacted bash's table
 * and copied our entries to a new stash: copy-on-write faults on the
 * table's pages and the heap at every fork.  Instead the parent keeps,
 * before each fork, the hidden table and the stash ready in memory of
 * their own, made again only when bash's table changed since (a read-only
 * comparison), and the child only points bash at them.  They are the
 * child's from then on: its tables, which show() and bash may grow or
 * free as they would the compacted table.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <stdlib.h>
#include <string.h>

#include "bash-private.h"

#include "childtext.h"
#include "forkview.h"
#include "table.h"

static struct {
	const struct builtin *from;	/* the table they were made of */
	int from_num;
	struct builtin *copy;		/* its entries then, byte for byte */
	int copy_cap;
	struct builtin *view;		/* its entries but ours; room for all */
	int view_num, view_cap;
	struct builtin *stash;		/* ours, in table order */
	int count, stash_cap;
} fv;

/* Whether bash's table is still the one view and stash were made of:
 * the same bytes as copied then.  What bash changes in an entry (enable
 * -n the flags, enable -f the whole entry) changes them; one memcmp costs
 * a tenth of the instructions of comparing field by field, which with
 * `tmplcache -a' (thousands of entries) was some 60,000 per fork, paid
 * again in the child.  A change of padding alone only makes us rebuild. */
static int still_matches(void)
{
	const struct builtin *b = shell_builtins;

	return fv.from && fv.from == b && fv.from_num == num_shell_builtins &&
	       memcmp(b, fv.copy, (size_t)fv.from_num * sizeof(*b)) == 0;
}

/* Room for N entries in *ARRAY of *CAP. */
static int room(struct builtin **array, int *cap, int n)
{
	struct builtin *p;

	if (n <= *cap)
		return 0;
	p = realloc(*array, (size_t)n * sizeof(*p));
	if (!p)
		return -1;
	*array = p;
	*cap = n;
	return 0;
}

/* In the child: whether the view was made, or found still good, by this
 * fork's own prepare handler, for the table bash has now.  Nothing can
 * have changed the table's entries since: no bash code runs between the
 * handlers, automode.c's handler that adds names runs its prepare before
 * ours (registered after ours, at `tmplcache -a'; POSIX runs prepare
 * handlers in reverse order), and ours that failed left fv.from NULL.  A
 * comparison of the whole table here cost the child a page fault (libc's
 * memcmp, which stock's child never runs) and, with -a, thousands of
 * entries' reads. */
TC_CHILD_TEXT static int made_for_this_table(void)
{
	return fv.from && fv.from == shell_builtins &&
	       fv.from_num == num_shell_builtins;
}

void tc_forkview_prepare(void)
{
	const struct builtin *b = shell_builtins;
	int i, n = num_shell_builtins, ours = 0;

	if (tc_table_hidden() || still_matches())
		return;
	fv.from = NULL;
	for (i = 0; i < n; i++)
		ours += b[i].function == tc_route_builtin;
	/* The view keeps room for every entry and the terminator: show()
	 * merges ours back into it in place. */
	if (room(&fv.view, &fv.view_cap, n + 1) < 0 ||
	    room(&fv.stash, &fv.stash_cap, ours) < 0 ||
	    room(&fv.copy, &fv.copy_cap, n) < 0)
		return;		/* the child hides its own way */
	memcpy(fv.copy, b, (size_t)n * sizeof(*b));
	fv.view_num = fv.count = 0;
	for (i = 0; i < n; i++) {
		if (b[i].function == tc_route_builtin)
			memcpy(&fv.stash[fv.count++], &b[i], sizeof(b[i]));
		else
			memcpy(&fv.view[fv.view_num++], &b[i], sizeof(b[i]));
	}
	memset(&fv.view[fv.view_num], 0, sizeof(fv.view[0]));
	fv.from = b;
	fv.from_num = n;
}

TC_CHILD_TEXT void tc_forkview_hide(void)
{
	if (!tc_table_hidden() && fv.count > 0 && made_for_this_table()) {
		tc_table_hide_as(fv.view, fv.view_num, fv.stash, fv.count);
		/* Theirs now: a fork of this child makes its own.  The copy
		 * stays ours, kept for that (a free here would write to the
		 * heap's pages: copy-on-write faults in every child). */
		struct builtin *copy = fv.copy;
		int copy_cap = fv.copy_cap;

		memset(&fv, 0, sizeof(fv));
		fv.copy = copy;
		fv.copy_cap = copy_cap;
		return;
	}
	tc_table_set_hidden(1);
}

void tc_forkview_free(void)
{
	free(fv.view);
	free(fv.stash);
	free(fv.copy);
	memset(&fv, 0, sizeof(fv));
}
