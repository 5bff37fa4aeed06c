// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the elastic secretmem pool: growth by whole 2 MiB units when a
 * reservation does not fit, the ceiling (/sys/kernel/mm/secretmem/
 * ceiling_bytes), and empty units going back to the page allocator after a
 * delay and at once under memory pressure.
 *
 * Needs root (the ceiling and the delay are set here, and restored) and a
 * kernel booted with a pool (secretmem=[FLOOR]+CEILING or plain FLOOR):
 * without one the test skips, unless the boot row says it expects growth
 * (smt_expect_grow=1). Nothing else may use memfd_secret() meanwhile.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "secretmem_row.h"

#if !defined(__NR_memfd_secret) && defined(__x86_64__)
#define __NR_memfd_secret 447
#endif

#ifdef __NR_memfd_secret

#define SYSFS		"/sys/kernel/mm/secretmem/"
#define UNIT		(2UL << 20)
#define MPOL_BIND	2

static long page_size;
/*
 * Tests that fill the machine's memory (a minute on a debug kernel) run on
 * the one row that asks for them (smt_expect_fill=1: grow, no floor).
 */
static bool fill_row, debug_kernel;
static char old_ceiling[64], old_keep[64];

static int memfd_secret(unsigned int flags)
{
	return syscall(__NR_memfd_secret, flags);
}

