// SPDX-License-Identifier: GPL-2.0
/*
 * secret_ipi: TLB-shootdown and function-call IPIs, as /proc/interrupts
 * counts them (TLB and CAL, summed over the CPUs that received them), while
 * one secret file of PAGES pages is faulted in and while it is released.
 *
 *   secret_ipi PAGES
 *
 * The process pins itself to CPU 0 first, so its own address space never
 * needs a flush elsewhere: what the other CPUs receive is kernel-wide
 * (the direct map, the pool's zeroing slots). The release window ends when
 * SecretmemFree is back to what it was before the file (pages come back at
 * their final put), or after 5 s. Prints one line:
 *   pages=N cpus=N fault_tlb=N fault_cal=N release_tlb=N release_cal=N
 * Exit status 0, or 1 if something failed on the way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
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

/* The sum over CPUs of the /proc/interrupts line named @name ("TLB"). */
static long irqs(const char *name)
{
	char line[4096], *p, *end;
	size_t n = strlen(name);
	FILE *f = fopen("/proc/interrupts", "r");
	long sum = -1, v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, name, n) || p[n] != ':')
			continue;
		sum = 0;
		p += n + 1;
		for (;;) {
			v = strtol(p, &end, 10);
			if (end == p)
				break;
			sum += v;
			p = end;
		}
		break;
	}
	fclose(f);
	return sum;
}

static long secretmem_free(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "SecretmemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), pages, i, free0;
	long t0, c0, t1, c1, t2, c2;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	cpu_set_t cpu;
	char *p;
	int fd;

	if (argc != 2 || (pages = atol(argv[1])) < 1) {
		fprintf(stderr, "usage: secret_ipi PAGES\n");
		return 2;
	}
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu)) {
		perror("sched_setaffinity");
		return 1;
	}
	free0 = secretmem_free();
	fd = syscall(__NR_memfd_secret, 0);
	if (fd < 0 || ftruncate(fd, pages * page)) {
		perror("memfd_secret/ftruncate");
		return 1;
	}
	p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	t0 = irqs("TLB");
	c0 = irqs("CAL");
	for (i = 0; i < pages; i++)
		p[i * page] = 1;
	t1 = irqs("TLB");
	c1 = irqs("CAL");
	munmap(p, pages * page);
	close(fd);
	for (i = 0; i < 500 && secretmem_free() != free0; i++)
		nanosleep(&ts, NULL);
	t2 = irqs("TLB");
	c2 = irqs("CAL");
	if (t0 < 0 || c0 < 0) {
		fprintf(stderr, "no TLB or CAL line in /proc/interrupts\n");
		return 1;
	}
	printf("pages=%ld cpus=%ld fault_tlb=%ld fault_cal=%ld release_tlb=%ld release_cal=%ld\n",
	       pages, sysconf(_SC_NPROCESSORS_ONLN), t1 - t0, c1 - c0,
	       t2 - t1, c2 - c1);
	return secretmem_free() != free0;
}
