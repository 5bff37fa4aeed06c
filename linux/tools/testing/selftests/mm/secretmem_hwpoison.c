// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware poison of secret memory. A secret page that memory_failure()
 * marks poisoned must never be handed out again, neither by the pool nor by
 * the page allocator, and must not be touched when its file lets it go.
 *
 * MADV_HWPOISON finds its page through GUP, which secret memory refuses: it
 * must fail, and the poison is injected by page frame number through
 * debugfs (hwpoison/corrupt-pfn, CONFIG_HWPOISON_INJECT), the pfn read from
 * /proc/self/pagemap. Run as root. Each boot row that runs this test loses
 * one page for good: the pool rows of the harness run it in a boot of its
 * own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "../kselftest.h"
#include "secretmem_row.h"

#if !defined(__NR_memfd_secret) && defined(__x86_64__)
#define __NR_memfd_secret 447
#endif
#ifndef MADV_HWPOISON
#define MADV_HWPOISON	100
#endif

#define NR_TESTS	4
#define INJECT		"/sys/kernel/debug/hwpoison/corrupt-pfn"
#define POISONED	"/sys/kernel/mm/secretmem/poisoned_bytes"
#define KPF_BUDDY	10
#define KPF_HWPOISON	19

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

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The page frame @addr maps, from /proc/self/pagemap; 0 if none. */
static uint64_t pfn_of(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / page_size * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return (e & (1ULL << 63)) ? e & ((1ULL << 55) - 1) : 0;
}

/* /proc/kpageflags of @pfn; ~0 when it cannot be read. */
static uint64_t page_flags_of(uint64_t pfn)
{
	uint64_t flags = ~0ULL;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return ~0ULL;
	if (pread(fd, &flags, sizeof(flags), pfn * sizeof(flags)) != sizeof(flags))
		flags = ~0ULL;
	close(fd);
	return flags;
}

/*
 * Mark @pfn poisoned as a machine check would. memory_failure() cannot
 * handle a pool page (not on an LRU, not free) and says EBUSY, after
 * setting the flag: what counts is the flag.
 */
static bool inject(uint64_t pfn)
{
	char buf[32];
	int fd = open(INJECT, O_WRONLY), n;
	bool ok;

	if (fd < 0)
		return false;
	n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)pfn);
	ok = write(fd, buf, n) == n || errno == EBUSY;
	if (!ok)
		ksft_print_msg("corrupt-pfn %#llx: %s\n", (unsigned long long)pfn,
			       strerror(errno));
	close(fd);
	return ok && (page_flags_of(pfn) & (1ULL << KPF_HWPOISON));
}

/* A secret file of @pages pages, mapped and written; NULL on failure. */
static char *secret_map(int pages, int *fd)
{
	char *p;

	*fd = memfd_secret(0);
	if (*fd < 0 || ftruncate(*fd, pages * page_size))
		return NULL;
	p = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 *fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x5a, pages * page_size);
	return p;
}

/*
 * A secret file of two written pages whose first page is then poisoned;
 * its pfn in @bad. NULL on failure.
 */
static char *secret_map_poisoned(int *fd, uint64_t *bad)
{
	char *p = secret_map(2, fd);

	if (!p)
		return NULL;
	*bad = pfn_of(p);
	if (!*bad || !inject(*bad)) {
		ksft_print_msg("cannot poison pfn %#llx\n", (unsigned long long)*bad);
		return NULL;
	}
	return p;
}

/* 1. MADV_HWPOISON cannot reach a secret page: it would need GUP. */
static int madvise_refused(void)
{
	char *p;
	int fd, ret, err;

	p = secret_map(1, &fd);
	if (!p)
		return 1;
	ret = madvise(p, page_size, MADV_HWPOISON);
	err = errno;
	munmap(p, page_size);
	close(fd);
	if (ret == 0) {
		ksft_print_msg("MADV_HWPOISON reached a secret page\n");
		return 1;
	}
	ksft_print_msg("MADV_HWPOISON: %s\n", strerror(err));
	return err == EFAULT ? 0 : 1;
}

