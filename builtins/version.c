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

int tc_version_check(const char *name)
{
	char want[32], have[32];

	built_for(want, sizeof(want));
	snprintf(have, sizeof(have), "%s.%d", dist_version, patch_level);
	if (strcmp(want, have) == 0)
		return 0;
	builtin_error("%s: built for bash %s, this is bash %s: not loaded",
		      name, want, have);
	return -1;
}
