// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-side readers of secret memory.
 *
 * Every interface through which the kernel reads or writes memory on
 * somebody's behalf - another process's mapping, a page by its physical
 * address, a buffer pinned for I/O - must refuse a secret page with an
 * errno, or read zeros for /proc/kcore, and never hand out a secret byte.
 * Each check first runs the same call on an ordinary page or, for calls on
 * the secret file itself, on a memfd_create() file (an ordinary file of
 * anonymous memory, with the secret file's size and contents), so a refusal
 * means something: it comes from what makes the secret file or mapping
 * different. copy_file_range runs between two secret files, as its control
 * runs between two memfds, because across filesystems it gives EXDEV before
 * either file is looked at. /dev/mem is not counted: under STRICT_DEVMEM it
 * refuses every RAM page alike (shown on the ordinary page), a generic
 * kernel check; it is only checked not to hand out a secret byte.
 *
 * With --pmd, all of it runs again on a buffer of 2 MiB mapped by one PMD
 * (a whole unit of the secretmem= pool, see secretmem_pmd), checked to be
 * still PMD-mapped after each refusal: GUP-fast and the slow walks meet a
 * PMD leaf there, not a PTE. It needs a pool with PMD mappings on; with no
 * pool every case skips, unless the boot row expects one.
 *
 * Run as root, with and without a secretmem= pool. Where the test runner's
 * boot row says what the kernel has (smt_expect_* on the command line), a
 * missing memfd_secret, pool, /dev/ram0, io_uring or /proc/kcore is a
 * failure, not a skip. As another user, what only root may do skips with
 * its reason: the three /proc/kcore cases (kcore is root's, and pagemap
 * shows physical addresses only to CAP_SYS_ADMIN), and O_DIRECT unless the
 * user was given /dev/ram0; everything else runs as for root.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/elf.h>
#include <linux/io_uring.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "secretmem_phys.h"
#include "secretmem_row.h"

#if !defined(__NR_memfd_secret) && defined(__x86_64__)
#define __NR_memfd_secret 447
#endif

#define NR_PAGES	16
#define NR_TESTS	24
#define POOL_UNIT	(2UL << 20)	/* pool regions are whole 2 MiB units */
#define PMD_SYSFS	"/sys/kernel/mm/secretmem/pmd_enabled"

static size_t page_size;
static size_t len;
static int nr_pages;		/* NR_PAGES, or a unit's with --pmd */
static bool pmd;		/* --pmd: @secret is one PMD-mapped unit */
static char *secret;		/* nr_pages of secret memory, full of canary */
static char *plain;		/* one anonymous page, full of plain_canary */
static char *buf;		/* scratch, page aligned */
static uint64_t canary, plain_canary;
static int secret_fd;
static int plain_fd;		/* memfd of nr_pages, full of plain_canary */
static char *plain_map;		/* plain_fd mapped shared */
static bool on_row;		/* the runner's boot row states expectations */
static bool is_root;		/* euid 0: /proc/kcore, PFNs, /dev/ram0 */

/* Something this kernel should have is not there: a skip off the rows. */
#define missing(...)						\
	do {							\
		if (on_row)					\
			ksft_test_result_fail(__VA_ARGS__);	\
		else						\
			ksft_test_result_skip(__VA_ARGS__);	\
	} while (0)

static void fill(char *p, size_t n, uint64_t word)
{
	size_t i;

	for (i = 0; i < n; i += sizeof(word))
		memcpy(p + i, &word, sizeof(word));
}

/* Does @p hold any 8 bytes of the secret pattern? */
static bool leaks(const char *p, size_t n)
{
	return memmem(p, n, &canary, sizeof(canary));
}

static bool secret_intact(void)
{
	size_t i;

	for (i = 0; i < len; i += sizeof(canary))
		if (memcmp(secret + i, &canary, sizeof(canary)))
			return false;
	return true;
}

/* Refused to a user who is not root: EACCES or EPERM. */
static bool denied(int err)
{
	return !is_root && (err == EACCES || err == EPERM);
}

/* With --pmd: is the secret buffer still mapped by its one PMD? */
static bool pmd_lost(void)
{
	return pmd && smt_smaps_kb(secret, "FilePmdMapped") != (long)(len >> 10);
}

/*
 * Report one check: @ctl is the result of the call on an ordinary page (it
 * must have worked), @ret and @err those of the same call on a secret page.
 */
static void refused(const char *name, bool ctl, long ret, int err, int want)
{
	if (pmd_lost())
		ksft_test_result_fail("%s: the secret buffer is no longer PMD-mapped\n",
				      name);
	else if (!ctl)
		ksft_test_result_fail("%s: control call on an ordinary page failed\n",
				      name);
	else if (ret >= 0)
		ksft_test_result_fail("%s: returned %ld on a secret page\n",
				      name, ret);
	else if (err != want)
		ksft_test_result_fail("%s: errno %d (%s), expected %s\n", name,
				      err, strerror(err), strerror(want));
	else
		ksft_test_result_pass("%s: %s\n", name, strerror(err));
}

/* ---- the owner's own mapping, through /proc/self/mem ---- */

/* Read the plain page, then a secret page, through a /proc/PID/mem fd. */
static void mem_file_read(const char *name, int fd)
{
	long ret;
	bool ctl;
	int err;

	ctl = pread(fd, buf, page_size, (off_t)(uintptr_t)plain) ==
		(ssize_t)page_size && !memcmp(buf, plain, page_size);
	memset(buf, 0, page_size);
	ret = pread(fd, buf, page_size, (off_t)(uintptr_t)secret);
	err = errno;
	if (leaks(buf, page_size))
		ksft_test_result_fail("%s: secret bytes read\n", name);
	else
		refused(name, ctl, ret, err, EIO);
}

static void test_proc_self_mem(void)
{
	int fd = open("/proc/self/mem", O_RDWR);
	long ret;
	bool ctl;

	if (fd < 0)
		ksft_exit_fail_msg("open /proc/self/mem: %s\n", strerror(errno));

	mem_file_read("/proc/self/mem read", fd);
	ctl = pwrite(fd, plain, page_size, (off_t)(uintptr_t)plain) ==
		(ssize_t)page_size;
	ret = pwrite(fd, buf, page_size, (off_t)(uintptr_t)secret);
	refused("/proc/self/mem write", ctl, ret, errno, EIO);
	close(fd);
}

/* ---- another process's mapping: /proc/PID/mem, ptrace, process_vm ---- */

static void test_remote(void)
{
	struct iovec local = { buf, page_size };
	struct iovec remote;
	char path[64];
	int status, fd, err;
	long ret;
	bool ctl;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!pid) {
		uint64_t word;
		size_t i;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* map every page in the child too, so GUP-fast sees them */
		for (i = 0; i < len; i += page_size) {
			memcpy(&word, secret + i, sizeof(word));
			if (word != canary)
				_exit(1);
		}
		for (;;)
			pause();
	}
	if (ptrace(PTRACE_ATTACH, pid, 0, 0) ||
	    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		ksft_exit_fail_msg("ptrace attach: %s\n", strerror(errno));

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		ksft_exit_fail_msg("open %s: %s\n", path, strerror(errno));
	mem_file_read("/proc/PID/mem read", fd);
	close(fd);

	errno = 0;
	ret = ptrace(PTRACE_PEEKDATA, pid, plain, 0);
	ctl = !errno && !memcmp(&ret, &plain_canary, sizeof(ret));
	errno = 0;
	ret = ptrace(PTRACE_PEEKDATA, pid, secret, 0);
	err = errno;
	if (!memcmp(&ret, &canary, sizeof(ret)))
		ksft_test_result_fail("ptrace PEEKDATA: secret bytes read\n");
	else
		refused("ptrace PEEKDATA", ctl, err ? -1 : 0, err, EIO);

	ctl = !ptrace(PTRACE_POKEDATA, pid, plain, plain_canary);
	ret = ptrace(PTRACE_POKEDATA, pid, secret, 0);
	refused("ptrace POKEDATA", ctl, ret, errno, EIO);

	remote.iov_base = plain;
	remote.iov_len = page_size;
	ctl = process_vm_readv(pid, &local, 1, &remote, 1, 0) ==
		(ssize_t)page_size && !memcmp(buf, plain, page_size);
	memset(buf, 0, page_size);
	remote.iov_base = secret;
	ret = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	err = errno;
	if (leaks(buf, page_size))
		ksft_test_result_fail("process_vm_readv: secret bytes read\n");
	else
		refused("process_vm_readv", ctl, ret, err, EFAULT);

	remote.iov_base = plain;
	local.iov_base = plain;
	ctl = process_vm_writev(pid, &local, 1, &remote, 1, 0) ==
		(ssize_t)page_size;
	remote.iov_base = secret;
	local.iov_base = buf;
	ret = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	refused("process_vm_writev", ctl, ret, errno, EFAULT);

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* ---- the page cache of the secret file: splice and friends ---- */

static int pipe_bytes(int fd)
{
	int n = -1;

	ioctl(fd, FIONREAD, &n);
	return n;
}

static void test_pipes(void)
{
	struct iovec iov = { plain, page_size };
	int p[2], tmp, plain2, secret2, err;
	long ret;
	bool ctl;

	if (pipe(p))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	tmp = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	if (tmp < 0)
		ksft_exit_fail_msg("O_TMPFILE: %s\n", strerror(errno));
	/* second files of each kind, for copy_file_range within a filesystem */
	plain2 = memfd_create("plain2", 0);
	secret2 = syscall(__NR_memfd_secret, 0);
	if (plain2 < 0 || secret2 < 0 || ftruncate(secret2, len))
		ksft_exit_fail_msg("second files: %s\n", strerror(errno));

	/* vmsplice: the pipe would hold references to the user's pages */
	ctl = vmsplice(p[1], &iov, 1, 0) == (ssize_t)page_size;
	ctl = ctl && read(p[0], buf, page_size) == (ssize_t)page_size;
	iov.iov_base = secret;
	ret = vmsplice(p[1], &iov, 1, 0);
	err = errno;
	if (pipe_bytes(p[0]) != 0)
		ksft_test_result_fail("vmsplice: the pipe holds secret pages\n");
	else
		refused("vmsplice", ctl, ret, err, EFAULT);

	ctl = splice(plain_fd, &(loff_t){0}, p[1], NULL, page_size, 0) ==
		(ssize_t)page_size;
	ctl = ctl && read(p[0], buf, page_size) == (ssize_t)page_size &&
		!memcmp(buf, plain, page_size);
	ret = splice(secret_fd, &(loff_t){0}, p[1], NULL, page_size, 0);
	err = errno;
	if (pipe_bytes(p[0]) != 0)
		ksft_test_result_fail("splice from the fd: data in the pipe\n");
	else
		refused("splice from the fd", ctl, ret, err, EINVAL);

	if (write(p[1], plain, page_size) != (ssize_t)page_size)
		ksft_exit_fail_msg("write: %s\n", strerror(errno));
	ctl = splice(p[0], NULL, plain_fd, &(loff_t){0}, page_size, 0) ==
		(ssize_t)page_size;
	if (write(p[1], buf, page_size) != (ssize_t)page_size)
		ksft_exit_fail_msg("write: %s\n", strerror(errno));
	ret = splice(p[0], NULL, secret_fd, &(loff_t){0}, page_size, 0);
	err = errno;
	if (!secret_intact())
		ksft_test_result_fail("splice into the fd: the secret changed\n");
	else
		refused("splice into the fd", ctl, ret, err, EINVAL);
	close(p[0]);
	close(p[1]);

	/*
	 * From the file position: a secret file, like other pseudo files,
	 * has no pread, so an offset would be refused (ESPIPE) before the
	 * file's operations are looked at.
	 */
	lseek(plain_fd, 0, SEEK_SET);
	ctl = sendfile(tmp, plain_fd, NULL, page_size) ==
		(ssize_t)page_size &&
		pread(tmp, buf, page_size, 0) == (ssize_t)page_size &&
		!memcmp(buf, plain, page_size);
	lseek(tmp, 0, SEEK_SET);
	ret = sendfile(tmp, secret_fd, NULL, page_size);
	err = errno;
	if (pread(tmp, buf, page_size, 0) != (ssize_t)page_size ||
	    leaks(buf, page_size))
		ksft_test_result_fail("sendfile from the fd: secret bytes sent\n");
	else
		refused("sendfile from the fd", ctl, ret, err, EINVAL);

	/*
	 * Within one filesystem, where the generic copy splices: across
	 * filesystems it is EXDEV for any file, before either is looked at.
	 */
	ctl = copy_file_range(plain_fd, &(loff_t){0}, plain2, &(loff_t){0},
			      page_size, 0) == (ssize_t)page_size &&
		pread(plain2, buf, page_size, 0) == (ssize_t)page_size &&
		!memcmp(buf, plain, page_size);
	ret = copy_file_range(secret_fd, &(loff_t){0}, secret2, &(loff_t){0},
			      page_size, 0);
	refused("copy_file_range between secret files", ctl, ret, errno,
		EINVAL);

	memset(buf, 0, page_size);
	lseek(plain_fd, 0, SEEK_SET);
	ctl = read(plain_fd, buf, page_size) == (ssize_t)page_size &&
		!memcmp(buf, plain, page_size);
	memset(buf, 0, page_size);
	ret = read(secret_fd, buf, page_size);
	err = errno;
	if (leaks(buf, page_size))
		ksft_test_result_fail("read on the fd: secret bytes read\n");
	else
		refused("read on the fd", ctl, ret, err, EINVAL);
	close(secret2);
	close(plain2);
	close(tmp);
}

/* ---- buffers pinned for I/O: O_DIRECT and io_uring ---- */

static void test_odirect(void)
{
	int fd = open("/dev/ram0", O_RDWR | O_DIRECT);
	long ret;
	bool ctl;
	int err;

	if (fd < 0 && denied(errno)) {
		err = errno;
		ksft_test_result_skip("O_DIRECT read: needs root or its own /dev/ram0: %s\n",
				      strerror(err));
		ksft_test_result_skip("O_DIRECT write: needs root or its own /dev/ram0: %s\n",
				      strerror(err));
		return;
	}
	if (fd < 0) {
		err = errno;
		missing("O_DIRECT read: /dev/ram0: %s\n", strerror(err));
		missing("O_DIRECT write: /dev/ram0: %s\n", strerror(err));
		return;
	}
	/* the disk holds the plain pattern: a read into @secret would show */
	fill(buf, page_size, plain_canary);
	ctl = pwrite(fd, buf, page_size, 0) == (ssize_t)page_size;
	memset(buf, 0, page_size);
	ctl = ctl && pread(fd, buf, page_size, 0) == (ssize_t)page_size &&
		!memcmp(buf, plain, page_size);

	ret = pread(fd, secret, page_size, 0);
	err = errno;
	if (!secret_intact())
		ksft_test_result_fail("O_DIRECT read: the device wrote into secret memory\n");
	else
		refused("O_DIRECT read into a secret buffer", ctl, ret, err,
			EFAULT);

	ret = pwrite(fd, secret, page_size, 0);
	err = errno;
	if (pread(fd, buf, page_size, 0) != (ssize_t)page_size ||
	    leaks(buf, page_size))
		ksft_test_result_fail("O_DIRECT write: secret bytes on the device\n");
	else
		refused("O_DIRECT write from a secret buffer", ctl, ret, err,
			EFAULT);
	close(fd);
}

static void test_io_uring(void)
{
	struct io_uring_params params = { 0 };
	struct iovec iov = { plain, page_size };
	long ret;
	bool ctl;
	int ring;

	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0) {
		missing("io_uring fixed buffers: io_uring_setup: %s\n",
			strerror(errno));
		return;
	}
	ctl = !syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		       &iov, 1) &&
	      !syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS,
		       NULL, 0);
	iov.iov_base = secret;
	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	refused("io_uring fixed buffers", ctl, ret, errno, EFAULT);
	close(ring);
}

