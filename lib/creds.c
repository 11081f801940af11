/* creds.c - the caller's credentials, to tie a template to its creator.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The RFC's kernel lets only the creator's credential object spawn from a
 * template.  Userspace cannot see that object; it compares what it can
 * read: real, effective and saved uid and gid, and the supplementary
 * groups.  (A forked child keeps equal values, so it may go on using the
 * parent's templates here; see spawn_template_spawn(3), NOTES.)
 *
 * Read at every spawn (getresuid, getresgid, getgroups), not cached: a
 * process's ids change only by its own calls (set*id, setgroups, a user
 * namespace entered, or the uid_map written for one), but the library
 * sees none of them -- libc keeps no counter, and a dlopen'ed library
 * cannot interpose libc's set*id -- and they do happen in a caller such
 * as bash (`set +p` drops a setuid shell's ids with setuid(getuid())).
 * Checking in the child instead costs the same three calls there and
 * would make EACCES a child's failure instead of an error before any
 * child; /proc/self/status costs three calls too.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int st_creds_current(struct st_creds *c, gid_t *buf, int nbuf)
{
	int n;

	if (getresuid(&c->ruid, &c->euid, &c->suid) ||
	    getresgid(&c->rgid, &c->egid, &c->sgid))
		return errno;

	/* Usually the groups fit the caller's buffer: one syscall.  (Not
	 * with nbuf 0: getgroups(0) only counts.) */
	if (nbuf > 0) {
		n = getgroups(nbuf, buf);
		if (n >= 0) {
			c->ngroups = n;
			c->groups = buf;
			return 0;
		}
		if (errno != EINVAL)
			return errno;
	}

	/* More groups than the buffer: ask the count, allocate, retry (the
	 * list may grow in between, from another thread's setgroups). */
	for (;;) {
		gid_t *g;

		n = getgroups(0, NULL);
		if (n < 0)
			return errno;
		g = malloc(((size_t)n + 1) * sizeof(*g));
		if (!g)
			return ENOMEM;
		n = getgroups(n, g);
		if (n >= 0) {
			c->ngroups = n;
			c->groups = g;
			return 0;
		}
		free(g);
		if (errno != EINVAL)
			return errno;
	}
}

int st_creds_detach(struct st_creds *c, const gid_t *buf)
{
	gid_t *g;

	if (c->groups != buf)
		return 0;
	g = malloc(((size_t)c->ngroups + 1) * sizeof(*g));
	if (!g)
		return ENOMEM;
	memcpy(g, buf, (size_t)c->ngroups * sizeof(*g));
	c->groups = g;
	return 0;
}

void st_creds_release(struct st_creds *c, const gid_t *buf)
{
	if (c->groups != buf)
		free(c->groups);
	c->groups = NULL;
}

bool st_creds_equal(const struct st_creds *a, const struct st_creds *b)
{
	return a->ruid == b->ruid && a->euid == b->euid && a->suid == b->suid &&
	       a->rgid == b->rgid && a->egid == b->egid && a->sgid == b->sgid &&
	       a->ngroups == b->ngroups &&
	       (!a->ngroups ||
		!memcmp(a->groups, b->groups, (size_t)a->ngroups * sizeof(gid_t)));
}
