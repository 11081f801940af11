/* automode.c - `tmplcache -a`: route every command found on PATH.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bash looks a command up as a function, then a builtin, then on PATH, and
 * gives a loadable no say before it forks for a disk command.  So every
 * name in the PATH directories becomes a routing builtin up front: a few
 * system calls per directory (open, fstat, getdents64, close) and one copy
 * of bash's builtin table, merged in order.  Nothing else is made until a
 * name's first use: its entry and counters (tc_auto_entry), its template
 * (route.c).  A name bash would not find (not executable, shadowed by an
 * earlier directory) only costs its table slot: route.c resolves each use
 * with bash's own search and falls back, counted, when there is nothing to
 * spawn.  Functions still win (bash looks them up first), and a name that
 * is a builtin or keyword is never added.
 *
 * New names: before each fork of the shell itself (a fork handler) PATH is
 * compared with the one read, and each directory's mtime with the one
 * seen; what changed is read again and its new names added.  A command
 * installed meanwhile thus runs bash's way once, then is routed.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bash-private.h"
#include "variables.h"

#include "automode.h"
#include "cache.h"
#include "childtext.h"
#include "table.h"

struct pathdir {
	char *path;
	struct timespec mtime;	/* when last read; zero: could not open */
	int racy;		/* changed within the clock's step: read again */
	int dirty;
	dev_t dev;		/* /bin and /usr/bin are often one directory */
	ino_t ino;
};

static struct {
	int on;
	int forked;		/* a child bash forked: routing ended there */
	int atfork_set;
	char *const *doc;
	char *path;		/* $PATH as last read */
	struct pathdir *dirs;
	size_t ndirs;
	size_t names;		/* routing builtins added */
	unsigned long rescans;
} am;

/* Names read from the directories: offsets into one text buffer. */
struct names {
	char *text;
	size_t len, cap;
	char **ptr;
	size_t n, ncap;
};

static int names_add(struct names *nb, const char *name)
{
	size_t l = strlen(name) + 1;

	if (nb->len + l > nb->cap) {
		size_t cap = nb->cap ? nb->cap * 2 : 65536;
		char *p;

		while (cap < nb->len + l)
			cap *= 2;
		p = realloc(nb->text, cap);
		if (!p)
			return -1;
		nb->text = p;
		nb->cap = cap;
	}
	if (nb->n == nb->ncap) {
		size_t cap = nb->ncap ? nb->ncap * 2 : 4096;
		char **p = realloc(nb->ptr, cap * sizeof(*p));

		if (!p)
			return -1;
		nb->ptr = p;
		nb->ncap = cap;
	}
	memcpy(nb->text + nb->len, name, l);
	/* An offset until the text stops moving (names_sorted). */
	nb->ptr[nb->n++] = (char *)(uintptr_t)nb->len;
	nb->len += l;
	return 0;
}

static void names_free(struct names *nb)
{
	free(nb->text);
	free(nb->ptr);
}

/* A directory whose mtime is this recent may change again within the
 * same timestamp (file systems stamp with a coarse clock): read it again
 * at the next check rather than miss a name. */
static int is_racy(const struct timespec *m)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME_COARSE, &now);
	return m->tv_sec >= now.tv_sec - 1;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Whether an earlier PATH entry is the same directory (a symlink). */
static int seen_before(const struct pathdir *d)
{
	const struct pathdir *o;

	for (o = am.dirs; d->ino && o < d; o++)
		if (o->ino == d->ino && o->dev == d->dev)
			return 1;
	return 0;
}

