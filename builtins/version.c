/* version.c - load only into the bash we were built for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The loadable reads and writes bash's own structures (the job table's
 * struct process, the builtin table, jobs.h's js), whose layout changes
 * between releases: 5.3 added a field to struct process.  A build for
 * another bash would corrupt them silently, so the load refuses with one
 * line naming both versions, and `enable -f` fails; the shell goes on.
 *
 * The version we were built for comes from the installed version.h
 * (SCCSVERSION names the full release, "5.2.15"); the running one from
 * bash's exported dist_version and patch_level.
 */
#include "config.h"	/* bash's, as its headers expect */

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "bash-private.h"	/* shell.h: dist_version, patch_level */
#include "common.h"
#include "version.h"

#include "version-check.h"

/* "5.2.15" out of "@(#)Bash version 5.2.15(1) release GNU". */
static const char *built_for(char *buf, size_t size)
{
	const char *v = strstr(SCCSVERSION, "version ");
	size_t n;

	v = v ? v + 8 : DISTVERSION;
	n = strcspn(v, "( ");
	if (n >= size)
		n = size - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return buf;
}

/* Whether WANT is "<dist_version>.<patch_level>": compared in place, as
 * formatting it for every load cost more than the rest of the check. */
static int is_running(const char *want)
{
	size_t n = strlen(dist_version);
	const char *p = want + n + 1;
	long level = 0;

	/* As "%d" prints it: digits, no leading zero. */
	if (strncmp(want, dist_version, n) != 0 || want[n] != '.' ||
	    *p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0'))
		return 0;
	for (; *p >= '0' && *p <= '9' && level <= INT_MAX; p++)
		level = level * 10 + (*p - '0');
	return *p == '\0' && level == patch_level;
}

int tc_version_check(const char *name)
{
	char want[32], have[32];

	built_for(want, sizeof(want));
	if (is_running(want))
		return 0;
	snprintf(have, sizeof(have), "%s.%d", dist_version, patch_level);
	builtin_error("%s: built for bash %s, this is bash %s: not loaded",
		      name, want, have);
	return -1;
}
