// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the secretmem= boot-time pool behind memfd_secret(2).
 *
 * Run as root, or as a user whose RLIMIT_MEMLOCK root raised: where it
 * cannot be lifted (a lower hard limit only root may raise), a test that
 * must lock more pages than the limit allows reports a skip saying so.
 * Tests that only make sense with a pool report a skip when
 * SecretmemTotal is 0, and fail instead when the test runner's boot row
 * says a pool is expected (smt_expect_total=KB on the kernel command line);
 * the others check behaviour that must hold with and without a pool. The
 * pool counters are global, so nothing else should use memfd_secret()
 * while this runs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "secretmem_row.h"

#if !defined(__NR_memfd_secret) && defined(__x86_64__)
#define __NR_memfd_secret 447
#endif

#ifdef __NR_memfd_secret

#define NR_TESTS		9
#define REGION_ALIGN		(2UL << 20)	/* pool regions are whole 2 MiB units */
#define RLIMIT_TEST_PAGES	256UL
#define NR_THREADS		16
#define THREAD_FILE_PAGES	8
#define THREAD_TOUCHED_PAGES	4		/* page 0 plus pages 1..3 */
#define THREAD_ROUNDS		10
#define NR_PROCS		520
#define SLOT_STRIDE		16		/* unsigned ints: one 64 byte slot per thread */

static unsigned long page_size;
static bool have_pool;
static unsigned long long memlock_pages;	/* RLIMIT_MEMLOCK in pages */

/* Pool counters in pages, as read from /proc/meminfo. */
struct pool_counters {
	long long total;
	long long free;
	long long rsvd;
};

static const char * const pool_keys[] = {
	"SecretmemTotal:", "SecretmemFree:", "SecretmemRsvd:",
};

static const char * const pool_sysfs[] = {
	"total_bytes", "free_bytes", "reserved_bytes",
};

static int memfd_secret(unsigned int flags)
{
	return syscall(__NR_memfd_secret, flags);
}

/* Read a whole (small) file into @buf, NUL terminated. */
static int read_text(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;

	while (len < size - 1) {
		ret = read(fd, buf + len, size - 1 - len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		len += ret;
	}
	close(fd);
	buf[len] = '\0';
	return 0;
}

/*
 * Value following @key in @buf, where @key starts a line or follows a space
 * ("Node 0 SecretmemFree:"); -1 when the key is not there.
 */
static long long find_value(const char *buf, const char *key)
{
	const char *p = buf;

	while ((p = strstr(p, key))) {
		if (p == buf || p[-1] == '\n' || p[-1] == ' ')
			return strtoll(p + strlen(key), NULL, 10);
		p += strlen(key);
	}
	return -1;
}

static int read_counters(struct pool_counters *c)
{
	long long kb[ARRAY_SIZE(pool_keys)];
	char buf[16384];
	unsigned int i;

	if (read_text("/proc/meminfo", buf, sizeof(buf)))
		return -1;

	for (i = 0; i < ARRAY_SIZE(pool_keys); i++) {
		kb[i] = find_value(buf, pool_keys[i]);
		if (kb[i] < 0)
			return -1;
	}
	c->total = kb[0] * 1024 / page_size;
	c->free = kb[1] * 1024 / page_size;
	c->rsvd = kb[2] * 1024 / page_size;
	return 0;
}

static void print_counters(const char *when, const struct pool_counters *c)
{
	ksft_print_msg("%s: total %lld free %lld rsvd %lld pages\n",
		       when, c->total, c->free, c->rsvd);
}

/*
 * Poll until the pool is back at @free/@rsvd: released files return their
 * pages when the last reference goes, which for a dying process can be a
 * moment after waitpid() returns.
 */
static bool wait_counters(long long free, long long rsvd, struct pool_counters *c)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (read_counters(c))
			return false;
		if (c->free == free && c->rsvd == rsvd)
			return true;
		usleep(10000);
	}
	ksft_print_msg("pool not back: free %lld rsvd %lld, want free %lld rsvd %lld pages\n",
		       c->free, c->rsvd, free, rsvd);
	return false;
}

static bool sum_nodes(long long sum[])
{
	char path[300], buf[16384];
	struct dirent *de;
	unsigned int i;
	bool ok = true;
	long long v;
	DIR *dir;
	int nid;

	dir = opendir("/sys/devices/system/node");
	if (!dir)
		return false;

	while ((de = readdir(dir))) {
		if (sscanf(de->d_name, "node%d", &nid) != 1)
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/node/%s/meminfo",
			 de->d_name);
		if (read_text(path, buf, sizeof(buf))) {
			ksft_print_msg("cannot read %s\n", path);
			ok = false;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(pool_keys); i++) {
			v = find_value(buf, pool_keys[i]);
			if (v < 0) {
				ksft_print_msg("node %d: no %s line\n", nid, pool_keys[i]);
				ok = false;
				continue;
			}
			sum[i] += v;
		}
	}
	closedir(dir);
	return ok;
}