static int read_dir(struct pathdir *d, struct names *nb)
{
	/* /usr/bin (~2,000 names) in one call.  On the heap, made at the
	 * first -a: in .bss it made loading map a page range of its own. */
	static char *buf;
	enum { BUF_SIZE = 65536 };
	struct stat st;
	long n, off;
	int fd;

	if (!buf && !(buf = malloc(BUF_SIZE)))
		return -1;

	d->dirty = 0;
	d->mtime = (struct timespec){ 0, 0 };
	d->racy = 0;
	d->dev = 0;
	d->ino = 0;
	fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* stat will tell when it appears */
	if (fstat(fd, &st) == 0) {
		d->mtime = st.st_mtim;
		d->racy = is_racy(&st.st_mtim);
		d->dev = st.st_dev;
		d->ino = st.st_ino;
		if (seen_before(d)) {
			close(fd);
			return 0;
		}
	}
	while ((n = syscall(SYS_getdents64, fd, buf, BUF_SIZE)) > 0) {
		for (off = 0; off < n; ) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			const char *s = de->d_name;

			off += de->d_reclen;
			if (de->d_type == DT_DIR ||
			    (s[0] == '.' && (!s[1] || (s[1] == '.' && !s[2]))))
				continue;
			if (names_add(nb, s) < 0) {
				close(fd);
				return -1;
			}
		}
	}
	close(fd);
	return 0;
}

/* Sorting the names is most of -a's own work (qsort with strcmp: some
 * 500 instructions a name at 1,800 names).  A multikey quicksort
 * (Bentley and Sedgewick) looks at each byte of a name about once per
 * partition level instead of again in every comparison.  The order is
 * tc_table_order's, bash's own: the first byte as a char (signed on
 * x86), then strcmp's unsigned bytes. */
static int key_at(const char *s, size_t d)
{
	return d ? (unsigned char)s[d] : s[0];
}

/* Names that agree on their first D bytes, in tc_table_order. */
static int order_from(const char *x, const char *y, size_t d)
{
	return d ? strcmp(x + d, y + d) : tc_table_order(x, y);
}

static int by_bash_order(const void *a, const void *b)
{
	return tc_table_order(*(char *const *)a, *(char *const *)b);
}

static void swap_names(char **a, size_t i, size_t j)
{
	char *t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/* Sort the N names at A, which agree on their first D bytes.  BUDGET
 * bounds the recursion: past it (pivots that keep splitting off a few
 * names) qsort finishes the part; a few names take an insertion sort. */
static void sort_names(char **a, size_t n, size_t d, int budget)
{
	while (n > 1) {
		size_t lt = 0, i = 0, gt = n;
		int pivot;

		if (budget-- <= 0) {
			/* Names that agree on D bytes compare alike whole. */
			qsort(a, n, sizeof(*a), by_bash_order);
			return;
		}
		if (n < 8) {
			for (i = 1; i < n; i++)
				for (gt = i; gt > 0 && order_from(a[gt - 1], a[gt], d) > 0; gt--)
					swap_names(a, gt - 1, gt);
			return;
		}
		pivot = key_at(a[n / 2], d);
		while (i < gt) {
			int k = key_at(a[i], d);

			if (k < pivot)
				swap_names(a, lt++, i++);
			else if (k > pivot)
				swap_names(a, i, --gt);
			else
				i++;
		}
		sort_names(a, lt, d, budget);
		sort_names(a + gt, n - gt, d, budget);
		if (d > 0 && pivot == 0)
			return;		/* the middle part: equal names */
		a += lt;
		n = gt - lt;
		d++;
	}
}

/* Sort, drop duplicates and what must stay bash's (a builtin, ours
 * included, or a keyword): what is left is new.  The table is in the
 * same order, so one walk along it finds the builtins. */
static size_t names_new(struct names *nb)
{
	size_t i, k = 0, t = 0, nt = (size_t)num_shell_builtins;

	for (i = 0; i < nb->n; i++)
		nb->ptr[i] = nb->text + (uintptr_t)nb->ptr[i];
	sort_names(nb->ptr, nb->n, 0, 64);
	for (i = 0; i < nb->n; i++) {
		char *s = nb->ptr[i];
		int c = 1;

		if (k && strcmp(nb->ptr[k - 1], s) == 0)
			continue;
		while (t < nt && (c = tc_table_order(shell_builtins[t].name, s)) < 0)
			t++;
		if (c == 0 || (strlen(s) <= 8 && find_reserved_word(s) >= 0))
			continue;
		nb->ptr[k++] = s;
	}
	return k;
}

/* Read the dirty directories (all with ALL) and add their new names. */
static int scan(int all)
{
	struct names nb = { 0 };
	size_t i, k;
	int r = 0;

	for (i = 0; i < am.ndirs && r == 0; i++)
		if (all || am.dirs[i].dirty || am.dirs[i].racy)
			r = read_dir(&am.dirs[i], &nb);
	if (r == 0) {
		k = names_new(&nb);
		r = tc_table_add_sorted(nb.ptr, k, am.doc);
		if (r == 0)
			am.names += k;
	}
	names_free(&nb);
	return r;
}

static void dirs_free(void)
{
	size_t i;

	for (i = 0; i < am.ndirs; i++)
		free(am.dirs[i].path);
	free(am.dirs);
	am.dirs = NULL;
	am.ndirs = 0;
	free(am.path);
	am.path = NULL;
}

static int dir_listed(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < am.ndirs; i++)
		if (strlen(am.dirs[i].path) == len &&
		    memcmp(am.dirs[i].path, p, len) == 0)
			return 1;
	return 0;
}

