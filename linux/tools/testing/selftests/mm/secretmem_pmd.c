// SPDX-License-Identifier: GPL-2.0
/*
 * 2 MiB mappings of secret memory: with a secretmem= pool, a 2 MiB block of
 * a secret file gets a whole unit of the pool, which a 2 MiB-aligned shared
 * mapping maps with one PMD.
 *
 * Checks, on a boot row with a 64 MiB pool (run as root: it flips
 * /sys/kernel/mm/secretmem/pmd_enabled and reads meminfo):
 * - mmap() without MAP_FIXED returns 2 MiB-aligned addresses;
 * - one fault per 2 MiB, FilePmdMapped in smaps and meminfo, huge_bytes,
 *   SecretmemFree down by exactly what was mapped;
 * (The kernel readers against a PMD-mapped buffer: secretmem_readers --pmd.)
 * - whole units set aside at ftruncate (huge_reserved_bytes) stay whole
 *   while other files take every other page of the pool one by one;
 * - partial munmap, mprotect, mremap, MADV_DONTNEED, MADV_COLD/PAGEOUT on
 *   part of a block, fork and exit keep the data and return every page;
 * - pmd_enabled=0, MADV_NOHUGEPAGE, and a pool with no whole free unit,
 *   fall back to 4 KiB pages without a failure;
 * - a 2 MiB fault racing a 4 KiB fault into the same block: both succeed;
 * - the whole pool as units: one fault per unit, SecretmemFree 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "secretmem_phys.h"
#include "secretmem_row.h"

#if !defined(__NR_memfd_secret) && defined(__x86_64__)
#define __NR_memfd_secret 447
#endif

#define MB		(1024UL * 1024)
#define UNIT		(2 * MB)
#define PMD_SYSFS	"/sys/kernel/mm/secretmem/pmd_enabled"
#define HUGE_SYSFS	"/sys/kernel/mm/secretmem/huge_bytes"
#define HUGE_RSVD_SYSFS	"/sys/kernel/mm/secretmem/huge_reserved_bytes"
#define FREE_SYSFS	"/sys/kernel/mm/secretmem/free_bytes"
#define RSVD_SYSFS	"/sys/kernel/mm/secretmem/reserved_bytes"
#define NR_TESTS	22
#define RACE_ROUNDS	200

static size_t page_size;
static uint64_t seed;		/* the parent's: children check its data */

static long meminfo_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long sysfs_long(const char *path)
{
	char s[64] = "";
	long v = -1;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		if (read(fd, s, sizeof(s) - 1) > 0)
			v = strtol(s, NULL, 10);
		close(fd);
	}
	return v;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = -1;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) == (ssize_t)strlen(val))
		ret = 0;
	else
		ret = -errno;
	close(fd);
	return ret;
}

static void set_pmd(bool on)
{
	if (sysfs_write(PMD_SYSFS, on ? "1" : "0"))
		ksft_exit_fail_msg("write %s: %s\n", PMD_SYSFS, strerror(errno));
}

