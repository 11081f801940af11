/* childview.c - print what a spawned child sees, one "key value" a line.
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests spawn this program through a template and parse its output, so
 * that each test reads as a statement about the child: its argv, its
 * environment, its open fds, cwd, umask, signal mask and dispositions,
 * process group, session and terminal foreground group.
 *
 * Options (before any other argument; the rest is only echoed):
 *   -q       print nothing
 *   -o FD    print to FD instead of 1
 *   -x N     exit with status N
 *   -k SIG   after printing, die by signal SIG (default, unblocked)
 *   -w       after printing and closing the output, wait to be killed
 *
 * Output keys: argc, arg I VALUE, envc, env NAME=VALUE, fd N TARGET,
 * fdfl N FLAGS(octal), exe, cwd, umask, sigblk/sigign/sigcgt (hex, from
 * /proc/self/status), pid, ppid, pgid, sid, tpgid, the names the kernel
 * gave the process (comm from /proc/self/comm, execfn = AT_EXECFN, cmdline
 * = /proc/self/cmdline with its NULs shown as spaces), and "end" last.
 *
 * Built without sanitizers: a sanitizer runtime installs signal handlers
 * and would change the very state this program reports.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static void print_fds(FILE *out, int outfd)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		fprintf(out, "error opendir /proc/self/fd\n");
		return;
	}
	while ((e = readdir(d))) {
		char link[64], target[PATH_MAX];
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		/* The listing's own fd is ours, not the child's. */
		if (fd == dirfd(d))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			n = 0;
		target[n] = '\0';
		fprintf(out, "fd %d %s\n", fd, target);
		fprintf(out, "fdfl %d %o\n", fd, fcntl(fd, F_GETFL));
	}
	closedir(d);
	(void)outfd;
}

static void print_status_fields(FILE *out)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	if (!f) {
		fprintf(out, "error fopen /proc/self/status\n");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char value[64];

		if (sscanf(line, "SigBlk: %63s", value) == 1)
			fprintf(out, "sigblk %s\n", value);
		else if (sscanf(line, "SigIgn: %63s", value) == 1)
			fprintf(out, "sigign %s\n", value);
		else if (sscanf(line, "SigCgt: %63s", value) == 1)
			fprintf(out, "sigcgt %s\n", value);
	}
	fclose(f);
}

/* Field 8 of /proc/self/stat: the terminal's foreground process group. */
static void print_tpgid(FILE *out)
{
	FILE *f = fopen("/proc/self/stat", "re");
	char buf[1024];
	char *p;
	int tpgid;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		fprintf(out, "error /proc/self/stat\n");
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	/* comm may hold spaces and ')': skip to the last ')'. */
	p = strrchr(buf, ')');
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %d", &tpgid) == 1)
		fprintf(out, "tpgid %d\n", tpgid);
	else
		fprintf(out, "error parse /proc/self/stat\n");
}

/* What ps, top and pgrep see: comm (truncated to 15 bytes by the kernel),
 * the exec's filename as the kernel passed it (AT_EXECFN), the cmdline. */
static void print_names(FILE *out)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	char buf[4096];
	FILE *f;
	size_t n;

	f = fopen("/proc/self/comm", "re");
	if (f && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		fprintf(out, "comm %s\n", buf);
	} else {
		fprintf(out, "error /proc/self/comm\n");
	}
	if (f)
		fclose(f);
	fprintf(out, "execfn %s\n", execfn ? execfn : "(none)");
	f = fopen("/proc/self/cmdline", "re");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	for (size_t i = 0; i + 1 < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = '\0';
	fprintf(out, "cmdline %s\n", buf);
}

static void print_view(FILE *out, int outfd, int argc, char **argv)
{
	char buf[PATH_MAX];
	mode_t mask;
	ssize_t n;
	int i;

	fprintf(out, "argc %d\n", argc);
	for (i = 0; i < argc; i++)
		fprintf(out, "arg %d %s\n", i, argv[i]);
	for (i = 0; environ[i]; i++)
		;
	fprintf(out, "envc %d\n", i);
	for (i = 0; environ[i]; i++)
		fprintf(out, "env %s\n", environ[i]);
	print_fds(out, outfd);
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	fprintf(out, "exe %s\n", buf);
	fprintf(out, "cwd %s\n", getcwd(buf, sizeof(buf)) ? buf : "(error)");
	mask = umask(0);
	umask(mask);
	fprintf(out, "umask %04o\n", (unsigned)mask);
	print_status_fields(out);
	fprintf(out, "pid %d\n", (int)getpid());
	fprintf(out, "ppid %d\n", (int)getppid());
	fprintf(out, "pgid %d\n", (int)getpgid(0));
	fprintf(out, "sid %d\n", (int)getsid(0));
	print_tpgid(out);
	print_names(out);
	fprintf(out, "end\n");
}

int main(int argc, char **argv)
{
	int quiet = 0, wait_kill = 0, status = 0, sig = 0, outfd = 1;
	FILE *out = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "+qo:x:k:w")) != -1) {
		switch (opt) {
		case 'q': quiet = 1; break;
		case 'o': outfd = atoi(optarg); break;
		case 'x': status = atoi(optarg); break;
		case 'k': sig = atoi(optarg); break;
		case 'w': wait_kill = 1; break;
		default: return 2;
		}
	}
	if (!quiet) {
		out = fdopen(outfd, "w");
		if (!out)
			return 3;
		print_view(out, outfd, argc, argv);
		if (fclose(out) != 0)
			return 4;
	}
	if (wait_kill) {
		for (;;)
			pause();
	}
	if (sig) {
		sigset_t set;

		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		return 5;
	}
	return status;
}
