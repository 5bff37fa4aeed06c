// SPDX-License-Identifier: GPL-2.0
/*
 * secretmem_bench: what a page of memfd_secret() memory costs, with and
 * without the secretmem= pool, next to shmem and anonymous memory.
 *
 *   secretmem_bench [-s SIZE] [-r REPS] [-t T1,T2,...] [-n FORKS] [-R SIZE]
 *                   [-c CYCLES] [-K] CASE
 *
 * CASE is one of
 *   pool     memfd_secret() served from the secretmem= pool's boot floor
 *            (floor_bytes, or SecretmemTotal, > 0), 4 KiB pages only
 *            (/sys/kernel/mm/secretmem/pmd_enabled set to 0)
 *   poolpmd  the same with pmd_enabled 1: whole 2 MiB units mapped by PMDs
 *            (fault + release and random only)
 *   grow     memfd_secret() served by a pool with no floor that grows by
 *            2 MiB units up to its ceiling (floor 0, SecretmemCeiling > 0)
 *   perpage  memfd_secret() without a pool: each page leaves the direct map
 *            at fault (no floor, no ceiling)
 *   shmem    memfd_create() mapped MAP_SHARED
 *   anon     MAP_PRIVATE | MAP_ANONYMOUS
 *
 * First one unmeasured repetition (whose direct map splits still count in
 * the first measured one), then for each thread count (-t, default 1,2,4)
 * and repetition (-r, default 5):
 *   fault    ftruncate() (not for anon) + mmap() + a first write to each of
 *            the SIZE (-s, default 16M) bytes' pages, the pages split between
 *            the threads, each thread pinned to its own CPU (and, of it,
 *            ftruncate() + mmap() alone: where a growing pool grows);
 *   release  munmap() + close() until the memory is back (for pool: until
 *            the pool's free count is what it was before the fault; for
 *            grow: until every grown unit is back in the page allocator);
 * with the IPIs (CAL + TLB rows of /proc/interrupts, all CPUs) of each and
 * of the page faults alone (the first writes, counted from a 100 ms pause
 * after mmap that the fault time leaves out), the
 * direct map splits (/proc/vmstat) at fault and over fault + release, and
 * the DirectMap4k/2M/1G changes (/proc/meminfo) over fault + release; and
 * of the page faults, their time (the passes that faulted, see touch())
 * and the median latency of one.
 * For grow, /sys/kernel/mm/secretmem/unit_keep_ms is 0 while this runs (an
 * empty unit goes back at once; restored at exit) and each repetition
 * starts with nothing grown, so that the growth is inside the fault window:
 * the units grown (at fault) and returned (over fault + release) are
 * reported too. Then (unless -K) the same again with the units kept
 * (grown by an unmeasured run, unit_keep_ms long; release until the pool's
 * free count is back), reported as the case grow-kept: the same boot's
 * baseline of faults that take pages already out of the direct map.
 * Then, per repetition:
 *   background  IPIs per second while the process only spins on CPU 0 for
 *            a second, as it sits during a fault: what the other counts
 *            include that no memory operation caused;
 *   fork     FORKS (-n, default 1024) processes holding one page each, all
 *            alive at once, then released: splits, DirectMap4k and IPIs;
 *            for pool and grow also the global TLB flushes while they
 *            fault, counted exactly (units grown and returned, each one
 *            flush, plus the zeroing slots' flushes) per 512 pages, and the
 *            TLB IPIs per 512 pages per other CPU as a cross-check; for grow
 *            each repetition starts with nothing grown, and after the
 *            processes are reaped waits (unit_keep_ms as it is) until every
 *            grown unit is back, then reads DirectMap4k;
 *   ftruncate  ns per ftruncate() of a large file on a fresh fd: the pool's
 *            free capacity for pool, -R (default 256M) for perpage and
 *            shmem, for grow -R (default 32M, at most the ceiling) grown
 *            from nothing by every call (unit_keep_ms 0); not for anon;
 *   random   ns per 8-byte load at random offsets of a SIZE buffer faulted
 *            in before (-A loads, default 4M): what the page size of the
 *            mapping costs in TLB misses.
 * The fault repetitions also count page faults (getrusage) per 2 MiB, and
 * the time in page faults: the first writes go to the first page of each
 * 2 MiB block, then to the others, and a pass counts if it faulted.
 * Then, once, for pool and grow:
 *   churn    CYCLES (-c, default 100000; 0: none) create/fault/close cycles
 *            of one file of a random size of 1..64 pages (fixed seed):
 *            memfd_secret + ftruncate + mmap + a write to each page +
 *            munmap + close; cycles per second, units grown and returned
 *            during the loop (unit_keep_ms as it is), and the splits and
 *            DirectMap4k change once every grown unit is back.
 *
 * Each measured window opens after a 100 ms sleep, so that the deferred work
 * of the step before (RCU, kworkers, exiting threads) is not counted in it.
 *
 * Output: one JSON object per metric on stdout, prefixed "BENCH ", with the
 * median, min, max and every value; progress lines start with "# ".
 * Exit status: 0 done, 1 failure, 2 usage, 4 CASE does not apply to this boot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "size.h"

#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

#define MAX_REPS	100
#define MAX_THREADS	64
#define FTRUNCATE_CALLS	20
#define WAIT_BACK_NS	(10ULL * 1000 * 1000 * 1000)
#define BACKGROUND_NS	(1000ULL * 1000 * 1000)
#define SETTLE_NS	(100 * 1000 * 1000)
#define SYSFS_DIR	"/sys/kernel/mm/secretmem/"
#define POOL_FREE_PATH	SYSFS_DIR "free_bytes"
#define GROWN_PATH	SYSFS_DIR "grown_bytes"
#define KEEP_PATH	SYSFS_DIR "unit_keep_ms"
/* how long past unit_keep_ms to wait for the grown units to come back */
#define WAIT_GROWN_NS	(30ULL * 1000 * 1000 * 1000)
#define CHURN_MAX_PAGES	64
#define CHURN_SEED	0x5ec7e7u

enum kind { POOL, PERPAGE, SHMEM, ANON, GROW, NR_KINDS };

static const char * const kind_names[] = {
	[POOL] = "pool", [PERPAGE] = "perpage", [SHMEM] = "shmem", [ANON] = "anon",
	[GROW] = "grow",
};

/* What one reading of the kernel's counters says. */
struct counters {
	unsigned long long cal, tlb;		/* summed over CPUs */
	long long slot_flushes;			/* the pool's, 0 without */
	unsigned long long l2_splits, l3_splits;
	long long dm4k, dm2m, dm1g;		/* kB */
	/* the elastic pool's (/proc/vmstat), 0 where the kernel has none */
	unsigned long long units_grown, units_returned, grow_failed;
};

static enum kind kind;
/* poolpmd: the pool case with whole units mapped by PMDs */
static bool pmd_case;