/* ---- the file itself: readahead, advice, exec ---- */

static void test_file(void)
{
	void *map;
	long ret;
	bool ctl;
	int err;

	ctl = !readahead(plain_fd, 0, len);
	ret = readahead(secret_fd, 0, len);
	refused("readahead on the fd", ctl, ret, errno, EINVAL);

	ctl = !posix_fadvise(plain_fd, 0, len, POSIX_FADV_WILLNEED);
	err = posix_fadvise(secret_fd, 0, len, POSIX_FADV_WILLNEED);
	refused("posix_fadvise on the fd", ctl, err ? -1 : 0, err, EINVAL);

	map = mmap(NULL, page_size, PROT_READ | PROT_EXEC, MAP_SHARED,
		   plain_fd, 0);
	ctl = map != MAP_FAILED;
	if (ctl)
		munmap(map, page_size);
	map = mmap(NULL, page_size, PROT_READ | PROT_EXEC, MAP_SHARED,
		   secret_fd, 0);
	err = errno;
	if (map != MAP_FAILED)
		munmap(map, page_size);
	refused("mmap PROT_EXEC", ctl, map == MAP_FAILED ? -1 : 0, err, EPERM);

	ctl = !mprotect(plain_map, page_size, PROT_READ | PROT_EXEC) &&
		!mprotect(plain_map, page_size, PROT_READ | PROT_WRITE);
	ret = mprotect(secret, page_size, PROT_READ | PROT_EXEC);
	refused("mprotect PROT_EXEC", ctl, ret, errno, EACCES);
}

