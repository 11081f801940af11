/* report.c - TMPLCACHE_REPORT=DIR: every shell that loads tmplcache leaves
 * its counters in DIR when it exits, for scripts/tmplcache-report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here may be visible to the script: no trap, no output, no fd
 * left open, errno and the exit status untouched.  So the record is
 * written by an atexit() handler, in the process that loaded tmplcache
 * only (forked children inherit the handler and leave through exit() as
 * well; what they count reaches the shared counters their parent
 * reports), into a temporary name renamed into place: a reader never
 * sees half a record.  A shell killed by a signal or replaced by `exec'
 * never calls exit() and writes nothing.  Any failure (DIR missing and
 * not creatable, not writable, full) is silent: the script is not ours to
 * disturb.
 *
 * Linked -z nodelete (Makefile.am), this code stays mapped after
 * `enable -d', so neither the atexit nor the fork handler outlives its
 * code, and glibc never runs the atexit handler early at dlclose.
 *
 * One record is a TSV file of rows (the first column says what a row is):
 *   shell FIELD VALUE          pid, ppid, argv0, bash, wall_ns, loaded_ns,
 *                              rss_kb, hwm_kb, forks, backend
 *   spawn NAME SPAWNS NS RECREATED
 *   fallback NAME REASON COUNT
 *   fork WORD COUNT            forks bash made, by the first command word
 *                              of the command line it was running
 * A name may repeat (counted before and after an unload): readers add.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bash-private.h"
#include "variables.h"

#include "spawntemplate.h"
#include "cache.h"
#include "report.h"

extern char *the_printed_command;
extern char *dollar_vars[];
extern struct timeval shellstart;

/* Forks by command word, in memory shared with every subshell, so the
 * forks a pipeline's or a subshell's children make are counted too. */
#define FORK_SLOTS 509
#define FORK_WORD 48
enum { SLOT_FREE, SLOT_CLAIMED, SLOT_READY };

struct fork_slot {
	int state;
	unsigned long count;
	char word[FORK_WORD];
};

struct fork_counts {
	unsigned long total;
	unsigned long other;	/* the table was full */
	struct fork_slot slot[FORK_SLOTS];
};

static struct {
	char *dir;		/* absolute; NULL: not reporting */
	pid_t pid;		/* the process that reports */
	char *bash_version;
	struct timespec loaded;	/* CLOCK_MONOTONIC */
	struct fork_counts *forks;
	char *unloaded;		/* rows counted before an `enable -d' */
	size_t unloaded_len;
	int hooked;		/* the handlers are registered (once) */
} rep;

/* ---- forks, counted by a fork handler ------------------------------------ */

/* NAME=value, NAME+=value, NAME[i]=value. */
static int is_assignment(const char *w, size_t n)
{
	size_t i = 0;

	if (!n || !(w[0] == '_' || (w[0] >= 'a' && w[0] <= 'z') ||
		    (w[0] >= 'A' && w[0] <= 'Z')))
		return 0;
	while (i < n && (w[i] == '_' || (w[i] >= 'a' && w[i] <= 'z') ||
			 (w[i] >= 'A' && w[i] <= 'Z') ||
			 (w[i] >= '0' && w[i] <= '9')))
		i++;
	if (i < n && w[i] == '[')
		while (i < n && w[i] != ']')
			i++;
	if (i < n && w[i] == ']')
		i++;
	if (i < n && w[i] == '+')
		i++;
	return i < n && w[i] == '=';
}

/* The command word of the command bash printed last (for its job table,
 * just before each fork): past assignments, quotes and $(...) kept
 * together.  A simple command, a pipeline element and a subshell are
 * named right; a $(...) or <(...) counts under the command it is part of
 * (an assignment alone: "(in an assignment)"). */
static void command_word(const char *s, char *out, size_t size)
{
	for (;;) {
		const char *w;
		char q = 0;
		int depth = 0;
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s) {
			snprintf(out, size, "(in an assignment)");
			return;
		}
		if (*s == '(' || *s == '{') {
			snprintf(out, size, "(subshell or group)");
			return;
		}
		for (w = s; *s; s++) {
			if (q) {
				if (*s == q)
					q = 0;
			} else if (*s == '\'' || *s == '"') {
				q = *s;
			} else if (*s == '(') {
				depth++;
			} else if (*s == ')' && depth) {
				depth--;
			} else if (!depth && strchr(" \t\n;|&", *s)) {
				break;
			}
		}
		if (is_assignment(w, (size_t)(s - w)))
			continue;
		n = (size_t)(s - w) < size - 1 ? (size_t)(s - w) : size - 1;
		memcpy(out, w, n);
		out[n] = '\0';
		return;
	}
}