#define PMD_SWITCH	SYSFS_DIR "pmd_enabled"
#define UNIT_BYTES	(2UL << 20)
static const char *case_name;
/*
 * grow: the units are kept (grown before, unit_keep_ms long), so that
 * faults take pages of units already out of the direct map, as from a boot
 * pool: the same boot's baseline for the cost of growth.
 */
static bool units_kept;
#define KEPT_MS		600000
static long page_size;
static int nr_cpus;
static cpu_set_t all_cpus;

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "secretmem_bench: %s: ", case_name ? case_name : "setup");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Before a measured window: let the deferred work of what came before (RCU
 * callbacks and grace periods, kworkers, exiting threads) run, so that the
 * wakeups it sends other CPUs are not counted against the next operation.
 */
static void settle(void)
{
	struct timespec ts = { 0, SETTLE_NS };

	nanosleep(&ts, NULL);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- Reading /proc ---- */

static char procbuf[1 << 16];

static const char *read_file(const char *path)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	while ((n = read(fd, procbuf + len, sizeof(procbuf) - 1 - len)) > 0)
		len += n;
	if (n < 0)
		die("read %s: %s", path, strerror(errno));
	close(fd);
	procbuf[len] = '\0';
	return procbuf;
}

/* The number after "name" at the start of a line (name includes ':' or ' '). */
static long long field(const char *buf, const char *name)
{
	size_t len = strlen(name);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, name, len))
			return strtoll(p + len, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Sum of the per-CPU columns of one row ("CAL:") of /proc/interrupts. */
static unsigned long long irq_row(const char *buf, const char *row)
{
	size_t len = strlen(row);
	const char *p = buf;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, row, len)) {
			unsigned long long sum = 0;
			char *end;
			int cpu;

			p += len;
			for (cpu = 0; cpu < nr_cpus; cpu++) {
				unsigned long long v = strtoull(p, &end, 10);

				if (end == p)
					break;
				sum += v;
				p = end;
			}
			return sum;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	die("no %s row in /proc/interrupts", row);
	return 0;
}

/*
 * Global flushes of the pool's zeroing slots so far (debugfs, exact); 0
 * where there is no pool.
 */
