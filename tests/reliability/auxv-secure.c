/* auxv-secure.c - print AT_SECURE as the kernel put it in this process's
 * auxiliary vector, and the real and effective uids.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * security.bats installs a setuid-root copy and runs it as nobody, stock
 * and routed: the kernel's secure-exec decision must be the same.  Read
 * from /proc/self/auxv (entry type 23), not getauxval(), so the value is
 * the kernel's own.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	Elf64_auxv_t a;
	long secure = -1;
	int fd = open("/proc/self/auxv", O_RDONLY);

	if (fd < 0) {
		perror("auxv-secure: /proc/self/auxv");
		return 1;
	}
	while (read(fd, &a, sizeof(a)) == (ssize_t)sizeof(a) && a.a_type != AT_NULL)
		if (a.a_type == AT_SECURE)
			secure = (long)a.a_un.a_val;
	close(fd);
	printf("AT_SECURE %ld ruid %d euid %d\n", secure, (int)getuid(),
	       (int)geteuid());
	return 0;
}
