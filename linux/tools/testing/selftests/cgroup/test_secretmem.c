// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for the secretmem cgroup controller.
 *
 * A secret file is charged when ftruncate() sets its size, to the cgroup of
 * the task that calls it, and uncharged when the file is released.  Each
 * workload therefore runs in a "holder": a child that moves itself into a
 * cgroup and then creates, faults and closes secret files on request, so
 * that the test can read the counters while the charges are alive.
 *
 * Run as root, the groups are made below the root group. Run as another
 * user, below the subtree root delegated to it (cgroup v2 delegation: the
 * directory and its cgroup.procs, cgroup.subtree_control and
 * cgroup.threads are the user's), with this process in a leaf of it: a
 * group with processes of its own cannot hand the controller on. The
 * root group is still read (secretmem.current and .stat count every
 * charge); only root could write it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "../mm/secretmem_row.h"
#include "cgroup_util.h"

#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif

#ifndef MPOL_BIND
#define MPOL_BIND	2
#endif

#define SZ_1M		(1024L * 1024)
#define MAX_FILES	16
/* RLIMIT_MEMLOCK is charged too: the tests lock up to 10M at a time */
#define MEMLOCK_NEEDED	(16 * SZ_1M)

static long pagesz;
static char cg_root[PATH_MAX];	/* the root group: the cgroup v2 mount */

static int memfd_secret(void)
{
	return syscall(__NR_memfd_secret, 0);
}

/* Requests a holder understands; each is answered with 0 or an errno. */
enum holder_op {
	OP_ALLOC,	/* new file: ftruncate(size), mmap, touch pages */
	OP_TOUCH,	/* touch the next pages of the newest file */
	OP_CLOSE_ALL,	/* unmap and close every file */
	OP_BIND,	/* MPOL_BIND to node "size" for the files to come */
	OP_EXIT,
};

struct holder_cmd {
	int op;
	long size;
	long pages;
};

struct holder {
	pid_t pid;
	int cmd;	/* requests to the holder */
	int res;	/* its answers */
};

struct secret_file {
	int fd;
	char *addr;
	long size;
	long touched;
};

static int touch_pages(struct secret_file *f, long pages)
{
	long npages = (f->size + pagesz - 1) / pagesz;
	long i;

	if (f->touched + pages > npages)
		return EINVAL;

	for (i = f->touched; i < f->touched + pages; i++) {
		f->addr[i * pagesz] = 0x5a;
		if (f->addr[i * pagesz] != 0x5a)
			return EIO;
	}
	f->touched += pages;
	return 0;
}

static int secret_alloc(struct secret_file *f, long size, long pages)
{
	int ret;

	f->size = 0;
	f->fd = memfd_secret();
	if (f->fd < 0)
		return errno;

	/* This is where the charge happens. */
	if (ftruncate(f->fd, size)) {
		ret = errno;
		close(f->fd);
		return ret;
	}

	f->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       f->fd, 0);
	if (f->addr == MAP_FAILED) {
		ret = errno;
		close(f->fd);
		return ret;
	}

	f->size = size;
	f->touched = 0;
	return touch_pages(f, pages);
}