/* ---- physical addresses: /proc/kcore and /dev/mem ---- */

/*
 * Read every page in @phys through kcore; count those not all zero. A page
 * no program header describes (the pool: kcore leaves secret memory out)
 * cannot be read at all: counted in @absent.
 */
static int kcore_read(int fd, const uint64_t *phys, int n, bool *leaked,
		      int *absent)
{
	int i, nonzero = 0;
	off_t off;

	*absent = 0;
	for (i = 0; i < n; i++) {
		off = smt_kcore_offset(fd, phys[i]);
		if (off < 0) {
			(*absent)++;
			continue;
		}
		memset(buf, 0xa5, page_size);
		if (pread(fd, buf, page_size, off) != (ssize_t)page_size)
			return -1;
		if (leaks(buf, page_size))
			*leaked = true;
		if (!smt_all_zero(buf, page_size))
			nonzero++;
	}
	return nonzero;
}

static uint64_t *secret_phys;	/* nr_pages physical addresses, or 0s */

static void test_kcore(void)
{
	bool leaked = false, ctl = false;
	uint64_t plain_phys = smt_phys_of(plain);
	int fd, i, nonzero, absent;

	fd = open("/proc/kcore", O_RDONLY);
	if ((fd < 0 && denied(errno)) || (!is_root && !plain_phys)) {
		ksft_test_result_skip("/proc/kcore: needs root: %s\n", fd < 0 ?
				      strerror(errno) :
				      "pagemap shows PFNs only to CAP_SYS_ADMIN");
		if (fd >= 0)
			close(fd);
		return;
	}
	if (fd < 0 || !plain_phys) {
		missing("/proc/kcore: %s\n", fd < 0 ?
			strerror(errno) : "no PFNs in pagemap");
		if (fd >= 0)
			close(fd);
		return;
	}
	/* the ordinary page must read back through kcore */
	if (kcore_read(fd, &plain_phys, 1, &leaked, &absent) == 1 && !absent)
		ctl = !memcmp(buf, plain, page_size);
	nonzero = kcore_read(fd, secret_phys, nr_pages, &leaked, &absent);
	close(fd);
	for (i = 0; i < nr_pages; i++)
		if (!secret_phys[i])
			nonzero = -1;
	if (pmd_lost())
		ksft_test_result_fail("/proc/kcore: the secret buffer is no longer PMD-mapped\n");
	else if (!ctl)
		ksft_test_result_fail("/proc/kcore: the ordinary page did not read back\n");
	else if (leaked || nonzero)
		ksft_test_result_fail("/proc/kcore: %s\n", leaked ?
				      "secret bytes read" :
				      "secret pages did not read as zeros");
	else
		ksft_test_result_pass("/proc/kcore reads secret pages as zeros (%d/%d absent)\n",
				      absent, nr_pages);
}