/*
 * The pool as seen through /proc/meminfo, /sys/kernel/mm/secretmem and the
 * per-node meminfo files must tell the same story. Only meaningful while no
 * secret file is being set up or faulted.
 */
static bool check_consistent(void)
{
	long long kb[ARRAY_SIZE(pool_keys)], node[ARRAY_SIZE(pool_keys)] = { 0 };
	char path[128], buf[16384];
	bool ok = true, sysfs = true;
	unsigned int i;
	long long bytes;

	if (read_text("/proc/meminfo", buf, sizeof(buf))) {
		ksft_perror("/proc/meminfo");
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(pool_keys); i++) {
		kb[i] = find_value(buf, pool_keys[i]);
		if (kb[i] < 0) {
			ksft_print_msg("no %s line in /proc/meminfo\n", pool_keys[i]);
			return false;
		}
	}

	if (kb[1] > kb[0] || kb[2] > kb[1]) {
		ksft_print_msg("inconsistent: total %lld free %lld rsvd %lld kB\n",
			       kb[0], kb[1], kb[2]);
		ok = false;
	}

	for (i = 0; i < ARRAY_SIZE(pool_sysfs); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mm/secretmem/%s", pool_sysfs[i]);
		if (read_text(path, buf, sizeof(buf))) {
			sysfs = false;
			break;
		}
		bytes = strtoll(buf, NULL, 10);
		if (bytes != kb[i] * 1024) {
			ksft_print_msg("%s is %lld bytes but %s %lld kB\n",
				       path, bytes, pool_keys[i], kb[i]);
			ok = false;
		}
	}
	if (!sysfs && have_pool) {
		ksft_print_msg("cannot read %s: %s\n", path, strerror(errno));
		ok = false;
	}

	/* Without NUMA there are no node directories to add up. */
	if (access("/sys/devices/system/node", F_OK))
		return ok;

	if (!sum_nodes(node))
		return false;
	for (i = 0; i < ARRAY_SIZE(pool_keys); i++) {
		if (node[i] != kb[i]) {
			ksft_print_msg("per-node %s add up to %lld kB, global %lld kB\n",
				       pool_keys[i], node[i], kb[i]);
			ok = false;
		}
	}
	return ok;
}

/* Report a test, failing it when the counters are inconsistent afterwards. */
static void report(bool ok, const char *name)
{
	if (!check_consistent()) {
		ksft_print_msg("%s: counters inconsistent afterwards\n", name);
		ok = false;
	}
	ksft_test_result(ok, "%s\n", name);
}

static bool skip_without_pool(const char *name)
{
	long want = row_expects("total");

	if (have_pool)
		return false;
	if (want > 0)
		ksft_test_result_fail("%s: no secretmem pool, the boot row expects %ld kB\n",
				      name, want);
	else
		ksft_test_result_skip("%s: no secretmem pool (boot with secretmem=SIZE)\n",
				      name);
	return true;
}

/*
 * Skip a test that must lock @pages pages at once (the pages of all the
 * user's secret files count against RLIMIT_MEMLOCK) over a limit that
 * could not be lifted.
 */
static bool skip_over_memlock(const char *name, long long pages)
{
	if (pages <= 0 || (unsigned long long)pages <= memlock_pages)
		return false;
	ksft_test_result_skip("%s: locks %lld pages, RLIMIT_MEMLOCK %llu (root can raise it)\n",
			      name, pages, memlock_pages);
	return true;
}

/* What a call returning @ret did, for messages. */
static const char *outcome(int ret)
{
	return ret ? strerror(errno) : "success";
}

/* A new secret file of @pages pages: the fd, or -errno. */
static int secret_fd(unsigned long pages)
{
	int fd, err;

	fd = memfd_secret(0);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)pages * page_size)) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static char *map_secret(int fd, unsigned long pages)
{
	char *p;

	p = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ksft_perror("mmap of secret file");
		return NULL;
	}
	return p;
}

/* Run @fn in a child; its return value is the exit code. */
static int run_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		ksft_perror("fork");
		return -1;
	}
	if (!pid) {
		int ret = fn(arg);

		fflush(stdout);
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) != pid) {
		ksft_perror("waitpid");
		return -1;
	}
	return status;
}

static bool child_ok(int status, const char *what)
{
	if (status == -1)
		return false;
	if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_PASS)
		return true;
	if (WIFSIGNALED(status))
		ksft_print_msg("%s: child killed by signal %d (%s)\n",
			       what, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		ksft_print_msg("%s: child exited with %d\n", what, WEXITSTATUS(status));
	return false;
}

