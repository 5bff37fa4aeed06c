// SPDX-License-Identifier: GPL-2.0
/*
 * secret: a small memfd_secret() workload for the guest scripts.
 *
 *   secret SIZE [hold]
 *
 * Creates a secret file of SIZE bytes (K/M/G suffixes), maps it, writes every
 * page, and prints what happened. With "hold" it then waits until its
 * standard input closes, so a script can look at counters while the memory
 * is in use. Exit status: 0 ok, 1 memfd_secret/ftruncate/mmap refused (the
 * errno is printed), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "size.h"

#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif

int main(int argc, char **argv)
{
	unsigned long long size, off;
	long page = sysconf(_SC_PAGESIZE);
	char buf[1];
	char *p;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: secret SIZE [hold]\n");
		return 2;
	}
	size = parse_size("secret", argv[1]);
	fd = syscall(__NR_memfd_secret, 0);
	if (fd < 0) {
		printf("memfd_secret: %s\n", strerror(errno));
		return 1;
	}
	if (ftruncate(fd, size)) {
		printf("ftruncate(%s): %s (%s)\n", argv[1], strerror(errno),
		       errno == ENOMEM ? "ENOMEM" : errno == EAGAIN ? "EAGAIN" : "?");
		return 1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		return 1;
	}
	for (off = 0; off < size; off += page)
		p[off] = 1;
	printf("secret memory: %s reserved and faulted in\n", argv[1]);
	fflush(stdout);
	if (argc == 3)
		while (read(0, buf, 1) > 0)
			;
	return 0;
}