static bool have_pool(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "SecretmemTotal: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb > 0;
}

/*
 * The pool is carved in whole, aligned 2 MiB units, so the unit around a
 * pool page is pool: free, reserved or in use, no program header of
 * /proc/kcore may describe any of it (mm/secretmem_crash.c).
 */
static void test_kcore_pool(void)
{
	uint64_t start = secret_phys[0] & ~(POOL_UNIT - 1), *phys;
	int fd, i, n = POOL_UNIT / page_size, nonzero, absent;
	bool leaked = false;

	if (have_pool() && !is_root) {
		ksft_test_result_skip("/proc/kcore over the pool: needs root (kcore, PFNs)\n");
		return;
	}
	if (!have_pool() || !secret_phys[0]) {
		if (row_expects("total") > 0)
			ksft_test_result_fail("/proc/kcore, pool: none, row expects %ld kB\n",
					      row_expects("total"));
		else
			ksft_test_result_skip("/proc/kcore over the pool: no secretmem= pool\n");
		return;
	}
	fd = open("/proc/kcore", O_RDONLY);
	phys = calloc(n, sizeof(*phys));
	if (fd < 0 || !phys)
		ksft_exit_fail_msg("/proc/kcore: %s\n", strerror(errno));
	for (i = 0; i < n; i++)
		phys[i] = start + i * page_size;
	nonzero = kcore_read(fd, phys, n, &leaked, &absent);
	close(fd);
	free(phys);
	ksft_test_result(!leaked && !nonzero && absent == n,
			 "/proc/kcore leaves out the pool's 2 MiB unit at %#llx (%d of %d pages described, %d not zero)\n",
			 (unsigned long long)start, n - absent, n, nonzero);
}

