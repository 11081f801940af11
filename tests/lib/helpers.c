/* helpers.c - shared pieces of the libspawntemplate tests.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* ---- childview and templates ----------------------------------------- */

const char *childview_path(void)
{
	static char path[PATH_MAX + 16];
	const char *env = getenv("CHILDVIEW");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (path[0])
		return path;
	if (env && env[0]) {
		/* The library wants an absolute path. */
		if (!realpath(env, path))
			check_fatal(__FILE__, __LINE__, "CHILDVIEW=%s: %m", env);
		return path;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		check_fatal(__FILE__, __LINE__, "readlink /proc/self/exe: %m");
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/childview", self);
	if (access(path, X_OK) != 0) {
		/* A libtool wrapper runs us from .libs/. */
		snprintf(path, sizeof(path), "%s/../childview", self);
		if (access(path, X_OK) != 0)
			check_fatal(__FILE__, __LINE__, "childview not found "
				    "next to the test program; set CHILDVIEW");
	}
	return path;
}

int create_template(const char *path, int execfd, __u64 flags)
{
	struct spawn_template_create_args a = {
		.flags = flags,
		.filename = PTR(path),
		.execfd = execfd,
	};

	return spawn_template_create(&a, sizeof(a));
}

int template_for(const char *path, const char *file, int line)
{
	int fd = create_template(path, SPAWN_TEMPLATE_NO_EXECFD,
				 SPAWN_TEMPLATE_CREATE_CLOEXEC);

	check_ok(fd, errno, file, line, "spawn_template_create(path)");
	return fd;
}

bool extension_supported(__u32 type)
{
	return spawn_template_extensions() & (1ULL << (type - 0x100));
}

/* ---- actions ---------------------------------------------------------- */

struct spawn_template_action act_close(int fd)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_CLOSE, .fd = fd };
}

struct spawn_template_action act_dup2(int fd, int newfd, __u32 flags)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_DUP2, .fd = fd, .newfd = newfd,
		.flags = flags };
}

struct spawn_template_action act_fchdir(int fd)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_FCHDIR, .fd = fd };
}

struct spawn_template_action act_open(int dirfd, int newfd,
				      struct spawn_template_open *open)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_OPEN, .fd = dirfd,
		.newfd = newfd, .arg = PTR(open) };
}

struct spawn_template_action act_close_range(int fd, int newfd, __u32 flags)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_CLOSE_RANGE, .fd = fd,
		.newfd = newfd, .flags = flags };
}

struct spawn_template_action act_sigmask(struct spawn_template_sigset *set)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_SIGMASK, .arg = PTR(set) };
}

struct spawn_template_action act_sigdefault(struct spawn_template_sigset *set)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_SIGDEFAULT, .arg = PTR(set) };
}

struct spawn_template_action act_setpgid(pid_t pgid)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_X_SETPGID, .arg = (__u64)pgid };
}

struct spawn_template_action act_tcsetpgrp(int fd, pid_t pgrp)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_X_TCSETPGRP, .fd = fd,
		.arg = (__u64)pgrp };
}

struct spawn_template_action act_errno(int *err)
{
	return (struct spawn_template_action){
		.type = SPAWN_TEMPLATE_ACTION_X_ERRNO, .arg = PTR(err) };
}

struct spawn_template_sigset sigset_of(const sigset_t *set)
{
	return (struct spawn_template_sigset){
		.sigset = PTR(set), .sigsetsize = SPAWN_TEMPLATE_SIGSET_SIZE };
}

/* ---- what the child saw ----------------------------------------------- */

static void view_parse(struct view *v, char *text)
{
	size_t cap = 0;
	char *p = text, *nl;

	v->text = text;
	v->lines = NULL;
	v->nlines = 0;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;	/* last, unterminated */
		if (v->nlines == cap) {
			cap = cap ? 2 * cap : 64;
			v->lines = realloc(v->lines, cap * sizeof(*v->lines));
			REQUIRE(v->lines);
		}
		v->lines[v->nlines++] = p;
		if (nl[0] == '\n')
			nl[0] = '\0';
		else
			break;
	}
}