static void secret_free(struct secret_file *f)
{
	munmap(f->addr, f->size);
	close(f->fd);
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static void answer(int fd, int val)
{
	if (write(fd, &val, sizeof(val)) != sizeof(val))
		_exit(EXIT_FAILURE);
}

static __noreturn void
holder_main(const char *cgroup, int cmd_fd, int res_fd)
{
	struct secret_file files[MAX_FILES];
	struct holder_cmd c;
	int nfiles = 0;
	int ret, i;

	ret = cg_enter_current(cgroup);
	answer(res_fd, ret < 0 ? -ret : ret ? EIO : 0);
	if (ret)
		_exit(EXIT_FAILURE);

	while (!read_full(cmd_fd, &c, sizeof(c))) {
		switch (c.op) {
		case OP_ALLOC:
			if (nfiles == MAX_FILES) {
				ret = ENOSPC;
				break;
			}
			ret = secret_alloc(&files[nfiles], c.size, c.pages);
			/* Once mapped it is ours to close, touched or not. */
			if (files[nfiles].size)
				nfiles++;
			break;
		case OP_TOUCH:
			ret = nfiles ? touch_pages(&files[nfiles - 1], c.pages)
				     : EINVAL;
			break;
		case OP_CLOSE_ALL:
			for (i = 0; i < nfiles; i++)
				secret_free(&files[i]);
			nfiles = 0;
			ret = 0;
			break;
		case OP_BIND: {
			unsigned long mask = 1UL << c.size;

			ret = syscall(__NR_set_mempolicy, MPOL_BIND, &mask,
				      sizeof(mask) * 8) ? errno : 0;
			break;
		}
		default:
			_exit(EXIT_SUCCESS);
		}
		answer(res_fd, ret);
	}
	_exit(EXIT_SUCCESS);
}

/*
 * Ask the holder to do @op and return its answer (0 or an errno), or -1
 * if it could not be reached.
 */
static int holder_request(struct holder *h, int op, long size, long pages)
{
	struct holder_cmd c = { .op = op, .size = size, .pages = pages };
	int val;

	if (write(h->cmd, &c, sizeof(c)) != sizeof(c))
		return -1;
	if (read_full(h->res, &val, sizeof(val)))
		return -1;
	return val;
}

static int holder_stop(struct holder *h)
{
	struct holder_cmd c = { .op = OP_EXIT };
	int status = -1;

	if (h->pid <= 0)
		return 0;

	/*
	 * An explicit request rather than EOF: holders started later hold
	 * copies of this pipe's write end.  Exiting releases every file.
	 */
	if (write(h->cmd, &c, sizeof(c)) != sizeof(c))
		kill(h->pid, SIGKILL);
	waitpid(h->pid, &status, 0);
	close(h->cmd);
	close(h->res);
	h->pid = -1;

	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* Start a holder that lives in @cgroup. */
static int holder_start(struct holder *h, const char *cgroup)
{
	int cmd[2], res[2];
	int val;

	h->pid = -1;
	if (pipe(cmd))
		return -1;
	if (pipe(res)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}

	/* Do not let the child inherit, and later repeat, buffered output. */
	fflush(stdout);
	h->pid = fork();
	if (h->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		holder_main(cgroup, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	h->cmd = cmd[1];
	h->res = res[0];
	if (h->pid < 0) {
		close(h->cmd);
		close(h->res);
		return -1;
	}

	if (read_full(h->res, &val, sizeof(val)) || val) {
		ksft_print_msg("holder could not enter %s\n", cgroup);
		holder_stop(h);
		return -1;
	}
	return 0;
}

/* Reserve @size bytes in a new file, fault @pages; expect errno @want. */
static int expect_alloc(struct holder *h, long size, long pages, int want)
{
	int ret = holder_request(h, OP_ALLOC, size, pages);

	if (ret == want)
		return 0;
	ksft_print_msg("secret file of %ld bytes: got %s, expected %s\n",
		       size, ret < 0 ? "no answer" : strerror(ret),
		       strerror(want));
	return -1;
}

static int expect_touch(struct holder *h, long pages)
{
	int ret = holder_request(h, OP_TOUCH, 0, pages);

	if (!ret)
		return 0;
	ksft_print_msg("touching %ld pages failed: %d\n", pages, ret);
	return -1;
}

static int close_all(struct holder *h)
{
	return holder_request(h, OP_CLOSE_ALL, 0, 0) ? -1 : 0;
}

static long read_value(const char *cg, const char *file, const char *key)
{
	return key ? cg_read_key_long(cg, file, key) : cg_read_long(cg, file);
}

/*
 * Check that @file (or the @key line of it) of @cg reads @want.  Releasing
 * a file is not strictly synchronous with the holder's answer or exit, so
 * give the value a moment to settle before calling it a failure.
 */
static int check(const char *cg, const char *file, const char *key, long want)
{
	long val = 0;
	int i;

	for (i = 0; i < 100; i++) {
		val = read_value(cg, file, key);
		if (val == want)
			return 0;
		usleep(10000);
	}
	ksft_print_msg("%s/%s%s%s: %ld, expected %ld\n", cg, file,
		       key ? " " : "", key ? key : "", val, want);
	return -1;
}

static int check_current(const char *cg, long want)
{
	return check(cg, "secretmem.current", NULL, want);
}

static int check_stat(const char *cg, long reserved, long faulted)
{
	if (check(cg, "secretmem.stat", "reserved ", reserved))
		return -1;
	return check(cg, "secretmem.stat", "faulted ", faulted);
}

static int check_events(const char *cg, long events, long local)
{
	if (check(cg, "secretmem.events", "max ", events))
		return -1;
	return check(cg, "secretmem.events.local", "max ", local);
}

/* secretmem.max or .min (@file) reads @bytes, "max" if negative. */
static int check_limit(const char *cg, const char *file, long bytes)
{
	char want[32];

	if (bytes < 0)
		snprintf(want, sizeof(want), "max\n");
	else
		snprintf(want, sizeof(want), "%ld\n", bytes);

	if (!cg_read_strcmp(cg, file, want))
		return 0;
	ksft_print_msg("%s/%s does not read %s", cg, file, want);
	return -1;
}

static int check_max(const char *cg, long bytes)
{
	return check_limit(cg, "secretmem.max", bytes);
}

static int set_limit(const char *cg, const char *file, char *val)
{
	int ret = cg_write(cg, file, val);

	if (!ret)
		return 0;
	ksft_print_msg("writing \"%s\" to %s/%s: %d\n", val, cg, file, ret);
	return -1;
}

static int set_max(const char *cg, char *val)
{
	return set_limit(cg, "secretmem.max", val);
}

static int set_min(const char *cg, char *val)
{
	return set_limit(cg, "secretmem.min", val);
}

/* Refusals caused by another group's secretmem.min, here and below. */
static int check_protected(const char *cg, long events, long local)
{
	if (check(cg, "secretmem.events", "protected ", events))
		return -1;
	return check(cg, "secretmem.events.local", "protected ", local);
}

static int enable_controller(const char *cg)
{
	return cg_write(cg, "cgroup.subtree_control", "+secretmem");
}

static void destroy(char *cg)
{
	if (cg)
		cg_destroy(cg);
	free(cg);
}

/*
 * Root: only secretmem.current and secretmem.stat, and they count what
 * every group below has charged. The group is made in @base, the root
 * group when run as root, the delegated subtree otherwise.
 */
static int test_secretmem_root(const char *base)
{
	const char *root = cg_root;
	static const char * const absent[] = {
		"secretmem.max", "secretmem.min", "secretmem.peak",
		"secretmem.events", "secretmem.events.local",
	};
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;
	char *cg = NULL;
	long before, faulted;
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(absent); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, absent[i]);
		if (!access(path, F_OK) || errno != ENOENT) {
			ksft_print_msg("%s should not exist\n", path);
			goto cleanup;
		}
	}

	cg = cg_name(base, "secretmem_test_root");
	if (!cg || cg_create(cg))
		goto cleanup;
	if (holder_start(&h, cg))
		goto cleanup;

	before = cg_read_long(root, "secretmem.current");
	if (before < 0)
		goto cleanup;

	if (expect_alloc(&h, 2 * SZ_1M, 4, 0))
		goto cleanup;
	if (check_current(root, before + 2 * SZ_1M))
		goto cleanup;

	faulted = cg_read_key_long(root, "secretmem.stat", "faulted ");
	if (faulted < 4 * pagesz) {
		ksft_print_msg("root faulted %ld, expected at least %ld\n",
			       faulted, 4 * pagesz);
		goto cleanup;
	}
	if (check(root, "secretmem.stat", "reserved ",
		  before + 2 * SZ_1M - faulted))
		goto cleanup;

	if (holder_stop(&h))
		goto cleanup;
	if (check_current(cg, 0) || check_current(root, before))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(cg);
	return ret;
}

/*
 * One group with a limit: charges above it fail with ENOMEM and are
 * counted, charges up to it succeed, and the counters are exact.
 */
static int test_secretmem_limit(const char *base)
{
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;
	char *cg;

	cg = cg_name(base, "secretmem_test_limit");
	if (!cg || cg_create(cg))
		goto cleanup;

	if (check_max(cg, -1) || check_current(cg, 0) ||
	    check_stat(cg, 0, 0) || check_events(cg, 0, 0) ||
	    check(cg, "secretmem.peak", NULL, 0))
		goto cleanup;

	if (set_max(cg, "4M") || check_max(cg, 4 * SZ_1M))
		goto cleanup;
	if (holder_start(&h, cg))
		goto cleanup;

	/* Over the limit: refused, nothing charged, one event. */
	if (expect_alloc(&h, 8 * SZ_1M, 0, ENOMEM))
		goto cleanup;
	if (check_current(cg, 0) || check_events(cg, 1, 1))
		goto cleanup;

	/* Within it: charged in full at ftruncate, nothing faulted yet. */
	if (expect_alloc(&h, 3 * SZ_1M, 0, 0))
		goto cleanup;
	if (check_current(cg, 3 * SZ_1M) || check_stat(cg, 3 * SZ_1M, 0))
		goto cleanup;

	/* Faulting moves pages from reserved to faulted, not the charge. */
	if (expect_touch(&h, 16))
		goto cleanup;
	if (check_current(cg, 3 * SZ_1M) ||
	    check_stat(cg, 3 * SZ_1M - 16 * pagesz, 16 * pagesz))
		goto cleanup;

	/* 3M + 2M > 4M. */
	if (expect_alloc(&h, 2 * SZ_1M, 0, ENOMEM))
		goto cleanup;
	if (check_current(cg, 3 * SZ_1M) || check_events(cg, 2, 2))
		goto cleanup;

	/* Exactly up to the limit is allowed. */
	if (expect_alloc(&h, SZ_1M, 8, 0))
		goto cleanup;
	if (check_current(cg, 4 * SZ_1M) ||
	    check_stat(cg, 4 * SZ_1M - 24 * pagesz, 24 * pagesz))
		goto cleanup;
	if (expect_alloc(&h, pagesz, 0, ENOMEM) || check_events(cg, 3, 3))
		goto cleanup;

	/* Closing the files gives everything back. */
	if (close_all(&h))
		goto cleanup;
	if (check_current(cg, 0) || check_stat(cg, 0, 0))
		goto cleanup;
	if (expect_alloc(&h, 4 * SZ_1M, 0, 0) || check_current(cg, 4 * SZ_1M))
		goto cleanup;

	if (holder_stop(&h))
		goto cleanup;
	if (check_current(cg, 0) || check_stat(cg, 0, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(cg);
	return ret;
}

/* A size that is not a multiple of the page size is charged rounded up. */
static int test_secretmem_partial_page(const char *base)
{
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;
	char *cg;

	cg = cg_name(base, "secretmem_test_partial");
	if (!cg || cg_create(cg))
		goto cleanup;
	if (holder_start(&h, cg))
		goto cleanup;

	if (expect_alloc(&h, 1, 1, 0))
		goto cleanup;
	if (check_current(cg, pagesz) || check_stat(cg, 0, pagesz))
		goto cleanup;
	if (expect_alloc(&h, pagesz + 1, 0, 0))
		goto cleanup;
	if (check_current(cg, 3 * pagesz) ||
	    check_stat(cg, 2 * pagesz, pagesz))
		goto cleanup;

	if (holder_stop(&h) || check_current(cg, 0) || check_stat(cg, 0, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(cg);
	return ret;
}

/*
 * Limits at several levels: the smallest one in the chain applies, and
 * a refusal is counted in events.local of the group whose limit refused
 * it, and in events of that group and its ancestors only.
 */
static int test_secretmem_hierarchy(const char *base)
{
	char *top = NULL, *parent = NULL, *child = NULL;
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;

	top = cg_name(base, "secretmem_test_hier");
	if (!top || cg_create(top) || enable_controller(top))
		goto cleanup;
	parent = cg_name(top, "parent");
	if (!parent || cg_create(parent) || enable_controller(parent))
		goto cleanup;
	child = cg_name(parent, "child");
	if (!child || cg_create(child))
		goto cleanup;

	if (set_max(parent, "4M") || set_max(child, "16M"))
		goto cleanup;
	if (holder_start(&h, child))
		goto cleanup;

	/* Under the child's limit, over the parent's. */
	if (expect_alloc(&h, 8 * SZ_1M, 0, ENOMEM))
		goto cleanup;
	if (check_events(child, 0, 0) || check_events(parent, 1, 1) ||
	    check_events(top, 1, 0))
		goto cleanup;
	if (check_current(child, 0) || check_current(parent, 0) ||
	    check_current(top, 0))
		goto cleanup;

	if (expect_alloc(&h, 2 * SZ_1M, 2, 0))
		goto cleanup;
	if (check_current(child, 2 * SZ_1M) ||
	    check_current(parent, 2 * SZ_1M) ||
	    check_current(top, 2 * SZ_1M))
		goto cleanup;
	if (check_stat(top, 2 * SZ_1M - 2 * pagesz, 2 * pagesz))
		goto cleanup;

	/* Now the child's own limit refuses. */
	if (set_max(child, "3M"))
		goto cleanup;
	if (expect_alloc(&h, 2 * SZ_1M, 0, ENOMEM))
		goto cleanup;
	if (check_events(child, 1, 1) || check_events(parent, 2, 1) ||
	    check_events(top, 2, 0))
		goto cleanup;

	if (expect_alloc(&h, SZ_1M, 0, 0))
		goto cleanup;
	if (check_current(child, 3 * SZ_1M) ||
	    check_current(parent, 3 * SZ_1M) ||
	    check_current(top, 3 * SZ_1M))
		goto cleanup;

	if (holder_stop(&h))
		goto cleanup;
	if (check_current(child, 0) || check_current(parent, 0) ||
	    check_current(top, 0) || check_stat(top, 0, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(child);
	destroy(parent);
	destroy(top);
	return ret;
}

/*
 * Siblings: one's limit and usage do not affect the other, except through
 * the limit of their common parent.
 */
static int test_secretmem_siblings(const char *base)
{
	struct holder h1 = { .pid = -1 }, h2 = { .pid = -1 };
	char *parent = NULL, *s1 = NULL, *s2 = NULL;
	int ret = KSFT_FAIL;

	parent = cg_name(base, "secretmem_test_siblings");
	if (!parent || cg_create(parent) || enable_controller(parent))
		goto cleanup;
	s1 = cg_name(parent, "s1");
	s2 = cg_name(parent, "s2");
	if (!s1 || !s2 || cg_create(s1) || cg_create(s2))
		goto cleanup;

	if (set_max(s1, "1M"))
		goto cleanup;
	if (holder_start(&h1, s1) || holder_start(&h2, s2))
		goto cleanup;

	if (expect_alloc(&h1, 2 * SZ_1M, 0, ENOMEM) ||
	    expect_alloc(&h2, 2 * SZ_1M, 0, 0))
		goto cleanup;
	if (check_current(s1, 0) || check_current(s2, 2 * SZ_1M) ||
	    check_current(parent, 2 * SZ_1M))
		goto cleanup;
	if (check_events(s1, 1, 1) || check_events(s2, 0, 0) ||
	    check_events(parent, 1, 0))
		goto cleanup;

	if (expect_alloc(&h1, SZ_1M, 4, 0))
		goto cleanup;
	if (check_current(s1, SZ_1M) || check_current(s2, 2 * SZ_1M) ||
	    check_current(parent, 3 * SZ_1M))
		goto cleanup;
	if (check_stat(s1, SZ_1M - 4 * pagesz, 4 * pagesz) ||
	    check_stat(s2, 2 * SZ_1M, 0))
		goto cleanup;

	/* The shared parent limit: s1's usage now refuses s2. */
	if (set_max(parent, "4M"))
		goto cleanup;
	if (expect_alloc(&h2, 2 * SZ_1M, 0, ENOMEM))
		goto cleanup;
	if (check_events(s2, 0, 0) || check_events(parent, 2, 1) ||
	    check_events(s1, 1, 1))
		goto cleanup;

	/* Until s1 gives its reservation back. */
	if (close_all(&h1) || check_current(s1, 0))
		goto cleanup;
	if (expect_alloc(&h2, 2 * SZ_1M, 0, 0))
		goto cleanup;
	if (check_current(s2, 4 * SZ_1M) || check_current(parent, 4 * SZ_1M))
		goto cleanup;

	if (holder_stop(&h1) || holder_stop(&h2))
		goto cleanup;
	if (check_current(s1, 0) || check_current(s2, 0) ||
	    check_current(parent, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h1);
	holder_stop(&h2);
	destroy(s1);
	destroy(s2);
	destroy(parent);
	return ret;
}

/* secretmem.peak is the high-water mark of secretmem.current. */
static int test_secretmem_peak(const char *base)
{
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;
	char *cg;

	cg = cg_name(base, "secretmem_test_peak");
	if (!cg || cg_create(cg))
		goto cleanup;
	if (check(cg, "secretmem.peak", NULL, 0))
		goto cleanup;
	if (holder_start(&h, cg))
		goto cleanup;

	if (expect_alloc(&h, 2 * SZ_1M, 0, 0) ||
	    check(cg, "secretmem.peak", NULL, 2 * SZ_1M))
		goto cleanup;
	if (expect_alloc(&h, SZ_1M, 0, 0) ||
	    check(cg, "secretmem.peak", NULL, 3 * SZ_1M))
		goto cleanup;

	if (close_all(&h) || check_current(cg, 0) ||
	    check(cg, "secretmem.peak", NULL, 3 * SZ_1M))
		goto cleanup;
	if (expect_alloc(&h, SZ_1M, 0, 0) ||
	    check(cg, "secretmem.peak", NULL, 3 * SZ_1M))
		goto cleanup;

	/* A refused charge is not usage. */
	if (set_max(cg, "4M"))
		goto cleanup;
	if (expect_alloc(&h, 8 * SZ_1M, 0, ENOMEM) ||
	    check(cg, "secretmem.peak", NULL, 3 * SZ_1M))
		goto cleanup;

	if (holder_stop(&h) || check_current(cg, 0) ||
	    check(cg, "secretmem.peak", NULL, 3 * SZ_1M))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(cg);
	return ret;
}

/* What an open secretmem.peak file reads now, in bytes; -1 on error. */
static long peak_fd_read(int fd)
{
	char buf[64];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int peak_fd_expect(int fd, const char *who, long want)
{
	long got = peak_fd_read(fd);

	if (got == want)
		return 0;
	ksft_print_msg("secretmem.peak through %s: %ld, want %ld\n", who, got, want);
	return -1;
}

/*
 * A write to secretmem.peak resets the peak seen through that open file
 * only, as memory.peak: every other open file keeps the peak it could see,
 * and the group's own watermark (a fresh open) is untouched.
 */
static int test_secretmem_peak_reset(const char *base)
{
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL, a = -1, b = -1;
	char *cg, path[PATH_MAX];

	cg = cg_name(base, "secretmem_test_peak_reset");
	if (!cg || cg_create(cg) || holder_start(&h, cg))
		goto cleanup;
	snprintf(path, sizeof(path), "%s/secretmem.peak", cg);
	a = open(path, O_RDWR);
	b = open(path, O_RDWR);
	if (a < 0 || b < 0) {
		ksft_print_msg("open %s: %s\n", path, strerror(errno));
		goto cleanup;
	}

	if (expect_alloc(&h, 3 * SZ_1M, 0, 0) || close_all(&h))
		goto cleanup;
	if (write(a, "reset\n", 6) != 6) {
		ksft_print_msg("write to secretmem.peak: %s\n", strerror(errno));
		goto cleanup;
	}
	if (peak_fd_expect(a, "the file reset", 0) ||
	    peak_fd_expect(b, "another file", 3 * SZ_1M) ||
	    check(cg, "secretmem.peak", NULL, 3 * SZ_1M))
		goto cleanup;

	if (expect_alloc(&h, SZ_1M, 0, 0) || close_all(&h))
		goto cleanup;
	if (peak_fd_expect(a, "the file reset", SZ_1M) ||
	    peak_fd_expect(b, "another file", 3 * SZ_1M))
		goto cleanup;

	/* the second reader's reset leaves the first one's peak alone */
	if (write(b, "0", 1) != 1 ||
	    peak_fd_expect(b, "the second file reset", 0) ||
	    peak_fd_expect(a, "the first file after the second's reset", SZ_1M) ||
	    check(cg, "secretmem.peak", NULL, 3 * SZ_1M))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	holder_stop(&h);
	destroy(cg);
	return ret;
}

#define MEMLOCK_MODE	"/sys/kernel/mm/secretmem/memlock"

static int set_memlock_mode(const char *mode)
{
	int fd = open(MEMLOCK_MODE, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, mode, strlen(mode)) == (ssize_t)strlen(mode) ? 0 : -1;
	close(fd);
	return ret;
}

/* 0 if @path reads exactly @want. */
static int check_file_str(const char *path, const char *want)
{
	char buf[128] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	if (!strcmp(buf, want))
		return 0;
	ksft_print_msg("%s reads \"%s\", want \"%s\"\n", path, buf, want);
	return -1;
}

/* A holder in @cg under RLIMIT_MEMLOCK @bytes (this process's is kept). */
static int holder_start_memlock(struct holder *h, const char *cg, rlim_t bytes)
{
	struct rlimit old, rl = { bytes, bytes };
	int ret;

	if (getrlimit(RLIMIT_MEMLOCK, &old) || setrlimit(RLIMIT_MEMLOCK, &rl))
		return -1;
	ret = holder_start(h, cg);
	if (setrlimit(RLIMIT_MEMLOCK, &old))
		ret = -1;
	return ret;
}

/*
 * /sys/kernel/mm/secretmem/memlock: "always" charges RLIMIT_MEMLOCK for
 * every file; "unless_cgroup_limit" only where no group up to the root has
 * a finite secretmem.max, decided when the size is set: a file made in a
 * limited group keeps its charges when its task moves to an unlimited one,
 * where new files are charged to RLIMIT_MEMLOCK again.
 */
static int test_secretmem_memlock_mode(const char *base)
{
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;
	char *lim, *unl;
	char mode[64] = "";
	FILE *f;

	if (getuid()) {
		ksft_print_msg("not root: %s is root's\n", MEMLOCK_MODE);
		return KSFT_SKIP;
	}
	f = fopen(MEMLOCK_MODE, "r");
	if (!f || !fgets(mode, sizeof(mode), f) ||
	    strcmp(mode, "[always] unless_cgroup_limit\n")) {
		ksft_print_msg("%s reads \"%s\", want the default\n", MEMLOCK_MODE,
			       mode);
		if (f)
			fclose(f);
		return KSFT_FAIL;
	}
	fclose(f);
	lim = cg_name(base, "secretmem_test_memlock_lim");
	unl = cg_name(base, "secretmem_test_memlock_unl");
	if (!lim || !unl || cg_create(lim) || cg_create(unl) || set_max(lim, "8M"))
		goto cleanup;

	/* bad values are refused and change nothing */
	if (!set_memlock_mode("sometimes") || !set_memlock_mode("\n") ||
	    check_file_str(MEMLOCK_MODE, "[always] unless_cgroup_limit\n"))
		goto cleanup;

	/* always: 4M over a 1M RLIMIT_MEMLOCK is refused, limit or not */
	if (holder_start_memlock(&h, lim, SZ_1M) ||
	    expect_alloc(&h, 4 * SZ_1M, 0, EAGAIN) || holder_stop(&h))
		goto cleanup;

	if (set_memlock_mode("unless_cgroup_limit") ||
	    check_file_str(MEMLOCK_MODE, "always [unless_cgroup_limit]\n"))
		goto cleanup;
	/* the group's 8M limit stands in for RLIMIT_MEMLOCK, and applies */
	if (holder_start_memlock(&h, lim, SZ_1M) ||
	    expect_alloc(&h, 4 * SZ_1M, 4, 0) ||
	    expect_alloc(&h, 8 * SZ_1M, 0, ENOMEM) ||
	    check_current(lim, 4 * SZ_1M))
		goto cleanup;
	/* moved to a group without a limit: RLIMIT_MEMLOCK again, for new files */
	if (cg_enter(unl, h.pid) ||
	    expect_alloc(&h, 2 * SZ_1M, 0, EAGAIN) ||
	    expect_alloc(&h, SZ_1M / 2, 1, 0) ||
	    check_current(lim, 4 * SZ_1M) || check_current(unl, SZ_1M / 2))
		goto cleanup;
	if (close_all(&h) || check_current(lim, 0) || check_current(unl, 0) ||
	    expect_alloc(&h, SZ_1M, 0, 0) || holder_stop(&h))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	set_memlock_mode("always");
	destroy(lim);
	destroy(unl);
	return ret;
}

/*
 * A limit below the current usage is accepted; it takes nothing back and
 * only refuses new charges.
 */
static int test_secretmem_max_below_current(const char *base)
{
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;
	char *cg;

	cg = cg_name(base, "secretmem_test_below");
	if (!cg || cg_create(cg))
		goto cleanup;
	if (holder_start(&h, cg))
		goto cleanup;

	if (expect_alloc(&h, 4 * SZ_1M, 4, 0))
		goto cleanup;
	if (set_max(cg, "1M") || check_max(cg, SZ_1M))
		goto cleanup;
	if (check_current(cg, 4 * SZ_1M) ||
	    check_stat(cg, 4 * SZ_1M - 4 * pagesz, 4 * pagesz))
		goto cleanup;
	if (expect_alloc(&h, pagesz, 0, ENOMEM))
		goto cleanup;
	if (check_current(cg, 4 * SZ_1M) || check_events(cg, 1, 1))
		goto cleanup;

	if (set_max(cg, "0") || check_max(cg, 0))
		goto cleanup;
	if (set_max(cg, "1M"))
		goto cleanup;

	if (close_all(&h) || check_current(cg, 0))
		goto cleanup;
	if (expect_alloc(&h, SZ_1M, 0, 0) || check_current(cg, SZ_1M))
		goto cleanup;
	if (expect_alloc(&h, pagesz, 0, ENOMEM) || check_events(cg, 2, 2))
		goto cleanup;

	if (holder_stop(&h) || check_current(cg, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(cg);
	return ret;
}

/*
 * A charge stays with the group that made it when the task moves; later
 * faults on the file still count there, new files are charged to the new
 * group.
 */
static int test_secretmem_migration(const char *base)
{
	char *parent = NULL, *a = NULL, *b = NULL;
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;

	parent = cg_name(base, "secretmem_test_migration");
	if (!parent || cg_create(parent) || enable_controller(parent))
		goto cleanup;
	a = cg_name(parent, "a");
	b = cg_name(parent, "b");
	if (!a || !b || cg_create(a) || cg_create(b))
		goto cleanup;
	if (holder_start(&h, a))
		goto cleanup;

	if (expect_alloc(&h, 2 * SZ_1M, 4, 0))
		goto cleanup;
	if (cg_enter(b, h.pid))
		goto cleanup;

	if (check_current(a, 2 * SZ_1M) || check_current(b, 0) ||
	    check_stat(a, 2 * SZ_1M - 4 * pagesz, 4 * pagesz) ||
	    check_stat(b, 0, 0))
		goto cleanup;

	if (expect_touch(&h, 4))
		goto cleanup;
	if (check_stat(a, 2 * SZ_1M - 8 * pagesz, 8 * pagesz) ||
	    check_stat(b, 0, 0))
		goto cleanup;

	if (expect_alloc(&h, SZ_1M, 0, 0))
		goto cleanup;
	if (check_current(a, 2 * SZ_1M) || check_current(b, SZ_1M) ||
	    check_current(parent, 3 * SZ_1M))
		goto cleanup;

	if (close_all(&h))
		goto cleanup;
	if (check_current(a, 0) || check_current(b, 0) ||
	    check_stat(a, 0, 0) || check_current(parent, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(a);
	destroy(b);
	destroy(parent);
	return ret;
}

/*
 * A group with live charges can be removed; the charges stay in its
 * parent until the files are released.
 */
static int test_secretmem_rmdir(const char *base)
{
	char *parent = NULL, *gone = NULL, *other = NULL;
	struct holder h = { .pid = -1 };
	int ret = KSFT_FAIL;

	parent = cg_name(base, "secretmem_test_rmdir");
	if (!parent || cg_create(parent) || enable_controller(parent))
		goto cleanup;
	gone = cg_name(parent, "gone");
	other = cg_name(parent, "other");
	if (!gone || !other || cg_create(gone) || cg_create(other))
		goto cleanup;
	if (holder_start(&h, gone))
		goto cleanup;

	if (expect_alloc(&h, 2 * SZ_1M, 4, 0))
		goto cleanup;
	if (check_current(parent, 2 * SZ_1M))
		goto cleanup;

	/* Empty the group, then remove it while the file is alive. */
	if (cg_enter(other, h.pid))
		goto cleanup;
	if (rmdir(gone)) {
		ksft_print_msg("rmdir %s: %s\n", gone, strerror(errno));
		goto cleanup;
	}

	if (check_current(parent, 2 * SZ_1M) || check_current(other, 0) ||
	    check_stat(parent, 2 * SZ_1M - 4 * pagesz, 4 * pagesz))
		goto cleanup;

	/* Faults on the removed group's file still count. */
	if (expect_touch(&h, 4))
		goto cleanup;
	if (check_stat(parent, 2 * SZ_1M - 8 * pagesz, 8 * pagesz))
		goto cleanup;

	if (close_all(&h))
		goto cleanup;
	if (check_current(parent, 0) || check_stat(parent, 0, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(gone);
	destroy(other);
	destroy(parent);
	return ret;
}

/*
 * secretmem.max and secretmem.min parsing: "max" or decimal bytes with one
 * optional K/M/G/T suffix, rounded down to pages.  Anything else is EINVAL
 * and changes nothing.
 */
static int limit_parse(const char *base, const char *file)
{
	static char * const bad[] = {
		"\n", "   \n", "garbage", "-1", "-4096", "+1M", "0x1000",
		"1e6", "99999999999999999999999", "99999999999T",
		"18446744073709551616", "1.5M", "1,5M", "maxx", "max junk",
		"MAX", "max1", "1M junk", "1 M", "1 2", "1MB", "1KiB", "M",
		"k", "1MM", "1\t2",
	};
	struct {
		char *in;
		long bytes;	/* -1: "max" */
	} good[] = {
		{ "max", -1 },
		{ "0", 0 },
		{ "007", 0 },
		{ "1k", 1024 / pagesz * pagesz },
		{ "4097", 4097 / pagesz * pagesz },
		{ "2m", 2 * SZ_1M },
		{ "3M", 3 * SZ_1M },
		{ "1G", 1024 * SZ_1M },
		{ "1g", 1024 * SZ_1M },
		{ "1T", 1024 * 1024 * SZ_1M },
		{ "  5M \n", 5 * SZ_1M },
		{ "max\n", -1 },
		{ "6291456", 6 * SZ_1M },
		/* More than the counter can hold is the same as "max". */
		{ "18446744073709551615", -1 },
		{ "3M\n", 3 * SZ_1M },
	};
	int ret = KSFT_FAIL;
	char *cg;
	size_t i;
	int err;

	cg = cg_name(base, "secretmem_test_parse");
	if (!cg || cg_create(cg))
		goto cleanup;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (set_limit(cg, file, good[i].in) ||
		    check_limit(cg, file, good[i].bytes)) {
			ksft_print_msg("valid value \"%s\" not taken by %s\n",
				       good[i].in, file);
			goto cleanup;
		}
	}

	/* The last good value, 3M, must survive every bad write. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = cg_write(cg, file, bad[i]);
		if (err != -EINVAL) {
			ksft_print_msg("%s \"%s\": got %d, expected %d\n",
				       file, bad[i], err, -EINVAL);
			goto cleanup;
		}
		if (check_limit(cg, file, 3 * SZ_1M))
			goto cleanup;
	}

	/*
	 * A zero-length write never reaches the controller (cgroup core
	 * takes it as a no-op); it must not change the limit either.
	 */
	if (cg_write(cg, file, "") || check_limit(cg, file, 3 * SZ_1M))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	destroy(cg);
	return ret;
}

/*
 * Everything but secretmem.max is read-only, in the root too. (To a user
 * other than root the files' modes already say so: 0444, and the root
 * group's files are root's.)
 */
static int test_secretmem_max_parse(const char *base)
{
	return limit_parse(base, "secretmem.max");
}

static int test_secretmem_min_parse(const char *base)
{
	return limit_parse(base, "secretmem.min");
}

static int test_secretmem_read_only(const char *base)
{
	static const char * const files[] = {
		"secretmem.current", "secretmem.events",
		"secretmem.events.local", "secretmem.stat",
	};
	int ret = KSFT_FAIL;
	char *cg;
	size_t i;

	cg = cg_name(base, "secretmem_test_ro");
	if (!cg || cg_create(cg))
		goto cleanup;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		if (!cg_write(cg, files[i], "0")) {
			ksft_print_msg("%s/%s is writable\n", cg, files[i]);
			goto cleanup;
		}
	}
	if (!cg_write(cg_root, "secretmem.current", "0") ||
	    !cg_write(cg_root, "secretmem.stat", "0")) {
		ksft_print_msg("a root secretmem file is writable\n");
		goto cleanup;
	}
	if (check_current(cg, 0) || check_stat(cg, 0, 0) ||
	    check_events(cg, 0, 0))
		goto cleanup;

	ret = KSFT_PASS;

cleanup:
	destroy(cg);
	return ret;
}

/* The pool's capacity, in the root's secretmem.stat; 0 without a pool. */
static long pool_capacity(void)
{
	return cg_read_key_long(cg_root, "secretmem.stat", "capacity ");
}

/* A number in /sys/kernel/mm/secretmem/@name; 0 if it is not there. */
static long pool_sysfs(const char *name)
{
	char path[128], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/mm/secretmem/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return atol(buf);
}

/*
 * What the pool may still grow by: whole 2 MiB units under its ceiling.
 * Guarantees count on it, so the root's capacity includes it.
 */
static long pool_headroom(void)
{
	long more = pool_sysfs("ceiling_bytes") - pool_sysfs("grown_bytes");

	return more > 0 ? more & ~(2L * SZ_1M - 1) : 0;
}

/* What the pool can still promise: its capacity less every charge. */
static long pool_room(void)
{
	return pool_capacity() - cg_read_long(cg_root, "secretmem.current");
}

static int check_emin(const char *cg, long bytes)
{
	return check(cg, "secretmem.stat", "effective_min ", bytes);
}

static int set_min_bytes(const char *cg, long bytes)
{
	char val[32];

	snprintf(val, sizeof(val), "%ld", bytes);
	return set_min(cg, val);
}

/*
 * P, with secretmem.min "max" and the controller on, and its children. A
 * group's protection is bounded by its parent's: in a delegated subtree,
 * only if root protected the subtree (unprivileged.sh does) can it have any.
 */
static int make_protected_parent(const char *base, const char *name,
				 char **parent, char **a, char **b)
{
	long cap = pool_capacity();

	*parent = *a = *b = NULL;
	if (strcmp(base, cg_root) && cap &&
	    cg_read_key_long(base, "secretmem.stat", "effective_min ") != cap) {
		ksft_print_msg("%s is not protected by root: no guarantee here\n",
			       base);
		return -1;
	}
	*parent = cg_name(base, name);
	*a = *parent ? cg_name(*parent, "a") : NULL;
	*b = *parent ? cg_name(*parent, "b") : NULL;
	if (!*a || !*b || cg_create(*parent) || enable_controller(*parent) ||
	    cg_create(*a) || cg_create(*b))
		return -1;
	return set_min(*parent, "max");
}

/*
 * secretmem.min: a group's guarantee of part of the pool. A sibling, a
 * cousin and a parent's other child are refused what would leave the pool
 * unable to give the group the rest of its protection; the group itself is
 * not; faulted and released pages count back; what the group may never
 * hold (min above max) is not protected. Each refusal is a "protected"
 * event of the refused group, and changes nothing else. Without a pool,
 * secretmem.min is taken and has no effect.
 */
static int test_secretmem_min(const char *base)
{
	struct holder ha = { .pid = -1 }, hb = { .pid = -1 }, hc = { .pid = -1 };
	char *p = NULL, *a = NULL, *b = NULL, *q = NULL, *c = NULL;
	long cap = pool_capacity(), room = pool_room();
	int ret = KSFT_FAIL;

	q = cg_name(base, "secretmem_test_min_q");
	c = q ? cg_name(q, "c") : NULL;
	if (make_protected_parent(base, "secretmem_test_min", &p, &a, &b) ||
	    !c || cg_create(q) || enable_controller(q) || cg_create(c))
		goto cleanup;
	if (holder_start(&ha, a) || holder_start(&hb, b) ||
	    holder_start(&hc, c))
		goto cleanup;

	if (!cap) {
		if (set_min(a, "64M") || check_emin(a, 0) ||
		    expect_alloc(&hb, 8 * SZ_1M, 1, 0) ||
		    expect_alloc(&hc, 8 * SZ_1M, 1, 0) ||
		    check_protected(b, 0, 0) || check_protected(c, 0, 0))
			goto cleanup;
		ret = KSFT_PASS;
		goto cleanup;
	}
	if (room < 16 * SZ_1M) {
		ksft_print_msg("pool of %ld bytes has %ld left: too little\n",
			       cap, room);
		goto cleanup;
	}

	/* a, and so its parent, are guaranteed all of the room but 4M */
	if (set_min_bytes(p, room - 4 * SZ_1M) ||
	    set_min_bytes(a, room - 4 * SZ_1M) ||
	    check_emin(a, room - 4 * SZ_1M) || check_emin(b, 0))
		goto cleanup;

	/* its sibling gets the 4M, not a page more */
	if (expect_alloc(&hb, 4 * SZ_1M, 0, 0) ||
	    expect_alloc(&hb, pagesz, 0, ENOMEM))
		goto cleanup;
	if (check_protected(b, 1, 1) || check_protected(p, 1, 0) ||
	    check_protected(a, 0, 0) || check_events(b, 0, 0) ||
	    check_current(b, 4 * SZ_1M))
		goto cleanup;
	/* a cousin gets nothing */
	if (expect_alloc(&hc, pagesz, 0, ENOMEM) || check_protected(c, 1, 1) ||
	    check_protected(q, 1, 0) || check_current(q, 0))
		goto cleanup;

	/* the guarantee is a's to use: 4M, faulted, then released */
	if (expect_alloc(&ha, 4 * SZ_1M, 4 * SZ_1M / pagesz, 0) ||
	    check_stat(a, 0, 4 * SZ_1M) || close_all(&ha) ||
	    check_current(a, 0))
		goto cleanup;
	/* released, the pages are a's guarantee again, exactly */
	if (close_all(&hb) || check_current(b, 0) ||
	    expect_alloc(&hb, 4 * SZ_1M + pagesz, 0, ENOMEM) ||
	    expect_alloc(&hb, 4 * SZ_1M, 0, 0) || check_protected(b, 2, 2))
		goto cleanup;

	/*
	 * min above max: a can never hold more than 8M, 8M is protected;
	 * p's own 12M are b's 4M and a's 8M.
	 */
	if (set_min(p, "12M") || set_max(a, "8M") || check_emin(a, 8 * SZ_1M) ||
	    expect_alloc(&hc, room - 12 * SZ_1M, 0, 0) ||
	    expect_alloc(&hc, pagesz, 0, ENOMEM) || check_protected(c, 2, 2))
		goto cleanup;
	if (expect_alloc(&ha, 8 * SZ_1M, 1, 0) || check_current(a, 8 * SZ_1M))
		goto cleanup;

	if (holder_stop(&ha) || holder_stop(&hb) || holder_stop(&hc) ||
	    check_current(p, 0) || check_current(q, 0))
		goto cleanup;
	ret = KSFT_PASS;

cleanup:
	holder_stop(&ha);
	holder_stop(&hb);
	holder_stop(&hc);
	destroy(a);
	destroy(b);
	destroy(p);
	destroy(c);
	destroy(q);
	return ret;
}

/*
 * Protections that claim more than their parent has share it in proportion
 * to their claims, at every level, and the effective values are what a
 * reservation is weighed against.
 */
static int test_secretmem_min_overcommit(const char *base)
{
	struct holder ha = { .pid = -1 }, hb1 = { .pid = -1 };
	char *p = NULL, *a = NULL, *b = NULL, *b1 = NULL, *b2 = NULL;
	long cap = pool_capacity(), room = pool_room(), half, quarter;
	int ret = KSFT_FAIL;

	if (!cap) {
		ksft_print_msg("no pool: nothing to share\n");
		return KSFT_SKIP;
	}
	half = cap / 2 / pagesz * pagesz;
	quarter = half / 2 / pagesz * pagesz;
	if (make_protected_parent(base, "secretmem_test_min_over", &p, &a, &b))
		goto cleanup;
	b1 = cg_name(b, "b1");
	b2 = cg_name(b, "b2");
	if (!b1 || !b2 || enable_controller(b) || cg_create(b1) ||
	    cg_create(b2))
		goto cleanup;

	/* a and b both claim the whole pool: half each */
	if (set_min_bytes(a, cap) || set_min_bytes(b, cap) ||
	    set_min(b1, "max") || set_min(b2, "max"))
		goto cleanup;
	if (check_emin(p, cap) || check_emin(a, half) || check_emin(b, half) ||
	    check_emin(b1, quarter) || check_emin(b2, quarter))
		goto cleanup;

	if (holder_start(&ha, a) || holder_start(&hb1, b1))
		goto cleanup;
	/* a: the room less b's half */
	if (expect_alloc(&ha, room - half, 0, 0) ||
	    expect_alloc(&ha, pagesz, 0, ENOMEM) || check_protected(a, 1, 1))
		goto cleanup;
	/* b1: b's half less b2's quarter, and less what a has not used */
	if (half - quarter - (cap - room) <= 0) {
		ksft_print_msg("pool in use: cannot weigh b1\n");
		goto cleanup;
	}
	if (expect_alloc(&hb1, half - quarter - (cap - room), 0, 0) ||
	    expect_alloc(&hb1, pagesz, 0, ENOMEM) ||
	    check_protected(b1, 1, 1) || check_protected(b, 1, 0) ||
	    check_protected(p, 2, 0))
		goto cleanup;

	if (holder_stop(&ha) || holder_stop(&hb1) || check_current(p, 0))
		goto cleanup;
	ret = KSFT_PASS;

cleanup:
	holder_stop(&ha);
	holder_stop(&hb1);
	destroy(b1);
	destroy(b2);
	destroy(a);
	destroy(b);
	destroy(p);
	return ret;
}

/*
 * secretmem.min changed while files are live: a new guarantee refuses what
 * others reserve next, but never breaks a reservation they already hold,
 * and a refusal by the pool itself is no "protected" event. A removed
 * group's guarantee is gone with it.
 */
static int test_secretmem_min_live(const char *base)
{
	struct holder ha = { .pid = -1 }, hb = { .pid = -1 };
	long cap = pool_capacity(), room = pool_room();
	char *p = NULL, *a = NULL, *b = NULL;
	long half = 4 * SZ_1M / pagesz;
	int ret = KSFT_FAIL;

	if (!cap) {
		ksft_print_msg("no pool: no guarantee to change\n");
		return KSFT_SKIP;
	}
	if (make_protected_parent(base, "secretmem_test_min_live", &p, &a, &b) ||
	    holder_start(&ha, a) || holder_start(&hb, b))
		goto cleanup;

	if (expect_alloc(&hb, 8 * SZ_1M, half, 0))
		goto cleanup;
	if (set_min(a, "max") || check_emin(a, cap) ||
	    expect_alloc(&hb, pagesz, 0, ENOMEM) || check_protected(b, 1, 1))
		goto cleanup;
	/* b's reservation holds: the rest of its file faults in */
	if (expect_touch(&hb, half) || check_stat(b, 0, 8 * SZ_1M))
		goto cleanup;
	/* a takes what is left, all of it */
	if (expect_alloc(&ha, room - 8 * SZ_1M, 0, 0))
		goto cleanup;
	/* lowered with the pool full: the pool refuses, not a guarantee */
	if (set_min(a, "0") || check_emin(a, 0) ||
	    expect_alloc(&hb, pagesz, 0, ENOMEM) || check_protected(b, 1, 1))
		goto cleanup;
	if (close_all(&ha) || expect_alloc(&hb, pagesz, 1, 0))
		goto cleanup;
	/* a removed group protects nothing, from its rmdir on */
	if (set_min(a, "max") || expect_alloc(&hb, pagesz, 0, ENOMEM) ||
	    holder_stop(&ha) || cg_destroy(a) ||
	    expect_alloc(&hb, pagesz, 1, 0))
		goto cleanup;

	if (holder_stop(&hb) || check_current(p, 0))
		goto cleanup;
	ret = KSFT_PASS;

cleanup:
	holder_stop(&ha);
	holder_stop(&hb);
	destroy(a);
	destroy(b);
	destroy(p);
	return ret;
}

/* Bytes of the secret memory pool on @nid, from the node's meminfo. */
static long node_pool_total(int nid)
{
	char path[64], buf[4096], key[48], *line;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 nid);
	if (read_text(path, buf, sizeof(buf)) <= 0)
		return 0;
	snprintf(key, sizeof(key), "Node %d SecretmemTotal:", nid);
	line = strstr(buf, key);
	return line ? atol(line + strlen(key)) * 1024 : 0;
}

static int check_node(const char *cg, int nid, long reserved, long faulted)
{
	char key[32];

	snprintf(key, sizeof(key), "node%d_reserved ", nid);
	if (check(cg, "secretmem.stat", key, reserved))
		return -1;
	snprintf(key, sizeof(key), "node%d_faulted ", nid);
	return check(cg, "secretmem.stat", key, faulted);
}

/*
 * secretmem.stat per node: the pool's promises and faulted pages where
 * they are (a file bound to the last node has them all there), and in the
 * root the pool's capacity on each node. Without a pool nothing is
 * promised anywhere and pages are where they were faulted.
 */
static int test_secretmem_node_stat(const char *base)
{
	struct holder h = { .pid = -1 };
	long cap = pool_capacity(), sum = 0, nr_res;
	int nr_nodes = 0, nid, last;
	int ret = KSFT_FAIL;
	char path[64], key[32];
	char *cg;

	for (nid = 0; nid < 64; nid++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d",
			 nid);
		if (!access(path, F_OK))
			nr_nodes = nid + 1;
	}
	last = nr_nodes ? nr_nodes - 1 : 0;
	if (nr_nodes != (row_expects("node1") >= 0 ? 2 : 1)) {
		ksft_print_msg("%d nodes: not what the row says\n", nr_nodes);
		return KSFT_FAIL;
	}

	/* the root: the pool on each node */
	for (nid = 0; nid < nr_nodes; nid++) {
		snprintf(key, sizeof(key), "node%d_capacity ", nid);
		if (check(cg_root, "secretmem.stat", key, node_pool_total(nid)))
			return KSFT_FAIL;
		sum += node_pool_total(nid);
	}
	if (sum + pool_headroom() != cap) {
		ksft_print_msg("capacity %ld, nodes' %ld, room to grow %ld\n",
			       cap, sum, pool_headroom());
		return KSFT_FAIL;
	}

	cg = cg_name(base, "secretmem_test_nodes");
	if (!cg || cg_create(cg) || holder_start(&h, cg))
		goto cleanup;
	if (holder_request(&h, OP_BIND, last, 0)) {
		ksft_print_msg("MPOL_BIND to node %d failed\n", last);
		goto cleanup;
	}
	if (expect_alloc(&h, 2 * SZ_1M, 4, 0))
		goto cleanup;
	nr_res = cap ? 2 * SZ_1M - 4 * pagesz : 0;
	for (nid = 0; nid < nr_nodes; nid++)
		if (check_node(cg, nid, nid == last ? nr_res : 0,
			       nid == last ? 4 * pagesz : 0))
			goto cleanup;
	if (check_stat(cg, 2 * SZ_1M - 4 * pagesz, 4 * pagesz))
		goto cleanup;
	if (holder_stop(&h))
		goto cleanup;
	for (nid = 0; nid < nr_nodes; nid++)
		if (check_node(cg, nid, 0, 0))
			goto cleanup;
	ret = KSFT_PASS;

cleanup:
	holder_stop(&h);
	destroy(cg);
	return ret;
}

static long root_current_start;

/* Run last: every charge made by the tests above has been given back. */
static int test_secretmem_no_leak(const char *base)
{
	if (check_current(cg_root, root_current_start))
		return KSFT_FAIL;
	if (!root_current_start && check_stat(cg_root, 0, 0))
		return KSFT_FAIL;
	return KSFT_PASS;
}

/*
 * With the controller absent or disabled (cgroup_disable=secretmem), the
 * charging hooks must stay out of the way: secret memory still works, and
 * no secretmem files appear.
 */
static int test_secretmem_disabled(const char *base)
{
	long size = SZ_1M, i;
	char path[PATH_MAX];
	int ret = KSFT_FAIL;
	char *addr;
	int fd;

	snprintf(path, sizeof(path), "%s/secretmem.current", base);
	if (!access(path, F_OK)) {
		ksft_print_msg("%s exists without the controller\n", path);
		return KSFT_FAIL;
	}

	fd = memfd_secret();
	if (fd < 0)
		return KSFT_FAIL;
	if (ftruncate(fd, size)) {
		ksft_print_msg("ftruncate: %s\n", strerror(errno));
		goto out_close;
	}
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", strerror(errno));
		goto out_close;
	}

	for (i = 0; i < size; i += pagesz)
		addr[i] = (char)(i / pagesz);
	for (i = 0; i < size; i += pagesz)
		if (addr[i] != (char)(i / pagesz))
			goto out_unmap;

	ret = KSFT_PASS;

out_unmap:
	munmap(addr, size);
out_close:
	close(fd);
	return ret;
}

#define T(x) { x, #x }
struct secretmem_test {
	int (*fn)(const char *base);
	const char *name;
};

static struct secretmem_test tests[] = {
	T(test_secretmem_root),
	T(test_secretmem_limit),
	T(test_secretmem_partial_page),
	T(test_secretmem_hierarchy),
	T(test_secretmem_siblings),
	T(test_secretmem_peak),
	T(test_secretmem_peak_reset),
	T(test_secretmem_memlock_mode),
	T(test_secretmem_max_below_current),
	T(test_secretmem_migration),
	T(test_secretmem_rmdir),
	T(test_secretmem_max_parse),
	T(test_secretmem_min_parse),
	T(test_secretmem_min),
	T(test_secretmem_min_overcommit),
	T(test_secretmem_min_live),
	T(test_secretmem_node_stat),
	T(test_secretmem_read_only),
	T(test_secretmem_no_leak),	/* keep last */
};

static struct secretmem_test disabled_tests[] = {
	T(test_secretmem_disabled),
};

#undef T

/*
 * As a user other than root: the delegated subtree root, the parent of the
 * cgroup this process is in, if it is the user's to manage; else a skip.
 */
static void delegated_base(char *base, size_t len)
{
	static const char * const files[] = {
		"", "/cgroup.procs", "/cgroup.subtree_control",
	};
	char buf[PATH_MAX], path[PATH_MAX + 32], *own, *slash;
	size_t i;

	if (read_text("/proc/self/cgroup", buf, sizeof(buf)) <= 0)
		ksft_exit_fail_msg("/proc/self/cgroup: %s\n", strerror(errno));
	own = strstr(buf, "0::/");
	if (!own)
		ksft_exit_skip("not root, and not in a cgroup v2 group\n");
	own += 3;
	own[strcspn(own, "\n")] = '\0';
	slash = strrchr(own, '/');
	if (slash == own)
		ksft_exit_skip("not root, and %s is in no delegated subtree\n", own);
	*slash = '\0';
	snprintf(base, len, "%s%s", cg_root, own);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s%s", base, files[i]);
		if (access(path, W_OK))
			ksft_exit_skip("not root, and %s is not delegated to this user: %s: %s\n",
				       base, path, strerror(errno));
	}
	ksft_print_msg("not root: groups are made in the delegated subtree %s\n", base);
}

/* Why the controller is missing, from /proc/cgroups. */
static const char *controller_state(void)
{
	char buf[4096], *line;
	int hier, num, enabled;

	if (read_text("/proc/cgroups", buf, sizeof(buf)) <= 0)
		return "unknown";
	line = strstr(buf, "\nsecretmem\t");
	if (!line)
		return "not built in";
	if (sscanf(line, "\nsecretmem\t%d\t%d\t%d", &hier, &num, &enabled) == 3 &&
	    !enabled)
		return "disabled on the command line";
	return "bound to a v1 hierarchy";
}

int main(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY }, rl;
	struct secretmem_test *run = tests;
	size_t nr_run = ARRAY_SIZE(tests);
	bool enabled_base = false;
	char *root = cg_root;
	char base[PATH_MAX];
	size_t i;
	int fd;

	ksft_print_header();

	pagesz = sysconf(_SC_PAGESIZE);

	/* A dead holder must show up as a failed request, not kill us. */
	signal(SIGPIPE, SIG_IGN);

	/*
	 * The counts below are of 4 KiB pages faulted one by one. A 2 MiB
	 * mapping takes a whole pool unit, 512 pages, at the first touch of
	 * a block (secretmem_pmd checks that); keep PMDs away from our
	 * mappings and our children's.
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		ksft_exit_fail_msg("PR_SET_THP_DISABLE: %s\n", strerror(errno));

	/*
	 * RLIMIT_MEMLOCK is charged too; leave only the cgroup limits, or as
	 * another user as much of it as the hard limit allows.
	 */
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited)) {
		if (getrlimit(RLIMIT_MEMLOCK, &rl))
			ksft_exit_fail_msg("getrlimit: %s\n", strerror(errno));
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_max < MEMLOCK_NEEDED || setrlimit(RLIMIT_MEMLOCK, &rl))
			ksft_exit_skip("RLIMIT_MEMLOCK %lu kB, %ld kB needed: root can raise it\n",
				       (unsigned long)(rl.rlim_max >> 10),
				       MEMLOCK_NEEDED >> 10);
	}

	if (cg_find_unified_root(cg_root, sizeof(cg_root), NULL))
		ksft_exit_skip("cgroup v2 isn't mounted\n");
	if (geteuid())
		delegated_base(base, sizeof(base));
	else
		snprintf(base, sizeof(base), "%s", cg_root);

	fd = memfd_secret();
	if (fd < 0) {
		if (errno == ENOSYS && row_expects("total") < 0)
			ksft_exit_skip("memfd_secret is not supported\n");
		ksft_exit_fail_msg("memfd_secret: %s\n", strerror(errno));
	}
	close(fd);

	if (cg_read_strstr(root, "cgroup.controllers", "secretmem")) {
		ksft_print_msg("secretmem controller unavailable: %s\n",
			       controller_state());
		/*
		 * Only a boot that says the controller is off
		 * (smt_expect_cgroup=0 on the command line) tests that
		 * instead; anywhere else a missing controller is a failure.
		 */
		if (row_expects("cgroup") != 0)
			ksft_exit_fail_msg("no secretmem controller, nor smt_expect_cgroup=0\n");
		run = disabled_tests;
		nr_run = ARRAY_SIZE(disabled_tests);
	} else if (row_expects("cgroup") == 0) {
		ksft_exit_fail_msg("secretmem controller present, row says smt_expect_cgroup=0\n");
	} else if (cg_read_strstr(base, "cgroup.controllers", "secretmem")) {
		/* only the root can give it to a delegated subtree */
		ksft_exit_skip("secretmem not enabled for %s: root enables it above\n",
			       base);
	} else if (cg_read_strstr(base, "cgroup.subtree_control",
				  "secretmem")) {
		if (enable_controller(base))
			ksft_exit_skip("Failed to enable secretmem controller\n");
		enabled_base = true;
	}

	if (run == tests) {
		root_current_start = cg_read_long(root, "secretmem.current");
		if (root_current_start < 0)
			ksft_exit_fail_msg("cannot read root secretmem.current\n");
		if (root_current_start)
			ksft_print_msg("secret memory in use before the tests: %ld\n",
				       root_current_start);
	}

	ksft_set_plan(nr_run);
	for (i = 0; i < nr_run; i++) {
		switch (run[i].fn(base)) {
		case KSFT_PASS:
			ksft_test_result_pass("%s\n", run[i].name);
			break;
		case KSFT_SKIP:
			ksft_test_result_skip("%s\n", run[i].name);
			break;
		default:
			ksft_test_result_fail("%s\n", run[i].name);
			break;
		}
	}

	if (enabled_base)
		cg_write(base, "cgroup.subtree_control", "-secretmem");

	ksft_finished();
}
