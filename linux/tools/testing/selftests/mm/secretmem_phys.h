/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc tells the secretmem selftests about their own mappings: the
 * physical address of a page, for those that read secret memory through
 * /proc/kcore or /dev/mem (pagemap's PFN: root only, 0 for anybody else),
 * where /proc/kcore's direct map holds it, and a field of a VMA's smaps
 * entry (FilePmdMapped: is a buffer mapped by PMDs).
 */
#ifndef __SECRETMEM_PHYS_H
#define __SECRETMEM_PHYS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/elf.h>

#define SMT_PFN_MASK	0x007fffffffffffffULL	/* pagemap bits 0-54 */
#define SMT_PM_PRESENT	0x8000000000000000ULL	/* pagemap bit 63 */

/* Physical address of the page at @p, mapped; 0 if pagemap does not say. */
static inline uint64_t smt_phys_of(const void *p)
{
	size_t psz = sysconf(_SC_PAGESIZE);
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)p / psz * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent & SMT_PM_PRESENT) || !(ent & SMT_PFN_MASK))
		return 0;
	return (ent & SMT_PFN_MASK) * psz;
}

/* File offset of physical address @phys in /proc/kcore's direct map, or -1. */
static inline off_t smt_kcore_offset(int fd, uint64_t phys)
{
	struct elf64_hdr eh;
	struct elf64_phdr ph;
	int i;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph))
			return -1;
		/* RAM is there twice: skip the kernel text alias */
		if (ph.p_type != PT_LOAD || ph.p_paddr == (uint64_t)-1 ||
		    ph.p_vaddr >= 0xffffffff80000000ULL)
			continue;
		if (phys >= ph.p_paddr && phys - ph.p_paddr < ph.p_memsz)
			return ph.p_offset + (phys - ph.p_paddr);
	}
	return -1;
}

/* Whether @n bytes at @p, read back through kcore or /dev/mem, are zeros. */
static inline bool smt_all_zero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Field @key of the smaps entry of this process's VMA holding @addr, in kB. */
static inline long smt_smaps_kb(const void *addr, const char *key)
{
	unsigned long a = (unsigned long)addr, start, end;
	size_t n = strlen(key);
	char line[512];
	bool in = false;
	long v = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* a VMA's first line: "start-end perms ..." */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && !strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

#endif /* __SECRETMEM_PHYS_H */