/*
 * 2. Pool: the poisoned page is quarantined when its file lets it go: out of
 * SecretmemTotal, counted in poisoned_bytes, never handed out again; its
 * neighbour comes back as usual.
 */
static int pool_quarantine(void)
{
	long long total = meminfo_kb("SecretmemTotal");
	long long poisoned = read_ll(POISONED), hw = meminfo_kb("HardwareCorrupted");
	uint64_t bad, pfn;
	long i, left, reused = 0;
	char *p;
	int fd, err = 0;

	p = secret_map_poisoned(&fd, &bad);
	if (!p)
		return 1;
	munmap(p, 2 * page_size);
	close(fd);
	/* the final put may wait for another CPU's batch: give it 10 s */
	for (i = 0; i < 200 && read_ll(POISONED) != poisoned + 4096; i++)
		usleep(50000);
	if (meminfo_kb("SecretmemTotal") != total - 4 ||
	    read_ll(POISONED) != poisoned + 4096 ||
	    meminfo_kb("SecretmemFree") != total - 4 ||
	    meminfo_kb("HardwareCorrupted") != hw + 4) {
		ksft_print_msg("released: total %lld free %lld kB, poisoned %lld B, hw %lld kB\n",
			       meminfo_kb("SecretmemTotal"), meminfo_kb("SecretmemFree"),
			       read_ll(POISONED), meminfo_kb("HardwareCorrupted"));
		ksft_print_msg("want %lld, %lld, %lld, %lld\n", total - 4, total - 4,
			       poisoned + 4096, hw + 4);
		err = 1;
	}

	/* every other page of the pool, and never the poisoned one */
	left = (total - 4) * 1024 / page_size;
	p = secret_map(left, &fd);
	if (!p) {
		ksft_print_msg("the rest of the pool (%ld pages): %s\n", left,
			       strerror(errno));
		return 1;
	}
	for (i = 0; i < left; i++) {
		pfn = pfn_of(p + i * page_size);
		reused += pfn == bad;
	}
	munmap(p, left * page_size);
	close(fd);
	if (reused) {
		ksft_print_msg("the poisoned pfn was handed out again\n");
		err = 1;
	}
	if (!(page_flags_of(bad) & (1ULL << KPF_HWPOISON))) {
		ksft_print_msg("pfn %#llx lost its poison flag\n",
			       (unsigned long long)bad);
		err = 1;
	}
	return err;
}

static sigjmp_buf sigbus_jmp;
static int sigbus_code;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigbus_code = si->si_code;
	siglongjmp(sigbus_jmp, 1);
}

/* Touch @p; 0, or the si_code of the SIGBUS it got. */
static int touch(char *p)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	int code = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1) == 0)
		__atomic_store_n(p, 0x5a, __ATOMIC_RELAXED);
	else
		code = sigbus_code;
	sigaction(SIGBUS, &old, NULL);
	return code;
}

/*
 * 3. Pool: a page poisoned while free (memory_failure() marks it and gives
 * up: it is neither on an LRU nor in the buddy lists) is never handed out.
 * Here every free page is promised to one file, so the poison took one
 * promised page: exactly one fault gets SIGBUS (BUS_MCEERR_AR), as on a
 * poisoned page of any file; every other fault gets a good page.
 */