static void count_fork(void)
{
	struct fork_counts *f = rep.forks;
	char word[FORK_WORD];
	unsigned h = 5381, i;
	const char *c;

	if (!f)
		return;
	__atomic_add_fetch(&f->total, 1, __ATOMIC_RELAXED);
	command_word(the_printed_command ? the_printed_command : "", word,
		     sizeof(word));
	for (c = word; *c; c++)
		h = h * 33 + (unsigned char)*c;
	for (i = 0; i < FORK_SLOTS; i++) {
		struct fork_slot *s = &f->slot[(h + i) % FORK_SLOTS];
		int free_state = SLOT_FREE;

		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == SLOT_READY &&
		    strcmp(s->word, word) == 0) {
			__atomic_add_fetch(&s->count, 1, __ATOMIC_RELAXED);
			return;
		}
		if (__atomic_compare_exchange_n(&s->state, &free_state,
						SLOT_CLAIMED, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			strcpy(s->word, word);
			s->count = 1;
			__atomic_store_n(&s->state, SLOT_READY,
					 __ATOMIC_RELEASE);
			return;
		}
	}
	__atomic_add_fetch(&f->other, 1, __ATOMIC_RELAXED);
}

/* ---- rows ---------------------------------------------------------------- */

/* Tabs and newlines would break a row. */
static void put_field(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, fp);
}

/* ALWAYS: a routed name gets its spawn row even when it never spawned. */
static void put_counters(FILE *fp, const char *name,
			 const struct tc_counters *c, int always)
{
	int r;

	if (always || c->spawns || c->recreated) {
		fputs("spawn\t", fp);
		put_field(fp, name);
		fprintf(fp, "\t%lu\t%llu\t%lu\n", c->spawns,
			(unsigned long long)c->spawn_ns, c->recreated);
	}
	for (r = 0; r < TC_FB_NREASONS; r++) {
		if (!c->fallbacks[r])
			continue;
		fputs("fallback\t", fp);
		put_field(fp, name);
		fprintf(fp, "\t%s\t%lu\n", tc_reason_names[r], c->fallbacks[r]);
	}
}

static int put_entry(struct tc_entry *e, void *fp)
{
	put_counters(fp, e->name, e->count, 1);
	return 0;
}

/* The counters tmplcache holds now; nothing when it is not loaded. */
static void put_state(FILE *fp)
{
	if (!tc_state())
		return;
	tc_entry_each(put_entry, fp);
	put_counters(fp, "(removed names)", tc_retired(), 0);
}

static void put_forks(FILE *fp)
{
	struct fork_counts *f = rep.forks;
	int i;

	for (i = 0; i < FORK_SLOTS; i++) {
		if (__atomic_load_n(&f->slot[i].state, __ATOMIC_ACQUIRE) !=
		    SLOT_READY)
			continue;
		fputs("fork\t", fp);
		put_field(fp, f->slot[i].word);
		fprintf(fp, "\t%lu\n", f->slot[i].count);
	}
	if (f->other)
		fprintf(fp, "fork\t(other)\t%lu\n", f->other);
}

/* ---- the shell ------------------------------------------------------------ */

static long long ns_since(clockid_t clock, const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000LL + (t.tv_nsec - t0->tv_nsec);
}

/* Since bash started (shell.c's gettimeofday). */
static long long wall_ns(void)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (now.tv_sec - shellstart.tv_sec) * 1000000000LL +
	       (now.tv_usec - shellstart.tv_usec) * 1000LL;
}

/* VmRSS and VmHWM in kB, from /proc/self/status. */
static void memory_kb(long *rss, long *hwm)
{
	char line[256];
	FILE *fp = fopen("/proc/self/status", "re");

	*rss = *hwm = -1;
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		sscanf(line, "VmRSS: %ld", rss);
		sscanf(line, "VmHWM: %ld", hwm);
	}
	fclose(fp);
}

