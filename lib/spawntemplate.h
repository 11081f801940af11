/* spawntemplate.h - the spawn_template ABI as a C library.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Linux RFC "exec: add spawn templates for repeated executable startup"
 * proposes two system calls.  spawn_template_create() pins an ELF executable
 * and returns a template fd; spawn_template_spawn() starts a child from it
 * with per-spawn fd, cwd and signal actions and returns its pid and a pidfd.
 * The child still goes through execve, so security is unchanged.
 *
 * This library offers that ABI.  It issues the real system calls when the
 * running kernel has them (and the build knows their numbers), and otherwise
 * gives the same behaviour in userspace with clone(CLONE_VM|CLONE_VFORK) and
 * an exec of the pinned executable.  See spawn_template_create(3) and
 * spawn_template_spawn(3).
 *
 * Process name: every backend names the child as execve() of the template's
 * path names it (comm = the path's basename, AT_EXECFN = the path, so ps,
 * pgrep and pkill find it): the kernel passes that path to its exec, and
 * the userspace backends execve() the path itself, after checking in the
 * child that it still names the pinned file (the identity key, with
 * statx).  A rename over the path between that check and the exec's lookup
 * can still change what runs: the window a stock shell has between its
 * command lookup and execve(); the kernel backend has none.  An
 * execfd-created template is named after the file's path at creation;
 * where that path no longer leads to the pinned file, the userspace child
 * execs the fd (execveat AT_EMPTY_PATH, named "/dev/fd/N"; before Linux
 * 6.14 comm is then "N"), checked the same way.
 *
 * Calling convention: like libc wrappers, the functions return -1 and set
 * errno on failure.  Every validation error is reported before any child
 * exists, with the errno the RFC's kernel code uses.  (The RFC's code finds
 * three of them only in its child -- DUP2 with fd == newfd and flags, a
 * sigset of the wrong size, bad open_how flags of OPEN -- and ends the child
 * with status 1; both our backends, and our reference kernel, report them
 * as EINVAL from the call instead.)
 *
 * Struct layout: pointers travel as __u64 (as in the kernel UAPI) and the
 * argument structs are size-versioned like clone3(): the caller passes
 * sizeof(its struct).  A size smaller than version 0 fails with EINVAL; a
 * larger size is accepted when every byte past the structure this library
 * knows is zero, and fails with E2BIG otherwise.
 */
#ifndef SPAWNTEMPLATE_H
#define SPAWNTEMPLATE_H

#include <linux/types.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- spawn_template_create() ------------------------------------------ */

/* Set O_CLOEXEC on the returned template fd. */
#define SPAWN_TEMPLATE_CREATE_CLOEXEC		(1ULL << 0)
/* Extension (bits 32-63; not in the RFC): do not deny writes to the
 * executable while the template exists.  An in-place write then succeeds,
 * as it does while a stock shell remembers a path, and the next spawn
 * fails with ESTALE.  The userspace backends never deny writes and accept
 * it as a no-op; the kernel backend passes it to a kernel that has it
 * (the reference kernel's patch 0007, found by a probe once per process)
 * and refuses it with ENOTSUP otherwise.  spawn_template_extensions()
 * reports it. */
#define SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN	(1ULL << 32)

/* execfd value meaning "no fd: use filename". */
#define SPAWN_TEMPLATE_NO_EXECFD		(-1)

struct spawn_template_create_args {
	__u64 flags;		/* SPAWN_TEMPLATE_CREATE_* */
	__u64 filename;		/* const char *: absolute path, or 0 */
	__s32 execfd;		/* open fd of the executable, or -1 */
	__u32 __reserved;	/* must be zero */
	__u64 actions;		/* reserved: must be zero */
	__u64 actions_len;	/* reserved: must be zero */
};
#define SPAWN_TEMPLATE_CREATE_ARGS_SIZE_VER0	40

/* Exactly one of execfd (>= 0) and filename (non-zero, absolute) must be
 * given, or EINVAL.  The children are exec'd by filename (see "Process
 * name" above).  A relative filename fails with EINVAL.  Errors:
 * ENOEXEC  the file is not an ELF executable for this machine (scripts,
 *          binfmt_misc targets, garbage): use your normal exec path.  The
 *          userspace backend cannot read an execute-only file: it accepts
 *          it unchecked, and a non-ELF one then fails at exec (status 126);
 * EACCES   not a regular file, no execute permission, or a noexec mount;
 * EBADF    execfd is not an open fd;
 * and whatever open()/fstat() report for filename. */
