/* internal.h - what the files of libspawntemplate share; not installed.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef SPAWNTEMPLATE_INTERNAL_H
#define SPAWNTEMPLATE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "spawntemplate.h"

/* Only the public spawn_template_* functions leave the library (the
 * Makefile's -export-symbols-regex says so too); hidden visibility also
 * lets the compiler call these directly, not through the PLT. */
#pragma GCC visibility push(hidden)

/* Integer <-> pointer as the UAPI structs carry them. */
#define ST_PTR(u64) ((void *)(uintptr_t)(u64))

/* ---- validate.c: argument structs and actions (both backends) ------- */

/* The kernel's sigset: 64 bits (_NSIG = 64 on the architectures we
 * build for); the raw rt_sig* calls take its size, 8. */
typedef __u64 st_ksigset;

/* An action, checked, with what it points to copied (as the kernel's
 * copy_from_user would) so the child reads only the library's memory. */
struct st_op {
	struct spawn_template_action act;
	union {
		struct spawn_template_open open;	/* OPEN */
		st_ksigset set;		/* SIGMASK, SIGDEFAULT: no KILL/STOP */
	} u;
};

/* Our pid, cached until a fork (selfpid.c). */
pid_t st_self_pid(void);

/* Read len bytes of the caller's memory at src without risking SIGSEGV:
 * 0 or EFAULT (copy_from_user for userspace). */
int st_read_user(void *dst, __u64 src, size_t len);
/* usize below ver0: EINVAL; above one page (the kernel's bound): E2BIG. */
int st_check_struct_size(size_t usize, size_t ver0);
/* copy_struct_from_user(): copy min(usize, ksize) bytes, zero the rest;
 * a non-zero byte past ksize in the caller's struct: E2BIG; unreadable:
 * EFAULT. */
int st_copy_struct(void *dst, size_t ksize, const void *src, size_t usize);
/* Caller memory read ahead: the bytes [base, base + len) are in buf. */
struct st_read_ahead {
	__u64 base;
	size_t len;
	unsigned char buf[4096];
};
/* st_copy_struct that also reads, in the same process_vm_readv, what
 * follows the struct up to the end of its last page (readable if that
 * byte is), into *ra: actions laid out right after the struct then cost
 * no read of their own. */
int st_copy_struct_ahead(void *dst, size_t ksize, const void *src,
			 size_t usize, struct st_read_ahead *ra);
/* flags, pidfd, reserved[] of a copied spawn args struct: EINVAL. */
int st_check_spawn_args(const struct spawn_template_spawn_args *args);
/* Copy args->actions into ops (args->actions_len entries, at most
 * SPAWN_TEMPLATE_MAX_ACTIONS) with what they point to, and check each one:
 * E2BIG for too many, EINVAL for a malformed one, EFAULT for unreadable
 * memory; the first faulty action decides.  One process_vm_readv per
 * level of indirection (array, open_how and sigset headers, sets); none
 * for the array when ra (or NULL) already holds it. */
int st_prepare_actions(struct st_op *ops,
		       const struct spawn_template_spawn_args *args,
		       const struct st_read_ahead *ra);
/* Is type one of the SPAWN_TEMPLATE_ACTION_X_* extensions? */
bool st_action_is_extension(__u32 type);

/* Can the library store an int at each of the n caller addresses (the
 * X_ERRNO slots; clone checks the pidfd slot itself)?  0 or EFAULT, and nothing changes: one
 * futex(FUTEX_WAKE_OP) per slot adds 0 to it atomically, waking no one; a
 * misaligned slot is read and written back with process_vm_readv/writev.
 * Where neither can tell (filtered, no CROSS_MEMORY_ATTACH) it says 0. */
int st_check_out_ints(const __u64 *addrs, size_t n);
/* Field checks of spawn_template_create_args (after the copy): EINVAL. */
int st_check_create_args(const struct spawn_template_create_args *args);

/* ---- scratch.c: this thread's memory of ours, for a caller's args ------ */
#define ST_SCRATCH_SIZE 2048
/* Do the len bytes at addr lie wholly in this thread's scratch? */
bool st_in_scratch(__u64 addr, size_t len);
/* The bytes of this thread's scratch from addr on (0: not in it). */
size_t st_scratch_left(__u64 addr);

/* ---- identity.c: the executable identity key ------------------------- */

struct st_identity {
	dev_t dev;
	ino_t ino;
	off_t size;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ctime;
	struct timespec mtime;
};

void st_identity_from_stat(struct st_identity *id, const struct stat *st);
bool st_identity_equal(const struct st_identity *a,
		       const struct st_identity *b);
bool st_identity_same_inode(const struct st_identity *a,
			    const struct stat *st);

/* ---- creds.c: the caller's credentials ------------------------------ */

struct st_creds {
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int ngroups;
	gid_t *groups;		/* ngroups entries */
};

/* Fill c with the calling thread's ids; groups point into buf (nbuf
 * entries) when they fit, otherwise into malloc'd memory that
 * st_creds_release() frees. Returns 0 or an errno. */
int st_creds_current(struct st_creds *c, gid_t *buf, int nbuf);
void st_creds_release(struct st_creds *c, const gid_t *buf);
/* Make c->groups malloc'd (for keeping c beyond buf's life). 0 or ENOMEM. */
int st_creds_detach(struct st_creds *c, const gid_t *buf);
/* Same ids and the same supplementary groups (in the same order, as
 * getgroups() reports them). */
bool st_creds_equal(const struct st_creds *a, const struct st_creds *b);