/* 1: the three views of the pool agree. */
static void test_counters(void)
{
	const char *name = "meminfo, sysfs and per-node counters agree";
	struct pool_counters c;
	bool ok = true;

	if (read_counters(&c)) {
		ksft_test_result_fail("%s: cannot read Secretmem lines\n", name);
		return;
	}
	print_counters("pool", &c);

	if (have_pool && (c.total * page_size) % REGION_ALIGN) {
		ksft_print_msg("SecretmemTotal %lld pages is not a multiple of 2 MiB\n",
			       c.total);
		ok = false;
	}
	if (!have_pool && (c.free || c.rsvd)) {
		ksft_print_msg("no pool but free %lld rsvd %lld pages\n", c.free, c.rsvd);
		ok = false;
	}
	report(ok, name);
}

/* 2: ftruncate() fails with ENOMEM, reserving nothing, when the pool is short. */
static void test_enomem(void)
{
	const char *name = "ftruncate beyond free pool capacity fails with ENOMEM";
	struct pool_counters c0, c;
	int fd = -1, fd2 = -1, ret;
	long long avail;
	struct stat st;
	bool ok = false;

	if (skip_without_pool(name))
		return;
	if (read_counters(&c0)) {
		ksft_test_result_fail("%s: cannot read Secretmem lines\n", name);
		return;
	}
	avail = c0.free - c0.rsvd;
	if (skip_over_memlock(name, avail + 1))
		return;
	if (avail <= 0) {
		print_counters("no capacity left", &c0);
		goto out;
	}

	fd = memfd_secret(0);
	if (fd < 0) {
		ksft_perror("memfd_secret");
		goto out;
	}
	ret = ftruncate(fd, (off_t)(avail + 1) * page_size);
	if (!ret || errno != ENOMEM) {
		ksft_print_msg("ftruncate to %lld pages with %lld available: %s, want ENOMEM\n",
			       avail + 1, avail, outcome(ret));
		goto out;
	}
	if (read_counters(&c) || c.rsvd != c0.rsvd || c.free != c0.free) {
		print_counters("before", &c0);
		print_counters("after failed ftruncate", &c);
		goto out;
	}
	if (fstat(fd, &st) || st.st_size) {
		ksft_print_msg("size after failed ftruncate is %lld\n", (long long)st.st_size);
		goto out;
	}

	/* The failed call set no size, so the same file can still be sized. */
	if (ftruncate(fd, (off_t)avail * page_size)) {
		ksft_print_msg("ftruncate to exactly the %lld available pages: %s\n",
			       avail, strerror(errno));
		goto out;
	}
	if (read_counters(&c) || c.rsvd != c0.rsvd + avail || c.free != c0.free) {
		ksft_print_msg("reserving %lld pages: want rsvd %lld free %lld\n",
			       avail, c0.rsvd + avail, c0.free);
		print_counters("now", &c);
		goto out;
	}

	fd2 = secret_fd(1);
	if (fd2 != -ENOMEM) {
		ksft_print_msg("one more page with the pool fully reserved: %s, want ENOMEM\n",
			       fd2 >= 0 ? "success" : strerror(-fd2));
		goto out;
	}
	if (read_counters(&c) || c.rsvd != c0.rsvd + avail) {
		print_counters("after the refused page", &c);
		goto out;
	}
	ok = true;
out:
	if (fd2 >= 0)
		close(fd2);
	if (fd >= 0)
		close(fd);
	if (!wait_counters(c0.free, c0.rsvd, &c))
		ok = false;
	report(ok, name);
}

/* 3: RLIMIT_MEMLOCK is charged by size at ftruncate() time. */
static int rlimit_child(void *arg)
{
	unsigned long limit = *(unsigned long *)arg;
	struct pool_counters c0, c;
	int fd, fd_half, fd_more, err;
	struct rlimit rl;
	struct stat st;
	int ret = KSFT_FAIL;

	rl.rlim_cur = limit * page_size;
	rl.rlim_max = limit * page_size;
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		ksft_perror("setrlimit(RLIMIT_MEMLOCK)");
		return KSFT_FAIL;
	}
	if (read_counters(&c0))
		return KSFT_FAIL;

	fd = memfd_secret(0);
	if (fd < 0) {
		ksft_perror("memfd_secret");
		return KSFT_FAIL;
	}
	err = ftruncate(fd, (off_t)(limit + 1) * page_size);
	if (!err || errno != EAGAIN) {
		ksft_print_msg("ftruncate to %lu pages over a %lu page limit: %s, want EAGAIN\n",
			       limit + 1, limit, outcome(err));
		goto out;
	}
	if (fstat(fd, &st) || st.st_size) {
		ksft_print_msg("size after failed ftruncate is %lld\n", (long long)st.st_size);
		goto out;
	}
	if (read_counters(&c) || c.rsvd != c0.rsvd || c.free != c0.free) {
		print_counters("before", &c0);
		print_counters("after EAGAIN", &c);
		goto out;
	}

	/* The limit is on the sum of this user's files, not on each file. */
	fd_half = secret_fd(limit / 2);
	if (fd_half < 0) {
		ksft_print_msg("%lu pages within a %lu page limit: %s\n",
			       limit / 2, limit, strerror(-fd_half));
		ksft_print_msg("(does this user have other locked memory?)\n");
		goto out;
	}
	fd_more = secret_fd(limit / 2 + 1);
	if (fd_more != -EAGAIN)
		ksft_print_msg("%lu more pages past a %lu page limit: %s, want EAGAIN\n",
			       limit / 2 + 1, limit,
			       fd_more >= 0 ? "success" : strerror(-fd_more));
	else
		ret = KSFT_PASS;
	if (fd_more >= 0)
		close(fd_more);
	close(fd_half);