const char *view_get(const struct view *v, const char *key)
{
	size_t klen = strlen(key), i;

	for (i = 0; i < v->nlines; i++) {
		const char *l = v->lines[i];

		if (strncmp(l, key, klen) == 0 && l[klen] == ' ')
			return l + klen + 1;
		if (strcmp(l, key) == 0)
			return l + klen;
	}
	return NULL;
}

long long view_num(const struct view *v, const char *key, long long def)
{
	const char *s = view_get(v, key);

	return s ? strtoll(s, NULL, 10) : def;
}

unsigned long long view_hex(const struct view *v, const char *key)
{
	const char *s = view_get(v, key);

	return s ? strtoull(s, NULL, 16) : ~0ULL;
}

/* The rest of the line "key N rest" for number n. */
static const char *view_get_indexed(const struct view *v, const char *key,
				    int n)
{
	size_t klen = strlen(key), i;

	for (i = 0; i < v->nlines; i++) {
		const char *l = v->lines[i];
		char *end;

		if (strncmp(l, key, klen) != 0 || l[klen] != ' ')
			continue;
		if (strtol(l + klen + 1, &end, 10) == n && *end == ' ')
			return end + 1;
	}
	return NULL;
}

const char *view_fd(const struct view *v, int fd)
{
	return view_get_indexed(v, "fd", fd);
}

int view_fdfl(const struct view *v, int fd)
{
	const char *s = view_get_indexed(v, "fdfl", fd);

	return s ? (int)strtol(s, NULL, 8) : -1;
}

int view_nfds(const struct view *v)
{
	size_t i;
	int n = 0;

	for (i = 0; i < v->nlines; i++)
		if (strncmp(v->lines[i], "fd ", 3) == 0)
			n++;
	return n;
}

bool view_complete(const struct view *v)
{
	return v->nlines && strcmp(v->lines[v->nlines - 1], "end") == 0;
}

void view_free(struct view *v)
{
	free(v->text);
	free(v->lines);
	v->text = NULL;
	v->lines = NULL;
	v->nlines = 0;
}

void check_child_fds(const struct view *v, const struct fdset *want,
		     const char *file, int line)
{
	bool ok = view_complete(v) && view_nfds(v) == want->n;
	int i;

	for (i = 0; ok && i < want->n; i++)
		ok = view_fd(v, want->fd[i]) != NULL;
	check_true(ok, file, line, "the child's fds are the expected ones");
	if (ok)
		return;
	fprintf(stderr, "  want:");
	for (i = 0; i < want->n; i++)
		fprintf(stderr, " %d", want->fd[i]);
	fprintf(stderr, "\n  child:");
	for (size_t j = 0; j < v->nlines; j++)
		if (strncmp(v->lines[j], "fd ", 3) == 0)
			fprintf(stderr, " [%s]", v->lines[j] + 3);
	fprintf(stderr, "%s\n", view_complete(v) ? "" : " (incomplete)");
}

/* ---- spawning ----------------------------------------------------------- */

int waitid_pidfd(int pidfd, siginfo_t *info, int options)
{
	memset(info, 0, sizeof(*info));
	return (int)syscall(SYS_waitid, P_PIDFD, pidfd, info, options, NULL);
}