int spawn_template_create(const struct spawn_template_create_args *args,
			  size_t size);

/* Extension, not in the RFC: duplicate a template fd to the lowest free
 * number >= minfd, like fcntl(F_DUPFD / F_DUPFD_CLOEXEC when cloexec is
 * non-zero), and return it; the new fd is a template under every backend.
 * A plain dup() of a template fd is a template under the kernel backend
 * only: the userspace backend knows its templates by fd number.  Errors:
 * those of fcntl(F_DUPFD), and EINVAL if template_fd is not a template. */
int spawn_template_dupfd(int template_fd, int minfd, int cloexec);

/* ---- spawn_template_spawn() ------------------------------------------- */

/* Keep inherited fds: without it the child closes every fd above 2 after
 * the actions have run (close_range(3, ~0U)). */
#define SPAWN_TEMPLATE_SPAWN_INHERIT_FDS	(1ULL << 0)
/* An extension, not in the RFC: make no pidfd, pidfd being 0 (required
 * otherwise), for a caller that would only close it: one system call
 * less.  The kernel backend, whose kernel always makes one, closes it. */
#define SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD		(1ULL << 32)

struct spawn_template_spawn_args {
	__u64 flags;		/* SPAWN_TEMPLATE_SPAWN_* */
	__u64 pidfd;		/* int *: receives the child's pidfd; required
				 * but with SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD */
	__u64 argv;		/* char *const *: NULL-terminated */
	__u64 envp;		/* char *const *: NULL-terminated */
	__u64 actions;		/* const struct spawn_template_action * */
	__u64 actions_len;	/* number of actions */
	__u64 reserved[4];	/* must be zero */
};
#define SPAWN_TEMPLATE_SPAWN_ARGS_SIZE_VER0	80

/* Returns the child's pid and stores a pidfd (O_CLOEXEC) at *pidfd.
 * Errors before any child exists:
 * EBADF    template_fd is not open;
 * EINVAL   template_fd is not a template, bad flags, pidfd == 0 (!= 0
 *          with SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD), a reserved
 *          field non-zero, a malformed action;
 * E2BIG    more than SPAWN_TEMPLATE_MAX_ACTIONS actions, or a larger struct
 *          with a non-zero tail;
 * EACCES   the caller's credentials are not the template creator's;
 * ESTALE   the executable changed since the template was made: its identity
 *          (device, inode, size, mode, uid, gid, ctime, mtime) differs, or,
 *          for a path-created template, the path no longer names it
 *          (replaced, deleted).  Close the template and make a new one, or
 *          use your normal exec path;
 * ENOTSUP  an extension action the active backend cannot do (see below);
 * EFAULT   unreadable argument memory, or a pidfd slot or X_ERRNO int
 *          that cannot be written (probed before clone without changing
 *          it: a futex FUTEX_WAKE_OP adding 0, or, for a slot in the
 *          pidfd slot's page, by clone's own write of the pidfd; see
 *          spawn_template_spawn(3) for the misaligned case);
 * and clone's errors (EAGAIN, ENOMEM).
 * Failures in the child, after it exists (an action or exec failing), end
 * the child with exit status 127 (ENOENT), 126 (EACCES, ENOEXEC) or 1
 * (anything else).  Under the userspace backends that includes ESTALE from
 * the identity check the child makes on the file it is about to exec: the
 * file changed after the call's own check, or another thread swapped the
 * template fd for another file meanwhile; the wrong file never runs. */
pid_t spawn_template_spawn(int template_fd,
			   const struct spawn_template_spawn_args *args,
			   size_t size);

/* ---- per-spawn actions --------------------------------------------------
 * Run in the child, in order, before exec.  The pinned executable survives
 * any of them: the library never lets an action close or replace it. */

struct spawn_template_action {
	__u32 type;		/* SPAWN_TEMPLATE_ACTION_* */
	__s32 fd;
	__s32 newfd;
	__u32 flags;
	__u64 arg;
};