static long long slot_flushes(void)
{
	char buf[32] = "";
	int fd = open("/sys/kernel/debug/secretmem/slot_flushes", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoll(buf) : 0;
}

static void read_counters(struct counters *c)
{
	const char *buf;
	long long v2, v3;

	c->slot_flushes = slot_flushes();
	buf = read_file("/proc/interrupts");
	c->cal = irq_row(buf, "CAL:");
	c->tlb = irq_row(buf, "TLB:");

	buf = read_file("/proc/vmstat");
	v2 = field(buf, "direct_map_level2_splits ");
	v3 = field(buf, "direct_map_level3_splits ");
	if (v2 < 0 || v3 < 0)
		die("no direct_map_level[23]_splits in /proc/vmstat");
	c->l2_splits = v2;
	c->l3_splits = v3;
	v2 = field(buf, "secretmem_units_grown ");
	c->units_grown = v2 < 0 ? 0 : v2;
	v2 = field(buf, "secretmem_units_returned ");
	c->units_returned = v2 < 0 ? 0 : v2;
	v2 = field(buf, "secretmem_grow_failed ");
	c->grow_failed = v2 < 0 ? 0 : v2;

	buf = read_file("/proc/meminfo");
	c->dm4k = field(buf, "DirectMap4k:");
	c->dm2m = field(buf, "DirectMap2M:");
	c->dm1g = field(buf, "DirectMap1G:");
	/* a machine without 1G (or 2M) pages has no such line: count 0 */
	if (c->dm4k < 0)
		c->dm4k = 0;
	if (c->dm2m < 0)
		c->dm2m = 0;
	if (c->dm1g < 0)
		c->dm1g = 0;
}

static unsigned long long ipis(const struct counters *c)
{
	return c->cal + c->tlb;
}

static unsigned long long splits(const struct counters *c)
{
	return c->l2_splits + c->l3_splits;
}

/* SecretmemTotal/Free/Rsvd in bytes; -1 when the kernel has no such line. */
static long long meminfo_bytes(const char *name)
{
	long long kb = field(read_file("/proc/meminfo"), name);

	return kb < 0 ? -1 : kb * 1024;
}

/*
 * The pool's free count, which SecretmemFree shows: from sysfs, one number,
 * so that polling it costs the release timing little.
 */
static long long pool_free(void)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(POOL_FREE_PATH, O_RDONLY);
	if (fd < 0)
		return meminfo_bytes("SecretmemFree:");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		die("read %s: %s", POOL_FREE_PATH, n ? strerror(errno) : "empty");
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/* Until the pool has (at least) @want free bytes again. */
static void wait_pool_back(long long want)
{
	unsigned long long start = now_ns();
	long long have;

	while ((have = pool_free()) < want) {
		if (now_ns() - start > WAIT_BACK_NS)
			die("pool free stuck at %lld bytes, %lld before", have, want);
		sched_yield();
	}
}

/* One number from a sysfs file; -1 when there is no such file. */
static long long sysfs_ll(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		die("read %s: %s", path, n ? strerror(errno) : "empty");
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

static void sysfs_write_ll(const char *path, long long v)
{
	char buf[32];
	int fd, len;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	len = snprintf(buf, sizeof(buf), "%lld\n", v);
	if (write(fd, buf, len) != len)
		die("write %lld to %s: %s", v, path, strerror(errno));
	close(fd);
}

/* The grown part of the pool, bytes (0 where the kernel cannot grow it). */
static long long grown(void)
{
	long long v = sysfs_ll(GROWN_PATH);

	return v < 0 ? 0 : v;
}

/* unit_keep_ms as this run found it, restored at exit; -1: not changed */
static long long keep_ms_saved = -1;

static void restore_keep_ms(void)
{
	if (keep_ms_saved >= 0)
		sysfs_write_ll(KEEP_PATH, keep_ms_saved);
}

static void set_keep_ms(long long ms)
{
	if (keep_ms_saved < 0) {
		keep_ms_saved = sysfs_ll(KEEP_PATH);
		if (keep_ms_saved < 0)
			die("no %s", KEEP_PATH);
		atexit(restore_keep_ms);
	}
	sysfs_write_ll(KEEP_PATH, ms);
}

static long long keep_ms(void)
{
	long long v = sysfs_ll(KEEP_PATH);

	return v < 0 ? 0 : v;
}

/* Units grown and not yet back since boot, as /proc/vmstat counts them. */
static long long units_out(void)
{
	const char *buf = read_file("/proc/vmstat");
	long long g = field(buf, "secretmem_units_grown ");
	long long r = field(buf, "secretmem_units_returned ");

	return g < 0 || r < 0 ? 0 : g - r;
}

/*
 * Until every grown unit is back in the page allocator: unit_keep_ms plus
 * a margin at most. SecretmemGrown drops when a unit is taken off the
 * pool, before it is mapped again and freed; the unit is back when
 * secretmem_units_returned counts it. Polls every 100 us: the work that
 * gives units back runs on whichever CPU is free.
 */
static void wait_grown_zero(void)
{
	unsigned long long start = now_ns();
	unsigned long long limit = keep_ms() * 1000000ULL + WAIT_GROWN_NS;
	struct timespec ts = { 0, 100 * 1000 };
	long long have, out;

	while ((have = grown()) > 0 || (out = units_out()) > 0) {
		if (now_ns() - start > limit)
			die("%lld bytes still grown, %lld units not returned, %llu ms after the release",
			    have, have > 0 ? units_out() : out, (now_ns() - start) / 1000000);
		nanosleep(&ts, NULL);
	}
}

/* ---- The memory of each case ---- */

/* A new file of the case (-1 for anon); -2 if refused and @may_fail. */
static int open_mem(bool may_fail)
{
	int fd;

	switch (kind) {
	case POOL:
	case PERPAGE:
	case GROW:
		fd = syscall(__NR_memfd_secret, O_CLOEXEC);
		break;
	case SHMEM:
		fd = syscall(__NR_memfd_create, "bench", MFD_CLOEXEC);
		break;
	default:
		return -1;
	}
	if (fd < 0 && may_fail)
		return -2;
	if (fd < 0)
		die("%s: %s", kind == SHMEM ? "memfd_create" : "memfd_secret",
		    strerror(errno));
	return fd;
}

/* ftruncate() where there is a file, and mmap(); NULL if refused. */
static char *map_mem(int fd, size_t size)
{
	char *p;

	if (fd >= 0) {
		if (ftruncate(fd, size))
			return NULL;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	} else {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	return p == MAP_FAILED ? NULL : p;
}

/* ---- Statistics and output ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_num(double v)
{
	if (v == (long long)v)
		printf("%lld", (long long)v);
	else
		printf("%.10g", v);
}

/* The median of the @n > 0 values at @v, which it sorts. */
static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One BENCH line; threads 0 means the metric has no thread count. */
static void emit(const char *metric, const char *unit, int threads,
		 const double *v, int n)
{
	double s[MAX_REPS], median;
	int i;

	memcpy(s, v, n * sizeof(*v));
	median = median_of(s, n);

	printf("BENCH {\"case\":\"%s\",\"metric\":\"%s\",\"unit\":\"%s\"",
	       case_name, metric, unit);
	if (threads)
		printf(",\"threads\":%d", threads);
	printf(",\"n\":%d,\"median\":", n);
	print_num(median);
	printf(",\"min\":");
	print_num(s[0]);
	printf(",\"max\":");
	print_num(s[n - 1]);
	printf(",\"values\":[");
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		print_num(v[i]);
	}
	printf("]}\n");
	fflush(stdout);
}

/* ---- Fault and release ---- */

/*
 * Workers spin rather than sleep while they wait for the start of the
 * faults: waking a thread on another CPU is itself an IPI (CAL), which
 * would be counted against the fault. Until the mapping is made they poll
 * in short sleeps instead (their own timer, no IPI): with more vCPUs than
 * host CPUs under TCG, spinning vCPUs would take the host CPU from the one
 * that runs ftruncate(), where a growing pool grows.
 */
static struct {
	char		*area;
	size_t		pages;
	int		nthreads;
	atomic_int	ready;
	atomic_int	mapped;
	atomic_int	go;
	atomic_int	done;
	/* per thread: ns spent in the passes of touch() that faulted */
	unsigned long long fault_ns[MAX_THREADS];
	/*
	 * The ns of each first write that a pass which faulted made, timed
	 * alone: a thread's from its first page's slot on, nlat of them.
	 */
	unsigned int	*lat;
	size_t		nlat[MAX_THREADS];
	/* per thread: pages the untimed first write of touch() mapped */
	size_t		warm_pages[MAX_THREADS];
	unsigned char	*incore;	/* for mincore(), a byte per page */
} run;

/*
 * How many of the @n pages at @addr are mapped in, by mincore() into @vec:
 * memory the caller touched already, so that this faults nothing.
 */
static size_t resident(void *addr, size_t n, unsigned char *vec)
{
	size_t i, in = 0;

	if (mincore(addr, n * page_size, vec))
		die("mincore: %s", strerror(errno));
	for (i = 0; i < n; i++)
		in += vec[i] & 1;
	return in;
}

/* what now_ns() itself costs, measured once and taken off each write's */
static double clock_ns;

static unsigned int timed_write(char *q)
{
	unsigned long long a = now_ns();

	*(volatile char *)q = 1;
	return now_ns() - a;
}

static void pin_to(int idx)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(idx % nr_cpus, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity: %s", strerror(errno));
}

static long thread_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* Page @i of run.area starts a 2 MiB block (by address), or this share. */
static bool unit_head(size_t i, size_t first)
{
	return i == first ||
	       !((uintptr_t)(run.area + i * page_size) % UNIT_BYTES);
}

/*
 * A first write to each page of this thread's share, in two passes: the
 * first page of each 2 MiB block, then the others. A pass in which this
 * thread faulted counts in run.fault_ns: the time in page faults, apart
 * from first touches that fault nothing (where a PMD maps the rest of the
 * block). The first pass steps from block to block:
 * a scan of every page for the few heads would cost, under TCG, as much
 * as the 2 MiB faults it is there to time. Each write is also timed alone,
 * for the median fault latency (run.lat).
 *
 * The share's first page is written before either pass, untimed, and the
 * pages its fault mapped (run.warm_pages) are left out of both measures.
 * Under TCG the munmap() of the repetition before flushed the emulator's
 * own TLB: the first fault after it refills it, and so took 444 us in
 * the kernel where the next seven 2 MiB faults took 65 us (medians of 20
 * and 40, instrumented kernel, 2026-11-26), each part of it 5-7x slower,
 * a cost no hardware TLB has; 1 of a 2 MiB case's 8 faults, 1 of 4096 of
 * a 4 KiB case's.
 */
static void touch(int idx)
{
	size_t first = run.pages * idx / run.nthreads;
	size_t last = run.pages * (idx + 1) / run.nthreads;
	size_t unit_pages = UNIT_BYTES / page_size;
	unsigned int *lat = run.lat + first;
	unsigned long long t0, t1, t2;
	size_t i, head, nh = 0, nr = 0;
	char *p = run.area;
	long f0, f1, f2;

	/* the first page after @first that starts a 2 MiB block */
	head = first + 1;
	if (head < last) {
		uintptr_t off = (uintptr_t)(p + head * page_size) % UNIT_BYTES;

		if (off)
			head += (UNIT_BYTES - off) / page_size;
	}
	run.warm_pages[idx] = 0;
	if (first < last) {
		*(volatile char *)(p + first * page_size) = 1;
		run.warm_pages[idx] = resident(p + first * page_size,
					       last - first, run.incore + first);
	}
	f0 = thread_minflt();
	t0 = now_ns();
	for (i = head; i < last; i += unit_pages)
		lat[nh++] = timed_write(p + i * page_size);
	t1 = now_ns();
	f1 = thread_minflt();
	for (i = first; i < last; i++)
		if (!unit_head(i, first))
			lat[nh + nr++] = timed_write(p + i * page_size);
	t2 = now_ns();
	f2 = thread_minflt();
	run.fault_ns[idx] = (f1 != f0 ? t1 - t0 : 0) + (f2 != f1 ? t2 - t1 : 0);
	/* keep the writes of the passes that faulted */
	if (f1 == f0) {
		memmove(lat, lat + nh, nr * sizeof(*lat));
		nh = 0;
	}
	run.nlat[idx] = nh + (f2 != f1 ? nr : 0);
}

static void *worker(void *arg)
{
	int idx = (int)(long)arg;

	pin_to(idx);
	atomic_fetch_add(&run.ready, 1);
	while (!atomic_load_explicit(&run.mapped, memory_order_acquire)) {
		struct timespec ts = { 0, 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	while (!atomic_load_explicit(&run.go, memory_order_acquire))
		cpu_relax();
	touch(idx);
	atomic_fetch_add_explicit(&run.done, 1, memory_order_release);
	return NULL;
}

enum {
	M_FAULT_NS, M_RELEASE_NS, M_FAULT_IPIS, M_PF_IPIS, M_RELEASE_IPIS,
	M_FAULT_SPLITS, M_L2, M_L3, M_DM4K, M_DM2M, M_DM1G, M_FAULT_TLB, M_RELEASE_TLB,
	M_FAULT_FLUSHES, M_RELEASE_FLUSHES, M_FAULTS_2M, M_PF_ONLY_NS,
	M_PF_TIME_NS, M_PF_LAT_NS,
	M_SETUP_NS,
	/* grow only */
	M_UNITS_GROWN, M_UNITS_RETURNED,
	NR_FR_METRICS
};

static const struct {
	const char *name, *unit;
} fr_metrics[NR_FR_METRICS] = {
	[M_FAULT_NS]	 = { "fault_ns_per_page", "ns/page" },
	[M_RELEASE_NS]	 = { "release_ns_per_page", "ns/page" },
	[M_FAULT_IPIS]	 = { "fault_ipis_per_page", "IPIs/page" },
	[M_PF_IPIS]	 = { "pagefault_ipis_per_page", "IPIs/page" },
	[M_RELEASE_IPIS] = { "release_ipis_per_page", "IPIs/page" },
	[M_FAULT_SPLITS] = { "fault_splits", "splits" },
	[M_L2]		 = { "level2_splits", "splits" },
	[M_L3]		 = { "level3_splits", "splits" },
	[M_DM4K]	 = { "directmap_4k_delta", "kB" },
	[M_DM2M]	 = { "directmap_2m_delta", "kB" },
	[M_DM1G]	 = { "directmap_1g_delta", "kB" },
	[M_FAULT_TLB]	 = { "fault_tlb_ipis", "IPIs" },
	[M_RELEASE_TLB]	 = { "release_tlb_ipis", "IPIs" },
	[M_FAULT_FLUSHES] = { "fault_slot_flushes", "flushes" },
	[M_RELEASE_FLUSHES] = { "release_slot_flushes_per_512", "flushes/512 pages" },
	[M_FAULTS_2M]	 = { "faults_per_2m", "faults/2 MiB" },
	[M_PF_ONLY_NS]	 = { "pagefault_only_ns_per_page", "ns/page" },
	[M_PF_TIME_NS]	 = { "pagefault_time_ns_per_page", "ns/page" },
	[M_PF_LAT_NS]	 = { "pagefault_latency_ns", "ns/fault" },
	[M_SETUP_NS]	 = { "fault_setup_ns_per_page", "ns/page" },
	[M_UNITS_GROWN]	 = { "fault_units_grown", "units" },
	[M_UNITS_RETURNED] = { "units_returned", "units" },
};

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Direct map changes: the first run that touches a page makes them. */
static bool splits_once(int i)
{
	return i == M_FAULT_SPLITS || i == M_L2 || i == M_L3 || i == M_DM4K ||
	       i == M_DM2M || i == M_DM1G;
}

/*
 * The median of the first writes of all threads that faulted, less what
 * timing one costs: the typical fault, which the few faults of a 2 MiB
 * case give as well as the thousands of a 4 KiB one. A mean over 8 faults
 * is the cost of whichever one met an interrupt or, under TCG, a host CPU
 * taken away; over 4096 such events average out.
 */
static double fault_latency(size_t pages, int nthreads)
{
	double *v, m;
	size_t n = 0, i;
	int t;

	v = calloc(pages ? pages : 1, sizeof(*v));
	if (!v)
		die("out of memory");
	for (t = 0; t < nthreads; t++) {
		size_t first = pages * t / nthreads;

		for (i = 0; i < run.nlat[t]; i++)
			v[n++] = run.lat[first + i];
	}
	if (!n) {
		free(v);
		return 0;
	}
	m = median_of(v, n);
	free(v);
	return m > clock_ns ? m - clock_ns : 0;
}

/* The median cost of timing an empty interval with now_ns(). */
static double clock_cost(void)
{
	double v[1001];
	int i;

	for (i = 0; i < 1001; i++) {
		unsigned long long a = now_ns();

		v[i] = now_ns() - a;
	}
	return median_of(v, 1001);
}

/* One repetition: fault @size bytes in with @nthreads threads, release. */
static void fault_release(size_t size, int nthreads, double *out)
{
	pthread_t tids[MAX_THREADS];
	struct counters c0, cm, c1, c2, c3, c4;
	unsigned long long t0, ta, tb, t1, t2, t3, ta2, tb2, pf_ns;
	long long free0 = 0;
	size_t pages = size / page_size, warm;
	long flt0, flt1;
	int fd, i;

	run.pages = pages;
	run.nthreads = nthreads;
	run.area = NULL;
	/* touched here: a first touch in touch() would be a fault it counts */
	run.lat = malloc((pages ? pages : 1) * sizeof(*run.lat));
	run.incore = malloc(pages ? pages : 1);
	if (!run.lat || !run.incore)
		die("out of memory");
	memset(run.lat, 0, (pages ? pages : 1) * sizeof(*run.lat));
	memset(run.incore, 0, pages ? pages : 1);
	atomic_store(&run.ready, 0);
	atomic_store(&run.mapped, 0);
	atomic_store(&run.go, 0);
	atomic_store(&run.done, 0);
	pin_to(0);
	for (i = 1; i < nthreads; i++) {
		int err = pthread_create(&tids[i], NULL, worker, (void *)(long)i);

		if (err)
			die("pthread_create: %s", strerror(err));
	}
	while (atomic_load(&run.ready) < nthreads - 1)
		sched_yield();

	if (kind == POOL || units_kept)
		free0 = pool_free();
	/* each repetition grows the pool from nothing */
	if (kind == GROW && !units_kept)
		wait_grown_zero();
	fd = open_mem(false);
	settle();
	read_counters(&c0);
	t0 = now_ns();
	run.area = map_mem(fd, size);
	if (!run.area)
		die("ftruncate/mmap of %zu bytes: %s", size, strerror(errno));
	atomic_store_explicit(&run.mapped, 1, memory_order_release);
	/*
	 * The page faults alone, apart from ftruncate and mmap: mmap frees
	 * maple tree nodes through RCU, and the grace period kthread it wakes
	 * (an IPI when it sleeps on another CPU) would land among the faults.
	 * Not timed.
	 */
	ta = now_ns();
	settle();
	read_counters(&cm);
	flt0 = minflt();
	tb = now_ns();
	atomic_store_explicit(&run.go, 1, memory_order_release);
	touch(0);
	while (atomic_load_explicit(&run.done, memory_order_acquire) < nthreads - 1)
		cpu_relax();
	t1 = now_ns();
	flt1 = minflt();
	/*
	 * The same writes again, now that every page is mapped: what the
	 * first writes cost besides the faults (under TCG each new page is
	 * also a fill of the emulator's own TLB).
	 */
	ta2 = now_ns();
	for (i = 0; i < (int)pages; i++)
		run.area[(size_t)i * page_size] = 2;
	tb2 = now_ns();
	read_counters(&c1);
	for (i = 1; i < nthreads; i++)
		pthread_join(tids[i], NULL);

	settle();
	read_counters(&c2);
	t2 = now_ns();
	if (munmap(run.area, size))
		die("munmap: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (kind == POOL || units_kept)
		wait_pool_back(free0);
	else if (kind == GROW)
		wait_grown_zero();
	t3 = now_ns();
	read_counters(&c3);
	if (sched_setaffinity(0, sizeof(all_cpus), &all_cpus))
		die("sched_setaffinity: %s", strerror(errno));

	out[M_FAULT_NS] = (double)(t1 - t0 - (tb - ta)) / pages;
	out[M_RELEASE_NS] = (double)(t3 - t2) / pages;
	out[M_FAULT_IPIS] = (double)(ipis(&c1) - ipis(&c0)) / pages;
	out[M_PF_IPIS] = (double)(ipis(&c1) - ipis(&cm)) / pages;
	out[M_RELEASE_IPIS] = (double)(ipis(&c3) - ipis(&c2)) / pages;
	out[M_FAULT_SPLITS] = splits(&c1) - splits(&c0);
	out[M_L2] = c3.l2_splits - c0.l2_splits;
	out[M_L3] = c3.l3_splits - c0.l3_splits;
	out[M_DM4K] = c3.dm4k - c0.dm4k;
	out[M_DM2M] = c3.dm2m - c0.dm2m;
	out[M_DM1G] = c3.dm1g - c0.dm1g;
	/* of the IPIs, the TLB row alone, in total */
	out[M_FAULT_TLB] = c1.tlb - c0.tlb;
	out[M_RELEASE_TLB] = c3.tlb - c2.tlb;
	/* the batch's flush runs from a work item: let it, then count */
	settle();
	read_counters(&c4);
	out[M_FAULT_FLUSHES] = c1.slot_flushes - c0.slot_flushes;
	out[M_RELEASE_FLUSHES] = (double)(c4.slot_flushes - c2.slot_flushes) *
				 512 / pages;
	/* of the fault cost, ftruncate + mmap (where growth happens) */
	out[M_SETUP_NS] = (double)(ta - t0) / pages;
	out[M_UNITS_GROWN] = c1.units_grown - c0.units_grown;
	out[M_UNITS_RETURNED] = c3.units_returned - c0.units_returned;
	out[M_FAULTS_2M] = (double)(flt1 - flt0) * UNIT_BYTES / size;
	/* the page faults alone: the first writes less the second ones */
	out[M_PF_ONLY_NS] = ((double)(t1 - tb) - (double)(tb2 - ta2) / nthreads) /
			    pages;
	/*
	 * the faulting passes of all threads, as wall time of one, per page
	 * they faulted in (not those of each thread's untimed first write)
	 */
	pf_ns = 0;
	warm = 0;
	for (i = 0; i < nthreads; i++) {
		pf_ns += run.fault_ns[i];
		warm += run.warm_pages[i];
	}
	out[M_PF_TIME_NS] = pages > warm ?
			    (double)pf_ns / nthreads / (pages - warm) : 0;
	out[M_PF_LAT_NS] = fault_latency(pages, nthreads);
	free(run.lat);
	free(run.incore);
	run.lat = NULL;
	run.incore = NULL;
}

/* ---- Random access over a faulted buffer ---- */

static double random_access(size_t size, long loads)
{
	unsigned long long t0, t1, x = 0x9e3779b97f4a7c15ULL;
	volatile unsigned long sink = 0;
	size_t words = size / sizeof(unsigned long), i;
	unsigned long *p;
	long n;
	int fd;

	pin_to(0);
	fd = open_mem(false);
	p = (unsigned long *)map_mem(fd, size);
	if (!p)
		die("ftruncate/mmap of %zu bytes: %s", size, strerror(errno));
	for (i = 0; i < words; i += page_size / sizeof(*p))
		p[i] = i;
	t0 = now_ns();
	for (n = 0; n < loads; n++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sink += p[x % words];
	}
	t1 = now_ns();
	munmap(p, size);
	if (fd >= 0)
		close(fd);
	if (sched_setaffinity(0, sizeof(all_cpus), &all_cpus))
		die("sched_setaffinity: %s", strerror(errno));
	(void)sink;
	return (double)(t1 - t0) / loads;
}

/* pool and grow: 4 KiB pages only; poolpmd: whole units. Root only. */
static void set_pmd(bool on)
{
	int fd = open(PMD_SWITCH, O_WRONLY);

	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1)
		die("%s: %s", PMD_SWITCH, strerror(errno));
	close(fd);
}

/* ---- What the counters see when we do nothing ---- */

static double background_ipis(void)
{
	unsigned long long t0, t1;
	struct counters c0, c1;

	pin_to(0);
	settle();
	read_counters(&c0);
	t0 = now_ns();
	while (now_ns() - t0 < BACKGROUND_NS)
		cpu_relax();
	t1 = now_ns();
	read_counters(&c1);
	if (sched_setaffinity(0, sizeof(all_cpus), &all_cpus))
		die("sched_setaffinity: %s", strerror(errno));
	return (ipis(&c1) - ipis(&c0)) * 1e9 / (t1 - t0);
}

/* ---- Many processes with one page each ---- */

static void __attribute__((noreturn)) fork_child(int ready_wr, int hold_rd)
{
	char c = 'r', *p;
	int fd;

	/* a child must report, never die: the parent counts on its byte */
	fd = open_mem(true);
	p = fd == -2 ? NULL : map_mem(fd, page_size);
	if (p)
		p[0] = 1;
	else
		c = 'e';
	if (write(ready_wr, &c, 1) != 1)
		_exit(1);
	while (read(hold_rd, &c, 1) > 0)
		;
	_exit(0);
}

enum {
	F_IPIS, F_L2, F_L3, F_DM4K, F_MS, F_IPIS_512, F_TLB_512,
	/* pool and grow */
	F_FLUSHES_512, F_SLOT_FLUSHES,
	/* grow */
	F_UNITS_GROWN, F_UNITS_RETURNED, F_GROWN_AFTER, F_GIVEBACK_MS,
	NR_FORK_METRICS
};

static const struct {
	const char *name, *unit;
	unsigned int kinds;	/* the cases it is reported for; 0: all */
} fork_metrics[NR_FORK_METRICS] = {
	[F_IPIS] = { "fork_ipis", "IPIs" },
	[F_L2]	 = { "fork_level2_splits", "splits" },
	[F_L3]	 = { "fork_level3_splits", "splits" },
	[F_DM4K] = { "fork_directmap_4k_delta", "kB" },
	[F_MS]	 = { "fork_ms", "ms" },
	[F_IPIS_512] = { "fork_fault_ipis_per_512_per_cpu", "IPIs/512 pages/other CPU" },
	[F_TLB_512] = { "fork_tlb_ipis_per_512_per_cpu", "IPIs/512 pages/other CPU" },
	[F_FLUSHES_512] = { "fork_flushes_per_512", "flushes/512 pages",
			    1 << POOL | 1 << GROW },
	[F_SLOT_FLUSHES] = { "fork_slot_flushes", "flushes", 1 << POOL | 1 << GROW },
	[F_UNITS_GROWN] = { "fork_units_grown", "units", 1 << GROW },
	[F_UNITS_RETURNED] = { "fork_units_returned", "units", 1 << GROW },
	[F_GROWN_AFTER] = { "fork_grown_after_kb", "kB", 1 << GROW },
	[F_GIVEBACK_MS] = { "fork_giveback_ms", "ms", 1 << GROW },
};

static void fork_bomb(int nforks, double *out)
{
	int ready[2], hold[2], got = 0, bad = 0, i;
	unsigned long long t0, t1, t2;
	struct counters c0, cm, c1;
	long long free0 = 0;
	pid_t *pids;
	char buf[256];
	ssize_t n;

	pids = calloc(nforks, sizeof(*pids));
	if (!pids)
		die("out of memory");
	if (pipe(ready) || pipe(hold))
		die("pipe: %s", strerror(errno));
	if (kind == POOL)
		free0 = pool_free();
	/* each repetition grows the pool from nothing */
	if (kind == GROW)
		wait_grown_zero();
	settle();
	read_counters(&c0);
	t0 = now_ns();
	for (i = 0; i < nforks; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork %d of %d: %s", i + 1, nforks, strerror(errno));
		if (!pids[i]) {
			close(ready[0]);
			close(hold[1]);
			fork_child(ready[1], hold[0]);
		}
	}
	close(ready[1]);
	close(hold[0]);
	/* all alive, each holding its page */
	while (got < nforks) {
		n = read(ready[0], buf, sizeof(buf));
		if (n <= 0)
			die("only %d of %d processes got their page", got, nforks);
		for (i = 0; i < n; i++)
			bad += buf[i] != 'r';
		got += n;
	}
	/* the fault window: forks, faults, until each holds its page */
	read_counters(&cm);
	close(hold[1]);
	for (i = 0; i < nforks; i++)
		if (waitpid(pids[i], NULL, 0) < 0)
			die("waitpid: %s", strerror(errno));
	if (kind == POOL)
		wait_pool_back(free0);
	t1 = now_ns();
	/* every grown unit back in the page allocator, after unit_keep_ms */
	if (kind == GROW)
		wait_grown_zero();
	t2 = now_ns();
	read_counters(&c1);
	close(ready[0]);
	free(pids);
	if (bad)
		die("%d of %d processes could not map their page", bad, nforks);

	out[F_IPIS] = ipis(&c1) - ipis(&c0);
	out[F_L2] = c1.l2_splits - c0.l2_splits;
	out[F_L3] = c1.l3_splits - c0.l3_splits;
	out[F_DM4K] = c1.dm4k - c0.dm4k;
	out[F_MS] = (t1 - t0) / 1e6;
	/*
	 * A global flush is one IPI to each other CPU: the IPIs while they
	 * fault (CAL + TLB: x86 sends the kernel's range and full flushes as
	 * function calls, which the TLB row does not count), and the TLB row
	 * alone, per 512 pages and other CPU.
	 */
	out[F_IPIS_512] = (double)(ipis(&cm) - ipis(&c0)) * 512 / nforks /
			  (nr_cpus > 1 ? nr_cpus - 1 : 1);
	out[F_TLB_512] = (double)(cm.tlb - c0.tlb) * 512 / nforks /
			 (nr_cpus > 1 ? nr_cpus - 1 : 1);
	/*
	 * Global flushes while they fault, exactly: a unit grown or returned
	 * is one (set_memory_np/_p over the unit), and so is each flush of the
	 * zeroing slots.
	 */
	out[F_SLOT_FLUSHES] = cm.slot_flushes - c0.slot_flushes;
	out[F_FLUSHES_512] = (double)(cm.units_grown - c0.units_grown +
				      cm.units_returned - c0.units_returned +
				      cm.slot_flushes - c0.slot_flushes) * 512 / nforks;
	out[F_UNITS_GROWN] = cm.units_grown - c0.units_grown;
	out[F_UNITS_RETURNED] = c1.units_returned - c0.units_returned;
	out[F_GROWN_AFTER] = grown() / 1024;
	out[F_GIVEBACK_MS] = (t2 - t1) / 1e6;
}

/* ---- The cost of setting a large size ---- */

static double ftruncate_cost(size_t size)
{
	unsigned long long t0, total = 0;
	int i, fd, err;

	for (i = 0; i < FTRUNCATE_CALLS; i++) {
		/* grow: every call grows the pool from nothing */
		if (kind == GROW)
			wait_grown_zero();
		fd = open_mem(false);
		t0 = now_ns();
		err = ftruncate(fd, size);
		total += now_ns() - t0;
		if (err)
			die("ftruncate(%zu): %s", size, strerror(errno));
		close(fd);
	}
	return (double)total / FTRUNCATE_CALLS;
}

/* ---- Many files of random sizes, one after the other ---- */

enum {
	C_PER_S, C_PAGES, C_UNITS_GROWN, C_UNITS_RETURNED, C_GROW_FAILED,
	C_DM4K, C_L2, C_L3, C_GROWN_AFTER,
	NR_CHURN_METRICS
};

static const struct {
	const char *name, *unit;
} churn_metrics[NR_CHURN_METRICS] = {
	[C_PER_S]	   = { "churn_cycles_per_s", "cycles/s" },
	[C_PAGES]	   = { "churn_pages", "pages" },
	[C_UNITS_GROWN]	   = { "churn_units_grown", "units" },
	[C_UNITS_RETURNED] = { "churn_units_returned", "units" },
	[C_GROW_FAILED]	   = { "churn_grow_failed", "failures" },
	[C_DM4K]	   = { "churn_directmap_4k_delta", "kB" },
	[C_L2]		   = { "churn_level2_splits", "splits" },
	[C_L3]		   = { "churn_level3_splits", "splits" },
	[C_GROWN_AFTER]	   = { "churn_grown_after_kb", "kB" },
};

static unsigned int xorshift32(unsigned int *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * @cycles times: a secret file of 1..CHURN_MAX_PAGES pages (fixed seed),
 * sized, mapped, each page written, unmapped and closed. The units grown
 * and returned are those of the loop itself (unit_keep_ms as it is); the
 * direct map is read once every grown unit is back.
 */
static void churn(long cycles, double *out)
{
	unsigned int seed = CHURN_SEED;
	unsigned long long t0, t1, pages = 0;
	struct counters c0, cl, c1;
	long long free0 = 0;
	long i;

	if (kind == POOL)
		free0 = pool_free();
	if (kind == GROW)
		wait_grown_zero();
	settle();
	read_counters(&c0);
	t0 = now_ns();
	for (i = 0; i < cycles; i++) {
		size_t n = 1 + xorshift32(&seed) % CHURN_MAX_PAGES, j;
		int fd = open_mem(false);
		char *p = map_mem(fd, n * page_size);

		if (!p)
			die("cycle %ld: ftruncate/mmap of %zu pages: %s", i, n,
			    strerror(errno));
		for (j = 0; j < n; j++)
			p[j * page_size] = 1;
		if (munmap(p, n * page_size))
			die("munmap: %s", strerror(errno));
		close(fd);
		pages += n;
	}
	t1 = now_ns();
	read_counters(&cl);
	if (kind == POOL)
		wait_pool_back(free0);
	if (kind == GROW)
		wait_grown_zero();
	read_counters(&c1);

	out[C_PER_S] = cycles * 1e9 / (t1 - t0);
	out[C_PAGES] = pages;
	out[C_UNITS_GROWN] = cl.units_grown - c0.units_grown;
	out[C_UNITS_RETURNED] = cl.units_returned - c0.units_returned;
	out[C_GROW_FAILED] = c1.grow_failed - c0.grow_failed;
	out[C_DM4K] = c1.dm4k - c0.dm4k;
	out[C_L2] = c1.l2_splits - c0.l2_splits;
	out[C_L3] = c1.l3_splits - c0.l3_splits;
	out[C_GROWN_AFTER] = grown() / 1024;
}

/* ---- Options ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: secretmem_bench [-s SIZE] [-r REPS] [-t T1,T2,...] [-n FORKS] [-R SIZE]\n"
		"                       [-c CYCLES] [-K] [-A LOADS]\n"
		"                       pool|poolpmd|grow|perpage|shmem|anon\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long size = 16 << 20, resv = 256 << 20;
	double fr[NR_FR_METRICS][MAX_REPS], fk[NR_FORK_METRICS][MAX_REPS];
	double ft[MAX_REPS], one[NR_FR_METRICS + NR_FORK_METRICS + NR_CHURN_METRICS];
	double unmeasured[NR_FR_METRICS];
	int threads[MAX_THREADS], nthreads = 0, reps = 5, nforks = 1024;
	long long floor_b, ceiling_b;
	long cycles = 100000, loads = 4 << 20;
	bool kept_pass = true;
	const char *tlist = "1,2,4";
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	long long total, free_b, rsvd;
	bool resv_given = false;
	struct utsname uts;
	int opt, i, t, r;
	char *s, *end;

	while ((opt = getopt(argc, argv, "s:r:t:n:R:c:KA:h")) != -1) {
		switch (opt) {
		case 's':
			size = parse_size("secretmem_bench", optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 't':
			tlist = optarg;
			break;
		case 'n':
			nforks = atoi(optarg);
			break;
		case 'R':
			resv = parse_size("secretmem_bench", optarg);
			resv_given = true;
			break;
		case 'c':
			cycles = atol(optarg);
			break;
		case 'K':
			kept_pass = false;
			break;
		case 'A':
			loads = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || !size || !resv)
		usage();
	case_name = argv[optind];
	pmd_case = !strcmp(case_name, "poolpmd");
	for (i = 0; i < NR_KINDS; i++)
		if (!strcmp(pmd_case ? "pool" : case_name, kind_names[i]))
			break;
	if (i == NR_KINDS)
		usage();
	kind = i;
	if (reps < 1 || reps > MAX_REPS || nforks < 1 || cycles < 0 || loads < 1) {
		fprintf(stderr, "secretmem_bench: -r must be 1..%d, -n and -A at least 1, -c at least 0\n",
			MAX_REPS);
		exit(2);
	}
	for (s = (char *)tlist; *s; s = end + (*end == ',')) {
		t = strtol(s, &end, 10);
		if (end == s || t < 1 || t > MAX_THREADS || nthreads == MAX_THREADS ||
		    (*end && *end != ',')) {
			fprintf(stderr, "secretmem_bench: bad thread list '%s'\n", tlist);
			exit(2);
		}
		threads[nthreads++] = t;
	}

	page_size = sysconf(_SC_PAGESIZE);
	nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size = (size + page_size - 1) / page_size * page_size;
	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus))
		die("sched_getaffinity: %s", strerror(errno));
	total = meminfo_bytes("SecretmemTotal:");
	/* SecretmemTotal is the floor plus what is grown */
	floor_b = sysfs_ll(SYSFS_DIR "floor_bytes");
	if (floor_b < 0)
		floor_b = total < 0 ? 0 : total;
	ceiling_b = sysfs_ll(SYSFS_DIR "ceiling_bytes");
	if (ceiling_b < 0)
		ceiling_b = 0;
	if (kind == POOL && floor_b <= 0) {
		printf("# %s: no secretmem= pool in this boot, case skipped\n",
		       case_name);
		return 4;
	}
	if (kind == GROW && (floor_b > 0 || ceiling_b <= 0)) {
		printf("# grow: this boot has %s, case skipped\n",
		       floor_b > 0 ? "a pool floor" : "no ceiling for growth");
		return 4;
	}
	if (kind == PERPAGE && (floor_b > 0 || ceiling_b > 0)) {
		printf("# perpage: this boot has a secretmem= pool, case skipped\n");
		return 4;
	}
	/* secret memory is charged to RLIMIT_MEMLOCK at ftruncate */
	if ((kind == POOL || kind == PERPAGE || kind == GROW) &&
	    setrlimit(RLIMIT_MEMLOCK, &unlimited))
		die("cannot lift RLIMIT_MEMLOCK: %s", strerror(errno));
	if (kind == GROW) {
		long long unit = 2 << 20;
		long long need = (size + unit - 1) / unit * unit;
		long long fnd = ((long long)nforks * page_size + unit - 1) / unit * unit;

		if (need < fnd)
			need = fnd;
		if (ceiling_b < need)
			die("the ceiling is %lld bytes, the run needs %lld", ceiling_b, need);
		if (!resv_given)
			resv = 32 << 20;
		if ((long long)resv > ceiling_b)
			resv = ceiling_b;
		wait_grown_zero();
	}
	if (kind == POOL) {
		free_b = meminfo_bytes("SecretmemFree:");
		rsvd = meminfo_bytes("SecretmemRsvd:");
		if (free_b - rsvd < (long long)size ||
		    free_b - rsvd < (long long)nforks * page_size)
			die("the pool has %lld bytes to reserve, the run needs %llu and %lld",
			    free_b - rsvd, size, (long long)nforks * page_size);
		if (!resv_given)
			resv = free_b - rsvd;
	}
	/* pool and grow measure the 4 KiB path, poolpmd the PMD one */
	if (kind == POOL || kind == GROW)
		set_pmd(pmd_case);
	uname(&uts);
	printf("BENCH {\"case\":\"%s\",\"metric\":\"info\",\"kernel\":\"%s\",\"cpus\":%d,"
	       "\"page_size\":%ld,\"pages\":%llu,\"reps\":%d,\"forks\":%d,"
	       "\"ftruncate_bytes\":%llu,\"secretmem_total_bytes\":%lld,"
	       "\"secretmem_ceiling_bytes\":%lld,\"unit_keep_ms\":%lld,\"cycles\":%ld}\n",
	       case_name, uts.release, nr_cpus, page_size, size / page_size, reps,
	       nforks, kind == ANON ? 0ULL : resv, total < 0 ? 0 : total,
	       ceiling_b, sysfs_ll(KEEP_PATH),
	       (kind == POOL && !pmd_case) || kind == GROW ? cycles : 0L);
	fflush(stdout);

	printf("# %s: background IPIs, %d reps of 1 s\n", case_name, reps);
	fflush(stdout);
	for (r = 0; r < reps; r++)
		ft[r] = background_ipis();
	emit("background_ipis_per_s", "IPIs/s", 0, ft, reps);

	clock_ns = clock_cost();
	printf("# %s: timing an empty interval costs %.0f ns (median of 1001)\n",
	       case_name, clock_ns);
	/* grow: an empty unit goes back at once, for the next repetition */
	if (kind == GROW)
		set_keep_ms(0);
	/*
	 * One repetition first, not measured: under TCG the first run of each
	 * kernel path is also its translation, which would weigh on the few
	 * faults of a 2 MiB case far more than on the thousands of a 4 KiB one.
	 */
	fault_release(size, threads[0], unmeasured);
	for (t = 0; t < nthreads; t++) {
		printf("# %s: fault + release of %llu pages, %d thread(s), %d reps\n",
		       case_name, size / page_size, threads[t], reps);
		fflush(stdout);
		for (r = 0; r < reps; r++) {
			fault_release(size, threads[t], one);
			for (i = 0; i < NR_FR_METRICS; i++)
				fr[i][r] = one[i];
		}
		/* a page splits once: what the unmeasured run split counts too */
		for (i = 0; i < NR_FR_METRICS && t == 0; i++)
			if (splits_once(i))
				fr[i][0] += unmeasured[i];
		for (i = 0; i < NR_FR_METRICS; i++) {
			if ((i == M_UNITS_GROWN || i == M_UNITS_RETURNED) && kind != GROW)
				continue;
			emit(fr_metrics[i].name, fr_metrics[i].unit, threads[t],
			     fr[i], reps);
		}
	}
	/*
	 * grow, again with the units kept: one unmeasured run grows them,
	 * then the same repetitions take pages of units already out of the
	 * direct map; reported as the case grow-kept. Then they go back.
	 */
	if (kind == GROW && kept_pass) {
		set_keep_ms(KEPT_MS);
		units_kept = true;
		case_name = "grow-kept";
		fault_release(size, 1, one);
		for (t = 0; t < nthreads; t++) {
			printf("# %s: fault + release of %llu pages, %d thread(s), %d reps, units kept\n",
			       case_name, size / page_size, threads[t], reps);
			fflush(stdout);
			for (r = 0; r < reps; r++) {
				fault_release(size, threads[t], one);
				for (i = 0; i < NR_FR_METRICS; i++)
					fr[i][r] = one[i];
			}
			for (i = 0; i < NR_FR_METRICS; i++)
				emit(fr_metrics[i].name, fr_metrics[i].unit, threads[t],
				     fr[i], reps);
		}
		units_kept = false;
		case_name = kind_names[kind];
		set_keep_ms(0);
		wait_grown_zero();
	}
	restore_keep_ms();

	/* one page per process, one file size: what pool measures already */
	if (pmd_case)
		goto random;
	printf("# %s: %d processes with one page each, %d reps\n",
	       case_name, nforks, reps);
	fflush(stdout);
	for (r = 0; r < reps; r++) {
		fork_bomb(nforks, one);
		for (i = 0; i < NR_FORK_METRICS; i++)
			fk[i][r] = one[i];
	}
	for (i = 0; i < NR_FORK_METRICS; i++)
		if (!fork_metrics[i].kinds || fork_metrics[i].kinds & 1 << kind)
			emit(fork_metrics[i].name, fork_metrics[i].unit, 0, fk[i], reps);

	if (kind != ANON) {
		printf("# %s: ftruncate to %llu bytes, %d calls x %d reps\n",
		       case_name, resv, FTRUNCATE_CALLS, reps);
		fflush(stdout);
		if (kind == GROW)
			set_keep_ms(0);
		for (r = 0; r < reps; r++)
			ft[r] = ftruncate_cost(resv);
		restore_keep_ms();
		emit("ftruncate_ns", "ns/call", 0, ft, reps);
	}

	if ((kind == POOL || kind == GROW) && cycles) {
		printf("# %s: %ld create/fault/close cycles of 1..%d pages, unit_keep_ms %lld\n",
		       case_name, cycles, CHURN_MAX_PAGES, sysfs_ll(KEEP_PATH));
		fflush(stdout);
		churn(cycles, one);
		for (i = 0; i < NR_CHURN_METRICS; i++) {
			if (i == C_GROWN_AFTER && kind != GROW)
				continue;
			emit(churn_metrics[i].name, churn_metrics[i].unit, 0, &one[i], 1);
		}
	}

random:
	printf("# %s: %ld random loads over %llu bytes, %d reps\n",
	       case_name, loads, size, reps);
	fflush(stdout);
	for (r = 0; r < reps; r++)
		ft[r] = random_access(size, loads);
	emit("random_ns_per_load", "ns/load", 0, ft, reps);
	if (kind == POOL || kind == GROW)
		set_pmd(true);
	return 0;
}
