/* registry.c - the userspace backend's templates, by fd number.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A userspace template fd is an O_PATH fd to the executable; what the
 * kernel would keep in the template object (identity key, path, creator's
 * credentials) lives here, in a table indexed by the fd number.  The caller
 * closes a template with close(), which we never see, so an entry can
 * outlive its fd: a lookup therefore checks that the fd still names the
 * recorded inode with the recorded open flags (an O_PATH fd: a plain
 * open() of the same executable at that number is no template; an O_PATH
 * reopen of it cannot be told apart), and create replaces whatever was
 * recorded at its number.
 * Entries are never removed on a failed lookup: a concurrent create may
 * just have recorded a fresh one at that number.
 *
 * One mutex guards the table; lookups copy what they need and unlock before
 * any further system call.  pthread_atfork() holds the mutex across fork()
 * so a forked child never inherits it locked (a child keeps the table: its
 * fds and credentials are the parent's).
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct entry {
	struct st_identity id;
	int oflags;		/* F_GETFL of the template fd */
	char *path;		/* the name exec uses, or NULL */
	bool path_created;	/* path is the caller's: revalidate it */
	struct st_creds creds;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry **slots;	/* slots[fd], NULL when none */
static size_t nslots;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_release(void)
{
	pthread_mutex_unlock(&lock);
}

static void register_atfork(void)
{
	/* Failure (ENOMEM) only loses the fork protection. */
	(void)pthread_atfork(fork_prepare, fork_release, fork_release);
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free(e->path);
	free(e->creds.groups);
	free(e);
}

int st_registry_add(int fd, const struct st_identity *id, int oflags,
		    char *path, bool path_created, struct st_creds *creds)
{
	struct entry *e, *old = NULL;
	int err = 0;

	pthread_once(&atfork_once, register_atfork);

	e = malloc(sizeof(*e));
	if (!e)
		return ENOMEM;
	*e = (struct entry){ .id = *id, .oflags = oflags, .path = path,
			     .path_created = path && path_created,
			     .creds = *creds };

	pthread_mutex_lock(&lock);
	if ((size_t)fd >= nslots) {
		size_t n = nslots ? nslots : 64;
		struct entry **s;

		while (n <= (size_t)fd)
			n *= 2;
		s = realloc(slots, n * sizeof(*s));
		if (!s) {
			err = ENOMEM;
			goto out;
		}
		memset(s + nslots, 0, (n - nslots) * sizeof(*s));
		slots = s;
		nslots = n;
	}
	old = slots[fd];
	slots[fd] = e;
out:
	pthread_mutex_unlock(&lock);
	if (err) {
		free(e);
		return err;
	}
	entry_free(old);	/* a closed template's leftovers */
	creds->groups = NULL;
	return 0;
}

/* The entry registered for FD, if it still describes the open file ST
 * with flags OFLAGS; call with the lock held. */
static const struct entry *entry_at(int fd, const struct stat *st, int oflags)
{
	const struct entry *e = (size_t)fd < nslots ? slots[fd] : NULL;

	if (!e || !st_identity_same_inode(&e->id, st) || e->oflags != oflags)
		return NULL;
	return e;
}

int st_registry_lookup(int fd, const struct stat *st, int oflags,
		       const struct st_creds *now,
		       struct st_template_info *out)
{
	const struct entry *e;
	int err = 0;

	pthread_once(&atfork_once, register_atfork);

	pthread_mutex_lock(&lock);
	e = entry_at(fd, st, oflags);
	if (!e) {
		err = EINVAL;
	} else {
		out->creds_match = st_creds_equal(&e->creds, now);
		out->id = e->id;
		out->has_path = e->path_created;
		out->has_name = e->path != NULL;
		if (e->path)
			strcpy(out->path, e->path);	/* < PATH_MAX */
	}
	pthread_mutex_unlock(&lock);
	return err;
}

int st_registry_dup(int fd, const struct stat *st, int oflags, int newfd)
{
	struct st_creds creds = { 0 };
	struct st_identity id = { 0 };
	char *path = NULL;
	bool path_created = false;
	const struct entry *e;
	int err = 0;

	pthread_once(&atfork_once, register_atfork);

	/* The copies are made under the lock: the entry may be replaced
	 * (and freed) by a create at fd as soon as we unlock.  malloc here
	 * cannot deadlock with a fork: fork takes malloc's locks only after
	 * our prepare handler has taken this one. */
	pthread_mutex_lock(&lock);
	e = entry_at(fd, st, oflags);
	if (!e) {
		err = EINVAL;
	} else {
		id = e->id;
		path_created = e->path_created;
		creds = e->creds;
		creds.groups = malloc(((size_t)creds.ngroups + 1) *
				      sizeof(*creds.groups));
		if (e->path)
			path = strdup(e->path);
		if (!creds.groups || (e->path && !path))
			err = ENOMEM;
		else
			memcpy(creds.groups, e->creds.groups,
			       (size_t)creds.ngroups * sizeof(*creds.groups));
	}
	pthread_mutex_unlock(&lock);
	if (!err)
		err = st_registry_add(newfd, &id, oflags, path, path_created,
				      &creds);
	if (err) {
		free(path);
		free(creds.groups);
	}
	return err;
}
