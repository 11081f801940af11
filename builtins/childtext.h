/* childtext.h - where the code a forked child runs is linked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Our fork handler runs in the child of every fork a loaded bash makes.
 * The child's page tables start without our code: each 64 KiB window of
 * it the handler enters is a page fault (the kernel maps a file's pages a
 * window at a time), and spread over .text the handler entered two, in
 * every child (issue 9).  Its functions go to one section, which the
 * linker places ahead of the rest of .text, next to the PLT they call.
 */
#ifndef TMPLCACHE_CHILDTEXT_H
#define TMPLCACHE_CHILDTEXT_H

#define TC_CHILD_TEXT __attribute__((section(".text.hot.tmplcache_child")))

#endif
