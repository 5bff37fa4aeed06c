// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's side of the crash dump test (guest/tests/crashdump.sh).
 *
 *   crashdump load KERNEL INITRD CMDLINE
 *	load KERNEL and INITRD as the capture kernel, kexec_file_load() with
 *	KEXEC_FILE_ON_CRASH
 *   crashdump crash SEED NPAGES N0 POOL
 *	write the secret marker of SEED into NPAGES pages of a memfd_secret()
 *	file and the anonymous marker into 4 pages of anonymous memory, print
 *	TAP results N0 and N0+1 (POOL=1: every secret page must lie in a
 *	"Secret memory" range of /proc/iomem, 0: none may), then crash the
 *	kernel with sysrq-c while the memory is still mapped
 *   crashdump scan SEED N0 POOL HEADERS
 *	in the capture kernel: read all of /proc/vmcore through mmap(), and
 *	through read() every described byte of secret memory and every place
 *	a marker was found; print TAP results N0 .. N0+5: the crashed
 *	kernel's vmcoreinfo names its secret memory (POOL=1) or does not (0);
 *	HEADERS=exclude: no program header covers it (kexec_file_load()),
 *	HEADERS=include: some do (kexec_load() from userspace), which is
 *	reported only; the secret marker never occurs and read() of secret
 *	memory gives zeros (POOL=1; with POOL=0 the per-page path is dumped
 *	like any page: counted, and read() must agree with mmap()); the
 *	anonymous marker occurs, and read() finds it where mmap() does
 *
 * The markers are 64 bytes computed from SEED: the secret one is written
 * word by word straight into the secret pages and never exists anywhere
 * else in the crashed kernel's memory, so finding it in the dump can only
 * mean the pool was dumped.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#define MARKER_WORDS	8
#define MARKER_SIZE	(MARKER_WORDS * 8)
#define ANON_PAGES	4
#define MAX_RANGES	64
#define CHUNK		(4UL << 20)
#ifndef KEXEC_FILE_ON_CRASH
#define KEXEC_FILE_ON_CRASH	0x00000002
#endif

enum { SECRET = 1, ANON = 2 };

static long page_size;

struct range {
	uint64_t start, end;	/* physical, [start, end) */
};

/* Word @i of marker @tag (splitmix64 of the seed): a register, never a buffer. */
static uint64_t marker_word(uint64_t seed, int tag, int i)
{
	uint64_t z = seed + (uint64_t)tag * 0x632be59bd9b4e019ULL +
		     (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void marker_write(volatile uint64_t *dst, uint64_t seed, int tag)
{
	int i;

	for (i = 0; i < MARKER_WORDS; i++)
		dst[i] = marker_word(seed, tag, i);
}

static uint64_t pfn_of(const void *p)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)p / page_size * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent & (1ULL << 63)))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

/* "Secret memory" ranges of /proc/iomem (nested, so indented). */
static int iomem_secret(struct range *r, int max)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < max) {
		unsigned long long s, e;

		if (!strstr(line, ": Secret memory"))
			continue;
		if (sscanf(line, " %llx-%llx", &s, &e) == 2) {
			r[n].start = s;
			r[n].end = e + 1;
			n++;
		}
	}
	fclose(f);
	return n;
}

static bool in_ranges(uint64_t phys, const struct range *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (phys >= r[i].start && phys < r[i].end)
			return true;
	return false;
}

