// SPDX-License-Identifier: GPL-2.0
/*
 * secret_bomb: a fork bomb where every process holds one secret page.
 *
 *   secret_bomb N CGROUP
 *
 * Moves itself into the cgroup directory CGROUP, then tries N forks; each
 * child creates a one-page secret file, maps and writes it, reports, and
 * holds it. When every child has reported, prints the counts and READY,
 * and waits for its standard input to close; then the children exit, all
 * are reaped and it prints RELEASED. Exit status 0, or 1 on a setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif

/* A child's report: one byte. */
#define OK		'S'
#define LIMIT		'L'	/* ftruncate refused with ENOMEM */
#define OTHER		'E'

static char one_secret_page(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;
	int fd;

	fd = syscall(__NR_memfd_secret, 0);
	if (fd < 0)
		return OTHER;
	if (ftruncate(fd, page))
		return errno == ENOMEM ? LIMIT : OTHER;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return OTHER;
	p[0] = 1;
	return OK;
}

int main(int argc, char **argv)
{
	int rel[2], rep[2], i, n, forked = 0, eagain = 0, fork_other = 0;
	int count[256] = { 0 };
	char path[4096], c;
	FILE *f;

	if (argc != 3 || (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: secret_bomb N CGROUP\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[2]);
	f = fopen(path, "w");
	if (!f || fprintf(f, "0\n") < 0 || fclose(f)) {
		fprintf(stderr, "secret_bomb: cannot join %s\n", argv[2]);
		return 1;
	}
	if (pipe(rel) || pipe(rep))
		return 1;
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			if (errno == EAGAIN)
				eagain++;
			else
				fork_other++;
			continue;
		}
		if (!pid) {
			close(rel[1]);
			close(rep[0]);
			c = one_secret_page();
			if (write(rep[1], &c, 1) != 1)
				_exit(1);
			/* hold the page until the parent lets go */
			while (read(rel[0], &c, 1) > 0)
				;
			_exit(0);
		}
		forked++;
	}
	close(rep[1]);
	close(rel[0]);
	for (i = 0; i < forked; i++) {
		if (read(rep[0], &c, 1) != 1)
			break;
		count[(unsigned char)c]++;
	}
	printf("forked=%d fork_eagain=%d fork_other=%d secret_ok=%d secret_enomem=%d secret_other=%d\n",
	       forked, eagain, fork_other, count[OK], count[LIMIT],
	       count[OTHER]);
	printf("READY\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	close(rel[1]);
	while (wait(NULL) > 0)
		;
	printf("RELEASED\n");
	return 0;
}