/*
 * Not counted: under STRICT_DEVMEM /dev/mem refuses every RAM page, the
 * ordinary one as well, so a refusal says nothing about secret memory. It
 * must still not hand out a secret byte.
 */
static void test_devmem(void)
{
	int fd = open("/dev/mem", O_RDONLY);
	uint64_t plain_phys = smt_phys_of(plain);
	long ret, pret;
	char *map;
	int err;

	if (fd < 0) {
		ksft_print_msg("/dev/mem (not counted): %s\n", strerror(errno));
		return;
	}
	pret = pread(fd, buf, page_size, plain_phys);
	memset(buf, 0, page_size);
	ret = pread(fd, buf, page_size, secret_phys[0]);
	err = errno;
	if (ret >= 0 && leaks(buf, page_size))
		ksft_exit_fail_msg("/dev/mem read: secret bytes read\n");
	map = mmap(NULL, page_size, PROT_READ, MAP_SHARED, fd, secret_phys[0]);
	if (map != MAP_FAILED) {
		if (leaks(map, page_size))
			ksft_exit_fail_msg("/dev/mem mmap: secret bytes read\n");
		munmap(map, page_size);
	}
	ksft_print_msg("/dev/mem (not counted): ordinary page %s, secret page %s, mmap %s\n",
		       pret < 0 ? "refused too" : "reads",
		       ret < 0 ? strerror(err) : "reads without the secret",
		       map == MAP_FAILED ? "refused" : "without the secret");
	close(fd);
}

