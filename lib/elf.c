/* elf.c - is this file an ELF executable this machine runs?
 *
 * Copyright (C) 2026 The tmplcache authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The RFC supports ELF templates only: scripts ("#!"), binfmt_misc
 * targets and anything else fail creation with ENOEXEC so the caller keeps
 * its normal exec path for them.  We check what binfmt_elf checks first:
 * magic, class and byte order of this build, ET_EXEC or ET_DYN, and the
 * machine.
 */
#include <config.h>

#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#if UINTPTR_MAX > 0xffffffffu
# define ST_ELFCLASS	ELFCLASS64
typedef Elf64_Ehdr st_ehdr;
#else
# define ST_ELFCLASS	ELFCLASS32
typedef Elf32_Ehdr st_ehdr;
#endif

#if __BYTE_ORDER == __LITTLE_ENDIAN
# define ST_ELFDATA	ELFDATA2LSB
#else
# define ST_ELFDATA	ELFDATA2MSB
#endif

/* e_machine of this build; an architecture not listed here skips the
 * machine check (exec still refuses a foreign binary: exit 126). */
#if defined(__x86_64__)
# define ST_EM	EM_X86_64
#elif defined(__i386__)
# define ST_EM	EM_386
#elif defined(__aarch64__)
# define ST_EM	EM_AARCH64
#elif defined(__arm__)
# define ST_EM	EM_ARM
#elif defined(__riscv)
# define ST_EM	EM_RISCV
#elif defined(__powerpc64__)
# define ST_EM	EM_PPC64
#elif defined(__powerpc__)
# define ST_EM	EM_PPC
#elif defined(__s390x__) || defined(__s390__)
# define ST_EM	EM_S390
#elif defined(__loongarch__)
# define ST_EM	EM_LOONGARCH
#endif

int st_elf_check(int fd)
{
	st_ehdr eh;
	ssize_t n;

	do
		n = pread(fd, &eh, sizeof(eh), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	if ((size_t)n < sizeof(eh))
		return ENOEXEC;		/* short: empty, garbage, tiny script */

	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ST_ELFCLASS ||
	    eh.e_ident[EI_DATA] != ST_ELFDATA ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN))
		return ENOEXEC;
#ifdef ST_EM
	if (eh.e_machine != ST_EM)
		return ENOEXEC;
#endif
	return 0;
}
