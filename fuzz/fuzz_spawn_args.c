/* fuzz_spawn_args.c - libFuzzer target: spawn_template_spawn() argument
 * and action validation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Arbitrary bytes become the template fd choice, the struct size, the
 * spawn args struct and up to SPAWN_TEMPLATE_MAX_ACTIONS actions.  No
 * child may ever be made: the one real template pins a file that was
 * deleted after creation, so a call that passes every check ends in
 * ESTALE, the last check before clone.  The call must not crash and must
 * fail with an errno spawn_template_spawn(3) documents.
 *
 * Pointer fields are made to point at real memory (or stay 0, or, for a
 * sigset, stay raw when the library reads it with process_vm_readv and
 * so cannot fault): passing wild pointers is the caller's bug, as with
 * any libc call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "spawntemplate.h"

static int stale_tmpl = -1, devnull = -1;
static int raw_sigset_ok;	/* process_vm_readv works on ourselves */

static void setup(void)
{
	char path[] = "/tmp/fuzz-spawn-XXXXXX";
	struct spawn_template_create_args ca = {
		.flags = SPAWN_TEMPLATE_CREATE_CLOEXEC,
		.execfd = SPAWN_TEMPLATE_NO_EXECFD,
	};
	int out = mkstemp(path), in = open("/proc/self/exe", O_RDONLY);
	char buf[65536];
	ssize_t n;
	long probe = 0, got = 0;
	struct iovec l = { &got, sizeof(got) }, r = { &probe, sizeof(probe) };

	if (out < 0 || in < 0)
		abort();
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			abort();
	fchmod(out, 0755);
	close(in);
	close(out);
	ca.filename = (uintptr_t)path;
	stale_tmpl = spawn_template_create(&ca, sizeof(ca));
	if (stale_tmpl < 0) {
		perror("fuzz_spawn_args: spawn_template_create");
		abort();
	}
	unlink(path);		/* from now on every valid spawn is ESTALE */
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	raw_sigset_ok = process_vm_readv(getpid(), &l, 1, &r, 1, 0) == sizeof(got);
}

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct reader *r, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = 0; i < bytes; i++) {
		v <<= 8;
		if (r->n) {
			v |= *r->p++;
			r->n--;
		}
	}
	return v;
}

static int allowed(int err)
{
	switch (err) {
	case EBADF: case EINVAL: case E2BIG: case EACCES: case ESTALE:
	case ENOTSUP: case EAGAIN: case ENOMEM:
	case EFAULT:	/* a bad pointer among the fuzzed fields */
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spawn_template_action actions[SPAWN_TEMPLATE_MAX_ACTIONS];
	static struct spawn_template_sigset sets[4];
	static __u64 sigbits[4];
	static char *const argv[] = { "x", NULL }, *const envp[] = { NULL };
	struct reader r = { data, size };
	unsigned char *buf;
	struct spawn_template_spawn_args *a;
	size_t usize;
	int fd, pidfd = -1, child_err = 0;
	unsigned choice, ptrs;
	pid_t pid;

	if (stale_tmpl < 0)
		setup();

	choice = (unsigned)take(&r, 1);
	fd = choice % 5 == 0 ? -1 : choice % 5 == 1 ? devnull :
	     choice % 5 == 2 ? 1000 : stale_tmpl;
	/* Sizes around the versions and the page bound matter most. */
	usize = (size_t)take(&r, 2) % 4200;
	buf = calloc(1, usize + sizeof(*a));
	if (!buf)
		return 0;
	for (size_t i = 0; i < usize && r.n; i++)
		buf[i] = (unsigned char)take(&r, 1);
	a = (struct spawn_template_spawn_args *)buf;

	ptrs = (unsigned)take(&r, 1);
	if (ptrs & 1)
		a->pidfd = (uintptr_t)&pidfd;
	else if (ptrs & 2)
		a->pidfd = 0;
	a->argv = ptrs & 4 ? (uintptr_t)argv : 0;
	a->envp = ptrs & 8 ? (uintptr_t)envp : 0;
	if (!(ptrs & 16))
		a->actions_len %= SPAWN_TEMPLATE_MAX_ACTIONS + 8;
	a->actions = ptrs & 32 ? 0 : (uintptr_t)actions;

	memset(actions, 0, sizeof(actions));
	for (size_t i = 0; i < SPAWN_TEMPLATE_MAX_ACTIONS && r.n; i++) {
		struct spawn_template_action *x = &actions[i];
		unsigned fix = (unsigned)take(&r, 1);

		x->type = (__u32)take(&r, 1) | (fix & 1 ? 0x100 : 0);
		x->fd = (__s32)take(&r, 2) - (fix & 2 ? 0x8000 : 0);
		x->newfd = (__s32)take(&r, 2) - (fix & 4 ? 0x8000 : 0);
		x->flags = (__u32)take(&r, 4);
		x->arg = take(&r, fix & 8 ? 8 : 1);
		if ((x->type == SPAWN_TEMPLATE_ACTION_SIGMASK ||
		     x->type == SPAWN_TEMPLATE_ACTION_SIGDEFAULT) &&
		    (!raw_sigset_ok || !(fix & 16))) {
			struct spawn_template_sigset *s = &sets[i % 4];

			s->sigset = (uintptr_t)&sigbits[i % 4];
			s->sigsetsize = fix & 32 ? take(&r, 1) :
					SPAWN_TEMPLATE_SIGSET_SIZE;
			x->arg = (uintptr_t)s;
		} else if (x->type == SPAWN_TEMPLATE_ACTION_X_ERRNO && (fix & 64)) {
			x->arg = (uintptr_t)&child_err;
		}
	}

	errno = 0;
	pid = spawn_template_spawn(fd, a, usize);
	if (pid >= 0) {
		fprintf(stderr, "fuzz_spawn_args: a child was made (pid %d)\n", pid);
		abort();
	}
	if (!allowed(errno)) {
		fprintf(stderr, "fuzz_spawn_args: undocumented errno %d (%s)\n",
			errno, strerror(errno));
		abort();
	}
	free(buf);
	return 0;
}