out:
	close(fd);
	return ret;
}

static void test_rlimit(void)
{
	const char *name = "ftruncate over RLIMIT_MEMLOCK fails with EAGAIN";
	unsigned long limit = RLIMIT_TEST_PAGES;
	struct pool_counters c0, c;
	bool ok;

	if (read_counters(&c0)) {
		ksft_test_result_fail("%s: cannot read Secretmem lines\n", name);
		return;
	}
	/* Keep the over-limit size within the pool, so only the limit bites. */
	if (have_pool && c0.free - c0.rsvd < (long long)limit + 1)
		limit = c0.free - c0.rsvd - 1;
	if (limit < 2) {
		print_counters("pool too small", &c0);
		ksft_test_result_fail("%s\n", name);
		return;
	}
	/* the child lowers the limit to @limit: no lower hard limit may stand */
	if (skip_over_memlock(name, limit))
		return;

	ok = child_ok(run_in_child(rlimit_child, &limit), name);
	if (!wait_counters(c0.free, c0.rsvd, &c))
		ok = false;
	report(ok, name);
}

/* 4: a file covering all free capacity faults in completely. */
static int fill_child(void *arg)
{
	struct pool_counters c0, c;
	long long n, i, step;
	int fd, fd2;
	char *p;

	(void)arg;

	if (read_counters(&c0))
		return KSFT_FAIL;
	n = c0.free - c0.rsvd;
	if (n <= 0) {
		print_counters("no capacity", &c0);
		return KSFT_FAIL;
	}

	fd = secret_fd(n);
	if (fd < 0) {
		ksft_print_msg("ftruncate to all %lld available pages: %s\n", n, strerror(-fd));
		return KSFT_FAIL;
	}
	if (read_counters(&c) || c.rsvd != c0.rsvd + n) {
		ksft_print_msg("after reserving %lld pages want rsvd %lld\n", n, c0.rsvd + n);
		print_counters("now", &c);
		return KSFT_FAIL;
	}
	p = map_secret(fd, n);
	if (!p)
		return KSFT_FAIL;

	/* Each first touch must turn one reserved page into a used one. */
	step = n / 8 ? n / 8 : 1;
	for (i = 0; i < n; i++) {
		*(long long *)(p + i * page_size) = i + 1;
		if ((i + 1) % step && i + 1 != n)
			continue;
		if (read_counters(&c) || c.rsvd != c0.rsvd + n - (i + 1) ||
		    c.free != c0.free - (i + 1)) {
			ksft_print_msg("after %lld of %lld faults want free %lld rsvd %lld\n",
				       i + 1, n, c0.free - (i + 1), c0.rsvd + n - (i + 1));
			print_counters("now", &c);
			return KSFT_FAIL;
		}
	}

	fd2 = secret_fd(1);
	if (fd2 != -ENOMEM) {
		ksft_print_msg("one more page with the pool full: %s, want ENOMEM\n",
			       fd2 >= 0 ? "success" : strerror(-fd2));
		return KSFT_FAIL;
	}
	/* Exit with the file mapped: the parent checks that it all comes back. */
	return KSFT_PASS;
}

static void test_fill(void)
{
	const char *name = "whole free pool reserved and faulted without SIGBUS";
	struct pool_counters c0, c;
	bool ok;

	if (skip_without_pool(name))
		return;
	if (read_counters(&c0)) {
		ksft_test_result_fail("%s\n", name);
		return;
	}
	/* and one more page, which the pool, not the limit, must refuse */
	if (skip_over_memlock(name, c0.free - c0.rsvd + 1))
		return;
	ok = child_ok(run_in_child(fill_child, NULL), name);
	if (!wait_counters(c0.free, c0.rsvd, &c)) {
		ok = false;
	} else if (c.free != c.total || c.rsvd) {
		print_counters("pool not whole after release", &c);
		ok = false;
	}
	report(ok, name);
}

