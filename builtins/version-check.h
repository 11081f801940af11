/* version-check.h - refuse to load into another bash release (version.c). */
#ifndef TC_VERSION_CHECK_H
#define TC_VERSION_CHECK_H

/* 0 when the running bash is the release we were built for; otherwise
 * prints "NAME: built for bash X, this is bash Y: not loaded" and
 * returns -1. */
int tc_version_check(const char *name);

#endif