/* Once the file is gone its pages must have been zeroed, pool or not. */
static void test_kcore_after_free(void)
{
	bool leaked = false;
	int fd = open("/proc/kcore", O_RDONLY), absent;

	if (fd < 0 || !secret_phys[0]) {
		ksft_test_result_skip("/proc/kcore after free: %s%s\n",
				      is_root ? "unavailable: " : "needs root: ",
				      fd < 0 ? strerror(errno) :
				      "no PFNs in pagemap");
		if (fd >= 0)
			close(fd);
		return;
	}
	if (kcore_read(fd, secret_phys, nr_pages, &leaked, &absent) < 0)
		ksft_test_result_fail("/proc/kcore after free: read failed\n");
	else
		ksft_test_result(!leaked,
				 "/proc/kcore after free: no secret byte left\n");
	close(fd);
}

/* --pmd needs the pool's whole units and PMD mappings on: else skip all */
static void pmd_available(void)
{
	char on = '0';
	int fd;

	if (!have_pool()) {
		if (row_expects("total") > 0)
			ksft_exit_fail_msg("--pmd: no pool, row expects %ld kB\n",
					   row_expects("total"));
		ksft_exit_skip("--pmd: no secretmem= pool, whose units PMDs map\n");
	}
	fd = open(PMD_SYSFS, O_RDONLY);
	if (fd < 0 || read(fd, &on, 1) != 1)
		ksft_exit_fail_msg("--pmd: %s: %s\n", PMD_SYSFS, strerror(errno));
	close(fd);
	if (on != '1')
		ksft_exit_skip("--pmd: PMD mappings are off (%s)\n", PMD_SYSFS);
}