enum {
	/* close(fd).  newfd, flags, arg: zero. */
	SPAWN_TEMPLATE_ACTION_CLOSE = 1,
	/* dup3(fd, newfd, flags); flags is 0 or O_CLOEXEC; arg zero.  When
	 * fd == newfd it only checks that fd is open (EBADF), flags must be 0. */
	SPAWN_TEMPLATE_ACTION_DUP2 = 2,
	/* fchdir(fd); fd must be a directory (ENOTDIR).  newfd, flags, arg:
	 * zero. */
	SPAWN_TEMPLATE_ACTION_FCHDIR = 3,
	/* openat2(fd, open->path, &open->how) installed at newfd; fd is a dirfd
	 * or AT_FDCWD; arg points to struct spawn_template_open; flags zero.
	 * The fd is close-on-exec only if how.flags has O_CLOEXEC. */
	SPAWN_TEMPLATE_ACTION_OPEN = 4,
	/* close_range(fd, (unsigned)newfd, flags); flags: CLOSE_RANGE_UNSHARE,
	 * CLOSE_RANGE_CLOEXEC.  newfd is read as unsigned, so -1 (~0U) means
	 * "to the highest fd".  fd >= 0 and fd <= (unsigned)newfd; arg zero. */
	SPAWN_TEMPLATE_ACTION_CLOSE_RANGE = 5,
	/* Set the child's signal mask; arg points to struct
	 * spawn_template_sigset.  SIGKILL and SIGSTOP are dropped from it.
	 * fd, newfd, flags: zero.  The mask takes effect at exec: the child
	 * runs every action with all signals blocked. */
	SPAWN_TEMPLATE_ACTION_SIGMASK = 6,
	/* Reset the dispositions of the signals in the set to SIG_DFL; arg
	 * points to struct spawn_template_sigset; SIGKILL and SIGSTOP are
	 * silently left alone.  fd, newfd, flags: zero.  Without it a signal
	 * the caller ignores stays ignored, as across execve. */
	SPAWN_TEMPLATE_ACTION_SIGDEFAULT = 7,

	/* ---- Extensions: not in the RFC.  The kernel backend refuses those
	 * its kernel lacks with ENOTSUP (before any child exists), so a
	 * caller can fall back; the reference kernel (kernel/) has X_ERRNO,
	 * and X_SETPGID and X_TCSETPGRP with its patch 0006 (found by a
	 * probe, once per process, at the first question about them: a
	 * template of /proc/self/exe and a spawn that fails before any
	 * child exists).  spawn_template_extensions() says which ones the
	 * active backend supports. */

	/* setpgid(0, arg) in the child: arg is the process group to join, 0
	 * for a new group led by the child.  fd, newfd, flags: zero. */
	SPAWN_TEMPLATE_ACTION_X_SETPGID = 0x100,
	/* tcsetpgrp(fd, arg) in the child, for a job-control shell handing
	 * the terminal to a foreground job before exec; arg is the process
	 * group, 0 for the child's own.  newfd, flags: zero.  Runs with every
	 * signal blocked, so SIGTTOU cannot stop it. */
	SPAWN_TEMPLATE_ACTION_X_TCSETPGRP = 0x101,
	/* Report the errno of a child-side failure: arg points to an int in
	 * the caller that receives 0 when exec succeeded, or the positive
	 * errno of the action or exec that failed (the child then ends with
	 * 127/126/1 as usual: the caller still reaps it).  Position in the
	 * list does not matter; fd, newfd, flags: zero. */
	SPAWN_TEMPLATE_ACTION_X_ERRNO = 0x102,
	/* SIGMASK with the set in arg itself (bit sig-1 for signal sig), not
	 * behind a pointer: one less read of the caller's memory.  SIGKILL
	 * and SIGSTOP are dropped; fd, newfd, flags: zero. */
	SPAWN_TEMPLATE_ACTION_X_SIGMASK_BITS = 0x103,
	/* SIGDEFAULT with the set in arg itself, as X_SIGMASK_BITS. */
	SPAWN_TEMPLATE_ACTION_X_SIGDEFAULT_BITS = 0x104,
	/* The caller states that the calling thread has every signal
	 * blocked (sigfillset + sigprocmask; glibc keeps its two internal
	 * signals open, which only ever target the caller's own threads)
	 * for the whole call, so the library does not block and restore
	 * the mask around clone itself: two system calls less.  The child
	 * starts with that mask and execs with every signal blocked unless
	 * a SIGMASK action says otherwise.  A caller that says so falsely
	 * may have a handler run while the child borrows its memory.
	 * Position does not matter; fd, newfd, flags, arg: zero. */
	SPAWN_TEMPLATE_ACTION_X_CALLER_BLOCKED = 0x105,
	/* SIG_IGN in the child for the signals of the set in arg (as
	 * X_SIGMASK_BITS), after every other action and SIGDEFAULT (so it
	 * wins over a SIGDEFAULT of the same signal): what a shell's child
	 * must ignore while the caller catches it or takes the default,
	 * with no change to the caller's own dispositions.  A signal
	 * already ignored costs the child nothing.  fd, newfd, flags:
	 * zero. */
	SPAWN_TEMPLATE_ACTION_X_SIGIGNORE_BITS = 0x106,
};

