/* hide.h - keep bash's introspection builtins answering as stock bash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef TMPLCACHE_HIDE_H
#define TMPLCACHE_HIDE_H

/* Wrap type, builtin, hash, help, compgen, enable and ulimit; RECONCILE
 * runs after every `enable`, REPLACE after every `ulimit`. */
void tc_hide_install(void (*reconcile)(void), void (*replace)(void));
/* Put the stock functions back. */
void tc_hide_remove(void);

#endif /* TMPLCACHE_HIDE_H */