/* 5: pages come back zeroed, whoever used them before. */
static int dirty_child(void *arg)
{
	long long *used = arg;
	struct pool_counters c0, c;
	long long n;
	char *p;
	int fd;

	if (read_counters(&c0))
		return KSFT_FAIL;
	n = c0.free - c0.rsvd;
	if (n <= 0) {
		print_counters("no capacity", &c0);
		return KSFT_FAIL;
	}
	fd = secret_fd(n);
	if (fd < 0) {
		ksft_print_msg("reserving %lld pages: %s\n", n, strerror(-fd));
		return KSFT_FAIL;
	}
	p = map_secret(fd, n);
	if (!p)
		return KSFT_FAIL;
	memset(p, 0xa5, n * page_size);

	if (read_counters(&c) || c.free != c0.free - n) {
		ksft_print_msg("after dirtying %lld pages want free %lld\n", n, c0.free - n);
		print_counters("now", &c);
		return KSFT_FAIL;
	}
	*used = n;
	/* Exit without munmap() or close(): the pages go back at exit. */
	return KSFT_PASS;
}

static int verify_child(void *arg)
{
	long long dirtied = *(long long *)arg;
	long long n, i, bad_pages = 0, first_bad = -1;
	struct pool_counters c0;
	const uint64_t *w;
	size_t j;
	char *p;
	int fd;

	if (read_counters(&c0))
		return KSFT_FAIL;
	n = c0.free - c0.rsvd;
	if (n < dirtied) {
		ksft_print_msg("only %lld pages available after %lld were released\n",
			       n, dirtied);
		return KSFT_FAIL;
	}
	fd = secret_fd(n);
	if (fd < 0) {
		ksft_print_msg("reserving %lld pages: %s\n", n, strerror(-fd));
		return KSFT_FAIL;
	}
	p = map_secret(fd, n);
	if (!p)
		return KSFT_FAIL;

	for (i = 0; i < n; i++) {
		w = (const uint64_t *)(p + i * page_size);
		for (j = 0; j < page_size / sizeof(*w); j++) {
			if (w[j]) {
				if (first_bad < 0)
					first_bad = i * page_size + j * sizeof(*w);
				bad_pages++;
				break;
			}
		}
	}
	if (bad_pages) {
		ksft_print_msg("%lld of %lld pages not zeroed, first at offset %lld\n",
			       bad_pages, n, first_bad);
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

static void test_zero_reuse(void)
{
	const char *name = "reused pool pages read zero in the next process";
	struct pool_counters c0, c;
	long long *dirtied;
	bool ok = false;

	if (skip_without_pool(name))
		return;
	if (read_counters(&c0)) {
		ksft_test_result_fail("%s\n", name);
		return;
	}
	if (skip_over_memlock(name, c0.free - c0.rsvd))
		return;
	dirtied = mmap(NULL, sizeof(*dirtied), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (dirtied == MAP_FAILED) {
		ksft_perror("mmap");
		ksft_test_result_fail("%s\n", name);
		return;
	}
	*dirtied = 0;

	if (!child_ok(run_in_child(dirty_child, dirtied), "writer"))
		goto out;
	if (!wait_counters(c0.free, c0.rsvd, &c))
		goto out;
	ksft_print_msg("%lld pages dirtied and released\n", *dirtied);
	ok = child_ok(run_in_child(verify_child, dirtied), "reader");
out:
	munmap(dirtied, sizeof(*dirtied));
	if (!wait_counters(c0.free, c0.rsvd, &c))
		ok = false;
	report(ok, name);
}

/* 6: many threads faulting the same pages at once. */
struct thread_arg {
	pthread_barrier_t *barrier;
	char *map;		/* this thread's own mapping of the file */
	unsigned int idx;
	bool ok;
};

static void *fault_thread(void *data)
{
	struct thread_arg *t = data;
	unsigned int *page0 = (unsigned int *)t->map;
	uint64_t *token = (uint64_t *)(t->map + page_size) - 1;
	unsigned int *other;

	other = (unsigned int *)(t->map + (1 + t->idx % 3) * page_size);

	pthread_barrier_wait(t->barrier);
	/* Everybody faults page 0 at once, and one of pages 1..3. */
	page0[t->idx * SLOT_STRIDE] = t->idx + 1;
	other[t->idx * SLOT_STRIDE] = t->idx + 1;
	pthread_barrier_wait(t->barrier);

	if (!t->idx)
		*token = 0x5ec7e7ULL;
	pthread_barrier_wait(t->barrier);
	t->ok = *token == 0x5ec7e7ULL;
	return NULL;
}

static bool thread_round(int round)
{
	struct thread_arg args[NR_THREADS];
	pthread_t threads[NR_THREADS];
	struct pool_counters c0, c;
	pthread_barrier_t barrier;
	unsigned int i, started = 0;
	const unsigned int *slots;
	bool ok = false;
	char *check;
	int fd, pg;

	memset(args, 0, sizeof(args));
	if (read_counters(&c0))
		return false;
	fd = secret_fd(THREAD_FILE_PAGES);
	if (fd < 0) {
		ksft_print_msg("round %d: ftruncate: %s\n", round, strerror(-fd));
		return false;
	}
	check = map_secret(fd, THREAD_FILE_PAGES);
	for (i = 0; i < NR_THREADS; i++) {
		args[i].map = map_secret(fd, THREAD_FILE_PAGES);
		if (!args[i].map)
			goto out;
	}
	if (!check || pthread_barrier_init(&barrier, NULL, NR_THREADS))
		goto out;

	for (i = 0; i < NR_THREADS; i++) {
		args[i].barrier = &barrier;
		args[i].idx = i;
		if (pthread_create(&threads[i], NULL, fault_thread, &args[i])) {
			/* The barrier would never open: give up on the child. */
			ksft_print_msg("pthread_create failed\n");
			_exit(KSFT_FAIL);
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);

	ok = true;
	for (i = 0; i < NR_THREADS; i++) {
		if (!args[i].ok) {
			ksft_print_msg("round %d: thread %u did not see thread 0's write\n",
				       round, i);
			ok = false;
		}
		/* Every thread's writes must be visible through a third mapping. */
		pg = 1 + i % 3;
		slots = (const unsigned int *)check;
		if (slots[i * SLOT_STRIDE] != i + 1) {
			ksft_print_msg("round %d: page 0 slot %u is %u, want %u\n",
				       round, i, slots[i * SLOT_STRIDE], i + 1);
			ok = false;
		}
		slots = (const unsigned int *)(check + pg * page_size);
		if (slots[i * SLOT_STRIDE] != i + 1) {
			ksft_print_msg("round %d: page %d slot %u is %u, want %u\n",
				       round, pg, i, slots[i * SLOT_STRIDE], i + 1);
			ok = false;
		}
	}

	if (have_pool && (read_counters(&c) ||
			  c.free != c0.free - THREAD_TOUCHED_PAGES ||
			  c.rsvd != c0.rsvd + THREAD_FILE_PAGES - THREAD_TOUCHED_PAGES)) {
		ksft_print_msg("round %d: %d pages touched, want free %lld rsvd %lld\n",
			       round, THREAD_TOUCHED_PAGES, c0.free - THREAD_TOUCHED_PAGES,
			       c0.rsvd + THREAD_FILE_PAGES - THREAD_TOUCHED_PAGES);
		print_counters("now", &c);
		ok = false;
	}
out:
	for (i = 0; i < NR_THREADS; i++)
		if (args[i].map)
			munmap(args[i].map, THREAD_FILE_PAGES * page_size);
	if (check)
		munmap(check, THREAD_FILE_PAGES * page_size);
	close(fd);
	if (have_pool && !wait_counters(c0.free, c0.rsvd, &c))
		ok = false;
	return ok;
}

static int threads_child(void *arg)
{
	int round;

	(void)arg;

	for (round = 0; round < THREAD_ROUNDS; round++)
		if (!thread_round(round))
			return KSFT_FAIL;
	return KSFT_PASS;
}

static void test_threads(void)
{
	const char *name = "concurrent faults of one page by many threads";
	struct pool_counters c0, c;
	bool ok;

	if (read_counters(&c0)) {
		ksft_test_result_fail("%s\n", name);
		return;
	}
	if (skip_over_memlock(name, THREAD_FILE_PAGES))
		return;
	ok = child_ok(run_in_child(threads_child, NULL), name);
	if (!wait_counters(c0.free, c0.rsvd, &c))
		ok = false;
	report(ok, name);
}

/* 7: lots of secret pages in lots of processes never split the direct map. */
struct dmap_snapshot {
	long long val[5];
};

static const char * const dmap_keys[] = {
	"direct_map_level2_splits", "direct_map_level3_splits",
	"DirectMap4k:", "DirectMap2M:", "DirectMap1G:",
};

static int dmap_snapshot(struct dmap_snapshot *s)
{
	char buf[16384];
	unsigned int i;

	if (read_text("/proc/vmstat", buf, sizeof(buf)))
		return -1;
	s->val[0] = find_value(buf, dmap_keys[0]);
	s->val[1] = find_value(buf, dmap_keys[1]);
	if (read_text("/proc/meminfo", buf, sizeof(buf)))
		return -1;
	for (i = 2; i < ARRAY_SIZE(dmap_keys); i++)
		s->val[i] = find_value(buf, dmap_keys[i]);
	return 0;
}

static bool dmap_same(const struct dmap_snapshot *a, const struct dmap_snapshot *b,
		      const char *when)
{
	bool same = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dmap_keys); i++) {
		if (a->val[i] == b->val[i])
			continue;
		ksft_print_msg("%s: %s went from %lld to %lld\n",
			       when, dmap_keys[i], a->val[i], b->val[i]);
		same = false;
	}
	return same;
}

static void __noreturn holder(int ready_fd, int release_fd)
{
	char status = 'E', dummy;
	char *p;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = secret_fd(1);
	if (fd < 0) {
		ksft_print_msg("child %d: ftruncate: %s\n", getpid(), strerror(-fd));
	} else {
		p = map_secret(fd, 1);
		if (p) {
			memset(p, 0x3c, page_size);
			status = 'R';
		}
	}
	fflush(stdout);
	if (write(ready_fd, &status, 1) != 1)
		_exit(KSFT_FAIL);
	/* Hold the page until the parent closes its end of the pipe. */
	while (read(release_fd, &dummy, 1) > 0)
		;
	_exit(status == 'R' ? KSFT_PASS : KSFT_FAIL);
}

static void test_direct_map(void)
{
	const char *name = "520 processes with secret pages split no direct map page";
	struct dmap_snapshot before, during, after;
	int ready[2], release[2], nready = 0, nerr = 0, started, i, status;
	static pid_t pids[NR_PROCS];
	struct pool_counters c0, c;
	bool ok = true;
	char buf[64];
	ssize_t ret;

	if (skip_without_pool(name) || skip_over_memlock(name, NR_PROCS))
		return;
	if (dmap_snapshot(&before) || before.val[0] < 0 || before.val[1] < 0) {
		ksft_test_result_skip("%s: no direct_map_level*_splits in /proc/vmstat\n",
				      name);
		return;
	}
	if (read_counters(&c0) || pipe(ready) || pipe(release)) {
		ksft_test_result_fail("%s\n", name);
		return;
	}

	for (started = 0; started < NR_PROCS; started++) {
		fflush(stdout);
		pids[started] = fork();
		if (pids[started] < 0) {
			ksft_perror("fork");
			ok = false;
			break;
		}
		if (!pids[started]) {
			close(ready[0]);
			close(release[1]);
			holder(ready[1], release[0]);
		}
	}
	close(ready[1]);
	close(release[0]);

	while (nready + nerr < started) {
		ret = read(ready[0], buf, sizeof(buf));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		for (i = 0; i < ret; i++) {
			if (buf[i] == 'R')
				nready++;
			else
				nerr++;
		}
	}
	ksft_print_msg("%d processes started, %d hold a secret page, %d failed\n",
		       started, nready, nerr);
	if (nready != NR_PROCS)
		ok = false;

	/* Everybody alive at once. */
	if (dmap_snapshot(&during) || !dmap_same(&before, &during, "all alive"))
		ok = false;
	if (read_counters(&c) || c.free != c0.free - nready || c.rsvd != c0.rsvd) {
		ksft_print_msg("%d pages held: want free %lld rsvd %lld\n",
			       nready, c0.free - nready, c0.rsvd);
		print_counters("now", &c);
		ok = false;
	}

	close(release[1]);
	for (i = 0; i < started; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != KSFT_PASS)
			ok = false;
	}
	close(ready[0]);

	if (!wait_counters(c0.free, c0.rsvd, &c))
		ok = false;
	if (dmap_snapshot(&after) || !dmap_same(&before, &after, "all released"))
		ok = false;
	report(ok, name);
}

/* 8: the upstream file semantics, with or without a pool. */
static char *bus_map;

static void sigbus_handler(int sig, siginfo_t *si, void *ctx)
{
	char *addr = si->si_addr;

	(void)sig;
	(void)ctx;

	/* Only the page past the end of the file may raise SIGBUS. */
	_exit(addr >= bus_map + page_size && addr < bus_map + 2 * page_size ? 0 : 3);
}

static int beyond_child(void *arg)
{
	struct sigaction sa;
	int fd = *(int *)arg;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigbus_handler;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGBUS, &sa, NULL)) {
		ksft_perror("sigaction");
		return KSFT_FAIL;
	}

	/* Map two pages of a one page file. */
	bus_map = map_secret(fd, 2);
	if (!bus_map)
		return KSFT_FAIL;
	/* Inside the size first; seq_cst keeps the two stores in this order. */
	__atomic_store_n(bus_map, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(bus_map + page_size, 1, __ATOMIC_SEQ_CST);
	ksft_print_msg("store past the end of the file did not raise SIGBUS\n");
	return KSFT_FAIL;
}