/* The most actions one spawn accepts; more fail with E2BIG. */
#define SPAWN_TEMPLATE_MAX_ACTIONS		256

struct spawn_template_open {
	struct open_how how;	/* flags, mode, resolve: as openat2(2) */
	__u64 path;		/* const char * */
};

struct spawn_template_sigset {
	__u64 sigset;		/* pointer to the set's bits */
	__u64 sigsetsize;	/* must be SPAWN_TEMPLATE_SIGSET_SIZE */
};

/* The kernel's sigset size (_NSIG / 8 = 8 on Linux).  A glibc sigset_t is
 * larger but starts with these bytes, so &set works as the pointer. */
#define SPAWN_TEMPLATE_SIGSET_SIZE		8

/* ---- backends -----------------------------------------------------------
 * Chosen once per process, at the first call, in this order:
 *   kernel  the spawn_template system calls (only when the library was
 *           built knowing their numbers and a probe does not get ENOSYS);
 *   clone3  userspace: clone3(CLONE_VM|CLONE_VFORK|CLONE_PIDFD);
 *   clone   userspace: clone() where clone3 is refused (seccomp ENOSYS).
 * The environment variable SPAWN_TEMPLATE_BACKEND, read at that first call,
 * forces one: "kernel", "userspace" (clone3 then clone), "clone3" or
 * "clone".  A forced backend that is not available makes every call fail
 * with ENOSYS. */

enum spawn_template_backend {
	SPAWN_TEMPLATE_BACKEND_NONE = 0,
	SPAWN_TEMPLATE_BACKEND_KERNEL = 1,
	SPAWN_TEMPLATE_BACKEND_CLONE3 = 2,
	SPAWN_TEMPLATE_BACKEND_CLONE = 3,
};

/* The active backend; NONE when none is usable. */
enum spawn_template_backend spawn_template_backend(void);

/* "kernel", "clone3", "clone" or "none". */
const char *spawn_template_backend_name(void);

/* Bit (1ULL << (type - 0x100)) is set for each extension action type the
 * active backend supports: all of them in userspace; in the kernel all
 * but X_SETPGID and X_TCSETPGRP, and those two when the running kernel
 * has them (the reference kernel's patch 0006).  An extension create flag
 * (bits 32-63) is reported as itself: SPAWN_TEMPLATE_CREATE_X_NOWRITEPIN
 * in userspace, and in the kernel when it has it (patch 0007). */
__u64 spawn_template_extensions(void);

/* An extension, not in the RFC: this thread's scratch memory, which the
 * library owns (*size bytes, at least 2048, 64-byte aligned).  An args
 * struct built there, with its actions (and X_ERRNO ints) there too, is
 * read without the check a caller's own memory needs (process_vm_readv,
 * so that a bad pointer is EFAULT): one system call less per spawn on
 * the userspace backends, and no guarantee less, since the memory is
 * known to be there.  What the struct points to elsewhere is read as
 * usual.  Valid until the calling thread exits; the library itself
 * never writes it.  Code that may interrupt a use of it on the same
 * thread (a signal handler) must not use it too. */
void *spawn_template_x_scratch(size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* SPAWNTEMPLATE_H */
