// SPDX-License-Identifier: GPL-2.0
/*
 * secret_churn: threads that create, fault, check and close secret files of
 * random sizes for a while, for the stress test.
 *
 *   secret_churn SECONDS THREADS MAXPAGES
 *
 * A refused ftruncate() (ENOMEM: pool or cgroup limit; EAGAIN: rlimit) is
 * counted, each errno on its own, and is fine: the stress test compares the
 * ENOMEM count with the max events of the groups. Anything else is a failure: another errno, a new
 * page that does not read zero, a page that does not keep what was written,
 * and of course a SIGBUS, which kills the process. Exit status 0 when all
 * went well, 1 otherwise; a summary line either way.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif

static atomic_long files, pages, enomem, eagain;
static atomic_int failed;
static time_t deadline;
static long page_size;
static unsigned long max_pages;

static void *churn(void *arg)
{
	unsigned int seed = (unsigned long)arg * 7919 + getpid();
	unsigned long n, i, touched;
	char *p;
	int fd;

	while (time(NULL) < deadline && !failed) {
		fd = syscall(__NR_memfd_secret, 0);
		if (fd < 0) {
			fprintf(stderr, "memfd_secret: %s\n", strerror(errno));
			failed = 1;
			break;
		}
		n = 1 + rand_r(&seed) % max_pages;
		if (ftruncate(fd, n * page_size)) {
			if (errno != ENOMEM && errno != EAGAIN) {
				fprintf(stderr, "ftruncate: %s\n", strerror(errno));
				failed = 1;
			}
			if (errno == ENOMEM)
				enomem++;
			else if (errno == EAGAIN)
				eagain++;
			close(fd);
			continue;
		}
		p = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "mmap: %s\n", strerror(errno));
			failed = 1;
			close(fd);
			break;
		}
		/* touch a random subset; the file is new, so all reads zero */
		touched = 0;
		for (i = 0; i < n; i++) {
			if (rand_r(&seed) & 1)
				continue;
			if (p[i * page_size] || p[i * page_size + page_size - 1]) {
				fprintf(stderr, "page %lu of a new file is not zero\n", i);
				failed = 1;
			}
			memset(p + i * page_size, 0x5a ^ (int)i, 64);
			touched++;
		}
		for (i = 0; i < n; i++)
			if (p[i * page_size] && p[i * page_size] != (char)(0x5a ^ (int)i)) {
				fprintf(stderr, "page %lu lost what was written\n", i);
				failed = 1;
			}
		munmap(p, n * page_size);
		close(fd);
		files++;
		pages += touched;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t *tids;
	long i, nr;

	if (argc != 4) {
		fprintf(stderr, "usage: secret_churn SECONDS THREADS MAXPAGES\n");
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	deadline = time(NULL) + atol(argv[1]);
	nr = atol(argv[2]);
	max_pages = strtoul(argv[3], NULL, 10);
	if (nr < 1 || !max_pages) {
		fprintf(stderr, "secret_churn: bad arguments\n");
		return 2;
	}
	tids = calloc(nr, sizeof(*tids));
	for (i = 0; i < nr; i++)
		if (pthread_create(&tids[i], NULL, churn, (void *)i)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < nr; i++)
		pthread_join(tids[i], NULL);
	printf("secret_churn: %ld files, %ld pages faulted, refused at ftruncate: enomem=%ld eagain=%ld%s\n",
	       (long)files, (long)pages, (long)enomem, (long)eagain,
	       failed ? ", FAILED" : "");
	return failed || !files;
}