static void test_file_semantics(void)
{
	const char *name = "SIGBUS past the size, size set once, no read or write";
	struct pool_counters c0, c;
	bool ok = true;
	int fd, status, ret;
	char buf[64];
	void *p;

	if (read_counters(&c0)) {
		ksft_test_result_fail("%s\n", name);
		return;
	}
	if (skip_over_memlock(name, 1))
		return;
	fd = secret_fd(1);
	if (fd < 0) {
		ksft_print_msg("ftruncate to one page: %s\n", strerror(-fd));
		ksft_test_result_fail("%s\n", name);
		return;
	}

	status = run_in_child(beyond_child, &fd);
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		ksft_print_msg("SIGBUS for a store inside the file size\n");
		ok = false;
	} else if (!child_ok(status, "store past the size")) {
		ok = false;
	}
	/* The child faulted page 0, which stays in the file. */
	if (have_pool && (read_counters(&c) || c.free != c0.free - 1 || c.rsvd != c0.rsvd)) {
		ksft_print_msg("one page faulted: want free %lld rsvd %lld\n",
			       c0.free - 1, c0.rsvd);
		print_counters("now", &c);
		ok = false;
	}

	ret = ftruncate(fd, 2 * page_size);
	if (!ret || errno != EINVAL) {
		ksft_print_msg("second ftruncate: %s, want EINVAL\n", outcome(ret));
		ok = false;
	}
	if (read(fd, buf, sizeof(buf)) >= 0 || write(fd, buf, sizeof(buf)) >= 0 ||
	    pread(fd, buf, sizeof(buf), 0) >= 0 || pwrite(fd, buf, sizeof(buf), 0) >= 0) {
		ksft_print_msg("read or write on a secret fd succeeded\n");
		ok = false;
	}
	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		ksft_print_msg("MAP_PRIVATE mapping of a secret fd succeeded\n");
		munmap(p, page_size);
		ok = false;
	}
	if (have_pool && (read_counters(&c) || c.free != c0.free - 1 || c.rsvd != c0.rsvd)) {
		print_counters("after refused calls", &c);
		ok = false;
	}

	close(fd);
	if (!wait_counters(c0.free, c0.rsvd, &c))
		ok = false;
	report(ok, name);
}