int main(int argc, char **argv)
{
	int i;

	ksft_print_header();
	page_size = sysconf(_SC_PAGESIZE);
	pmd = argc == 2 && !strcmp(argv[1], "--pmd");
	if (argc > 2 || (argc == 2 && !pmd))
		ksft_exit_fail_msg("usage: %s [--pmd]\n", argv[0]);
	nr_pages = pmd ? POOL_UNIT / page_size : NR_PAGES;
	len = nr_pages * page_size;
	secret_phys = calloc(nr_pages, sizeof(*secret_phys));
	if (!secret_phys)
		ksft_exit_fail_msg("calloc: %s\n", strerror(errno));

#ifdef __NR_memfd_secret
	secret_fd = syscall(__NR_memfd_secret, 0);
#else
	secret_fd = -1;
	errno = ENOSYS;
#endif
	on_row = row_expects("total") >= 0;
	if (secret_fd < 0) {
		if (errno == ENOSYS && !on_row)
			ksft_exit_skip("memfd_secret: not available\n");
		ksft_exit_fail_msg("memfd_secret: %s\n", strerror(errno));
	}
	is_root = !geteuid();
	if (pmd)
		pmd_available();
	ksft_set_plan(NR_TESTS);

	if (ftruncate(secret_fd, len))
		ksft_exit_fail_msg("ftruncate: %s\n", strerror(errno));
	secret = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      secret_fd, 0);
	plain = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	plain_fd = memfd_create("plain", 0);
	if (plain_fd < 0 || ftruncate(plain_fd, len))
		ksft_exit_fail_msg("memfd_create: %s\n", strerror(errno));
	plain_map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 plain_fd, 0);
	if (secret == MAP_FAILED || plain == MAP_FAILED || buf == MAP_FAILED ||
	    plain_map == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));

	canary = 0x5ec2e7a11ce5ec2eULL ^ ((uint64_t)getpid() << 20);
	plain_canary = ~canary;
	fill(secret, len, canary);
	fill(plain, page_size, plain_canary);
	fill(plain_map, len, plain_canary);
	if (pmd && smt_smaps_kb(secret, "FilePmdMapped") != (long)(len >> 10))
		ksft_exit_fail_msg("--pmd: buffer at %p not PMD-mapped (FilePmdMapped %ld kB)\n",
				   secret, smt_smaps_kb(secret, "FilePmdMapped"));
	if (pmd)
		ksft_print_msg("the secret buffer: 2 MiB at %p, one PMD\n", secret);
	for (i = 0; i < nr_pages; i++)
		secret_phys[i] = smt_phys_of(secret + i * page_size);

	test_proc_self_mem();
	test_remote();
	test_pipes();
	test_odirect();
	test_io_uring();
	test_file();
	test_kcore();
	test_kcore_pool();
	test_devmem();

	ksft_test_result(secret_intact(),
			 "the secret is intact after all of the above\n");

	munmap(secret, len);
	close(secret_fd);
	test_kcore_after_free();

	ksft_finished();
}