/* kB of the VMA holding @p mapped by PMDs */
static long pmd_kb(const void *p)
{
	return smt_smaps_kb(p, "FilePmdMapped");
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int secret_file(size_t size)
{
	int fd = syscall(__NR_memfd_secret, 0);

	if (fd < 0)
		ksft_exit_fail_msg("memfd_secret: %s\n", strerror(errno));
	if (ftruncate(fd, size))
		ksft_exit_fail_msg("ftruncate %zu: %s\n", size, strerror(errno));
	return fd;
}

static char *map(int fd, size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap %zu: %s\n", size, strerror(errno));
	return p;
}

static uint64_t pattern(size_t off)
{
	return seed ^ off;
}

/* One word per page: enough to see pages swapped, lost or zeroed. */
static void fill(char *p, size_t off, size_t size)
{
	size_t i;

	for (i = 0; i < size; i += page_size)
		*(uint64_t *)(p + i) = pattern(off + i);
}

static bool intact(const char *p, size_t off, size_t size)
{
	size_t i;

	for (i = 0; i < size; i += page_size)
		if (*(const uint64_t *)(p + i) != pattern(off + i))
			return false;
	return true;
}

static bool aligned(const void *p)
{
	return !((unsigned long)p & (UNIT - 1));
}

static long secret_free_kb(void)
{
	return meminfo_kb("SecretmemFree");
}

/* ---- alignment, faults, counters ---- */

static void test_switch(void)
{
	long v = sysfs_long(PMD_SYSFS);
	int bad;

	bad = sysfs_write(PMD_SYSFS, "maybe");
	ksft_test_result(v == 1 && bad == -EINVAL,
			 "pmd_enabled is 1 with a pool, refuses garbage (%ld, %d)\n",
			 v, bad);
}

static void test_alignment(void)
{
	int fd = secret_file(4 * UNIT), i, ok = 0;
	char *p[8];

	for (i = 0; i < 8; i++) {
		p[i] = map(fd, 4 * UNIT);
		ok += aligned(p[i]);
	}
	for (i = 0; i < 8; i++)
		munmap(p[i], 4 * UNIT);
	close(fd);
	ksft_test_result(ok == 8, "mmap without MAP_FIXED: %d of 8 mappings 2 MiB aligned\n",
			 ok);
}

static void test_faults(void)
{
	long free0 = secret_free_kb(), pmd0 = meminfo_kb("FilePmdMapped");
	int fd = secret_file(2 * UNIT);
	char *p = map(fd, 2 * UNIT);
	long f0, f1, f2, smaps, huge, pmd1, free1;

	f0 = minflt();
	fill(p, 0, UNIT);
	f1 = minflt();
	fill(p + UNIT, UNIT, UNIT);
	f2 = minflt();
	ksft_test_result(f1 - f0 == 1 && f2 - f1 == 1,
			 "one fault per 2 MiB: %ld and %ld faults for 512 pages each\n",
			 f1 - f0, f2 - f1);
	smaps = smt_smaps_kb(p, "FilePmdMapped");
	ksft_test_result(smaps == 4096, "smaps FilePmdMapped: %ld kB\n", smaps);
	huge = sysfs_long(HUGE_SYSFS);
	pmd1 = meminfo_kb("FilePmdMapped");
	free1 = secret_free_kb();
	ksft_test_result(huge == (long)(2 * UNIT) && pmd1 - pmd0 == 4096 &&
			 free0 - free1 == 4096,
			 "huge_bytes %ld, meminfo FilePmdMapped +%ld kB, SecretmemFree -%ld kB\n",
			 huge, pmd1 - pmd0, free0 - free1);
	ksft_test_result(intact(p, 0, 2 * UNIT), "data intact in PMD mappings\n");
	munmap(p, 2 * UNIT);
	close(fd);
	huge = sysfs_long(HUGE_SYSFS);
	ksft_test_result(huge == 0 && secret_free_kb() == free0,
			 "closed: huge_bytes %ld, SecretmemFree back\n", huge);
}

/* ---- what splits a PMD mapping ---- */

static void test_splits(void)
{
	long free0 = secret_free_kb(), before, after;
	int fd = secret_file(4 * UNIT), status;
	char *p = map(fd, 4 * UNIT), *q, *hole;
	bool ok;
	pid_t pid;

	fill(p, 0, 4 * UNIT);
	before = pmd_kb(p);

	/* a 4 KiB hole in the middle of the first block */
	ok = !munmap(p + MB, page_size);
	after = pmd_kb(p);
	ok = ok && intact(p, 0, MB) &&
		intact(p + MB + page_size, MB + page_size, UNIT - MB - page_size);
	ksft_test_result(ok && before == 8192 && after == 0 &&
			 pmd_kb(p + UNIT) == 6144,
			 "partial munmap: the rest intact, PMD %ld -> %ld kB and %ld kB\n",
			 before, after, pmd_kb(p + UNIT));

	/* read-only 4 KiB in the second block */
	ok = !mprotect(p + UNIT + 8 * page_size, page_size, PROT_READ);
	ok = ok && intact(p + UNIT, UNIT, UNIT);
	*(uint64_t *)(p + UNIT + 16 * page_size) = pattern(UNIT + 16 * page_size);
	ok = ok && !mprotect(p + UNIT + 8 * page_size, page_size,
			     PROT_READ | PROT_WRITE);
	ksft_test_result(ok && intact(p + UNIT, UNIT, UNIT),
			 "partial mprotect: intact, writable around it\n");

	/* MADV_DONTNEED on 64 KiB of the third block: refaulted from the file */
	ok = !madvise(p + 2 * UNIT + 64 * 1024, 64 * 1024, MADV_DONTNEED);
	ksft_test_result(ok && intact(p + 2 * UNIT, 2 * UNIT, UNIT),
			 "MADV_DONTNEED on part: intact after refault\n");

	/* the cold/pageout split attempt is refused, the data stays */
	madvise(p + 3 * UNIT + page_size, page_size, MADV_COLD);
	madvise(p + 3 * UNIT + 2 * page_size, page_size, MADV_PAGEOUT);
	ksft_test_result(intact(p + 3 * UNIT, 3 * UNIT, UNIT),
			 "MADV_COLD, MADV_PAGEOUT on part: intact\n");

	/* move the fourth block whole to another 2 MiB-aligned place */
	hole = mmap(NULL, 3 * UNIT, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q = (char *)(((unsigned long)hole + UNIT - 1) & ~(UNIT - 1));
	q = mremap(p + 3 * UNIT, UNIT, UNIT, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	ok = q != MAP_FAILED && intact(q, 3 * UNIT, UNIT);
	/* and 8 KiB of it to an unaligned place */
	if (ok) {
		char *r = mremap(q + 4 * page_size, 2 * page_size, 2 * page_size,
				 MREMAP_MAYMOVE | MREMAP_FIXED,
				 q + UNIT + page_size);

		ok = r != MAP_FAILED && intact(r, 3 * UNIT + 4 * page_size,
					      2 * page_size) &&
			intact(q, 3 * UNIT, 4 * page_size);
	}
	ksft_test_result(ok, "mremap of a PMD-mapped block, then of 8 KiB of it: intact\n");

	/* a child maps its own PMDs of the same file */
	pid = fork();
	if (!pid) {
		char *c = map(fd, 4 * UNIT);

		_exit(!(intact(c, 0, 4 * UNIT) && pmd_kb(c) == 8192));
	}
	ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		!WEXITSTATUS(status);
	ksft_test_result(ok, "fork: the child maps the file with PMDs, intact\n");

	munmap(hole, 3 * UNIT);
	munmap(p, 4 * UNIT);
	close(fd);
	ksft_test_result(secret_free_kb() == free0 && sysfs_long(HUGE_SYSFS) == 0,
			 "after the splits and exit of all mappings: every page back\n");
}

/* ---- fallbacks ---- */

static void test_switch_off(void)
{
	long free0 = secret_free_kb(), f0, f1;
	int fd;
	char *p;

	set_pmd(false);
	fd = secret_file(UNIT);
	p = map(fd, UNIT);
	f0 = minflt();
	fill(p, 0, 4 * page_size);
	f1 = minflt();
	ksft_test_result(f1 - f0 == 4 && pmd_kb(p) == 0 &&
			 sysfs_long(HUGE_SYSFS) == 0 &&
			 free0 - secret_free_kb() == (long)(4 * page_size / 1024),
			 "pmd_enabled=0: 4 KiB faults (%ld for 4 pages)\n", f1 - f0);
	set_pmd(true);
	munmap(p, UNIT);
	close(fd);

	/* a mapping that opts out gets single pages, the file no unit */
	free0 = secret_free_kb();
	fd = secret_file(UNIT);
	p = map(fd, UNIT);
	madvise(p, UNIT, MADV_NOHUGEPAGE);
	f0 = minflt();
	fill(p, 0, 4 * page_size);
	f1 = minflt();
	ksft_test_result(f1 - f0 == 4 && pmd_kb(p) == 0 &&
			 sysfs_long(HUGE_SYSFS) == 0 &&
			 free0 - secret_free_kb() == (long)(4 * page_size / 1024),
			 "MADV_NOHUGEPAGE: 4 KiB faults (%ld for 4 pages)\n", f1 - f0);
	munmap(p, UNIT);
	close(fd);
}

/* A 1 MiB secret file, every page of it faulted (4 KiB: smaller than a unit) */
static int touched_mb_file(void)
{
	int fd = secret_file(MB);
	char *p = map(fd, MB);

	fill(p, 0, MB);
	munmap(p, MB);
	return fd;
}

/*
 * Units set aside at ftruncate stay whole: other files then take every page
 * the pool has left one by one, give every other MiB back and take it
 * again, which leaves no whole free unit anywhere else.
 */
static void test_set_aside(void)
{
	long rsvd0 = sysfs_long(HUGE_RSVD_SYSFS), room, i, f0, f1, pmd, set;
	int fd = secret_file(2 * UNIT), *fds;
	char *p;
	bool ok;

	set = sysfs_long(HUGE_RSVD_SYSFS) - rsvd0;
	ksft_test_result(set == (long)(2 * UNIT),
			 "ftruncate of 4 MiB sets 2 whole units aside: huge_reserved_bytes +%ld\n",
			 set);
	room = (sysfs_long(FREE_SYSFS) - sysfs_long(RSVD_SYSFS)) / (long)MB;
	fds = calloc(room + 1, sizeof(int));
	if (!fds)
		ksft_exit_fail_msg("calloc\n");
	for (i = 0; i < room; i++)
		fds[i] = touched_mb_file();
	for (i = 0; i < room; i += 2)
		close(fds[i]);
	for (i = 0; i < room; i += 2)
		fds[i] = touched_mb_file();
	p = map(fd, 2 * UNIT);
	f0 = minflt();
	fill(p, 0, 2 * UNIT);
	f1 = minflt();
	pmd = pmd_kb(p);
	ok = f1 - f0 == 2 && pmd == 4096 && intact(p, 0, 2 * UNIT) &&
	     sysfs_long(HUGE_RSVD_SYSFS) == rsvd0;
	ksft_test_result(ok,
			 "%ld MiB of other files' 4 KiB pages left them whole: %ld faults for 4 MiB, FilePmdMapped %ld kB\n",
			 room, f1 - f0, pmd);
	munmap(p, 2 * UNIT);
	close(fd);
	for (i = 0; i < room; i++)
		close(fds[i]);
	free(fds);
}

/* Distinct 2 MiB units holding the pages of the odd files (pagemap PFNs). */
static long odd_units(int *fds, long n)
{
	static char seen[1 << 16];
	int pm = open("/proc/self/pagemap", O_RDONLY);
	long i, units = 0;
	size_t j;

	if (pm < 0)
		return -1;
	memset(seen, 0, sizeof(seen));
	for (i = 1; i < n; i += 2) {
		char *p = map(fds[i], MB);

		for (j = 0; j < MB; j += page_size) {
			uint64_t ent = 0;
			unsigned long unit;

			(void)__atomic_load_n(p + j, __ATOMIC_RELAXED);
			if (pread(pm, &ent, sizeof(ent),
				  ((uintptr_t)(p + j) / page_size) * 8) != 8 ||
			    !(ent >> 63))
				continue;
			unit = (ent & 0x007fffffffffffffULL) >> 9;
			if (!seen[unit % sizeof(seen)]) {
				seen[unit % sizeof(seen)] = 1;
				units++;
			}
		}
		munmap(p, MB);
	}
	close(pm);
	return units;
}

/*
 * Pool pages of 1 MiB files, every other one given back: half the pool is
 * free and no 2 MiB unit of it is. A 4 MiB file then gets single pages.
 * The files fill the pool exactly only if nothing else holds a page of it.
 */
static void test_fragmented(void)
{
	long total = meminfo_kb("SecretmemTotal"), n = total / 1024, i, f0, f1;
	int *fds = calloc(n, sizeof(int)), fd;
	bool ok = true;
	char *p;

	if (!smt_wait_pool_idle()) {
		ksft_test_result_fail("pool busy after 5 s: %ld/%ld kB free, %ld kB promised\n",
				      secret_free_kb(), total,
				      meminfo_kb("SecretmemRsvd"));
		free(fds);
		return;
	}
	/*
	 * Sizing a file of whole units first makes the pool flush the pages
	 * earlier tests released: the files below then take free pages in
	 * address order, so every unit holds pages of consecutive files.
	 */
	set_pmd(true);
	close(secret_file(UNIT));
	set_pmd(false);
	for (i = 0; i < n; i++)
		fds[i] = touched_mb_file();
	for (i = 0; i < n; i += 2)
		close(fds[i]);
	/* every unit of the pool still holds a page of an odd file? */
	if (odd_units(fds, n) != n / 2) {
		ksft_test_result_fail("no whole free unit: %ld of %ld units hold a page\n",
				      odd_units(fds, n), n / 2);
		for (i = 1; i < n; i += 2)
			close(fds[i]);
		free(fds);
		set_pmd(true);
		return;
	}
	set_pmd(true);
	fd = secret_file(4 * UNIT);
	p = map(fd, 4 * UNIT);
	f0 = minflt();
	fill(p, 0, 4 * UNIT);
	f1 = minflt();
	ok = intact(p, 0, 4 * UNIT) && pmd_kb(p) == 0 &&
		sysfs_long(HUGE_SYSFS) == 0;
	ksft_test_result(ok && f1 - f0 == (long)(4 * UNIT / page_size),
			 "no whole free unit: %ld 4 KiB faults for 8 MiB, no failure\n",
			 f1 - f0);
	munmap(p, 4 * UNIT);
	close(fd);
	for (i = 1; i < n; i += 2)
		close(fds[i]);
	free(fds);
}

/* ---- a 2 MiB fault and a 4 KiB fault into the same block ---- */

struct racer {
	pthread_barrier_t *bar;
	char *p;
};

static void *race_touch(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->bar);
	__atomic_store_n(r->p, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void test_race(void)
{
	int round, status, fails = 0;
	pid_t pid;

	/* in a child: a SIGBUS must not take the test down */
	pid = fork();
	if (!pid) {
		for (round = 0; round < RACE_ROUNDS; round++) {
			int fd = secret_file(UNIT);
			char *a = map(fd, UNIT), *win, *b;
			pthread_barrier_t bar;
			struct racer ra, rb;
			pthread_t ta, tb;

			/* b: the same block at a 4 KiB offset, never a PMD */
			win = mmap(NULL, 2 * UNIT, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			b = (char *)(((unsigned long)win + UNIT - 1) &
				     ~(UNIT - 1)) + page_size;
			b = mmap(b, UNIT, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, fd, 0);
			if (b == MAP_FAILED)
				_exit(2);
			pthread_barrier_init(&bar, NULL, 2);
			ra.bar = &bar;
			rb.bar = &bar;
			ra.p = a + (round % 512) * page_size;
			rb.p = b + ((round * 7) % 512) * page_size;
			pthread_create(&ta, NULL, race_touch, &ra);
			pthread_create(&tb, NULL, race_touch, &rb);
			pthread_join(ta, NULL);
			pthread_join(tb, NULL);
			pthread_barrier_destroy(&bar);
			*(uint64_t *)(a + 100 * page_size) = round;
			if (*(uint64_t *)(b + 100 * page_size) != (uint64_t)round)
				_exit(3);
			munmap(win, 2 * UNIT);
			munmap(a, UNIT);
			close(fd);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fails = 1;
	ksft_test_result(!fails,
			 "%d rounds of a 2 MiB and a 4 KiB fault into one block: %s\n",
			 RACE_ROUNDS, WIFSIGNALED(status) ?
			 strsignal(WTERMSIG(status)) :
			 WEXITSTATUS(status) ? "failed" : "all succeeded");
}

/* ---- the whole pool as units ---- */

static void test_full_pool(void)
{
	long total = meminfo_kb("SecretmemTotal");
	size_t size = (size_t)total * 1024;
	long f0, f1, free1, huge;
	int fd = secret_file(size);
	char *p = map(fd, size);

	size_t i, nonzero = 0;

	/* units used by the tests before: zeroed when they came back */
	f0 = minflt();
	for (i = 0; i < size; i += sizeof(uint64_t))
		nonzero += !!__atomic_load_n((uint64_t *)(p + i),
					      __ATOMIC_RELAXED);
	fill(p, 0, size);
	f1 = minflt();
	free1 = secret_free_kb();
	huge = sysfs_long(HUGE_SYSFS);
	ksft_test_result(f1 - f0 == (long)(size / UNIT) && free1 == 0 &&
			 huge == (long)size && intact(p, 0, size) && !nonzero,
			 "whole pool as %ld units: %ld faults (read, then written), %zu non-zero words before, SecretmemFree %ld kB, huge_bytes %ld\n",
			 (long)(size / UNIT), f1 - f0, nonzero, free1, huge);
	munmap(p, size);
	close(fd);
	ksft_test_result(secret_free_kb() == total &&
			 sysfs_long(HUGE_SYSFS) == 0,
			 "whole pool released\n");
}

int main(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	long total;

	ksft_print_header();
	page_size = sysconf(_SC_PAGESIZE);
	seed = 0x5ec2e7000000000ULL ^ ((uint64_t)getpid() << 40);
	total = meminfo_kb("SecretmemTotal");
	if (total <= 0) {
		if (row_expects("total") > 0)
			ksft_exit_fail_msg("no SecretmemTotal on a pool row\n");
		ksft_exit_skip("no secretmem= pool\n");
	}
	if (geteuid())
		ksft_exit_skip("needs root (pmd_enabled, meminfo counters)\n");
	if (access(PMD_SYSFS, W_OK))
		ksft_exit_fail_msg("%s: %s\n", PMD_SYSFS, strerror(errno));
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
		ksft_exit_fail_msg("RLIMIT_MEMLOCK: %s\n", strerror(errno));
	ksft_set_plan(NR_TESTS);

	test_switch();
	test_alignment();
	test_faults();
	test_splits();
	test_switch_off();
	test_set_aside();
	test_fragmented();
	test_race();
	test_full_pool();
	ksft_finished();
}