/* 9: nothing leaked. */
static void test_all_back(void)
{
	const char *name = "whole pool free and unreserved at the end";
	struct pool_counters c;
	bool ok = true;

	if (read_counters(&c)) {
		ksft_test_result_fail("%s\n", name);
		return;
	}
	print_counters("pool", &c);
	if (c.free != c.total || c.rsvd) {
		ksft_print_msg("%lld pages missing, %lld still reserved\n",
			       c.total - c.free, c.rsvd);
		ok = false;
	}
	report(ok, name);
}

int main(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct pool_counters c;
	int fd;

	ksft_print_header();

	page_size = sysconf(_SC_PAGESIZE);

	fd = memfd_secret(0);
	if (fd < 0 && errno == ENOSYS) {
		if (row_expects("total") >= 0)
			ksft_exit_fail_msg("memfd_secret: ENOSYS on a boot row that expects it\n");
		ksft_exit_skip("memfd_secret is not supported\n");
	}
	if (fd < 0)
		ksft_exit_fail_msg("memfd_secret: %s\n", strerror(errno));
	close(fd);

	if (read_counters(&c)) {
		if (row_expects("total") >= 0)
			ksft_exit_fail_msg("no Secretmem meminfo lines, row expects %ld kB\n",
					   row_expects("total"));
		ksft_exit_skip("no Secretmem lines in /proc/meminfo: kernel without the pool\n");
	}
	have_pool = c.total > 0;

	memlock_pages = ULLONG_MAX;
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		/* not root: up to the hard limit, tests that need more skip */
		ksft_print_msg("cannot lift RLIMIT_MEMLOCK: %s\n", strerror(errno));
		if (getrlimit(RLIMIT_MEMLOCK, &rl))
			ksft_exit_fail_msg("getrlimit: %s\n", strerror(errno));
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			ksft_exit_fail_msg("RLIMIT_MEMLOCK to its hard limit: %s\n",
					   strerror(errno));
		if (rl.rlim_max != RLIM_INFINITY)
			memlock_pages = rl.rlim_max / page_size;
		ksft_print_msg("RLIMIT_MEMLOCK %llu pages: tests that need more skip\n",
			       memlock_pages);
	}

	ksft_print_msg("page size %lu, pool of %lld pages%s\n", page_size, c.total,
		       have_pool ? "" : " (no secretmem=, pool tests skip)");
	ksft_set_plan(NR_TESTS);

	test_counters();
	test_enomem();
	test_rlimit();
	test_fill();
	test_zero_reuse();
	test_threads();
	test_direct_map();
	test_file_semantics();
	test_all_back();

	ksft_finished();
}

#else /* __NR_memfd_secret */

int main(void)
{
	ksft_print_header();
	ksft_exit_skip("__NR_memfd_secret is not defined for this architecture\n");
}

#endif /* __NR_memfd_secret */
