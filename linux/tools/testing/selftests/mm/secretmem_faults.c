// SPDX-License-Identifier: GPL-2.0
/*
 * memfd_secret() under injected failures.
 *
 * Each step of using a secret file - memfd_secret(), ftruncate(), mmap()
 * and the first touch of its pages - is run again and again with the 1st,
 * 2nd, 3rd ... fault-injection point it reaches failing (fail-nth with
 * failslab, fail_page_alloc and fail_function on the secretmem cgroup
 * charge and pool reservation), until the step no longer reaches the armed
 * point. fail_function then fails the charge and the reservation once
 * each, on their own. Every injected failure must come back as a
 * clean -ENOMEM from the system call, and a fault must never fail: it is
 * retried, never a SIGBUS. Last, the same steps run with random failures
 * from all three. What each step held must be given back; the runner
 * checks the idle counters afterwards.
 *
 * Needs root, debugfs and CONFIG_FAULT_INJECTION; skips otherwise. As
 * another user every case skips with its reason: fail-nth is the task's
 * own, but reaches the GFP_KERNEL allocations of secretmem only once
 * failslab and fail_page_alloc are set up in debugfs, fail_function is
 * set up there too, and make-it-fail needs CAP_SYS_RESOURCE.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "../kselftest.h"
#include "secretmem_row.h"

#if !defined(__NR_memfd_secret) && defined(__x86_64__)
#define __NR_memfd_secret 447
#endif

#define NR_PAGES	8
#define MAX_NTH		2000
#define RANDOM_ROUNDS	300
#define DBG		"/sys/kernel/debug"
#define NEEDS_ROOT	"needs root: fault injection is set up in " DBG

/* Functions the secretmem code lets fail_function fail. */
static const char * const inject_fns[] = {
	"secretmem_cgroup_try_charge",
	"secretmem_file_reserve",
};

enum step { MEMFD, TRUNCATE, MAP, FAULT, NR_STEPS };

static const char * const step_name[] = {
	"memfd_secret", "ftruncate", "mmap", "fault",
};

static size_t page_size;
static int nth_fd;
static sigjmp_buf sigbus_jmp;

static int memfd_secret(unsigned int flags)
{
#ifdef __NR_memfd_secret
	return syscall(__NR_memfd_secret, flags);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static bool write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/* fail_function's attributes are shared by every function it fails. */
static void fail_function_times(const char *times, const char *prob)
{
	write_file(DBG "/fail_function/task-filter", "Y");
	write_file(DBG "/fail_function/interval", "1");
	write_file(DBG "/fail_function/times", times);
	write_file(DBG "/fail_function/probability", prob);
}

/* Make fail_function fail @fn, or with NULL every function we know. */
static bool fail_function_only(const char *fn)
{
	char path[256], val[32];
	bool any = false;
	size_t i;

	write_file(DBG "/fail_function/inject", "\n");
	for (i = 0; i < ARRAY_SIZE(inject_fns); i++) {
		if (fn && strcmp(fn, inject_fns[i]))
			continue;
		if (!write_file(DBG "/fail_function/inject", inject_fns[i]))
			continue;
		snprintf(path, sizeof(path), DBG "/fail_function/%s/retval",
			 inject_fns[i]);
		snprintf(val, sizeof(val), "%#lx", (unsigned long)-ENOMEM);
		if (!write_file(path, val))
			ksft_exit_fail_msg("%s: cannot set -ENOMEM\n", path);
		any = true;
	}
	return any;
}

static long read_long(const char *path)
{
	char val[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0 || read(fd, val, sizeof(val) - 1) <= 0)
		ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
	close(fd);
	return strtol(val, NULL, 10);
}

static void set_nth(unsigned int n)
{
	char val[16];
	int len = snprintf(val, sizeof(val), "%u", n);

	if (pwrite(nth_fd, val, len, 0) != len)
		ksft_exit_fail_msg("fail-nth: %s\n", strerror(errno));
}

/* 0 once the armed failure was injected */
static unsigned int nth_left(void)
{
	char val[16] = "";

	if (pread(nth_fd, val, sizeof(val) - 1, 0) <= 0)
		ksft_exit_fail_msg("fail-nth: %s\n", strerror(errno));
	return strtoul(val, NULL, 10);
}

/*
 * EACCES or EPERM when a fault-injection attribute in debugfs is there but
 * this user may not set it up (debugfs is root's), else 0.
 */
static int injection_denied(void)
{
	static const char * const attrs[] = {
		DBG "/failslab/probability", DBG "/fail_page_alloc/probability",
		DBG "/fail_function/inject",
	};
	int denied = 0, fd;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		fd = open(attrs[i], O_WRONLY);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (errno == EACCES || errno == EPERM)
			denied = errno;
	}
	return denied;
}

