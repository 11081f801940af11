/* scratch.c - per-thread memory the library owns, for a caller's args.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The userspace backends read a caller's argument memory with
 * process_vm_readv (validate.c), so that a bad pointer is EFAULT as in
 * the kernel: one system call per spawn for the args struct and the
 * actions after it.  Memory the library itself owns needs no such check:
 * it is there for as long as the thread is.  A caller that builds its
 * args struct (and actions, and X_ERRNO ints) in this thread's scratch
 * saves that call; nothing is lost, since no bad pointer can be there.
 * What lies outside it is read and probed as usual.
 */
#include <config.h>

#include <stdint.h>

#include "internal.h"

/* Room for the args struct and a few dozen actions. */
static _Thread_local unsigned char scratch[ST_SCRATCH_SIZE]
	__attribute__((aligned(64)));

void *spawn_template_x_scratch(size_t *size)
{
	if (size)
		*size = sizeof(scratch);
	return scratch;
}

bool st_in_scratch(__u64 addr, size_t len)
{
	__u64 base = (uintptr_t)scratch;

	return addr >= base && len <= sizeof(scratch) &&
	       addr - base <= sizeof(scratch) - len;
}

size_t st_scratch_left(__u64 addr)
{
	__u64 base = (uintptr_t)scratch;

	return st_in_scratch(addr, 0) ? (size_t)(base + sizeof(scratch) - addr) : 0;
}
