/* forkview.h - a forked child hides the routing builtins without writing
 * to bash's table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_FORKVIEW_H
#define TMPLCACHE_FORKVIEW_H

/* In the parent, before a fork: make the table as hiding leaves it, and
 * the routing builtins apart, unless those made before still match. */
void tc_forkview_prepare(void);
/* In the child (a fork handler): hide the routing builtins for the
 * child's life, with what tc_forkview_prepare() made when it matches. */
void tc_forkview_hide(void);
/* Free what tc_forkview_prepare() made (unload). */
void tc_forkview_free(void);

#endif /* TMPLCACHE_FORKVIEW_H */