static void put_shell(FILE *fp)
{
	long rss, hwm;

	memory_kb(&rss, &hwm);
	fprintf(fp, "shell\tpid\t%ld\nshell\tppid\t%ld\nshell\targv0\t",
		(long)getpid(), (long)getppid());
	put_field(fp, dollar_vars[0]);
	fputs("\nshell\tbash\t", fp);
	put_field(fp, rep.bash_version);
	fprintf(fp, "\nshell\twall_ns\t%lld\nshell\tloaded_ns\t%lld\n",
		wall_ns(), ns_since(CLOCK_MONOTONIC, &rep.loaded));
	fprintf(fp, "shell\trss_kb\t%ld\nshell\thwm_kb\t%ld\n", rss, hwm);
	fprintf(fp, "shell\tforks\t%lu\nshell\tbackend\t%s\n",
		rep.forks->total, spawn_template_backend_name());
}

/* ---- writing ------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void write_record(void)
{
	char host[HOST_NAME_MAX + 1] = "localhost";
	char path[PATH_MAX], tmp[PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int fd, ok;
	struct timespec now;

	mem = open_memstream(&text, &len);
	if (!mem)
		return;
	fputs("# tmplcache report 1\n", mem);
	put_shell(mem);
	if (rep.unloaded)
		fwrite(rep.unloaded, 1, rep.unloaded_len, mem);
	put_state(mem);
	put_forks(mem);
	if (fclose(mem) != 0) {
		free(text);
		return;
	}
	gethostname(host, sizeof(host) - 1);
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(path, sizeof(path), "%s/%s.%ld.%lld.tsv", rep.dir, host,
		 (long)getpid(), (long long)now.tv_sec);
	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.%lld.tmp", rep.dir, host,
		 (long)getpid(), (long long)now.tv_sec);
	(void)mkdir(rep.dir, 0777);	/* one level, as the user's umask has it */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY,
		  0666);
	if (fd < 0) {
		free(text);
		return;
	}
	ok = write_all(fd, text, len) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
	free(text);
}

static void report_at_exit(void)
{
	int saved = errno;

	if (rep.dir && rep.forks && getpid() == rep.pid)
		write_record();
	errno = saved;
}

/* ---- load and unload --------------------------------------------------- */

/* DIR made absolute now: the script may cd before it exits. */
static char *absolute(const char *dir)
{
	char cwd[PATH_MAX], *p;

	if (dir[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(dir);
	p = malloc(strlen(cwd) + strlen(dir) + 2);
	if (p)
		sprintf(p, "%s/%s", cwd, dir);
	return p;
}

void tc_report_load(void)
{
	SHELL_VAR *v = find_variable("TMPLCACHE_REPORT");
	const char *version;
	void *p;

	if (rep.forks || !v || !exported_p(v) || !value_cell(v) ||
	    !*value_cell(v))
		return;
	/* Both handlers do nothing until rep.forks is set, below. */
	if (!rep.hooked) {
		if (pthread_atfork(count_fork, NULL, NULL) != 0 ||
		    atexit(report_at_exit) != 0)
			return;
		rep.hooked = 1;
	}
	free(rep.dir);
	free(rep.bash_version);
	version = get_string_value("BASH_VERSION");
	rep.bash_version = strdup(version ? version : "");
	rep.dir = absolute(value_cell(v));
	if (!rep.dir || !rep.bash_version)
		return;
	p = mmap(NULL, sizeof(*rep.forks), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	rep.pid = getpid();
	clock_gettime(CLOCK_MONOTONIC, &rep.loaded);
	rep.forks = p;
}

void tc_report_unload(void)
{
	FILE *mem;
	char *text = NULL;
	size_t len = 0;

	if (!rep.forks || getpid() != rep.pid || !tc_state())
		return;
	mem = open_memstream(&text, &len);
	if (!mem)
		return;
	if (rep.unloaded)
		fwrite(rep.unloaded, 1, rep.unloaded_len, mem);
	put_state(mem);
	if (fclose(mem) != 0) {
		free(text);
		return;
	}
	free(rep.unloaded);
	rep.unloaded = text;
	rep.unloaded_len = len;
}
