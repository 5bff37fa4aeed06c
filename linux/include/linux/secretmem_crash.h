/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping the secretmem= pool out of crash dumps and /proc/kcore
 * (mm/secretmem_crash.c).
 */
#ifndef _LINUX_SECRETMEM_CRASH_H
#define _LINUX_SECRETMEM_CRASH_H

#include <linux/types.h>

struct crash_mem;

/* What walk_system_ram_range() calls for a range of page frames. */
typedef int (*secretmem_pfn_range_fn)(unsigned long pfn,
				      unsigned long nr_pages, void *arg);

#ifdef CONFIG_SECRETMEM_POOL
int secretmem_walk_outside(unsigned long pfn, unsigned long nr_pages,
			   void *arg, secretmem_pfn_range_fn func);
int secretmem_crash_unit_add(unsigned long pfn, unsigned int order);
void secretmem_crash_unit_del(unsigned long pfn, unsigned int order);
#else
static inline int secretmem_walk_outside(unsigned long pfn,
					 unsigned long nr_pages, void *arg,
					 secretmem_pfn_range_fn func)
{
	return func(pfn, nr_pages, arg);
}
#endif

#if defined(CONFIG_SECRETMEM_POOL) && defined(CONFIG_CRASH_DUMP)
unsigned int secretmem_crash_nr_regions(void);
int secretmem_crash_exclude(struct crash_mem *cmem);
#else
static inline unsigned int secretmem_crash_nr_regions(void)
{
	return 0;
}

static inline int secretmem_crash_exclude(struct crash_mem *cmem)
{
	return 0;
}
#endif

#if defined(CONFIG_SECRETMEM) && defined(CONFIG_PROC_VMCORE)
void vmcore_secretmem_init(const char *notes, size_t size);
#else
static inline void vmcore_secretmem_init(const char *notes, size_t size)
{
}
#endif

#endif /* _LINUX_SECRETMEM_CRASH_H */
