// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes of secret memory: what a secret file holds lives as long as its
 * inode, which may outlive every open file (an O_PATH descriptor, a
 * /proc/PID/fd link); faults racing on one page; pages held by another
 * CPU's mlock batch; charges a limit refused; what /proc/meminfo counts;
 * where a file's pages are promised (the task's memory policy and cpuset);
 * and hibernation, refused while any secret inode lives.
 *
 * Run as root: parts drop to uid 65534 (nobody) on purpose. Parts that need
 * a pool or the secretmem controller skip without them; the harness knows
 * which boots must have them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
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

#define NR_TESTS	11
#define CG		"/sys/fs/cgroup"
#define MIB		(1024UL * 1024)

static unsigned long page_size;

static int memfd_secret(unsigned int flags)
{
	return syscall(__NR_memfd_secret, flags);
}

static long long meminfo_kb(const char *key)
{
	char line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static bool have_pool(void)
{
	return meminfo_kb("SecretmemTotal") > 0;
}

static bool have_controller(void)
{
	char buf[512] = "";
	FILE *f = fopen(CG "/cgroup.controllers", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !!strstr(buf, "secretmem");
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long long read_ll(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/* "max N" from secretmem.events[.local]. */
static long long read_events(const char *cg, const char *file)
{
	char path[256], buf[128] = "";
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || strncmp(buf, "max ", 4))
		return -1;
	return strtoll(buf + 4, NULL, 10);
}

static long long cg_ll(const char *cg, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return read_ll(path);
}

static int cg_set(const char *cg, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_str(path, val);
}

static int cg_enter(const char *cg)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", getpid());
	return cg_set(cg, "cgroup.procs", pid);
}

/* A group below the root with secretmem enabled for its children. */
static bool cg_make(const char *cg, const char *max)
{
	if (mkdir(cg, 0755) && errno != EEXIST)
		return false;
	if (max && cg_set(cg, "secretmem.max", max))
		return false;
	return true;
}

static void cg_remove(const char *cg)
{
	rmdir(cg);
}

/* Wait up to 5 s for a counter to settle at @want (releases are async). */
static bool wait_ll(const char *cg, const char *file, long long want)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (cg_ll(cg, file) == want)
			return true;
		usleep(10000);
	}
	return false;
}