/* Every case skips: this user may not inject failures. */
static void __noreturn skip_unprivileged(int err)
{
	enum step st;
	size_t i;

	ksft_print_msg("not root: %s setting up fault injection in " DBG "\n",
		       strerror(err));
	ksft_print_msg("fail-nth is ours, but reaches no GFP_KERNEL allocation without it\n");
	ksft_set_plan(NR_STEPS + ARRAY_SIZE(inject_fns) + 1);
	for (st = MEMFD; st < NR_STEPS; st++)
		ksft_test_result_skip("fail-nth %s: " NEEDS_ROOT "\n", step_name[st]);
	for (i = 0; i < ARRAY_SIZE(inject_fns); i++)
		ksft_test_result_skip("fail_function %s: " NEEDS_ROOT "\n", inject_fns[i]);
	ksft_test_result_skip("random failures: " NEEDS_ROOT ", make-it-fail: CAP_SYS_RESOURCE\n");
	ksft_finished();
}

/* Quiet, and reaching the allocations secretmem makes. */
static int setup_injection(void)
{
	static const char * const attrs[] = { "failslab", "fail_page_alloc",
					      "fail_function" };
	char path[256];
	int n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(path, sizeof(path), DBG "/%s/verbose", attrs[i]);
		if (!write_file(path, "0"))
			continue;
		snprintf(path, sizeof(path), DBG "/%s/probability", attrs[i]);
		write_file(path, "0");
		n++;
	}
	write_file(DBG "/failslab/ignore-gfp-wait", "N");
	write_file(DBG "/fail_page_alloc/ignore-gfp-wait", "N");
	write_file(DBG "/fail_page_alloc/ignore-gfp-highmem", "N");
	write_file(DBG "/fail_page_alloc/min-order", "0");
	/* fail-nth counts the secretmem functions too */
	fail_function_only(NULL);
	return n;
}

/* Random failures for this task only, or none. */
static void random_failures(bool on)
{
	static const char * const attrs[] = { "failslab", "fail_page_alloc" };
	const char *self = "/proc/thread-self/make-it-fail";
	char path[256];
	int tries;
	size_t i;

	/*
	 * Our own writes fail too while this task may fail: stop failing
	 * first (retrying until the write itself gets through), and start
	 * failing last, or random failures could be left on for everybody.
	 */
	for (tries = 0; !on && !write_file(self, "0"); tries++)
		if (tries > 1000)
			ksft_exit_fail_msg("cannot clear %s\n", self);
	fail_function_only(NULL);
	fail_function_times("-1", on ? "10" : "0");
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(path, sizeof(path), DBG "/%s/times", attrs[i]);
		write_file(path, "-1");
		snprintf(path, sizeof(path), DBG "/%s/interval", attrs[i]);
		write_file(path, "1");
		snprintf(path, sizeof(path), DBG "/%s/task-filter", attrs[i]);
		if (!write_file(path, "Y"))
			ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
		snprintf(path, sizeof(path), DBG "/%s/probability", attrs[i]);
		if (!write_file(path, on ? "10" : "0"))
			ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
	}
	if (on && !write_file(self, "1"))
		ksft_exit_fail_msg("%s: %s\n", self, strerror(errno));
}

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

struct secret {
	int fd;
	char *map;
};

/*
 * Where every secret file is mapped: the start of a 2 MiB-aligned range
 * whose last page stays mapped and touched, so that its page tables always
 * exist. A fault that has to allocate a page table (and, on a lockdep
 * kernel, its split lock from a slab) fails with VM_FAULT_OOM when
 * that allocation is failed, and the kernel retries it: that is any
 * fault's way, not secret memory's, and is not what is tested here.
 */