/* ---- elf.c ----------------------------------------------------------- */

/* 0 if fd (readable) starts with an ELF header this machine can run,
 * ENOEXEC if not, or the errno of the read. */
int st_elf_check(int fd);

/* ---- registry.c: template metadata by fd number ---------------------- */

struct st_template_info {
	struct st_identity id;	/* identity key at creation */
	bool has_path;		/* path-created: revalidate path too */
	bool has_name;		/* path holds the name the child execs by */
	bool creds_match;	/* the caller's are the creator's */
	char path[4096];	/* PATH_MAX; absolute, when has_name */
};

/* Record a new template at fd (replacing any stale entry).  path is the
 * absolute name exec uses (the caller's path, or for an execfd-created
 * template the file's path at creation, or NULL); path_created says it is
 * the caller's and must still name the file.  Takes ownership of path and
 * creds->groups (malloc'd) on success. 0 or ENOMEM. */
int st_registry_add(int fd, const struct st_identity *id, int oflags,
		    char *path, bool path_created, struct st_creds *creds);
/* Look up fd, whose fstat() is st and F_GETFL oflags. EINVAL: no
 * template there (the fd number now names another file, or the same file
 * opened another way); on 0, *out holds a copy of the entry, and
 * out->creds_match whether now equals the creator's credentials. */
int st_registry_lookup(int fd, const struct stat *st, int oflags,
		       const struct st_creds *now,
		       struct st_template_info *out);
/* Record at newfd a copy of the entry at fd (checked as the lookup checks
 * it: EINVAL), creator's credentials included, as a dup of the kernel's
 * template fd refers to the same template.  0, EINVAL or ENOMEM. */
int st_registry_dup(int fd, const struct stat *st, int oflags, int newfd);

/* ---- backend.c: which way to spawn, chosen once ----------------------- */

enum spawn_template_backend st_backend(void);
/* clone3 failed with ENOSYS at run time (a seccomp filter installed after
 * the probe): use clone from now on, unless clone3 was forced. Returns
 * the backend to use now. */
enum spawn_template_backend st_backend_clone3_gone(void);

/* ---- kernel.c: the real system calls ---------------------------------- */

/* true when this build knows the syscall numbers. */
bool st_kernel_built_in(void);
/* 1 if the running kernel has the calls, 0 if not (probe, not cached). */
int st_kernel_probe(void);
/* The extension actions the kernel backend supports (spawntemplate.h). */
__u64 st_kernel_extensions(void);
int st_kernel_create(const struct spawn_template_create_args *args,
		     size_t size);
pid_t st_kernel_spawn(int template_fd,
		      const struct spawn_template_spawn_args *args,
		      size_t size);

/* ---- clone3.c: raw clone3 with a child function ------------------------ */

struct st_clone_args {		/* struct clone_args, CLONE_ARGS_SIZE_VER0 */
	__u64 flags;
	__u64 pidfd;
	__u64 child_tid;
	__u64 parent_tid;
	__u64 exit_signal;
	__u64 stack;
	__u64 stack_size;
	__u64 tls;
};

/* true when this build has a clone3 trampoline for this architecture. */
bool st_clone3_built_in(void);
/* clone3(args) running fn(arg) in the child on args->stack; returns the
 * pid in the parent or -errno. The child never returns from here. */
long st_clone3(struct st_clone_args *args, int (*fn)(void *), void *arg);

/* ---- child.c / spawn-userspace.c: the clone path ---------------------- */

/* Shared between the parent and the child (CLONE_VM): the parent fills it
 * before clone and is frozen (CLONE_VFORK) until the child has exec'd or
 * exited, then reads err. */
struct st_child {
	int exec_fd;		/* the template's O_PATH fd; -1: exec by path */
	bool move_exec_fd;	/* an action replaces/closes exec_fd's number */
	/* Exec by this absolute name, so the kernel names the child as
	 * execve(path) does; NULL: execveat(exec_fd, "", AT_EMPTY_PATH). */
	const char *exec_path;
	/* exec_path must be the pinned file (else ESTALE); false: when it is
	 * not, exec through exec_fd (an execfd-created template's name). */
	bool path_must_match;
	/* The identity key, as statx reports it: checked in the child on the
	 * very file it execs (after the last action, before exec). */
	__u32 dev_major, dev_minor;
	struct st_identity id;
	bool inherit_fds;	/* SPAWN_TEMPLATE_SPAWN_INHERIT_FDS */
	bool reset_handlers;	/* no CLONE_CLEAR_SIGHAND: reset by hand */
	char *const *argv;
	char *const *envp;
	const struct st_op *ops;
	size_t nops;
	st_ksigset caller_mask;	/* the mask at exec without SIGMASK */
	volatile int err;	/* child: positive errno of what failed */
};

/* THE child function (child.c): actions, fd closing, exec. */
int st_child_main(void *arg);

/* The parent half (spawn-userspace.c). exec_fd, the template's entry, args
 * and the prepared actions; returns the pid or -1/errno. */
pid_t st_userspace_spawn(int exec_fd, const struct st_template_info *tmpl,
			 const struct spawn_template_spawn_args *args,
			 const struct st_op *ops, size_t nops);

/* ---- create.c / spawn.c: the userspace halves of the public calls ------ */

int st_userspace_create(const struct spawn_template_create_args *args,
			size_t size);
pid_t st_userspace_spawn_checked(int template_fd,
				 const struct spawn_template_spawn_args *args,
				 size_t size);

#pragma GCC visibility pop

#endif /* SPAWNTEMPLATE_INTERNAL_H */