static long long read_key(const char *path, const char *key)
{
	char line[256];
	long long v = -1;
	size_t len = strlen(key);
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		/* per-node meminfo lines start with "Node N " */
		if (!strncmp(p, "Node ", 5)) {
			p = strchr(p + 5, ' ');
			if (!p)
				continue;
			p++;
		}
		if (!strncmp(p, key, len) && p[len] == ':') {
			v = strtoll(p + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static long long meminfo_kb(const char *key)
{
	return read_key("/proc/meminfo", key);
}

static long long vmstat_count(const char *key)
{
	char line[256];
	long long v = -1;
	size_t len = strlen(key);
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ' ')
			v = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static long long sysfs_read(const char *name)
{
	char path[128], buf[64] = "";
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return buf[0] ? strtoll(buf, NULL, 0) : -1;
}

static int sysfs_write(const char *name, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static void set_ceiling(unsigned long long bytes)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", bytes);
	if (sysfs_write("ceiling_bytes", buf))
		ksft_exit_fail_msg("ceiling_bytes: %s\n", strerror(errno));
}

static void set_keep_ms(unsigned int ms)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u", ms);
	if (sysfs_write("unit_keep_ms", buf))
		ksft_exit_fail_msg("unit_keep_ms: %s\n", strerror(errno));
}

/* Pages the pool can promise without growing. */
static long room_pages(void)
{
	return (meminfo_kb("SecretmemFree") - meminfo_kb("SecretmemRsvd")) * 1024 /
	       page_size;
}

/* A secret file of @pages pages, every page touched; -errno at ftruncate. */
struct secret {
	int fd;
	char *p;
	size_t len;
};

static int secret_open(struct secret *s, long pages)
{
	long i;

	s->len = pages * page_size;
	s->p = NULL;
	s->fd = memfd_secret(0);
	if (s->fd < 0)
		ksft_exit_fail_msg("memfd_secret: %s\n", strerror(errno));
	if (ftruncate(s->fd, s->len)) {
		int err = -errno;

		close(s->fd);
		return err;
	}
	s->p = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (s->p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (i = 0; i < pages; i++)
		s->p[i * page_size] = 1;
	return 0;
}

static void secret_close(struct secret *s)
{
	munmap(s->p, s->len);
	close(s->fd);
}

/*
 * The grown part is @kb, and every unit the pool no longer counts is back in
 * the page allocator: a unit leaves the pool's count before it is mapped
 * again and freed (slow on a debug kernel), and only then is it counted as
 * returned.
 */
static bool grown_is(long long kb)
{
	return meminfo_kb("SecretmemGrown") == kb &&
	       (vmstat_count("secretmem_units_grown") -
		vmstat_count("secretmem_units_returned")) *
	       (long long)(UNIT >> 10) == kb;
}

/* Wait up to @ms for grown_is(@kb). */
static bool wait_grown(long long kb, int ms)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	for (; ms > 0; ms -= 50) {
		if (grown_is(kb))
			return true;
		nanosleep(&ts, NULL);
	}
	return grown_is(kb);
}

/* 1. growth by one unit, faults served, then back after the delay. */
static void test_grow_and_give_back(void)
{
	long long grown = vmstat_count("secretmem_units_grown");
	long long returned = vmstat_count("secretmem_units_returned");
	long long splits = vmstat_count("direct_map_level2_splits");
	long long dm4k = meminfo_kb("DirectMap4k");
	struct secret s;
	bool ok = true;
	int err;

	set_ceiling(4 * UNIT);
	set_keep_ms(200);
	err = secret_open(&s, room_pages() + 1);
	if (err) {
		ksft_test_result_fail("grow: ftruncate past the room: %s\n",
				      strerror(-err));
		return;
	}
	if (vmstat_count("secretmem_units_grown") != grown + 1 ||
	    meminfo_kb("SecretmemGrown") != 2048 ||
	    sysfs_read("grown_bytes") != (long long)UNIT) {
		ksft_print_msg("units grown %lld -> %lld, SecretmemGrown %lld kB, grown %lld\n",
			       grown, vmstat_count("secretmem_units_grown"),
			       meminfo_kb("SecretmemGrown"), sysfs_read("grown_bytes"));
		ok = false;
	}
	/* a unit keeps its promise: it stays while the file lives */
	usleep(600 * 1000);
	if (meminfo_kb("SecretmemGrown") != 2048) {
		ksft_print_msg("the unit left while its file lived\n");
		ok = false;
	}
	secret_close(&s);
	if (!wait_grown(0, 5000) ||
	    vmstat_count("secretmem_units_returned") != returned + 1) {
		ksft_print_msg("not given back: SecretmemGrown %lld kB, returned %lld -> %lld\n",
			       meminfo_kb("SecretmemGrown"), returned,
			       vmstat_count("secretmem_units_returned"));
		ok = false;
	}
	if (vmstat_count("direct_map_level2_splits") != splits ||
	    meminfo_kb("DirectMap4k") != dm4k) {
		ksft_print_msg("direct map: 2M splits %lld -> %lld, DirectMap4k %lld -> %lld kB\n",
			       splits, vmstat_count("direct_map_level2_splits"), dm4k,
			       meminfo_kb("DirectMap4k"));
		ok = false;
	}
	ksft_test_result(ok, "grow a 2 MiB unit, back after the delay, direct map whole\n");
}

/* 2. the ceiling: past it, ENOMEM at ftruncate and nothing grown. */
static void test_ceiling_enomem(void)
{
	long long grown = vmstat_count("secretmem_units_grown");
	struct secret s;
	int err;

	set_ceiling(2 * UNIT);
	err = secret_open(&s, room_pages() + 2 * UNIT / page_size + 1);
	if (!err)
		secret_close(&s);
	ksft_test_result(err == -ENOMEM &&
			 vmstat_count("secretmem_units_grown") == grown &&
			 meminfo_kb("SecretmemGrown") == 0,
			 "past the ceiling: ENOMEM at ftruncate (%s), nothing grown\n",
			 strerror(-err));
}

/* 3. lowered at runtime while a grown file lives: it keeps its pages. */
static void test_ceiling_lowered(void)
{
	struct secret a, b;
	bool ok = true;
	long i;
	int err;

	set_ceiling(4 * UNIT);
	set_keep_ms(200);
	err = secret_open(&a, room_pages() + UNIT / page_size);
	if (err) {
		ksft_test_result_fail("lowered ceiling: first file: %s\n",
				      strerror(-err));
		return;
	}
	set_ceiling(0);
	if (sysfs_read("ceiling_bytes") != 0 || meminfo_kb("SecretmemCeiling") != 0)
		ok = false;
	err = secret_open(&b, 1);
	if (err != -ENOMEM) {
		ksft_print_msg("growth with ceiling 0: %s\n", strerror(-err));
		if (!err)
			secret_close(&b);
		ok = false;
	}
	/* the first file's pages are all still there and hold their data */
	for (i = 0; i < (long)(a.len / page_size); i++)
		if (a.p[i * page_size] != 1)
			ok = false;
	if (meminfo_kb("SecretmemGrown") != 2048)
		ok = false;
	secret_close(&a);
	if (!wait_grown(0, 5000))
		ok = false;
	ksft_test_result(ok, "ceiling lowered under a live file: pages kept, no growth\n");
}

/* 4. under memory pressure the unit goes back at once (the shrinker). */
static void test_pressure(void)
{
	long long returned = vmstat_count("secretmem_units_returned");
	struct secret s;
	bool ok = true;
	int fd, err;

	set_ceiling(4 * UNIT);
	set_keep_ms(3600 * 1000);
	err = secret_open(&s, room_pages() + 1);
	if (err) {
		ksft_test_result_fail("pressure: ftruncate: %s\n", strerror(-err));
		return;
	}
	secret_close(&s);
	usleep(1500 * 1000);
	if (meminfo_kb("SecretmemGrown") != 2048) {
		ksft_print_msg("without pressure the unit left early\n");
		ok = false;
	}
	/* reclaiming slab objects runs every shrinker */
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0 || write(fd, "2", 1) != 1)
		ksft_exit_fail_msg("drop_caches: %s\n", strerror(errno));
	close(fd);
	if (!wait_grown(0, 2000) ||
	    vmstat_count("secretmem_units_returned") != returned + 1) {
		ksft_print_msg("not back under reclaim: grown %lld kB, returned %lld -> %lld\n",
			       meminfo_kb("SecretmemGrown"), returned,
			       vmstat_count("secretmem_units_returned"));
		ok = false;
	}
	set_keep_ms(1000);
	ksft_test_result(ok, "kept for its delay, given back at once under reclaim\n");
}

/* 5. on two nodes, growth happens on the reservation's node. */
static void test_node(void)
{
	unsigned long mask = 1UL << 1;
	long long before;
	struct secret s;
	pid_t pid;
	int st;

	if (access("/sys/devices/system/node/node1", F_OK)) {
		ksft_test_result_skip("growth on node 1: one node\n");
		return;
	}
	set_ceiling(4 * UNIT);
	set_keep_ms(200);
	before = read_key("/sys/devices/system/node/node1/meminfo",
			  "SecretmemGrown");
	pid = fork();
	if (!pid) {
		long long free1, rsvd1;

		if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 64))
			_exit(2);
		free1 = read_key("/sys/devices/system/node/node1/meminfo",
				 "SecretmemFree");
		rsvd1 = read_key("/sys/devices/system/node/node1/meminfo",
				 "SecretmemRsvd");
		if (secret_open(&s, (free1 - rsvd1) * 1024 / page_size + 1))
			_exit(3);
		if (read_key("/sys/devices/system/node/node1/meminfo",
			     "SecretmemGrown") != before + 2048 ||
		    read_key("/sys/devices/system/node/node0/meminfo",
			     "SecretmemGrown") != 0)
			_exit(4);
		secret_close(&s);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	ksft_test_result(WIFEXITED(st) && !WEXITSTATUS(st) && wait_grown(0, 5000),
			 "bound to node 1: grown on node 1 (child status %d)\n",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/*
 * 6. 1024 processes with one secret page each, with no room at first: the
 * pool grows by whole units (two, for 1024 pages) and the direct map never
 * splits a 2 MiB page; once they are gone every unit is back.
 */
#define NR_PROCS	1024

static void test_forkbomb(void)
{
	long long splits = vmstat_count("direct_map_level2_splits");
	long long dm4k = meminfo_kb("DirectMap4k");
	long long returned = vmstat_count("secretmem_units_returned");
	long long grown = vmstat_count("secretmem_units_grown");
	int ready[2], hold[2], i, started = 0, failed = 0;
	long long peak;
	bool ok;
	char c;

	set_ceiling(64 * UNIT);
	set_keep_ms(200);
	if (pipe(ready) || pipe(hold))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	for (i = 0; i < NR_PROCS; i++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (!pid) {
			struct secret s;

			close(ready[0]);
			close(hold[1]);
			c = secret_open(&s, 1) ? 'E' : 'R';
			if (write(ready[1], &c, 1) != 1)
				_exit(1);
			/* hold the page until the parent lets go */
			if (read(hold[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		started++;
	}
	close(ready[1]);
	close(hold[0]);
	for (i = 0; i < started; i++) {
		if (read(ready[0], &c, 1) != 1)
			break;
		failed += c != 'R';
	}
	peak = meminfo_kb("SecretmemGrown");
	close(hold[1]);
	close(ready[0]);
	while (wait(NULL) > 0)
		;
	ksft_print_msg("%d processes, %d refused, grew %lld units (%lld kB), splits %lld -> %lld\n",
		       started, failed, vmstat_count("secretmem_units_grown") - grown,
		       peak, splits, vmstat_count("direct_map_level2_splits"));
	ok = wait_grown(0, 10000);
	ksft_print_msg("after exit: grown %lld kB, returned %lld, DirectMap4k %lld -> %lld kB\n",
		       meminfo_kb("SecretmemGrown"),
		       vmstat_count("secretmem_units_returned") - returned, dm4k,
		       meminfo_kb("DirectMap4k"));
	ksft_test_result(started == NR_PROCS && !failed && ok &&
			 vmstat_count("secretmem_units_returned") - returned ==
			 vmstat_count("secretmem_units_grown") - grown &&
			 vmstat_count("direct_map_level2_splits") == splits &&
			 meminfo_kb("DirectMap4k") == dm4k,
			 "%d one-page processes: units back, no 2M split, DirectMap4k kept\n",
			 NR_PROCS);
}

/* Free blocks of order 9 or more in /proc/buddyinfo, every zone. */
static long long free_units(void)
{
	char line[512];
	long long n = 0;
	FILE *f = fopen("/proc/buddyinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int order = 0;

		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		p = strchr(p, ' ');	/* past the zone's name */
		while (p && *p) {
			char *end;
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			if (order++ >= 9)
				n += v;
			p = end;
		}
	}
	fclose(f);
	return n;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

#define COMPACT_UNEVICTABLE	"/proc/sys/vm/compact_unevictable_allowed"
#define CHUNK			(2UL << 20)
#define MAX_CHUNKS		4096

/*
 * 7. On fragmented memory, growth fails cleanly. Every free 2 MiB block is
 * taken by mlocked anonymous memory (compaction may not move it), then one
 * page in 8 of it is freed: an eighth of the memory is free again, but in
 * single pages. A file that needs a unit is refused with ENOMEM at
 * ftruncate, counted in secretmem_grow_failed; once the memory is freed,
 * the same request grows the pool.
 */
/* mlock 2 MiB anonymous chunks while the buddy allocator has a free block */
static long long take_free_blocks(char **chunks, int *n)
{
	long long left = -1;

	while (*n < MAX_CHUNKS && (left = free_units()) > 0) {
		char *c = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (c == MAP_FAILED)
			break;
		/* 4 KiB pages, so that freeing one frees it at once */
		madvise(c, CHUNK, MADV_NOHUGEPAGE);
		if (mlock(c, CHUNK)) {
			munmap(c, CHUNK);
			break;
		}
		chunks[(*n)++] = c;
	}
	return left;
}

static void test_fragmented(void)
{
	long long failed = vmstat_count("secretmem_grow_failed");
	char old_cu[16] = "";
	char *chunks[MAX_CHUNKS];
	long long left = -1;
	int n = 0, i, err, fd;
	struct secret s;
	bool ok = true;
	size_t off;

	if (!fill_row || debug_kernel) {
		ksft_test_result_skip("fragmented memory: %s\n",
				      debug_kernel ? "debug kernel, too slow" :
				      "on smt_expect_fill rows");
		return;
	}
	set_ceiling(4 * UNIT);
	set_keep_ms(200);
	/* without CONFIG_COMPACTION there is no such file: nothing moves */
	fd = open(COMPACT_UNEVICTABLE, O_RDONLY);
	if (fd >= 0) {
		if (read(fd, old_cu, sizeof(old_cu) - 1) <= 0)
			snprintf(old_cu, sizeof(old_cu), "1");
		close(fd);
		if (write_file(COMPACT_UNEVICTABLE, "0"))
			ksft_exit_fail_msg("%s: %s\n", COMPACT_UNEVICTABLE,
					   strerror(errno));
	}

	/* take every free 2 MiB block, in 2 MiB pieces, while one is left */
	left = take_free_blocks(chunks, &n);
	/*
	 * then give back one page in 8 of them: 1/8 of the memory free again,
	 * but in single pages (a 2 MiB block needs 512 of them side by side)
	 */
	for (i = 0; i < n; i++)
		for (off = 0; off < CHUNK; off += 8 * page_size)
			munmap(chunks[i] + off, page_size);
	/*
	 * Memory others freed meanwhile (per-CPU page lists drained, a
	 * previous test's exited processes) may have made a block again.
	 */
	left = take_free_blocks(chunks, &n);
	if (free_units() > 0) {
		ksft_print_msg("%lld free 2 MiB blocks left after %d chunks\n",
			       free_units(), n);
		ok = false;
	}
	ksft_print_msg("%d chunks: free %lld kB, %lld free 2 MiB blocks\n", n,
		       meminfo_kb("MemFree"), free_units());
	/* refused for want of a 2 MiB block, not of memory */
	if (meminfo_kb("MemFree") < 32 * 1024)
		ok = false;

	err = secret_open(&s, room_pages() + 1);
	if (!err) {
		ksft_print_msg("grew on fragmented memory\n");
		secret_close(&s);
		ok = false;
	} else if (err != -ENOMEM ||
		   vmstat_count("secretmem_grow_failed") <= failed ||
		   meminfo_kb("SecretmemGrown") != 0) {
		ksft_print_msg("refused with %s, grow_failed %lld -> %lld, grown %lld kB\n",
			       strerror(-err), failed,
			       vmstat_count("secretmem_grow_failed"),
			       meminfo_kb("SecretmemGrown"));
		ok = false;
	}

	for (i = 0; i < n; i++)
		munmap(chunks[i], CHUNK);
	if (old_cu[0])
		write_file(COMPACT_UNEVICTABLE, old_cu);
	err = secret_open(&s, room_pages() + 1);
	if (err) {
		ksft_print_msg("memory freed, still no growth: %s\n",
			       strerror(-err));
		ok = false;
	} else {
		secret_close(&s);
	}
	if (!wait_grown(0, 5000))
		ok = false;
	ksft_test_result(ok && left == 0,
			 "fragmented memory: ENOMEM at ftruncate, growth once it is free\n");
}

/*
 * 8. Anonymous memory filling the machine wakes reclaim, which takes an
 * empty unit back at once though its delay has not passed; the file that
 * still holds a grown unit keeps it.
 */
/*
 * Free memory above the min watermark, in kB, of the zone with the most
 * memory (the one anonymous memory comes from): MemFree also counts the
 * DMA zone, which anonymous memory may not use, and filling memory by
 * MemFree alone went into the OOM killer. -1 if /proc/zoneinfo says nothing.
 */
static long long zone_headroom_kb(void)
{
	long long free = 0, min = 0, managed = 0, best = -1, best_managed = 0;
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		long long v;

		if (!strncmp(line, "Node ", 5)) {
			if (managed > best_managed) {
				best_managed = managed;
				best = free - min;
			}
			free = 0;
			min = 0;
			managed = 0;
		} else if (sscanf(line, " pages free %lld", &v) == 1) {
			free = v;
		} else if (sscanf(line, " min %lld", &v) == 1) {
			min = v;
		} else if (sscanf(line, " managed %lld", &v) == 1) {
			managed = v;
		}
	}
	fclose(f);
	if (managed > best_managed)
		best = free - min;
	return best < 0 ? best : best * (page_size / 1024);
}

static void test_anon_pressure(void)
{
	long long returned = vmstat_count("secretmem_units_returned");
	static char *fill[MAX_CHUNKS];
	struct secret keep, gone;
	bool back = false, ok = true;
	int err, n = 0;

	if (!fill_row || debug_kernel) {
		ksft_test_result_skip("anon memory pressure: %s\n",
				      debug_kernel ? "debug kernel, too slow" :
				      "on smt_expect_fill rows");
		return;
	}
	if (zone_headroom_kb() < 0) {
		ksft_test_result_fail("anon pressure: no zone in /proc/zoneinfo\n");
		return;
	}
	set_ceiling(4 * UNIT);
	set_keep_ms(3600 * 1000);
	err = secret_open(&keep, room_pages() + 1);
	if (!err) {
		err = secret_open(&gone, room_pages() + 1);
		if (err)
			secret_close(&keep);
	}
	if (err || meminfo_kb("SecretmemGrown") != 4096) {
		ksft_test_result_fail("anon pressure: two units: %s, grown %lld kB\n",
				      strerror(-err), meminfo_kb("SecretmemGrown"));
		return;
	}
	secret_close(&gone);
	/*
	 * Fill memory a MiB at a time until the empty unit is back: below the
	 * low watermark kswapd runs the shrinkers. Never within 4 MiB of the
	 * min watermark (no swap: the OOM killer is next); there, give kswapd
	 * a second before letting go.
	 */
	while (!back && n < MAX_CHUNKS && zone_headroom_kb() > 4096) {
		fill[n] = mmap(NULL, 1UL << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (fill[n] == MAP_FAILED)
			break;
		n++;
		back = meminfo_kb("SecretmemGrown") == 2048;
	}
	if (!back)
		back = wait_grown(2048, 1000);
	ksft_print_msg("filled %d MiB, grown %lld kB, returned %lld -> %lld\n",
		       n, meminfo_kb("SecretmemGrown"), returned,
		       vmstat_count("secretmem_units_returned"));
	while (n)
		munmap(fill[--n], 1UL << 20);
	if (!back || !wait_grown(2048, 2000))
		ok = false;
	/* the live file's unit stayed, with its data */
	if (keep.p[0] != 1)
		ok = false;
	secret_close(&keep);
	set_keep_ms(200);
	if (!wait_grown(0, 5000))
		ok = false;
	ksft_test_result(ok, "anon memory pressure: an empty unit back at once, a live one kept\n");
}

static void restore(void)
{
	if (old_ceiling[0])
		sysfs_write("ceiling_bytes", old_ceiling);
	if (old_keep[0])
		sysfs_write("unit_keep_ms", old_keep);
}

static void save(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

int main(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	bool expect = row_expects("grow") > 0;
	int fd;

	fill_row = row_expects("fill") > 0;
	/*
	 * kmemleak marks the debug kernel: there, faulting in the whole
	 * guest page by page (DEBUG_PAGEALLOC maps and unmaps each page)
	 * takes longer than a test may run. The base kernel checks them.
	 */
	debug_kernel = !access("/sys/kernel/debug/kmemleak", F_OK);
	ksft_print_header();
	page_size = sysconf(_SC_PAGESIZE);
	fd = memfd_secret(0);
	if (fd < 0) {
		if (expect)
			ksft_exit_fail_msg("memfd_secret: %s\n", strerror(errno));
		ksft_exit_skip("memfd_secret: %s\n", strerror(errno));
	}
	close(fd);
	if (geteuid())
		ksft_exit_skip("needs root: sets the pool's ceiling\n");
	if (meminfo_kb("SecretmemGrown") < 0 || sysfs_read("ceiling_bytes") < 0) {
		if (expect)
			ksft_exit_fail_msg("no SecretmemGrown or ceiling_bytes\n");
		ksft_exit_skip("kernel without an elastic pool\n");
	}
	save("ceiling_bytes", old_ceiling, sizeof(old_ceiling));
	save("unit_keep_ms", old_keep, sizeof(old_keep));
	if (sysfs_write("ceiling_bytes", old_ceiling) == -EOPNOTSUPP) {
		if (expect)
			ksft_exit_fail_msg("ceiling refused: no pool, row expects one\n");
		ksft_exit_skip("no pool: booted without secretmem=\n");
	}
	atexit(restore);
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		ksft_exit_fail_msg("RLIMIT_MEMLOCK: %s\n", strerror(errno));
	/* whatever an earlier test left grown is gone first */
	set_keep_ms(0);
	if (!wait_grown(0, 5000))
		ksft_exit_fail_msg("the pool stays grown while idle\n");

	ksft_set_plan(8);
	test_grow_and_give_back();
	test_ceiling_enomem();
	test_ceiling_lowered();
	test_pressure();
	test_node();
	test_forkbomb();
	test_fragmented();
	test_anon_pressure();
	ksft_finished();
}

#else
int main(void)
{
	ksft_print_header();
	ksft_exit_skip("no memfd_secret on this architecture\n");
}
#endif