int pidfd_send_signal_raw(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	REQUIRE(buf);
	for (;;) {
		if (cap - len < 1024) {
			cap *= 2;
			buf = realloc(buf, cap);
			REQUIRE(buf);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		REQUIRE(n >= 0);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

void reap_run(struct run *r)
{
	siginfo_t info;
	int rc;

	do
		rc = waitid_pidfd(r->pidfd, &info, WEXITED);
	while (rc < 0 && errno == EINTR);
	check_ok(rc, errno, __FILE__, __LINE__, "waitid(P_PIDFD)");
	check_eq(info.si_pid, r->pid, __FILE__, __LINE__, "info.si_pid",
		 "the spawned pid");
	r->code = info.si_code;
	r->status = info.si_status;
	close(r->pidfd);
	r->pidfd = -1;
}

int run_child(int tfd, const struct run_opts *o, struct run *r)
{
	static const char *const default_env[] = { "CHILDVIEW_TEST=1", NULL };
	struct spawn_template_action actions[SPAWN_TEMPLATE_MAX_ACTIONS + 1];
	const char *argv[64];
	struct spawn_template_spawn_args a = { 0 };
	int p[2] = { -1, -1 };
	size_t n = 0, i;
	int pidfd = -1, err;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->pidfd = -1;
	argv[n++] = "childview";
	for (i = 0; o->args && o->args[i]; i++) {
		REQUIRE(n < 63);
		argv[n++] = o->args[i];
	}
	argv[n] = NULL;

	n = 0;
	if (!o->raw) {
		REQUIRE(pipe2(p, O_CLOEXEC) == 0);
		actions[n++] = act_dup2(p[1], 1, 0);
	}
	REQUIRE(o->nactions <= SPAWN_TEMPLATE_MAX_ACTIONS);
	for (i = 0; i < o->nactions; i++)
		actions[n++] = o->actions[i];

	a.flags = o->flags;
	a.pidfd = PTR(&pidfd);
	a.argv = PTR(argv);
	a.envp = PTR(o->envp ? o->envp : default_env);
	a.actions = n ? PTR(actions) : 0;
	a.actions_len = n;
	pid = spawn_template_spawn(tfd, &a, sizeof(a));
	err = errno;
	if (!o->raw)
		close(p[1]);
	if (pid < 0) {
		if (!o->raw)
			close(p[0]);
		errno = err;
		return -1;
	}
	r->pid = pid;
	r->pidfd = pidfd;
	check_true(pidfd >= 0, __FILE__, __LINE__, "spawn stored a pidfd");
	if (!o->raw) {
		view_parse(&r->view, read_all(p[0]));
		close(p[0]);
	}
	if (!o->nowait)
		reap_run(r);
	return 0;
}

/* The oracle: posix_spawn(path) with run_child()'s argv, environment and
 * stdout pipe; the child is left running (reap_run reaps it). */
int posix_spawn_run(const char *path, const char *const *args, struct run *r)
{
	static const char *const default_env[] = { "CHILDVIEW_TEST=1", NULL };
	posix_spawn_file_actions_t fa;
	const char *argv[64];
	size_t n = 0;
	int p[2], err;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->pidfd = -1;
	argv[n++] = "childview";
	for (size_t i = 0; args && args[i]; i++) {
		REQUIRE(n < 63);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
	REQUIRE(posix_spawn_file_actions_adddup2(&fa, p[1], 1) == 0);
	err = posix_spawn(&pid, path, &fa, NULL, (char *const *)argv,
			  (char *const *)default_env);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (err) {
		close(p[0]);
		errno = err;
		return -1;
	}
	r->pid = pid;
	r->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	REQUIRE(r->pidfd >= 0);
	view_parse(&r->view, read_all(p[0]));
	close(p[0]);
	return 0;
}

void run_free(struct run *r)
{
	view_free(&r->view);
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->pidfd = -1;
}

bool run_exited(const struct run *r, int status)
{
	return r->code == CLD_EXITED && r->status == status;
}

void check_exited(const struct run *r, int status, const char *file,
		  int line)
{
	bool ok = run_exited(r, status);

	check_true(ok, file, line, "the child exited with the status");
	if (ok)
		return;
	if (r->code == CLD_EXITED)
		fprintf(stderr, "  want status %d, it exited with %d\n",
			status, r->status);
	else
		fprintf(stderr, "  want status %d, it was killed by signal "
			"%d (code %d)\n", status, r->status, r->code);
}

/* ---- failure before any child ------------------------------------------ */

bool no_child_exists(void)
{
	int st;

	return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

void check_spawn_fails(int tfd, const struct spawn_template_spawn_args *args,
		       size_t size, int want, const char *file, int line,
		       const char *ewant)
{
	int before = fd_count();
	pid_t pid;
	int err;

	errno = 0;
	pid = spawn_template_spawn(tfd, args, size);
	err = errno;
	check_errno(pid, err, want, file, line, "spawn_template_spawn", ewant);
	check_true(no_child_exists(), file, line,
		   "no child exists after the failed spawn");
	if (pid < 0)
		check_eq(fd_count(), before, file, line, "fd_count() after",
			 "fd_count() before");
	if (pid > 0) {	/* a wrong success: leave no child, no pidfd */
		int *slot = (int *)(uintptr_t)args->pidfd;

		waitpid(pid, NULL, 0);
		if (slot && *slot >= 0) {
			close(*slot);
			*slot = -1;
		}
	}
}

void check_create_fails(const struct spawn_template_create_args *args,
			size_t size, int want, const char *file, int line,
			const char *ewant)
{
	int before = fd_count();
	int fd, err;

	errno = 0;
	fd = spawn_template_create(args, size);
	err = errno;
	check_errno(fd, err, want, file, line, "spawn_template_create", ewant);
	if (fd >= 0)
		close(fd);
	check_eq(fd_count(), before, file, line, "fd_count() after",
		 "fd_count() before");
}

/* ---- fds ------------------------------------------------------------------ */

void fdset_self(struct fdset *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	REQUIRE(d);
	s->n = 0;
	while ((e = readdir(d))) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd != dirfd(d))
			fdset_add(s, fd);
	}
	closedir(d);
}

void fdset_inheritable(struct fdset *s)
{
	struct fdset all;
	int i;

	fdset_self(&all);
	s->n = 0;
	for (i = 0; i < all.n; i++) {
		int fl = fcntl(all.fd[i], F_GETFD);

		if (fl >= 0 && !(fl & FD_CLOEXEC))
			fdset_add(s, all.fd[i]);
	}
}

bool fdset_has(const struct fdset *s, int fd)
{
	for (int i = 0; i < s->n; i++)
		if (s->fd[i] == fd)
			return true;
	return false;
}

void fdset_add(struct fdset *s, int fd)
{
	int i;

	if (fdset_has(s, fd))
		return;
	REQUIRE(s->n < FDSET_MAX);
	/* keep it sorted */
	for (i = s->n; i > 0 && s->fd[i - 1] > fd; i--)
		s->fd[i] = s->fd[i - 1];
	s->fd[i] = fd;
	s->n++;
}

void fdset_del(struct fdset *s, int fd)
{
	for (int i = 0; i < s->n; i++) {
		if (s->fd[i] == fd) {
			memmove(&s->fd[i], &s->fd[i + 1],
				(size_t)(s->n - i - 1) * sizeof(int));
			s->n--;
			return;
		}
	}
}

int fd_count(void)
{
	struct fdset s;

	fdset_self(&s);
	return s.n;
}

const char *fd_target(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* ---- signals ---------------------------------------------------------- */

unsigned long long thread_sigblk(void)
{
	FILE *f = fopen("/proc/thread-self/status", "re");
	unsigned long long v = ~0ULL;
	char line[256];

	REQUIRE(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigBlk: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

unsigned long long ignored_signals(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long v = ~0ULL;
	char line[256];

	/* From the kernel, not from sigaction(): glibc hides its own
	 * signals (32, 33), which an ancestor may have left ignored. */
	REQUIRE(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigIgn: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* ---- files ------------------------------------------------------------------ */

void make_tempdir(char dir[PATH_MAX])
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, PATH_MAX, "%s/spawntemplate-test.XXXXXX",
		 tmp && tmp[0] == '/' ? tmp : "/tmp");
	REQUIRE(mkdtemp(dir));
}

void marker_setup(char dir[PATH_MAX], char marker[PATH_MAX + 16],
		  struct spawn_template_open *open)
{
	make_tempdir(dir);
	snprintf(marker, PATH_MAX + 16, "%s/child-ran", dir);
	*open = (struct spawn_template_open){
		.how = { .flags = O_WRONLY | O_CREAT | O_CLOEXEC, .mode = 0600 },
		.path = PTR(marker),
	};
}

long scaled_rounds(long n)
{
	static long percent = -1;
	long r;

	if (percent < 0) {
		const char *e = getenv("TC_LIB_ROUNDS");

		percent = e && *e ? strtol(e, NULL, 10) : 100;
		if (percent <= 0 || percent > 100)
			percent = 100;
	}
	r = n * percent / 100;
	return r > 0 ? r : 1;
}

bool user_reads_are_checked(void)
{
	int probe = 0, saved = errno;
	struct iovec local = { &probe, sizeof(probe) }, remote = local;
	bool ok = process_vm_readv(getpid(), &local, 1, &remote, 1, 0) >= 0 ||
		  (errno != ENOSYS && errno != EPERM);

	errno = saved;
	return ok;
}

char *page_before_hole(int prot)
{
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	REQUIRE(m != MAP_FAILED);
	REQUIRE(mprotect(m, (size_t)page, prot) == 0);
	REQUIRE(mprotect(m + page, (size_t)page, PROT_NONE) == 0);
	return m;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	const char *p = data;

	REQUIRE(fd >= 0);
	while (len) {
		ssize_t n = write(fd, p, len);

		REQUIRE(n > 0);
		p += n;
		len -= (size_t)n;
	}
	REQUIRE(fchmod(fd, mode) == 0);
	REQUIRE(close(fd) == 0);
}

void copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;

	REQUIRE(in >= 0);
	REQUIRE(fstat(in, &st) == 0);
	buf = malloc((size_t)st.st_size);
	REQUIRE(buf);
	REQUIRE(read(in, buf, (size_t)st.st_size) == st.st_size);
	close(in);
	write_file(dst, buf, (size_t)st.st_size, mode);
	free(buf);
}

int spawn_path_ok(const char *path)
{
	const char *args[] = { "-q", NULL };
	struct run_opts o = { .args = args, .raw = true };
	struct run r;
	int tfd, rc;

	tfd = create_template(path, SPAWN_TEMPLATE_NO_EXECFD,
			      SPAWN_TEMPLATE_CREATE_CLOEXEC);
	if (tfd < 0)
		return -1;
	rc = run_child(tfd, &o, &r);
	close(tfd);
	if (rc < 0)
		return -1;
	rc = run_exited(&r, 0) ? 0 : -1;
	run_free(&r);
	return rc;
}

int in_child(void (*fn)(void *), void *arg)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		fn(arg);
		/* _exit: a sanitizer's leak check at exit attaches with
		 * ptrace, which changed credentials forbid. */
		check_end_test_now();
	}
	REQUIRE(waitpid(pid, &st, 0) == pid);
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "test child killed by signal %d\n",
			WTERMSIG(st));
		return 99;
	}
	return WEXITSTATUS(st);
}

void child_outcome(int status)
{
	if (status == 77)
		check_skip(__FILE__, __LINE__, "(skipped in the test child)");
	if (status == 99)
		check_fatal(__FILE__, __LINE__, "(hard error in the test "
			    "child)");
}

void become_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw ? pw->pw_uid : 65534;
	gid_t gid = pw ? pw->pw_gid : 65534;

	REQUIRE(setgroups(0, NULL) == 0);
	REQUIRE(setresgid(gid, gid, gid) == 0);
	REQUIRE(setresuid(uid, uid, uid) == 0);
}