static int pool_free_page(void)
{
	long long total = meminfo_kb("SecretmemTotal"), poisoned;
	long i, n, reused = 0, buses = 0, wrong = 0;
	uint64_t bad;
	char *p;
	int fd, code, err = 0;

	p = secret_map(1, &fd);
	if (!p)
		return 1;
	bad = pfn_of(p);
	munmap(p, page_size);
	close(fd);
	for (i = 0; i < 200 && meminfo_kb("SecretmemFree") != total; i++)
		usleep(50000);
	if (!bad || !inject(bad)) {
		ksft_print_msg("cannot poison free pfn %#llx\n", (unsigned long long)bad);
		return 1;
	}
	poisoned = read_ll(POISONED);

	n = total * 1024 / page_size;
	fd = memfd_secret(0);
	if (fd < 0 || ftruncate(fd, n * page_size)) {
		ksft_print_msg("the whole pool (%ld pages): %s\n", n, strerror(errno));
		return 1;
	}
	p = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	for (i = 0; i < n; i++) {
		code = touch(p + i * page_size);
		if (code) {
			buses++;
			wrong += code != BUS_MCEERR_AR;
		} else {
			reused += pfn_of(p + i * page_size) == bad;
		}
	}
	munmap(p, n * page_size);
	close(fd);
	if (reused || buses != 1 || wrong || read_ll(POISONED) != poisoned + 4096) {
		ksft_print_msg("poisoned free pfn handed out %ld times, %ld SIGBUS\n",
			       reused, buses);
		ksft_print_msg("(%ld not BUS_MCEERR_AR), poisoned %lld B (want %lld)\n",
			       wrong, read_ll(POISONED), poisoned + 4096);
		err = 1;
	}
	return err;
}

/*
 * 4. Per-page path: memory_failure() takes the page from its mapping (a
 * later access gets SIGBUS, as for any poisoned page cache page), and the
 * page never reaches the buddy allocator, neither then nor when the file
 * goes.
 */
static int per_page_lost(void)
{
	long long hw = meminfo_kb("HardwareCorrupted");
	uint64_t bad;
	int fd, code, err = 0;
	char *p;

	p = secret_map_poisoned(&fd, &bad);
	if (!p)
		return 1;
	code = touch(p);
	if (code != BUS_MCEERR_AR || p[page_size] != 0x5a) {
		ksft_print_msg("poisoned page: SIGBUS code %d (want %d), neighbour %#x\n",
			       code, BUS_MCEERR_AR, p[page_size]);
		err = 1;
	}
	munmap(p, 2 * page_size);
	close(fd);
	if (meminfo_kb("HardwareCorrupted") != hw + 4 ||
	    !(page_flags_of(bad) & (1ULL << KPF_HWPOISON)) ||
	    (page_flags_of(bad) & (1ULL << KPF_BUDDY))) {
		ksft_print_msg("after release: HardwareCorrupted %lld kB (want %lld), flags %llx\n",
			       meminfo_kb("HardwareCorrupted"), hw + 4,
			       (unsigned long long)page_flags_of(bad));
		err = 1;
	}
	return err;
}

static void report(int rc, const char *name)
{
	if (rc == KSFT_SKIP)
		ksft_test_result_skip("%s\n", name);
	else
		ksft_test_result(rc == 0, "%s\n", name);
}

int main(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	bool pool;
	int fd;

	page_size = sysconf(_SC_PAGESIZE);
	ksft_print_header();
	if (getuid())
		ksft_exit_skip("needs root: pagemap pfns and the debugfs injector\n");
	setrlimit(RLIMIT_MEMLOCK, &unlimited);
	fd = memfd_secret(0);
	if (fd < 0 && errno == ENOSYS)
		ksft_exit_skip("memfd_secret() is not available\n");
	close(fd);
	if (access(INJECT, W_OK))
		ksft_exit_fail_msg("%s: %s (CONFIG_HWPOISON_INJECT is in the test kernels)\n",
				   INJECT, strerror(errno));
	pool = meminfo_kb("SecretmemTotal") > 0;
	if (pool != (row_expects("total") > 0))
		ksft_exit_fail_msg("pool %d, but the row expects total %ld\n", pool,
				   row_expects("total"));
	ksft_set_plan(NR_TESTS);
	report(madvise_refused(), "MADV_HWPOISON is refused on secret memory");
	report(pool ? pool_quarantine() : KSFT_SKIP,
	       "pool: a poisoned page is quarantined, never reused");
	report(pool ? pool_free_page() : KSFT_SKIP,
	       "pool: a page poisoned while free is never handed out");
	report(pool ? KSFT_SKIP : per_page_lost(),
	       "per-page path: a poisoned page never reaches the allocator");
	ksft_finished();
}