/* Run @fn in a child; its exit status is the result: 0 pass, 4 skip. */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (!pid)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	if (WIFSIGNALED(status)) {
		ksft_print_msg("child killed by signal %d\n", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

static void report(int rc, const char *name)
{
	if (rc == KSFT_SKIP)
		ksft_test_result_skip("%s\n", name);
	else
		ksft_test_result(rc == 0, "%s\n", name);
}

/* Drop to nobody, with a memlock limit root raised first. */
static int become_nobody(rlim_t memlock)
{
	struct rlimit rl = { memlock, memlock };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -1;
	if (setgid(65534) || setuid(65534))
		return -1;
	return getuid() == 65534 ? 0 : -1;
}

/*
 * 1. After the last close, the inode is still reachable by an O_PATH
 * descriptor. Setting its size through it must be handled (it used to
 * dereference the state ->release had freed), the size can still be set
 * only once, and closing the alias gives everything back.
 */
static int opath_truncate_after_close(void *unused)
{
	char path[64];
	int fd, p, err = 0;

	if (become_nobody(16 * MIB)) {
		ksft_print_msg("cannot become nobody: %s\n", strerror(errno));
		return 1;
	}
	fd = memfd_secret(0);
	if (fd < 0) {
		ksft_print_msg("memfd_secret: %s\n", strerror(errno));
		return errno == ENOSYS ? KSFT_SKIP : 1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	p = open(path, O_PATH);
	if (p < 0) {
		ksft_print_msg("O_PATH open: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p);
	if (truncate(path, page_size)) {
		ksft_print_msg("first truncate through O_PATH: %s\n", strerror(errno));
		err = 1;
	}
	if (!truncate(path, 2 * page_size) || errno != EINVAL) {
		ksft_print_msg("second truncate: want EINVAL, got %s\n",
			       strerror(errno));
		err = 1;
	}
	close(p);
	return err;
}

struct race {
	int fd;
	char path[64];
	pthread_barrier_t go;
};

static void *race_close(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(&r->go);
	close(r->fd);
	return NULL;
}

/* 2. The same, racing with the close that drops the last file. */
static int opath_truncate_racing_close(void *unused)
{
	int i, p, bad = 0;
	pthread_t t;
	struct race r;

	if (become_nobody(64 * MIB))
		return 1;
	for (i = 0; i < 500; i++) {
		char fdpath[64];

		r.fd = memfd_secret(0);
		if (r.fd < 0)
			return errno == ENOSYS ? KSFT_SKIP : 1;
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", r.fd);
		p = open(fdpath, O_PATH);
		if (p < 0)
			return 1;
		snprintf(r.path, sizeof(r.path), "/proc/self/fd/%d", p);
		pthread_barrier_init(&r.go, NULL, 2);
		pthread_create(&t, NULL, race_close, &r);
		pthread_barrier_wait(&r.go);
		if (truncate(r.path, page_size) && errno != EINVAL)
			bad++;
		pthread_join(t, NULL);
		pthread_barrier_destroy(&r.go);
		close(p);
	}
	if (bad)
		ksft_print_msg("%d truncates failed with an unexpected errno\n", bad);
	return bad ? 1 : 0;
}

/*
 * 3. Files kept alive after close keep their charges: 16 files of 1 MiB,
 * faulted, unmapped and kept by O_PATH descriptors, under RLIMIT_MEMLOCK
 * 1 MiB (and secretmem.max 1M where the controller is): only the first
 * gets its size, the charge stays while the alias lives, and goes with it.
 */
static int kept_after_close(void *arg)
{
	const char *cg = arg;
	int i, ok = 0, refused = 0, alias[16], err = 0;
	long long free0 = meminfo_kb("SecretmemFree");

	if (cg && cg_enter(cg))
		return 1;
	if (become_nobody(MIB))
		return 1;
	for (i = 0; i < 16; i++) {
		char path[64];
		char *m;
		int fd = memfd_secret(0);

		alias[i] = -1;
		if (fd < 0)
			return errno == ENOSYS ? KSFT_SKIP : 1;
		if (ftruncate(fd, MIB)) {
			refused++;
			close(fd);
			continue;
		}
		ok++;
		m = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return 1;
		memset(m, 0x5a, MIB);
		munmap(m, MIB);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		alias[i] = open(path, O_PATH);
		close(fd);
	}
	if (ok != 1 || refused != 15) {
		ksft_print_msg("%d files got their size, %d were refused; want 1 and 15\n",
			       ok, refused);
		err = 1;
	}
	if (cg && cg_ll(cg, "secretmem.current") != (long long)MIB) {
		ksft_print_msg("secretmem.current %lld with the alias open, want %lu\n",
			       cg_ll(cg, "secretmem.current"), MIB);
		err = 1;
	}
	if (free0 > 0 && free0 - meminfo_kb("SecretmemFree") != 1024) {
		ksft_print_msg("SecretmemFree dropped by %lld kB, want 1024\n",
			       free0 - meminfo_kb("SecretmemFree"));
		err = 1;
	}
	for (i = 0; i < 16; i++)
		if (alias[i] >= 0)
			close(alias[i]);
	if (cg && !wait_ll(cg, "secretmem.current", 0)) {
		ksft_print_msg("secretmem.current not back to 0\n");
		err = 1;
	}
	return err;
}

static int test_kept_after_close(void)
{
	const char *cg = CG "/smt_lifetimes";
	int rc;

	/* the memlock part runs for anybody; groups under the root are root's */
	if (!have_controller() || getuid()) {
		if (getuid())
			ksft_print_msg("not root: RLIMIT_MEMLOCK only, no cgroup\n");
		return in_child(kept_after_close, NULL);
	}
	if (write_str(CG "/cgroup.subtree_control", "+secretmem") ||
	    !cg_make(cg, "1M"))
		return 1;
	rc = in_child(kept_after_close, (void *)cg);
	cg_remove(cg);
	return rc;
}

/* 4. Threads first-touching the pages of fresh files at the same time. */
static sigjmp_buf sigbus_jmp[64];
static __thread int thread_slot;
static int sigbus_count;

static void on_sigbus(int sig)
{
	__sync_fetch_and_add(&sigbus_count, 1);
	siglongjmp(sigbus_jmp[thread_slot], 1);
}

struct toucher {
	pthread_barrier_t *start, *end;
	char **mem;
	int slot, rounds, pages;
};

static void *touch_thread(void *arg)
{
	struct toucher *t = arg;
	int i;

	thread_slot = t->slot;
	for (i = 0; i < t->rounds; i++) {
		pthread_barrier_wait(t->start);
		if (!sigsetjmp(sigbus_jmp[t->slot], 1)) {
			char *m = *t->mem;

			/* everybody on page 0, then each on its own page */
			m[t->slot % page_size] = 1;
			m[(1 + t->slot % (t->pages - 1)) * page_size] = 1;
		}
		pthread_barrier_wait(t->end);
	}
	return NULL;
}

static int racing_first_touch(int nthreads, int nfiles, int pages)
{
	pthread_barrier_t start, end;
	struct toucher t[64];
	pthread_t tid[64];
	char *mem;
	struct sigaction sa = { .sa_handler = on_sigbus };
	int i, bad = 0;

	sigaction(SIGBUS, &sa, NULL);
	__atomic_store_n(&sigbus_count, 0, __ATOMIC_SEQ_CST);
	pthread_barrier_init(&start, NULL, nthreads + 1);
	pthread_barrier_init(&end, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++) {
		t[i] = (struct toucher){ &start, &end, &mem, i, nfiles, pages };
		pthread_create(&tid[i], NULL, touch_thread, &t[i]);
	}
	for (i = 0; i < nfiles; i++) {
		int fd = memfd_secret(0);

		if (fd < 0 || ftruncate(fd, pages * page_size)) {
			ksft_print_msg("file %d: %s\n", i, strerror(errno));
			bad = 1;
			/* the threads still wait on the barriers */
			mem = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		} else {
			mem = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0);
		}
		if (fd >= 0)
			close(fd);
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&end);
		munmap(mem, pages * page_size);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&end);
	signal(SIGBUS, SIG_DFL);
	ksft_print_msg("%d threads x %d files of %d pages: %d SIGBUS\n",
		       nthreads, nfiles, pages,
		       __atomic_load_n(&sigbus_count, __ATOMIC_SEQ_CST));
	return bad || __atomic_load_n(&sigbus_count, __ATOMIC_SEQ_CST) ? 1 : 0;
}

static int test_racing_first_touch(void)
{
	static const int shape[][3] = { { 2, 3000, 2 }, { 8, 3000, 8 }, { 64, 200, 64 } };
	/*
	 * A debug kernel (kmemleak is its mark here, or SMT_DEBUG_KERNEL=1
	 * from a harness that looked for us: debugfs is root's) is 3-4 times
	 * slower: a third of the files there; the full count everywhere else.
	 */
	const char *dbg = getenv("SMT_DEBUG_KERNEL");
	int i, err = 0, div;

	if (dbg)
		div = strcmp(dbg, "1") ? 1 : 3;
	else
		div = access("/sys/kernel/debug/kmemleak", F_OK) ? 1 : 3;

	for (i = 0; i < 3; i++)
		err |= racing_first_touch(shape[i][0], shape[i][1] / div,
					  shape[i][2]);
	return err;
}

/*
 * 5. Pages of a closed file still held by another CPU's mlock batch. With
 * mlockall(), fault the whole free pool on CPU 0, unmap and close on CPU 1,
 * then set up and fault a whole-pool file on CPU 1: this must not wait for
 * CPU 0's batch (it used to spin in the fault until something drained it).
 */
static bool pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static int fault_whole(size_t size, char **out)
{
	int fd = memfd_secret(0);
	char *m;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size)) {
		ksft_print_msg("ftruncate(%zu): %s\n", size, strerror(errno));
		close(fd);
		return -1;
	}
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	memset(m, 0x33, size);
	*out = m;
	return fd;
}

static int mlock_batch(void *unused)
{
	size_t size = (meminfo_kb("SecretmemFree") - meminfo_kb("SecretmemRsvd")) * 1024;
	struct timespec a, b;
	char *m;
	int fd;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return KSFT_SKIP;
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		return 1;
	if (!pin(0))
		return 1;
	fd = fault_whole(size, &m);
	if (fd < 0)
		return 1;
	if (!pin(1))
		return 1;
	munmap(m, size);
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &a);
	/* a watchdog, not a timing: the old code spun for over a minute */
	alarm(60);
	fd = fault_whole(size, &m);
	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ksft_print_msg("whole pool (%zu kB) set up and faulted again in %ld ms\n",
		       size >> 10, (b.tv_sec - a.tv_sec) * 1000 +
		       (b.tv_nsec - a.tv_nsec) / 1000000);
	if (fd < 0)
		return 1;
	munmap(m, size);
	close(fd);
	return 0;
}