/* The absolute directories of PATH, each once; a relative one (`.`, empty) is left
 * to bash, as route.c would (relpath). */
static int dirs_from(const char *path)
{
	const char *p = path, *end;

	dirs_free();
	am.path = strdup(path);
	if (!am.path)
		return -1;
	for (; *p; p = *end ? end + 1 : end) {
		struct pathdir *d;

		end = strchrnul(p, ':');
		if (*p != '/' || dir_listed(p, (size_t)(end - p)))
			continue;
		d = realloc(am.dirs, (am.ndirs + 1) * sizeof(*d));
		if (!d)
			return -1;
		am.dirs = d;
		d = &am.dirs[am.ndirs];
		*d = (struct pathdir){ .path = strndup(p, (size_t)(end - p)) };
		if (!d->path)
			return -1;
		am.ndirs++;
	}
	return 0;
}

static const char *path_now(void)
{
	const char *p = get_string_value("PATH");

	return p ? p : "";
}

void tc_auto_check(void)
{
	const char *path;
	struct stat st;
	size_t i;
	int changed = 0;

	if (!am.on || am.forked || !tc_state() || tc_table_hidden())
		return;
	path = path_now();
	if (strcmp(path, am.path) != 0) {
		if (dirs_from(path) == 0 && scan(1) == 0)
			am.rescans++;
		return;
	}
	for (i = 0; i < am.ndirs; i++) {
		struct pathdir *d = &am.dirs[i];
		struct timespec m = { 0, 0 };

		if (seen_before(d))
			continue;	/* its first entry speaks for it */
		if (stat(d->path, &st) == 0)
			m = st.st_mtim;
		if (d->racy || m.tv_sec != d->mtime.tv_sec ||
		    m.tv_nsec != d->mtime.tv_nsec)
			changed = d->dirty = 1;
	}
	if (changed && scan(0) == 0)
		am.rescans++;
}

static void before_fork(void)
{
	tc_auto_check();
}

TC_CHILD_TEXT static void in_child(void)
{
	am.forked = 1;
}

int tc_auto_start(char *const *doc)
{
	if (am.on) {
		tc_auto_check();
		return 0;
	}
	/* Once: tmplcache pins its code, so the handlers stay mapped. */
	if (!am.atfork_set && pthread_atfork(before_fork, NULL, in_child) == 0)
		am.atfork_set = 1;
	am.doc = doc;
	if (dirs_from(path_now()) < 0 || scan(1) < 0) {
		dirs_free();
		return -1;
	}
	am.on = 1;
	tc_templates_lru(1);
	return 0;
}

void tc_auto_stop(void)
{
	am.on = 0;
	am.names = 0;
	am.rescans = 0;
	dirs_free();
	tc_templates_lru(0);
}

int tc_auto_on(void)
{
	return am.on;
}

struct tc_entry *tc_auto_entry(const char *name)
{
	struct tc_entry *e;

	if (!am.on)
		return NULL;
	/* A child's new entry would take its counters private (cache.c,
	 * arena_own): give way, counted in the shell's totals. */
	if (am.forked) {
		tc_count(tc_retired()->fallbacks[TC_FB_FORKED], 1);
		return NULL;
	}
	e = tc_entry_add(name, NULL);
	if (!e)
		tc_count(tc_retired()->fallbacks[TC_FB_CAP], 1);
	return e;
}

size_t tc_auto_names(void)
{
	return am.names;
}

unsigned long tc_auto_rescans(void)
{
	return am.rescans;
}
