/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot-time pool for memfd_secret() memory: internal interface between
 * mm/secretmem.c, the pool and its KUnit tests.
 */
#ifndef _MM_SECRETMEM_POOL_H
#define _MM_SECRETMEM_POOL_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct folio;

/*
 * One physically contiguous region, on one node. A page "holds data" from the
 * fault that takes it until its last reference is dropped; the other pages
 * are free, and rsvd of them are promised to files.
 *
 * A page that comes back was zeroed through a per-CPU mapping that another
 * CPU may still hold in its TLB, so it waits in dirty[] until a global flush
 * of those mappings before it can be taken again; it counts as free (it can
 * be promised) all along.
 */
struct secretmem_region {
	spinlock_t	lock;		/* everything below but the constants */
	unsigned long	base_pfn;
	unsigned long	nr_pages;	/* carved at boot, never given back */
	unsigned long	nr_grown;	/* in units, SECRETMEM_UNIT_PAGES each */
	struct list_head units;		/* grown units, see secretmem_unit */
	unsigned long	nr_free;	/* pages not holding data, units too */
	unsigned long	nr_rsvd;	/* promised, not yet faulted */
	unsigned long	nr_poisoned;	/* taken out for good */
	unsigned long	hint;		/* where the next search starts */
	unsigned long	*used;		/* bit set: not available to take */
	unsigned long	*dirty[2];	/* bit set: came back in that epoch */
	unsigned int	epoch;		/* dirty[epoch] collects released pages */
	unsigned long	nr_dirty;	/* released, not flushed yet */
	unsigned long	nr_huge;	/* units out whole, as 2 MiB folios */
	unsigned long	nr_units_rsvd;	/* whole units set aside for files */
	int		nid;
};

/* The pool grows and shrinks by whole 2 MiB units (order 9 on x86). */
#define SECRETMEM_UNIT_ORDER	9
#define SECRETMEM_UNIT_PAGES	BIT(SECRETMEM_UNIT_ORDER)

/*
 * 2 MiB taken from the page allocator when the boot part of a region cannot
 * cover a reservation, removed from the direct map as one large page. Its
 * pages count in the region's nr_free/nr_rsvd like the boot part's; a unit
 * whose pages are all free (nr_used == 0: none taken, none waiting for a
 * flush) can be given back, if the region keeps enough room for its
 * promises. Under the region's lock, but base_pfn.
 */
struct secretmem_unit {
	struct list_head	list;		/* on the region's units */
	unsigned long		base_pfn;
	unsigned int		region;		/* index in the pool's regions */
	unsigned int		nr_used;	/* bits set in used */
	DECLARE_BITMAP(used, SECRETMEM_UNIT_PAGES);
	DECLARE_BITMAP(dirty0, SECRETMEM_UNIT_PAGES);	/* as the region's */
	DECLARE_BITMAP(dirty1, SECRETMEM_UNIT_PAGES);
};

/* Released pages of one region that make a flush of the slots worth it. */
#define SECRETMEM_FLUSH_BATCH	512

/*
 * Locking: each region has its own lock, so faults, releases and flushes on
 * different nodes never meet. Only a reservation looks at every region; the
 * pages a region can still promise (nr_free - nr_rsvd) only ever go down by
 * a reservation, so reservations take resv_mutex, find enough room, then
 * promise it region by region: the room cannot vanish in between.
 */
struct secretmem_pool {
	struct mutex		resv_mutex;	/* one reservation at a time */
	unsigned int		nr_regions;	/* constant once in use */
	unsigned int		epoch;		/* of every region, under flush_mutex */
	unsigned long		flush_batch;
	struct mutex		flush_mutex;	/* one flush at a time */
	struct secretmem_region	*regions;
	/* a free page may be poisoned too: take() checks with this */
	bool			(*poisoned)(unsigned long pfn);
	/* optional: false when no page at all is poisoned, saving the checks */
	bool			(*any_poisoned)(void);

	/*
	 * Growth: pages the units may hold at most beyond the boot part (0:
	 * never grow), and pages they hold now; both change under
	 * resv_mutex, and are read without it for reporting.
	 */
	unsigned long		ceiling;
	unsigned long		nr_grown;
	struct xarray		units;		/* pfn >> UNIT_ORDER -> unit */
	/* a zeroed 2 MiB unit out of the direct map on @nid, or -errno */
	long			(*grow)(int nid);
	/* hands a unit's memory back to the page allocator */
	void			(*ungrow)(unsigned long pfn);
};

/*
 * What one file was promised: per region, because a fault must take its page
 * from a region that set one aside for it.
 */
struct secretmem_resv {
	atomic_long_t	nr_pages;	/* promised, not yet faulted */
	atomic_long_t	nr_lost;	/* promised pages lost to poison */
	unsigned long	*per_region;	/* [i] under regions[i].lock */
	/*
	 * Whole free units set aside for 2 MiB mappings. Their pages count in
	 * per_region and are marked used, so that single pages are never
	 * taken from them: unit_pfn[units[i].first + n], n < units[i].nr, are
	 * region i's, under regions[i].lock. NULL when none were asked for.
	 */
	struct secretmem_resv_units {
		unsigned int	first;
		unsigned int	nr;
	}		*units;
	unsigned long	*unit_pfn;
};