static char *arena;

static void make_arena(void)
{
	size_t unit = 2UL << 20;
	char *p = mmap(NULL, 2 * unit, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	arena = (char *)(((unsigned long)p + unit - 1) & ~(unit - 1));
	/* only the last page of the range stays: the rest is a hole */
	if (munmap(arena, unit - page_size))
		ksft_exit_fail_msg("munmap: %s\n", strerror(errno));
	arena[unit - page_size] = 1;
}

static void put_secret(struct secret *s)
{
	if (s->map && s->map != MAP_FAILED)
		munmap(s->map, NR_PAGES * page_size);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->map = NULL;
}

/*
 * Run step @st of @s, all earlier steps being done. Returns 0 or -errno;
 * a SIGBUS is -EFAULT with *@sigbus set.
 */
static int run_step(enum step st, struct secret *s, bool *sigbus)
{
	char *p;
	size_t i;

	switch (st) {
	case MEMFD:
		s->fd = memfd_secret(0);
		return s->fd < 0 ? -errno : 0;
	case TRUNCATE:
		return ftruncate(s->fd, NR_PAGES * page_size) ? -errno : 0;
	case MAP:
		s->map = mmap(arena, NR_PAGES * page_size,
			      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			      s->fd, 0);
		return s->map == MAP_FAILED ? -errno : 0;
	case FAULT:
		if (sigsetjmp(sigbus_jmp, 1)) {
			*sigbus = true;
			return -EFAULT;
		}
		p = s->map;
		for (i = 0; i < NR_PAGES; i++) {
			if (p[i * page_size])
				return -EIO;	/* a new page must read zero */
			p[i * page_size + 1] = 0x5a;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

static int prepare(enum step last, struct secret *s)
{
	bool sigbus = false;
	enum step st;
	int err;

	s->fd = -1;
	s->map = NULL;
	for (st = MEMFD; st < last; st++) {
		err = run_step(st, s, &sigbus);
		if (err)
			return err;
	}
	return 0;
}

/* Fail the 1st, 2nd, ... injection point of @st in turn. */
static void test_nth(enum step st)
{
	int points = 0, absorbed = 0, bad = 0, err, n;
	bool sigbus = false, done = false;
	struct secret s;

	for (n = 1; n <= MAX_NTH && !done && !bad; n++) {
		err = prepare(st, &s);
		if (err) {
			ksft_print_msg("%s: setup failed: %s\n", step_name[st],
				       strerror(-err));
			bad++;
			break;
		}
		set_nth(n);
		err = run_step(st, &s, &sigbus);
		if (nth_left()) {
			/* did not get as far as the n-th point: all covered */
			set_nth(0);
			done = true;
			if (err) {
				ksft_print_msg("%s: failed with no failure injected: %s\n",
					       step_name[st], strerror(-err));
				bad++;
			}
		} else if (err) {
			points++;
			if (err != -ENOMEM || st == FAULT) {
				ksft_print_msg("%s: injected failure %d gave %s%s\n",
					       step_name[st], n, strerror(-err),
					       sigbus ? " (SIGBUS)" : "");
				bad++;
			}
		} else {
			points++;
			absorbed++;	/* retried, or a fallback took over */
		}
		put_secret(&s);
	}
	if (!done && !bad) {
		ksft_print_msg("%s: more than %d injection points\n",
			       step_name[st], MAX_NTH);
		bad++;
	}
	ksft_print_msg("%s: %d injection points, %d absorbed\n",
		       step_name[st], points, absorbed);
	/* a fault may allocate nothing; the other steps always can fail */
	ksft_test_result(!bad && (points > 0 || st == FAULT),
			 "fail-nth %s: every failure a clean ENOMEM%s\n",
			 step_name[st], st == FAULT ? ", no SIGBUS" : "");
}

/*
 * fail_function makes @fn fail once: ftruncate() must fail with ENOMEM,
 * and the next file must work.
 */
static void test_function(const char *fn)
{
	bool sigbus = false, want;
	struct secret s;
	int err, left;

	if (!fail_function_only(fn)) {
		ksft_test_result_skip("fail_function %s: not available\n", fn);
		return;
	}
	err = prepare(TRUNCATE, &s);
	if (err)
		ksft_exit_fail_msg("memfd_secret: %s\n", strerror(-err));
	fail_function_times("1", "100");
	write_file("/proc/thread-self/make-it-fail", "1");
	err = run_step(TRUNCATE, &s, &sigbus);
	write_file("/proc/thread-self/make-it-fail", "0");
	left = read_long(DBG "/fail_function/times");
	fail_function_times("-1", "0");
	put_secret(&s);
	if (left && !err) {
		/*
		 * No pool, or the controller is off: never called. That is a
		 * skip only where the boot row does not expect what calls it.
		 */
		want = !strcmp(fn, "secretmem_file_reserve") ?
			row_expects("total") > 0 : row_expects("cgroup") == 1;
		if (want)
			ksft_test_result_fail("fail_function %s: never called, row expects %s\n",
					      fn, !strcmp(fn, "secretmem_file_reserve") ?
					      "a pool" : "the controller");
		else
			ksft_test_result_skip("fail_function %s: not reached here\n", fn);
		return;
	}
	if (left || err != -ENOMEM) {
		ksft_test_result_fail("fail_function %s: ftruncate gave %s, %d failures left\n",
				      fn, strerror(-err), left);
		return;
	}
	err = prepare(NR_STEPS, &s);
	put_secret(&s);
	ksft_test_result(!err,
			 "fail_function %s: ftruncate fails with ENOMEM, the next file works\n",
			 fn);
}

/* The whole sequence with every allocation failing at random. */
static void test_random(void)
{
	int round, failed[NR_STEPS] = { 0 }, bad = 0, err;
	bool sigbus = false;
	struct secret s;
	enum step st;

	random_failures(true);
	for (round = 0; round < RANDOM_ROUNDS && !bad; round++) {
		s.fd = -1;
		s.map = NULL;
		for (st = MEMFD; st < NR_STEPS; st++) {
			err = run_step(st, &s, &sigbus);
			if (!err)
				continue;
			failed[st]++;
			if (err != -ENOMEM || st == FAULT) {
				ksft_print_msg("%s: random failure gave %s%s\n",
					       step_name[st], strerror(-err),
					       sigbus ? " (SIGBUS)" : "");
				bad++;
			}
			break;
		}
		put_secret(&s);
	}
	random_failures(false);
	ksft_print_msg("random: %d rounds; failed memfd_secret %d, ftruncate %d, mmap %d\n",
		       round, failed[MEMFD], failed[TRUNCATE], failed[MAP]);
	ksft_test_result(!bad && failed[MEMFD] + failed[TRUNCATE] + failed[MAP],
			 "random failures: every one a clean ENOMEM, no SIGBUS\n");
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	enum step st;
	size_t i;
	int fd, err;

	ksft_print_header();
	page_size = sysconf(_SC_PAGESIZE);

	fd = memfd_secret(0);
	if (fd < 0 && errno == ENOSYS) {
		if (row_expects("total") >= 0)
			ksft_exit_fail_msg("memfd_secret: ENOSYS on a boot row that expects it\n");
		ksft_exit_skip("memfd_secret: not available\n");
	}
	if (fd >= 0)
		close(fd);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		ksft_exit_skip("no /proc/thread-self/fail-nth: CONFIG_FAULT_INJECTION is off\n");
	err = injection_denied();
	if (err)
		skip_unprivileged(err);
	if (!setup_injection())
		ksft_exit_skip("no failslab/fail_page_alloc/fail_function in " DBG "\n");

	make_arena();
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	if (sigaction(SIGBUS, &sa, NULL))
		ksft_exit_fail_msg("sigaction: %s\n", strerror(errno));

	ksft_set_plan(NR_STEPS + ARRAY_SIZE(inject_fns) + 1);
	for (st = MEMFD; st < NR_STEPS; st++)
		test_nth(st);
	for (i = 0; i < ARRAY_SIZE(inject_fns); i++)
		test_function(inject_fns[i]);
	test_random();
	ksft_finished();
}