static int cmd_load(char **argv)
{
	int kfd = open(argv[0], O_RDONLY), ifd = open(argv[1], O_RDONLY);
	const char *cmdline = argv[2];

	if (kfd < 0 || ifd < 0) {
		fprintf(stderr, "crashdump: open %s or %s: %s\n", argv[0],
			argv[1], strerror(errno));
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, KEXEC_FILE_ON_CRASH)) {
		fprintf(stderr, "crashdump: kexec_file_load: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_crash(char **argv)
{
	uint64_t seed = strtoull(argv[0], NULL, 16);
	int npages = atoi(argv[1]), n0 = atoi(argv[2]), pool = atoi(argv[3]);
	struct range secret[MAX_RANGES];
	int nsecret, fd, i, inside = 0, mapped = 0, sysrq;
	char *s, *a;

	fd = syscall(SYS_memfd_secret, 0);
	if (fd < 0 || ftruncate(fd, (off_t)npages * page_size)) {
		printf("not ok %d memfd_secret() file of %d pages: %s\n", n0,
		       npages, strerror(errno));
		printf("not ok %d anonymous marker: not written\n", n0 + 1);
		return 1;
	}
	s = mmap(NULL, npages * page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	a = mmap(NULL, ANON_PAGES * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED || a == MAP_FAILED) {
		printf("not ok %d mmap: %s\n", n0, strerror(errno));
		printf("not ok %d anonymous marker: not written\n", n0 + 1);
		return 1;
	}
	/* a different offset in each page: not only page-aligned copies */
	for (i = 0; i < npages; i++) {
		char *p = s + (size_t)i * page_size + (i * 136) % (page_size - MARKER_SIZE);

		marker_write((volatile uint64_t *)p, seed, SECRET);
	}
	/* now: a unit the pool grew for the file is named from ftruncate on */
	nsecret = iomem_secret(secret, MAX_RANGES);
	for (i = 0; i < npages; i++) {
		uint64_t pfn = pfn_of(s + (size_t)i * page_size);

		if (pfn) {
			mapped++;
			inside += in_ranges(pfn * page_size, secret, nsecret);
		}
	}
	for (i = 0; i < ANON_PAGES; i++)
		marker_write((volatile uint64_t *)(a + (size_t)i * page_size + 64 * i),
			     seed, ANON);
	printf("# %d \"Secret memory\" range(s) in /proc/iomem\n", nsecret);
	printf("# secret pages: %d with a PFN, %d of them in the pool\n",
	       mapped, inside);
	if (mapped != npages)
		printf("not ok %d secret marker in %d pages: only %d show a PFN\n",
		       n0, npages, mapped);
	else if (pool && inside != npages)
		printf("not ok %d secret marker in %d pages: %d outside the pool\n",
		       n0, npages, npages - inside);
	else if (!pool && inside)
		printf("not ok %d secret marker in %d pages: %d in a pool on a row without one\n",
		       n0, npages, inside);
	else
		printf("ok %d secret marker in %d %s pages\n", n0, npages,
		       pool ? "pool" : "per-page");
	printf("ok %d anonymous marker in %d pages\n", n0 + 1, ANON_PAGES);
	/* the results must leave the serial port before the crash stops it */
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	sync();
	sysrq = open("/proc/sysrq-trigger", O_WRONLY);
	if (sysrq < 0 || write(sysrq, "c", 1) != 1)
		fprintf(stderr, "crashdump: sysrq-c: %s\n", strerror(errno));
	/* only a kernel that did not crash gets here */
	fprintf(stderr, "crashdump: still running after sysrq-c\n");
	return 1;
}

/* Occurrences of @pat in @buf, overlapping ones too. */
static long count_hits(const char *buf, size_t len, const char *pat)
{
	const char *p = buf, *end = buf + len;
	long n = 0;

	while ((size_t)(end - p) >= MARKER_SIZE &&
	       (p = memmem(p, end - p, pat, MARKER_SIZE))) {
		n++;
		p++;
	}
	return n;
}

#define MAX_HITS	32

/* Where a marker occurs in the dump: how often, and the first offsets. */
struct hits {
	long n;
	off_t off[MAX_HITS];
};

static void find_all(const char *map, size_t len, const char *pat,
		     struct hits *h)
{
	const char *p = map, *end = map + len;

	h->n = 0;
	while ((size_t)(end - p) >= MARKER_SIZE &&
	       (p = memmem(p, end - p, pat, MARKER_SIZE))) {
		if (h->n < MAX_HITS)
			h->off[h->n] = p - map;
		h->n++;
		p++;
	}
}

/* How many of the offsets mmap() found read() finds the marker at too. */
static long confirm_read(int fd, const struct hits *h, const char *pat)
{
	char got[MARKER_SIZE];
	long i, n = 0;

	for (i = 0; i < h->n && i < MAX_HITS; i++)
		if (pread(fd, got, MARKER_SIZE, h->off[i]) == MARKER_SIZE &&
		    !memcmp(got, pat, MARKER_SIZE))
			n++;
	return n;
}

/*
 * read() every byte of the dump that program headers describe inside the
 * ranges vmcoreinfo names secret: the secret marker must not be there, and
 * nothing but zeros. Returns the bytes read, -1 on a read error.
 */
static long long read_secret(int fd, const Elf64_Phdr *ph, int nph,
			     const struct range *reg, int nreg,
			     const char *pat, long *found, long long *nonzero)
{
	char *buf = malloc(CHUNK);
	long long total = 0;
	int i, j;

	*found = 0;
	*nonzero = 0;
	if (!buf)
		return -1;
	for (i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		for (j = 0; j < nreg; j++) {
			uint64_t s = ph[i].p_paddr > reg[j].start ? ph[i].p_paddr : reg[j].start;
			uint64_t e = ph[i].p_paddr + ph[i].p_filesz < reg[j].end ?
				     ph[i].p_paddr + ph[i].p_filesz : reg[j].end;

			for (; s < e; ) {
				size_t len = e - s < CHUNK ? e - s : CHUNK;
				off_t off = ph[i].p_offset + (s - ph[i].p_paddr);
				size_t k;

				if (pread(fd, buf, len, off) != (ssize_t)len) {
					free(buf);
					return -1;
				}
				for (k = 0; k < len; k++)
					*nonzero += buf[k] != 0;
				*found += count_hits(buf, len, pat);
				total += len;
				s += len;
			}
		}
	}
	free(buf);
	return total;
}

/*
 * The crashed kernel's bitmap of grown units (@nbits bits at physical
 * @phys, one per @unit bytes), read from the dump as a dump tool reads it:
 * each set bit becomes a range in @r. Returns how many, -1 if the bitmap
 * is not in the dump.
 */
static int read_units(int fd, const Elf64_Phdr *ph, int nph,
		      unsigned long long phys, unsigned long long nbits,
		      unsigned long long unit, struct range *r, int max)
{
	size_t bytes = (nbits + 7) / 8;
	unsigned char *bits;
	unsigned long long b;
	int i, n = 0;

	if (!nbits || nbits > (1ULL << 32) || !unit)
		return -1;
	bits = malloc(bytes);
	if (!bits)
		return -1;
	for (i = 0; i < nph; i++)
		if (ph[i].p_type == PT_LOAD && phys >= ph[i].p_paddr &&
		    phys + bytes <= ph[i].p_paddr + ph[i].p_filesz)
			break;
	if (i == nph || pread(fd, bits, bytes, ph[i].p_offset +
			      (phys - ph[i].p_paddr)) != (ssize_t)bytes) {
		free(bits);
		return -1;
	}
	for (b = 0; b < nbits && n < max; b++)
		if (bits[b / 8] & (1U << (b % 8))) {
			r[n].start = b * unit;
			r[n++].end = (b + 1) * unit;
		}
	free(bits);
	return n;
}

static int cmd_scan(char **argv)
{
	uint64_t seed = strtoull(argv[0], NULL, 16);
	int n0 = atoi(argv[1]), pool = atoi(argv[2]);
	bool exclude = !strcmp(argv[3], "exclude");
	char smark[MARKER_SIZE], amark[MARKER_SIZE];
	unsigned long long ubits = 0, unbits = 0, usize = 0;
	struct range regions[MAX_RANGES];
	int nregions = 0, nboot, nunits = 0, covered = 0, i, fail = 0, fd;
	bool has_units = false;
	struct hits hs, ha;
	long rs, ra, rfound;
	long long rbytes, rnonzero;
	Elf64_Phdr *ph;
	Elf64_Ehdr eh;
	off_t size;
	char *map;

	marker_write((volatile uint64_t *)smark, seed, SECRET);
	marker_write((volatile uint64_t *)amark, seed, ANON);
	fd = open("/proc/vmcore", O_RDONLY);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		printf("Bail out! /proc/vmcore: %s\n", strerror(errno));
		return 1;
	}
	size = lseek(fd, 0, SEEK_END);
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph || pread(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff) !=
		   (ssize_t)(eh.e_phnum * sizeof(*ph))) {
		printf("Bail out! /proc/vmcore: cannot read program headers\n");
		return 1;
	}
	/* the crashed kernel's vmcoreinfo: the capture kernel merged all
	 * notes into one PT_NOTE */
	for (i = 0; i < eh.e_phnum; i++) {
		char *notes, *p, *end;

		if (ph[i].p_type != PT_NOTE)
			continue;
		notes = malloc(ph[i].p_filesz + 1);
		if (!notes || pread(fd, notes, ph[i].p_filesz, ph[i].p_offset) !=
			      (ssize_t)ph[i].p_filesz)
			continue;
		notes[ph[i].p_filesz] = '\0';
		end = notes + ph[i].p_filesz;
		for (p = notes; (p = memmem(p, end - p, "SECRETMEM_REGION=", 17)); p++) {
			unsigned long long s, l;

			if (sscanf(p + 17, "%llx,%llx", &s, &l) == 2 &&
			    nregions < MAX_RANGES) {
				printf("# vmcoreinfo: SECRETMEM_REGION=%llx,%llx\n", s, l);
				regions[nregions].start = s;
				regions[nregions++].end = s + l;
			}
		}
		p = memmem(notes, end - notes, "SECRETMEM_UNITS=", 16);
		if (p && sscanf(p + 16, "%llx,%llx,%llx", &ubits, &unbits,
				&usize) == 3)
			printf("# vmcoreinfo: SECRETMEM_UNITS=%llx,%llx,%llx\n",
			       ubits, unbits, usize), has_units = true;
		free(notes);
	}
	/* the grown units: as a dump tool would, from the bitmap in the dump */
	nboot = nregions;
	if (has_units)
		nunits = read_units(fd, ph, eh.e_phnum, ubits, unbits, usize,
				    regions + nregions, MAX_RANGES - nregions);
	if (nunits < 0) {
		printf("Bail out! the unit bitmap is not in /proc/vmcore\n");
		return 1;
	}
	for (i = 0; i < nunits; i++)
		printf("# grown unit %#llx-%#llx\n",
		       (unsigned long long)regions[nregions + i].start,
		       (unsigned long long)regions[nregions + i].end);
	nregions += nunits;
	/* the boot regions only: no loader knows the units grown after it */
	for (i = 0; i < eh.e_phnum; i++) {
		int j;

		if (ph[i].p_type != PT_LOAD)
			continue;
		for (j = 0; j < nboot; j++)
			if (ph[i].p_paddr < regions[j].end &&
			    ph[i].p_paddr + ph[i].p_memsz > regions[j].start) {
				printf("# PT_LOAD %#llx-%#llx covers secret memory\n",
				       (unsigned long long)ph[i].p_paddr,
				       (unsigned long long)(ph[i].p_paddr + ph[i].p_memsz));
				covered++;
			}
	}
	printf("# /proc/vmcore: %lld MiB, %d program headers\n",
	       (long long)size >> 20, eh.e_phnum);

	if (pool ? nregions > 0 : nregions == 0 && !has_units)
		printf("ok %d vmcoreinfo names %d secret region(s) and %d grown unit(s)\n",
		       n0, nboot, nunits);
	else
		printf("not ok %d vmcoreinfo names %d secret region(s) and %d grown unit(s), pool=%d\n",
		       n0, nboot, nunits, pool), fail = 1;
	if (!exclude)
		printf("ok %d %d program header(s) over secret memory (the loader does not know the pool: reported only)\n",
		       n0 + 1, covered);
	else if (!covered)
		printf("ok %d no program header covers secret memory\n", n0 + 1);
	else
		printf("not ok %d %d program header(s) cover secret memory\n",
		       n0 + 1, covered), fail = 1;

	/*
	 * All of the dump through mmap(); read() of the old kernel's memory
	 * maps and unmaps each page, which takes minutes on the debug kernel
	 * under TCG, so read() goes where it matters: every described byte
	 * of secret memory, and every place mmap() found a marker.
	 */
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		printf("Bail out! mmap(/proc/vmcore): %s\n", strerror(errno));
		return 1;
	}
	find_all(map, size, smark, &hs);
	find_all(map, size, amark, &ha);
	munmap(map, size);
	rs = confirm_read(fd, &hs, smark);
	ra = confirm_read(fd, &ha, amark);
	rbytes = read_secret(fd, ph, eh.e_phnum, regions, nregions, smark,
			     &rfound, &rnonzero);
	printf("# mmap(): secret marker %ld time(s), anonymous marker %ld; read() finds them at %ld and %ld of those places\n",
	       hs.n, ha.n, rs, ra);
	printf("# read() of described secret memory: %lld bytes, %lld not zero, %ld secret marker(s)\n",
	       rbytes, rnonzero, rfound);

	if (!pool)
		printf("ok %d per-page path: mmap() finds the secret marker %ld time(s) (dumped like any page: reported only)\n",
		       n0 + 2, hs.n);
	else if (hs.n == 0)
		printf("ok %d mmap(): no secret marker in all of the dump\n", n0 + 2);
	else
		printf("not ok %d mmap(): the secret marker occurs %ld time(s)\n",
		       n0 + 2, hs.n), fail = 1;
	if (!pool && rs == (hs.n < MAX_HITS ? hs.n : MAX_HITS))
		printf("ok %d read() finds the secret marker where mmap() does\n", n0 + 3);
	else if (!pool)
		printf("not ok %d read() finds the secret marker at %ld of %ld places\n",
		       n0 + 3, rs, hs.n), fail = 1;
	else if (rbytes >= 0 && !rfound && !rnonzero && rs == 0)
		printf("ok %d read(): %lld bytes of secret memory described, all zeros\n",
		       n0 + 3, rbytes);
	else
		printf("not ok %d read(): %lld bytes of secret memory, %lld not zero, %ld marker(s)\n",
		       n0 + 3, rbytes, rnonzero, rfound), fail = 1;
	if (ha.n > 0)
		printf("ok %d mmap(): the anonymous marker occurs %ld time(s)\n",
		       n0 + 4, ha.n);
	else
		printf("not ok %d mmap(): no anonymous marker: the scan sees nothing\n",
		       n0 + 4), fail = 1;
	if (ha.n > 0 && ra == (ha.n < MAX_HITS ? ha.n : MAX_HITS))
		printf("ok %d read() finds the anonymous marker where mmap() does\n",
		       n0 + 5);
	else
		printf("not ok %d read() finds the anonymous marker at %ld of %ld places\n",
		       n0 + 5, ra, ha.n), fail = 1;
	return fail;
}

int main(int argc, char **argv)
{
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "load"))
		return cmd_load(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "crash"))
		return cmd_crash(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "scan"))
		return cmd_scan(argv + 2);
	fprintf(stderr, "usage: crashdump load KERNEL INITRD CMDLINE\n"
			"       crashdump crash SEED NPAGES N0 POOL\n"
			"       crashdump scan SEED N0 POOL exclude|include\n");
	return 2;
}
