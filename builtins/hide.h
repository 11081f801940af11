/* hide.h - keep bash's introspection builtins answering as stock bash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_HIDE_H
#define TMPLCACHE_HIDE_H

/* Wrap type, command, builtin, hash, help, compgen and enable; RECONCILE
 * runs after every `enable`. */
void tc_hide_install(void (*reconcile)(void));
/* Put the stock functions back. */
void tc_hide_remove(void);

#endif /* TMPLCACHE_HIDE_H */
