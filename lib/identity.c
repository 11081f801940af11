/* identity.c - the executable identity key, as the RFC defines it.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Device, inode, size, mode, owner, group, ctime and mtime (with their
 * nanoseconds).  Any write, chmod, chown, truncate or link change moves
 * ctime, so an in-place rewrite of the executable changes the key even when
 * size and mtime are forged back.
 */
#include <config.h>

#include "internal.h"

void st_identity_from_stat(struct st_identity *id, const struct stat *st)
{
	*id = (struct st_identity){
		.dev = st->st_dev,
		.ino = st->st_ino,
		.size = st->st_size,
		.mode = st->st_mode,
		.uid = st->st_uid,
		.gid = st->st_gid,
		.ctime = st->st_ctim,
		.mtime = st->st_mtim,
	};
}

static bool timespec_equal(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

bool st_identity_equal(const struct st_identity *a,
		       const struct st_identity *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mode == b->mode && a->uid == b->uid && a->gid == b->gid &&
	       timespec_equal(&a->ctime, &b->ctime) &&
	       timespec_equal(&a->mtime, &b->mtime);
}

bool st_identity_same_inode(const struct st_identity *a,
			    const struct stat *st)
{
	return a->dev == st->st_dev && a->ino == st->st_ino;
}