/*
 * 6. A refused charge leaves every counter as it was: the child's peak after
 * its parent's limit refused, a group's own refusal, the pool's refusal;
 * and a max event only where a limit refused.
 */
static int refuse_in(void *arg)
{
	const char *cg = arg;
	int fd;

	if (cg_enter(cg))
		return 1;
	fd = memfd_secret(0);
	if (fd < 0)
		return 1;
	if (!ftruncate(fd, 1UL << 30) || errno != ENOMEM) {
		ksft_print_msg("ftruncate(1G) in %s: want ENOMEM, got %s\n", cg,
			       strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static int test_refused_charges(void)
{
	const char *p = CG "/smt_refuse", *c = CG "/smt_refuse/child",
		   *own = CG "/smt_refuse_own", *nolim = CG "/smt_refuse_nolim";
	int err = 0;

	if (!have_controller())
		return KSFT_SKIP;
	if (getuid()) {
		ksft_print_msg("not root: cannot make groups under the root cgroup\n");
		return KSFT_SKIP;
	}
	if (write_str(CG "/cgroup.subtree_control", "+secretmem") ||
	    !cg_make(p, "16M") || cg_set(p, "cgroup.subtree_control", "+secretmem") ||
	    !cg_make(c, NULL) || !cg_make(own, "16M") || !cg_make(nolim, NULL))
		return 1;

	/* refused by the parent's limit */
	err |= in_child(refuse_in, (void *)c);
	if (cg_ll(c, "secretmem.peak") || cg_ll(p, "secretmem.peak") ||
	    cg_ll(c, "secretmem.current") || cg_ll(p, "secretmem.current")) {
		ksft_print_msg("parent's refusal: peaks %lld/%lld, want 0/0\n",
			       cg_ll(c, "secretmem.peak"), cg_ll(p, "secretmem.peak"));
		err = 1;
	}
	if (read_events(p, "secretmem.events") != 1 ||
	    read_events(p, "secretmem.events.local") != 1 ||
	    read_events(c, "secretmem.events") != 0) {
		ksft_print_msg("parent's refusal: events %lld/%lld child %lld, want 1/1/0\n",
			       read_events(p, "secretmem.events"),
			       read_events(p, "secretmem.events.local"),
			       read_events(c, "secretmem.events"));
		err = 1;
	}
	/* refused by its own limit */
	err |= in_child(refuse_in, (void *)own);
	if (cg_ll(own, "secretmem.peak") ||
	    read_events(own, "secretmem.events.local") != 1) {
		ksft_print_msg("own refusal: peak %lld events %lld, want 0 and 1\n",
			       cg_ll(own, "secretmem.peak"),
			       read_events(own, "secretmem.events.local"));
		err = 1;
	}
	/* refused by the pool, no limit anywhere: no peak, no event */
	if (have_pool() && meminfo_kb("SecretmemTotal") < (1 << 20)) {
		err |= in_child(refuse_in, (void *)nolim);
		if (cg_ll(nolim, "secretmem.peak") ||
		    read_events(nolim, "secretmem.events") != 0) {
			ksft_print_msg("pool refusal: peak %lld events %lld, want 0 and 0\n",
				       cg_ll(nolim, "secretmem.peak"),
				       read_events(nolim, "secretmem.events"));
			err = 1;
		}
	}
	cg_remove(c);
	cg_remove(p);
	cg_remove(own);
	cg_remove(nolim);
	return err;
}

/* 7. Pool pages are not page cache: faulting 16 MiB leaves Cached alone. */
static int test_cached(void)
{
	size_t size = 16 * MIB;
	long long before, after;
	char *m;
	int fd;

	if (!have_pool())
		return KSFT_SKIP;
	before = meminfo_kb("Cached");
	fd = fault_whole(size, &m);
	if (fd < 0)
		return 1;
	after = meminfo_kb("Cached");
	munmap(m, size);
	close(fd);
	ksft_print_msg("Cached %lld kB before, %lld kB with 16 MiB of pool pages\n",
		       before, after);
	/* other activity moves Cached by a few pages, not by megabytes */
	return after - before < 4096 ? 0 : 1;
}

/*
 * 8. Pages of a closed file that is still referenced count as secret: the
 * inode, not the open file, keeps secretmem_active() (hibernation off) and
 * the debugfs inode count.
 */
static int test_inode_counts(void)
{
	const char *inodes = "/sys/kernel/debug/secretmem/inodes";
	long long before = read_ll(inodes), during;
	char path[64];
	int fd, p;

	if (before < 0) {
		ksft_print_msg("%s: %s (debugfs is root's)\n", inodes, strerror(errno));
		return KSFT_SKIP;
	}
	fd = memfd_secret(0);
	if (fd < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	p = open(path, O_PATH);
	close(fd);
	during = read_ll(inodes);
	close(p);
	ksft_print_msg("inodes %lld before, %lld with only an O_PATH alias\n",
		       before, during);
	return during == before + 1 ? 0 : 1;
}

/* "Node N Secretmem<what>:" of a node's meminfo, in kB; -1 if missing. */
static long long node_kb(int nid, const char *what)
{
	char path[64], key[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", nid);
	snprintf(key, sizeof(key), "Node %d Secretmem%s:", nid, what);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key))) {
			v = strtoll(line + strlen(key), NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

#define MPOL_DEFAULT	0
#define MPOL_PREFERRED	1
#define MPOL_BIND	2

static long set_policy(int mode, unsigned long mask)
{
	return syscall(__NR_set_mempolicy, mode, mode ? &mask : NULL,
		       mode ? 8 * sizeof(mask) : 0);
}

/* Set up a file of @kb under policy @mode on node 1; its errno or 0. */
static int reserve_on_1(int mode, long long kb, int *fd)
{
	*fd = memfd_secret(0);
	if (*fd < 0 || set_policy(mode, 1UL << 1))
		return -1;
	if (ftruncate(*fd, kb * 1024))
		return errno;
	return 0;
}

/*
 * 9. A file's pages are promised where its task may allocate: MPOL_BIND to
 * node 1 reserves on node 1 only, and more than node 1 has is refused;
 * MPOL_PREFERRED node 1 takes node 1 first and the rest from node 0.
 */
static int placement(void *unused)
{
	long long n1 = node_kb(1, "Total"), n0 = node_kb(0, "Total");
	int fd, fd2, err = 0, e;

	if (n1 <= 0 || n0 <= 0)
		return KSFT_SKIP;
	e = reserve_on_1(MPOL_BIND, 4096, &fd);
	if (e || node_kb(1, "Rsvd") != 4096 || node_kb(0, "Rsvd") != 0) {
		ksft_print_msg("bind to node 1, 4 MiB: error %d, reserved %lld/%lld kB\n",
			       e, node_kb(0, "Rsvd"), node_kb(1, "Rsvd"));
		err = 1;
	}
	close(fd);
	e = reserve_on_1(MPOL_BIND, n1 + 2048, &fd);
	if (e != ENOMEM || node_kb(0, "Rsvd") || node_kb(1, "Rsvd")) {
		ksft_print_msg("bind to node 1, more than it has: error %d, want ENOMEM\n", e);
		err = 1;
	}
	close(fd);
	e = reserve_on_1(MPOL_PREFERRED, n1 + 2048, &fd2);
	if (e || node_kb(1, "Rsvd") != n1 || node_kb(0, "Rsvd") != 2048) {
		ksft_print_msg("prefer node 1, more than it has: error %d, reserved %lld/%lld kB\n",
			       e, node_kb(0, "Rsvd"), node_kb(1, "Rsvd"));
		err = 1;
	}
	close(fd2);
	set_policy(MPOL_DEFAULT, 0);
	return err;
}

/* What /sys/power/disk says: true when it offers hibernation. */
static bool hibernation_offered(void)
{
	char buf[256] = "";
	int fd = open("/sys/power/disk", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && !strstr(buf, "[disabled]");
}

/*
 * 10. Hibernation would write secret pages to disk: it is refused while any
 * secret inode lives, even one whose every open file is closed and that
 * only an O_PATH alias keeps, and offered again once it is gone. The write
 * is tried only when the kernel says it will refuse it.
 */
static int hibernation_refused(void)
{
	char path[64], *p;
	int fd, alias, err = 0, werr = 0;

	if (access("/sys/power/disk", R_OK))
		return KSFT_SKIP;	/* no CONFIG_HIBERNATION */
	if (!hibernation_offered()) {
		ksft_print_msg("hibernation is off before the test\n");
		return KSFT_SKIP;
	}
	fd = memfd_secret(0);
	if (fd < 0 || ftruncate(fd, page_size))
		return 1;
	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	p[0] = 1;
	munmap(p, page_size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	alias = open(path, O_PATH);
	close(fd);
	if (hibernation_offered()) {
		ksft_print_msg("hibernation offered with a secret inode alive\n");
		err = 1;
	} else if (getuid() == 0) {
		werr = -write_str("/sys/power/state", "disk");
		if (werr != EPERM) {
			ksft_print_msg("echo disk > /sys/power/state: %s, want EPERM\n",
				       strerror(werr));
			err = 1;
		}
	}
	close(alias);
	if (!hibernation_offered()) {
		ksft_print_msg("hibernation still off after the inode went\n");
		err = 1;
	}
	return err;
}

/*
 * 11. cpuset.mems bounds where pages are promised, as it bounds the page
 * allocator: a task in a cpuset of node 1 reserves on node 1 only, and
 * more than node 1 has is refused.
 */
static int cpuset_placement(void *cg)
{
	long long n1 = node_kb(1, "Total");
	int fd, fd2, e, err = 0;

	if (cg_enter(cg))
		return 1;
	fd = memfd_secret(0);
	fd2 = memfd_secret(0);
	if (fd < 0 || fd2 < 0)
		return 1;
	e = ftruncate(fd, 4 * MIB) ? errno : 0;
	if (e || node_kb(1, "Rsvd") != 4096 || node_kb(0, "Rsvd") != 0) {
		ksft_print_msg("cpuset of node 1, 4 MiB: error %d, reserved %lld/%lld kB\n",
			       e, node_kb(0, "Rsvd"), node_kb(1, "Rsvd"));
		err = 1;
	}
	e = ftruncate(fd2, (n1 - 4096 + 2048) * 1024) ? errno : 0;
	if (e != ENOMEM || node_kb(0, "Rsvd") != 0) {
		ksft_print_msg("cpuset of node 1, more than it has left: error %d, want ENOMEM\n",
			       e);
		err = 1;
	}
	close(fd);
	close(fd2);
	return err;
}

static int test_cpuset_placement(void)
{
	const char *cg = CG "/smt-lifetimes-cpuset";
	int rc;

	if (node_kb(1, "Total") <= 0 || node_kb(0, "Total") <= 0)
		return KSFT_SKIP;
	if (getuid()) {
		ksft_print_msg("not root: cannot make a cpuset under the root cgroup\n");
		return KSFT_SKIP;
	}
	if (write_str(CG "/cgroup.subtree_control", "+cpuset")) {
		ksft_print_msg("cannot enable the cpuset controller\n");
		return 1;
	}
	if (!cg_make(cg, NULL) || cg_set(cg, "cpuset.mems", "1")) {
		ksft_print_msg("cannot make a cpuset of node 1\n");
		rc = 1;
	} else {
		rc = in_child(cpuset_placement, (void *)cg);
	}
	cg_remove(cg);
	write_str(CG "/cgroup.subtree_control", "-cpuset");
	return rc;
}

int main(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	int rc;

	page_size = sysconf(_SC_PAGESIZE);
	/* root's memlock limit is not what these tests are about */
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
		ksft_exit_fail_msg("cannot lift RLIMIT_MEMLOCK: %s\n", strerror(errno));
	ksft_print_header();
	rc = memfd_secret(0);
	if (rc < 0 && errno == ENOSYS)
		ksft_exit_skip("memfd_secret() is not available\n");
	if (rc >= 0)
		close(rc);
	ksft_set_plan(NR_TESTS);

	report(in_child(opath_truncate_after_close, NULL),
	       "truncate through O_PATH after close, as nobody");
	report(in_child(opath_truncate_racing_close, NULL),
	       "truncate through O_PATH racing the last close, as nobody");
	report(test_kept_after_close(),
	       "files kept by O_PATH after close keep their charges");
	report(test_racing_first_touch(),
	       "threads first-touching fresh files: no SIGBUS");
	rc = have_pool() ? in_child(mlock_batch, NULL) : KSFT_SKIP;
	report(rc, "a page in another CPU's mlock batch does not stall a fault");
	report(test_refused_charges(), "refused charges leave peak and events alone");
	report(test_cached(), "pool pages are not counted in Cached");
	report(test_inode_counts(), "an O_PATH alias keeps the inode counted");
	report(in_child(placement, NULL), "pages are promised where the memory policy says");
	report(hibernation_refused(), "hibernation is refused while a closed secret file lives");
	report(test_cpuset_placement(), "pages are promised where cpuset.mems says");
	if (have_pool() && !smt_wait_pool_idle())
		ksft_print_msg("pool not idle at the end\n");
	ksft_finished();
}