/* One entry of the secretmem= boot parameter. */
struct secretmem_spec {
	int	nid;		/* NUMA_NO_NODE: plain SIZE, no node asked */
	u64	size;		/* bytes, rounded up to 2 MiB */
};

#define SECRETMEM_MAX_SPECS	64

int secretmem_parse_param(const char *str, struct secretmem_spec *specs,
			  int max_specs, const char **why);
int secretmem_parse_ceiling(char *str, u64 *ceiling, const char **why);

int secretmem_pool_reserve_pages(struct secretmem_pool *pool,
				 struct secretmem_resv *resv,
				 unsigned long nr_pages, int nid,
				 const nodemask_t *allowed);
void secretmem_pool_unreserve(struct secretmem_pool *pool,
			      struct secretmem_resv *resv);
long secretmem_pool_take(struct secretmem_pool *pool,
			 struct secretmem_resv *resv, int nid);
bool secretmem_pool_give(struct secretmem_pool *pool, unsigned long pfn,
			 struct secretmem_resv *resv);
unsigned long secretmem_pool_reserve_units(struct secretmem_pool *pool,
					   struct secretmem_resv *resv,
					   unsigned long nr_units);
long secretmem_pool_take_unit(struct secretmem_pool *pool,
			      struct secretmem_resv *resv, int nid);
void secretmem_pool_unit_back(struct secretmem_pool *pool, unsigned long pfn);
unsigned long secretmem_pool_huge(struct secretmem_pool *pool,
				  bool set_aside);
void secretmem_pool_flush(struct secretmem_pool *pool,
			  void (*flush_tlb)(void));
void secretmem_pool_quarantine(struct secretmem_pool *pool, unsigned long pfn);
void secretmem_pool_counts(struct secretmem_pool *pool, int nid,
			   unsigned long *total, unsigned long *free,
			   unsigned long *rsvd, unsigned long *poisoned);
unsigned long secretmem_pool_grown(struct secretmem_pool *pool, int nid);
long secretmem_pool_shrink(struct secretmem_pool *pool,
			   unsigned long max_units);

/*
 * Whether a secret file is charged to its owner's RLIMIT_MEMLOCK always, or
 * only when no group of its cgroup's ancestry has a finite secretmem.max
 * (that limit applies instead). Root sets it in
 * /sys/kernel/mm/secretmem/memlock; it is read when a file's size is set.
 */
enum secretmem_memlock {
	SECRETMEM_MEMLOCK_ALWAYS,
	SECRETMEM_MEMLOCK_UNLESS_CGROUP_LIMIT,
};

#ifdef CONFIG_SECRETMEM_POOL
extern int secretmem_memlock_mode;

bool secretmem_pool_enabled(void);
bool secretmem_pool_region(unsigned int i, unsigned long *start_pfn,
			   unsigned long *nr_pages);
int secretmem_file_reserve(struct secretmem_resv *resv, unsigned long nr_pages);
void secretmem_file_unreserve(struct secretmem_resv *resv);
unsigned long secretmem_file_promised(struct secretmem_resv *resv, int nid);
void secretmem_pool_room(int nid, unsigned long *total, unsigned long *room);
bool secretmem_pool_drain(unsigned long nr_pages);
void secretmem_pool_folio_left_file(struct folio *folio);
struct folio *secretmem_pool_alloc_folio(struct secretmem_resv *resv);
struct folio *secretmem_pool_alloc_unit(struct secretmem_resv *resv);
void secretmem_pool_unalloc_unit(struct folio *folio,
				 struct secretmem_resv *resv);
bool secretmem_pmd_enabled(void);
#else
#define secretmem_memlock_mode	SECRETMEM_MEMLOCK_ALWAYS

static inline bool secretmem_pool_enabled(void)
{
	return false;
}

static inline bool secretmem_pool_region(unsigned int i,
					 unsigned long *start_pfn,
					 unsigned long *nr_pages)
{
	return false;
}

static inline int secretmem_file_reserve(struct secretmem_resv *resv,
					 unsigned long nr_pages)
{
	return 0;
}

static inline void secretmem_file_unreserve(struct secretmem_resv *resv)
{
}

static inline unsigned long
secretmem_file_promised(struct secretmem_resv *resv, int nid)
{
	return 0;
}

static inline void secretmem_pool_room(int nid, unsigned long *total,
				       unsigned long *room)
{
	*total = *room = 0;
}

static inline bool secretmem_pool_drain(unsigned long nr_pages)
{
	return false;
}

static inline void secretmem_pool_folio_left_file(struct folio *folio)
{
}

static inline struct folio *secretmem_pool_alloc_folio(struct secretmem_resv *resv)
{
	return ERR_PTR(-ENOSPC);
}

static inline struct folio *secretmem_pool_alloc_unit(struct secretmem_resv *resv)
{
	return ERR_PTR(-ENOSPC);
}

static inline void secretmem_pool_unalloc_unit(struct folio *folio,
					       struct secretmem_resv *resv)
{
}

static inline bool secretmem_pmd_enabled(void)
{
	return false;
}

#endif

#endif /* _MM_SECRETMEM_POOL_H */
