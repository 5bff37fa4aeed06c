// SPDX-License-Identifier: GPL-2.0
/*
 * Boot-time pool for memfd_secret() memory.
 *
 * Upstream secretmem removes every page from the direct map when it is
 * faulted in: each fault may split a large direct map page and flushes the
 * TLB of every CPU, and a swarm of small secret files shatters the direct map.
 * With secretmem= the pages come instead from regions set aside at boot and
 * removed from the direct map once, as whole ranges, before any user exists.
 *
 * A region that can run dry must not turn into SIGBUS at fault time, so the
 * pool reserves like hugetlb does: setting a file's size promises it pages
 * (Rsvd), and a fault only turns one promised page into a page holding data.
 *
 * Page lifetime: a free pool page has a reference count of zero, like a
 * free page of the buddy allocator, so no PFN walker can take a reference
 * on it. A fault hands it out with one reference; when the last reference
 * goes, whoever drops it (truncation, an unmap, an mlock or LRU batch on
 * another CPU, a PFN walker), the final put hands the page back to the pool
 * (secretmem_pool_free_folio(), called where hugetlb's and ZONE_DEVICE's
 * folios are handed back), never to the buddy allocator. So the pool never
 * waits for anybody, and a page counts as free exactly when nobody holds it.
 * Pool pages never sit on an LRU, are not counted as page cache and are not
 * charged to memcg: the secretmem cgroup controller accounts them instead.
 */

#define pr_fmt(fmt) "secretmem: " fmt

#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/cpuset.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/error-injection.h>
#include <linux/init.h>
#include <linux/kmemleak.h>
#include <linux/jump_label.h>
#include <linux/kobject.h>
#include <linux/memblock.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/secretmem.h>
#include <linux/secretmem_crash.h>
#include <linux/seq_file.h>
#include <linux/set_memory.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <linux/swap.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include <asm/tlbflush.h>

#include "internal.h"
#include "secretmem_pool.h"

/* ---- The allocator: counters, bitmaps and reservations of one pool ---- */

/* Pages @r can still promise; under r->lock. */
static unsigned long resv_available(struct secretmem_region *r)
{
	return r->nr_free - r->nr_rsvd;
}

/*
 * Pick the region a reservation or a page comes from: among those @want
 * accepts, the one on @nid, else the nearest to it, the order in which the
 * page allocator falls back from node to node. No lock is held: the caller
 * checks its choice again under the region's lock.
 */
static int pick_region(struct secretmem_pool *pool, int nid,
		       bool (*want)(struct secretmem_pool *, int, void *),
		       void *arg)
{
	int best = -1, best_dist = INT_MAX;
	unsigned int i;

	for (i = 0; i < pool->nr_regions; i++) {
		int rnid = pool->regions[i].nid, dist;

		if (!want(pool, i, arg))
			continue;
		dist = rnid == nid || nid < 0 ? 0 : node_distance(nid, rnid);
		if (dist < best_dist) {
			best = i;
			best_dist = dist;
		}
	}
	return best;
}

static bool region_allowed(struct secretmem_region *reg,
			   const nodemask_t *allowed)
{
	return !allowed || node_isset(reg->nid, *allowed);
}

/* What a reservation found it may take from each region. */
struct resv_room {
	const nodemask_t	*allowed;
	unsigned long		*room;	/* [i]: at least this much in region i */
};

static bool region_has_room(struct secretmem_pool *pool, int i, void *arg)
{
	struct resv_room *rr = arg;

	return rr->room[i] > 0 && region_allowed(&pool->regions[i], rr->allowed);
}

static bool region_may_grow(struct secretmem_pool *pool, int i, void *arg)
{
	struct resv_room *rr = arg;

	return region_allowed(&pool->regions[i], rr->allowed);
}

/*
 * Add whole units to the allowed region nearest @nid until @need more pages
 * can be promised there, within the ceiling. Under resv_mutex: units added
 * here stay, even if the reservation still fails; they are given back when
 * empty (secretmem_pool_shrink()).
 */
static int pool_grow(struct secretmem_pool *pool, struct resv_room *rr,
		     unsigned long need, int nid)
{
	unsigned long nr_units = DIV_ROUND_UP(need, SECRETMEM_UNIT_PAGES);
	unsigned long ceiling = READ_ONCE(pool->ceiling);
	struct secretmem_region *reg;
	int r;

	if (!pool->grow || ceiling < pool->nr_grown ||
	    nr_units > (ceiling - pool->nr_grown) / SECRETMEM_UNIT_PAGES)
		return -ENOMEM;
	r = pick_region(pool, nid, region_may_grow, rr);
	if (r < 0)
		return -ENOMEM;
	reg = &pool->regions[r];
	while (nr_units--) {
		struct secretmem_unit *unit;
		long pfn;

		unit = kzalloc(sizeof(*unit), GFP_KERNEL);
		if (!unit)
			return -ENOMEM;
		pfn = pool->grow(reg->nid);
		if (pfn < 0) {
			kfree(unit);
			return -ENOMEM;
		}
		unit->base_pfn = pfn;
		unit->region = r;
		if (xa_err(xa_store(&pool->units, pfn >> SECRETMEM_UNIT_ORDER,
				    unit, GFP_KERNEL))) {
			pool->ungrow(pfn);
			kfree(unit);
			return -ENOMEM;
		}
		spin_lock_irq(&reg->lock);
		list_add_tail(&unit->list, &reg->units);
		reg->nr_grown += SECRETMEM_UNIT_PAGES;
		reg->nr_free += SECRETMEM_UNIT_PAGES;
		spin_unlock_irq(&reg->lock);
		WRITE_ONCE(pool->nr_grown, pool->nr_grown + SECRETMEM_UNIT_PAGES);
		rr->room[r] += SECRETMEM_UNIT_PAGES;
	}
	return 0;
}

/**
 * secretmem_pool_reserve_pages - promise pages of @pool to a file
 * @pool: the pool
 * @resv: the file's reservation, empty
 * @nr_pages: how many pages to promise
 * @nid: the node to take them from first
 * @allowed: the nodes they may come from, or %NULL for any
 *
 * All or nothing: either every page is promised (from @nid's region first,
 * then from the nearest allowed ones) or nothing is. When the allowed part
 * of the pool cannot cover @nr_pages, it grows first by as many whole units
 * as the shortfall needs, on the allowed region nearest @nid, if its ceiling
 * allows.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOMEM if the allowed part of the pool cannot cover @nr_pages
 * (Free - Rsvd) and cannot grow enough.
 */
int secretmem_pool_reserve_pages(struct secretmem_pool *pool,
				 struct secretmem_resv *resv,
				 unsigned long nr_pages, int nid,
				 const nodemask_t *allowed)
{
	struct resv_room rr = { .allowed = allowed };
	unsigned long *per_region, avail = 0, left = nr_pages;
	unsigned int i;

	if (!nr_pages)
		return 0;
	if (!pool->nr_regions)
		return -ENOMEM;
	per_region = kcalloc(pool->nr_regions, sizeof(*per_region),
			     GFP_KERNEL_ACCOUNT);
	rr.room = kcalloc(pool->nr_regions, sizeof(*rr.room), GFP_KERNEL);
	if (!per_region || !rr.room) {
		kfree(per_region);
		kfree(rr.room);
		return -ENOMEM;
	}

	/*
	 * Only a reservation lowers what a region can promise: with the
	 * mutex held, the room the first pass finds is still there in the
	 * second, whatever faults and releases do meanwhile.
	 */
	mutex_lock(&pool->resv_mutex);
	for (i = 0; i < pool->nr_regions; i++) {
		struct secretmem_region *reg = &pool->regions[i];

		if (!region_allowed(reg, allowed))
			continue;
		spin_lock_irq(&reg->lock);
		rr.room[i] = resv_available(reg);
		spin_unlock_irq(&reg->lock);
		avail += rr.room[i];
	}
	if (avail < nr_pages && !pool_grow(pool, &rr, nr_pages - avail, nid))
		avail = nr_pages;
	if (avail < nr_pages) {
		mutex_unlock(&pool->resv_mutex);
		kfree(per_region);
		kfree(rr.room);
		return -ENOMEM;
	}
	while (left) {
		int r = pick_region(pool, nid, region_has_room, &rr);
		struct secretmem_region *reg = &pool->regions[r];
		unsigned long n = min(left, rr.room[r]);

		spin_lock_irq(&reg->lock);
		reg->nr_rsvd += n;
		spin_unlock_irq(&reg->lock);
		rr.room[r] -= n;
		per_region[r] += n;
		left -= n;
	}
	resv->per_region = per_region;
	atomic_long_set(&resv->nr_pages, nr_pages);
	mutex_unlock(&pool->resv_mutex);
	kfree(rr.room);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_reserve_pages);

/* Pages @resv may take one by one from region @r: not those set aside whole. */
static unsigned long resv_singles(struct secretmem_resv *resv, int r)
{
	long n = READ_ONCE(resv->per_region[r]);

	if (resv->units)
		n -= (long)READ_ONCE(resv->units[r].nr) * SECRETMEM_UNIT_PAGES;
	/* read without the lock, the two may be a step apart */
	return n > 0 ? n : 0;
}

/*
 * The last unit set aside for @resv in region @r (@reg) goes back to being
 * free pages, still promised to @resv, now one by one. Under reg->lock.
 */
static void unit_unset(struct secretmem_pool *pool,
		       struct secretmem_region *reg,
		       struct secretmem_resv *resv, int r)
{
	struct secretmem_resv_units *u = &resv->units[r];
	unsigned long pfn = resv->unit_pfn[u->first + --u->nr];
	struct secretmem_unit *unit;

	reg->nr_units_rsvd--;
	if (pfn - reg->base_pfn < reg->nr_pages) {
		bitmap_clear(reg->used, pfn - reg->base_pfn,
			     SECRETMEM_UNIT_PAGES);
	} else {
		unit = xa_load(&pool->units, pfn >> SECRETMEM_UNIT_ORDER);
		bitmap_zero(unit->used, SECRETMEM_UNIT_PAGES);
		unit->nr_used = 0;
	}
}

/**
 * secretmem_pool_unreserve - give back what a file was promised and never used
 * @pool: the pool
 * @resv: the file's reservation, nobody taking from it any more; empty
 *	  afterwards
 */
void secretmem_pool_unreserve(struct secretmem_pool *pool,
			      struct secretmem_resv *resv)
{
	unsigned int i;

	if (!resv->per_region)
		return;
	for (i = 0; i < pool->nr_regions; i++) {
		struct secretmem_region *reg = &pool->regions[i];

		spin_lock_irq(&reg->lock);
		while (resv->units && resv->units[i].nr)
			unit_unset(pool, reg, resv, i);
		reg->nr_rsvd -= resv->per_region[i];
		spin_unlock_irq(&reg->lock);
	}
	atomic_long_set(&resv->nr_pages, 0);
	kfree(resv->per_region);
	resv->per_region = NULL;
	kfree(resv->units);
	resv->units = NULL;
	kfree(resv->unit_pfn);
	resv->unit_pfn = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_unreserve);

static bool region_promised(struct secretmem_pool *pool, int i, void *arg)
{
	return resv_singles(arg, i) > 0;
}

static bool region_unit_set_aside(struct secretmem_pool *pool, int i,
				  void *arg)
{
	struct secretmem_resv *resv = arg;

	return resv->units && READ_ONCE(resv->units[i].nr) > 0;
}

/*
 * @resv has no page left to take one by one but has units set aside (its
 * mapping cannot take them whole): turn the nearest one into single pages.
 */
static bool resv_unset_unit(struct secretmem_pool *pool,
			    struct secretmem_resv *resv, int nid)
{
	struct secretmem_region *reg;
	unsigned long flags;
	int r;

	r = pick_region(pool, nid, region_unit_set_aside, resv);
	if (r < 0)
		return false;
	reg = &pool->regions[r];
	spin_lock_irqsave(&reg->lock, flags);
	/* else another fault of the file did it meanwhile: look again */
	if (resv->units[r].nr)
		unit_unset(pool, reg, resv, r);
	spin_unlock_irqrestore(&reg->lock, flags);
	return true;
}

/*
 * Whether a free page of @pool may be poisoned at all. Takes check each page
 * they hand out (a 2 MiB one all 512, which was most of what taking a unit
 * cost) under the region's lock with interrupts off, and on nearly every
 * machine no page is poisoned: ask that first.
 */
static bool pool_may_be_poisoned(struct secretmem_pool *pool)
{
	return pool->poisoned && (!pool->any_poisoned || pool->any_poisoned());
}

/*
 * The unit of @reg to take a page from: the fullest one that has a page to
 * take, so that the emptiest units drain and can be given back.
 */
static struct secretmem_unit *fullest_unit(struct secretmem_region *reg)
{
	struct secretmem_unit *unit, *best = NULL;

	list_for_each_entry(unit, &reg->units, list)
		if (unit->nr_used < SECRETMEM_UNIT_PAGES &&
		    (!best || unit->nr_used > best->nr_used))
			best = unit;
	return best;
}

/**
 * secretmem_pool_take - turn one promised page into a page holding data
 * @pool: the pool
 * @resv: the reservation the page is taken from
 * @nid: the node to take it from first
 *
 * A page the file promised is always there: its region kept it free. It may
 * however have come back so recently that a flush of the zeroing mappings
 * is still due before it can be handed out: then -EAGAIN tells the caller
 * to flush (secretmem_pool_flush()) and try again.
 *
 * A free page found poisoned is quarantined on the way. If the region had
 * no free page that nobody was promised, the poison took a promised page:
 * the caller's, which is then lost (-EHWPOISON, now and for every later
 * take beyond what is left), as a poisoned page of a file is.
 *
 * The boot part of a region is used first, then its fullest unit.
 *
 * Return: the pfn of the page, -ENOSPC when @resv has no page left, -EAGAIN
 * when every free page of the region waits for a flush, -EHWPOISON when
 * the page was lost to poison.
 */
long secretmem_pool_take(struct secretmem_pool *pool,
			 struct secretmem_resv *resv, int nid)
{
	struct secretmem_region *reg;
	unsigned long bit, flags, pfn;
	long ret = -EAGAIN;
	int r;

	if (!resv->per_region)
		return -ENOSPC;
	/*
	 * Faults on other pages of the file may take from the same region at
	 * once: check the choice under the region's lock, choose again if
	 * they took its last promised page.
	 */
	for (;;) {
		r = pick_region(pool, nid, region_promised, resv);
		if (r < 0) {
			if (resv_unset_unit(pool, resv, nid))
				continue;
			return atomic_long_read(&resv->nr_lost) ? -EHWPOISON :
								  -ENOSPC;
		}
		reg = &pool->regions[r];
		spin_lock_irqsave(&reg->lock, flags);
		if (resv_singles(resv, r))
			break;
		spin_unlock_irqrestore(&reg->lock, flags);
	}
	for (;;) {
		bit = find_next_zero_bit(reg->used, reg->nr_pages, reg->hint);
		if (bit >= reg->nr_pages)
			bit = find_first_zero_bit(reg->used, reg->nr_pages);
		if (bit < reg->nr_pages) {
			__set_bit(bit, reg->used);
			reg->hint = bit + 1;
			pfn = reg->base_pfn + bit;
		} else {
			struct secretmem_unit *unit = fullest_unit(reg);

			if (!unit)
				break;
			bit = find_first_zero_bit(unit->used,
						  SECRETMEM_UNIT_PAGES);
			__set_bit(bit, unit->used);
			unit->nr_used++;
			pfn = unit->base_pfn + bit;
		}
		reg->nr_free--;
		if (pool_may_be_poisoned(pool) && pool->poisoned(pfn)) {
			reg->nr_poisoned++;
			if (reg->nr_free >= reg->nr_rsvd)
				continue;
			/* it was promised: to us, since we are here */
			ret = -EHWPOISON;
			atomic_long_inc(&resv->nr_lost);
		} else {
			ret = pfn;
		}
		reg->nr_rsvd--;
		WRITE_ONCE(resv->per_region[r], resv->per_region[r] - 1);
		atomic_long_dec(&resv->nr_pages);
		break;
	}
	spin_unlock_irqrestore(&reg->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_take);

/* The region of a page of @pool, and its unit if it is in a grown one. */
static struct secretmem_region *region_of(struct secretmem_pool *pool,
					  unsigned long pfn,
					  struct secretmem_unit **unitp)
{
	struct secretmem_unit *unit;
	unsigned int i;

	for (i = 0; i < pool->nr_regions; i++) {
		struct secretmem_region *reg = &pool->regions[i];

		if (pfn >= reg->base_pfn && pfn - reg->base_pfn < reg->nr_pages) {
			if (unitp)
				*unitp = NULL;
			return reg;
		}
	}
	/* a unit leaves the array only once none of its pages is out */
	unit = xa_load(&pool->units, pfn >> SECRETMEM_UNIT_ORDER);
	if (!unit)
		return NULL;
	if (unitp)
		*unitp = unit;
	return &pool->regions[unit->region];
}

static unsigned long *unit_dirty(struct secretmem_unit *unit,
				 unsigned int epoch)
{
	return epoch ? unit->dirty1 : unit->dirty0;
}

/**
 * secretmem_pool_give - a page of @pool no longer holds data
 * @pool: the pool
 * @pfn: the page
 * @resv: if not NULL, the page was never used and goes back to this
 *	  reservation at once; if NULL, it was used and has been zeroed,
 *	  and can be taken again after the next secretmem_pool_flush()
 *
 * Context: any context, including hard interrupts: this is called from the
 * final put of a page. Takes only the lock of the page's region.
 * Return: true when enough released pages of the page's region wait for a
 * flush that the caller should arrange one.
 */
bool secretmem_pool_give(struct secretmem_pool *pool, unsigned long pfn,
			 struct secretmem_resv *resv)
{
	struct secretmem_unit *unit;
	struct secretmem_region *reg = region_of(pool, pfn, &unit);
	unsigned long flags, bit, *used;
	bool flush = false;

	if (WARN_ON_ONCE(!reg))
		return false;
	bit = pfn - (unit ? unit->base_pfn : reg->base_pfn);
	used = unit ? unit->used : reg->used;
	spin_lock_irqsave(&reg->lock, flags);
	if (WARN_ON_ONCE(!test_bit(bit, used)))
		goto out;
	reg->nr_free++;
	if (resv) {
		unsigned int r = reg - pool->regions;

		__clear_bit(bit, used);
		if (unit)
			unit->nr_used--;
		reg->nr_rsvd++;
		WRITE_ONCE(resv->per_region[r], resv->per_region[r] + 1);
		atomic_long_inc(&resv->nr_pages);
	} else {
		/* the region's epoch is read under its lock: see the flush */
		__set_bit(bit, unit ? unit_dirty(unit, reg->epoch) :
				      reg->dirty[reg->epoch]);
		/* counted per region: no shared cacheline on the free path */
		flush = ++reg->nr_dirty == pool->flush_batch;
	}
out:
	spin_unlock_irqrestore(&reg->lock, flags);
	return flush;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_give);

static bool region_promised_unit(struct secretmem_pool *pool, int i, void *arg)
{
	return resv_singles(arg, i) >= SECRETMEM_UNIT_PAGES;
}

/* Whether a poisoned page lies in the unit at @pfn: then leave it whole. */
static bool unit_poisoned(struct secretmem_pool *pool, unsigned long pfn)
{
	unsigned long i;

	if (!pool_may_be_poisoned(pool))
		return false;
	for (i = 0; i < SECRETMEM_UNIT_PAGES; i++)
		if (pool->poisoned(pfn + i))
			return true;
	return false;
}

/* A whole free unit of @reg, marked taken; under reg->lock. */
static long take_free_unit(struct secretmem_pool *pool,
			   struct secretmem_region *reg)
{
	struct secretmem_unit *unit;
	unsigned long bit = 0;

	/* the boot part is 2 MiB aligned and a whole number of units */
	for (;;) {
		bit = bitmap_find_next_zero_area(reg->used, reg->nr_pages, bit,
						 SECRETMEM_UNIT_PAGES,
						 SECRETMEM_UNIT_PAGES - 1);
		if (bit + SECRETMEM_UNIT_PAGES > reg->nr_pages)
			break;
		if (!unit_poisoned(pool, reg->base_pfn + bit)) {
			bitmap_set(reg->used, bit, SECRETMEM_UNIT_PAGES);
			return reg->base_pfn + bit;
		}
		bit += SECRETMEM_UNIT_PAGES;
	}
	list_for_each_entry(unit, &reg->units, list) {
		if (unit->nr_used || unit_poisoned(pool, unit->base_pfn))
			continue;
		bitmap_fill(unit->used, SECRETMEM_UNIT_PAGES);
		unit->nr_used = SECRETMEM_UNIT_PAGES;
		return unit->base_pfn;
	}
	return -ENOSPC;
}

/**
 * secretmem_pool_reserve_units - set whole free units aside for a file
 * @pool: the pool
 * @resv: the file's reservation, just made, with no unit set aside yet
 * @nr_units: how many units the file could map whole
 *
 * Of the pages promised to @resv, up to @nr_units units' worth become whole
 * free units set aside for it, in the regions that promised them: taking
 * single pages for other files never breaks them up, so the file's 2 MiB
 * faults find them (secretmem_pool_take_unit()). Whatever the pool has no
 * whole free unit for stays promised as single pages: nothing fails here.
 * If the file takes single pages after all, its units are turned back into
 * single pages as it needs them.
 *
 * Context: process context, may sleep.
 * Return: the number of units set aside.
 */
unsigned long secretmem_pool_reserve_units(struct secretmem_pool *pool,
					   struct secretmem_resv *resv,
					   unsigned long nr_units)
{
	unsigned long *pfns, got = 0;
	struct secretmem_resv_units *units;
	unsigned int i;

	if (!nr_units || !resv->per_region || resv->units)
		return 0;
	units = kcalloc(pool->nr_regions, sizeof(*units), GFP_KERNEL_ACCOUNT);
	pfns = kcalloc(nr_units, sizeof(*pfns), GFP_KERNEL_ACCOUNT);
	if (!units || !pfns) {
		kfree(units);
		kfree(pfns);
		return 0;
	}
	resv->unit_pfn = pfns;
	resv->units = units;
	for (i = 0; i < pool->nr_regions && got < nr_units; i++) {
		struct secretmem_region *reg = &pool->regions[i];
		long pfn;

		units[i].first = got;
		spin_lock_irq(&reg->lock);
		while (got < nr_units &&
		       resv_singles(resv, i) >= SECRETMEM_UNIT_PAGES) {
			pfn = take_free_unit(pool, reg);
			if (pfn < 0)
				break;
			pfns[got++] = pfn;
			units[i].nr++;
			reg->nr_units_rsvd++;
		}
		spin_unlock_irq(&reg->lock);
	}
	return got;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_reserve_units);

/* A unit's worth of @resv's promise in region @r is out whole; under its lock */
static void unit_handed_out(struct secretmem_region *reg,
			    struct secretmem_resv *resv, int r)
{
	reg->nr_free -= SECRETMEM_UNIT_PAGES;
	reg->nr_rsvd -= SECRETMEM_UNIT_PAGES;
	reg->nr_huge++;
	WRITE_ONCE(resv->per_region[r],
		   resv->per_region[r] - SECRETMEM_UNIT_PAGES);
	atomic_long_sub(SECRETMEM_UNIT_PAGES, &resv->nr_pages);
}

/* A unit set aside for @resv, nearest @nid: see secretmem_pool_take_unit() */
static long take_unit_set_aside(struct secretmem_pool *pool,
				struct secretmem_resv *resv, int nid)
{
	struct secretmem_resv_units *u;
	struct secretmem_region *reg;
	unsigned long flags;
	long pfn = -ENOSPC;
	int r;

	for (;;) {
		r = pick_region(pool, nid, region_unit_set_aside, resv);
		if (r < 0)
			return -ENOSPC;
		reg = &pool->regions[r];
		u = &resv->units[r];
		spin_lock_irqsave(&reg->lock, flags);
		if (!u->nr) {
			spin_unlock_irqrestore(&reg->lock, flags);
			continue;
		}
		pfn = resv->unit_pfn[u->first + u->nr - 1];
		/* poisoned since it was set aside: single pages, checked */
		if (unit_poisoned(pool, pfn)) {
			unit_unset(pool, reg, resv, r);
			spin_unlock_irqrestore(&reg->lock, flags);
			continue;
		}
		u->nr--;
		reg->nr_units_rsvd--;
		break;
	}
	unit_handed_out(reg, resv, r);
	spin_unlock_irqrestore(&reg->lock, flags);
	return pfn;
}

/**
 * secretmem_pool_take_unit - turn 512 promised pages into one whole unit
 * @pool: the pool
 * @resv: the reservation the pages are taken from
 * @nid: the node to take them from first
 *
 * For a 2 MiB mapping: a 2 MiB-aligned unit whose pages are all free (none
 * holding data, none waiting for a flush, none poisoned), taken from a
 * region that promised @resv at least SECRETMEM_UNIT_PAGES pages. It
 * consumes exactly that many pages of the reservation, just as many single
 * pages would: the caller maps it at as many indices of the file. Nothing
 * changes when there is no such unit: the caller takes single pages.
 *
 * Return: the pfn of the unit's first page, -ENOSPC when @resv has not
 * promised a unit's worth in one region or that region has no whole free
 * unit.
 */
long secretmem_pool_take_unit(struct secretmem_pool *pool,
			      struct secretmem_resv *resv, int nid)
{
	struct secretmem_region *reg;
	unsigned long flags;
	long pfn;
	int r;

	if (!resv->per_region)
		return -ENOSPC;
	pfn = take_unit_set_aside(pool, resv, nid);
	if (pfn >= 0)
		return pfn;
	for (;;) {
		r = pick_region(pool, nid, region_promised_unit, resv);
		if (r < 0)
			return -ENOSPC;
		reg = &pool->regions[r];
		spin_lock_irqsave(&reg->lock, flags);
		if (resv_singles(resv, r) >= SECRETMEM_UNIT_PAGES)
			break;
		spin_unlock_irqrestore(&reg->lock, flags);
	}
	pfn = take_free_unit(pool, reg);
	if (pfn >= 0)
		unit_handed_out(reg, resv, r);
	spin_unlock_irqrestore(&reg->lock, flags);
	return pfn;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_take_unit);

/**
 * secretmem_pool_unit_back - a unit taken whole is no longer one folio
 * @pool: the pool
 * @pfn: the unit's first page
 *
 * Only the count of units out whole changes: its pages are then given back
 * one by one with secretmem_pool_give().
 *
 * Context: any context.
 */
void secretmem_pool_unit_back(struct secretmem_pool *pool, unsigned long pfn)
{
	struct secretmem_region *reg = region_of(pool, pfn, NULL);
	unsigned long flags;

	if (WARN_ON_ONCE(!reg))
		return;
	spin_lock_irqsave(&reg->lock, flags);
	if (!WARN_ON_ONCE(!reg->nr_huge))
		reg->nr_huge--;
	spin_unlock_irqrestore(&reg->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_unit_back);

/**
 * secretmem_pool_huge - units out whole, as 2 MiB folios, or set aside
 * @pool: the pool
 * @set_aside: count the units set aside for files instead
 *
 * Return: their number.
 */
unsigned long secretmem_pool_huge(struct secretmem_pool *pool, bool set_aside)
{
	unsigned long nr = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_regions; i++)
		nr += set_aside ? READ_ONCE(pool->regions[i].nr_units_rsvd) :
				  READ_ONCE(pool->regions[i].nr_huge);
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_huge);

/**
 * secretmem_pool_flush - make released pages available again
 * @pool: the pool
 * @flush_tlb: removes, on every CPU, any translation the zeroing left
 *
 * Pages released before the call can be taken once it returns. Released
 * pages are collected per epoch: each region's epoch changes, under its
 * lock, before the flush, so a page whose release saw the old epoch was
 * zeroed before the flush started and is covered by it; a page released
 * while the flush runs sees the new epoch and waits for the next flush.
 *
 * Context: process context, may sleep.
 */
void secretmem_pool_flush(struct secretmem_pool *pool,
			  void (*flush_tlb)(void))
{
	unsigned int i, epoch;

	mutex_lock(&pool->flush_mutex);
	epoch = pool->epoch;
	pool->epoch ^= 1;
	for (i = 0; i < pool->nr_regions; i++) {
		struct secretmem_region *reg = &pool->regions[i];

		spin_lock_irq(&reg->lock);
		reg->epoch = pool->epoch;
		spin_unlock_irq(&reg->lock);
	}

	flush_tlb();

	for (i = 0; i < pool->nr_regions; i++) {
		struct secretmem_region *reg = &pool->regions[i];
		unsigned long *dirty = reg->dirty[epoch];
		struct secretmem_unit *unit;
		unsigned long n;

		spin_lock_irq(&reg->lock);
		n = bitmap_weight(dirty, reg->nr_pages);
		bitmap_andnot(reg->used, reg->used, dirty, reg->nr_pages);
		bitmap_zero(dirty, reg->nr_pages);
		reg->nr_dirty -= n;
		list_for_each_entry(unit, &reg->units, list) {
			dirty = unit_dirty(unit, epoch);
			n = bitmap_weight(dirty, SECRETMEM_UNIT_PAGES);
			bitmap_andnot(unit->used, unit->used, dirty,
				      SECRETMEM_UNIT_PAGES);
			bitmap_zero(dirty, SECRETMEM_UNIT_PAGES);
			unit->nr_used -= n;
			reg->nr_dirty -= n;
		}
		spin_unlock_irq(&reg->lock);
	}
	mutex_unlock(&pool->flush_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_flush);

/**
 * secretmem_pool_quarantine - a page of @pool will never be used again
 * @pool: the pool
 * @pfn: the page, taken (holding data) until now
 *
 * For a hardware-poisoned page: it stays taken, and no longer counts in the
 * pool's total.
 *
 * Context: any context.
 */
void secretmem_pool_quarantine(struct secretmem_pool *pool, unsigned long pfn)
{
	struct secretmem_region *reg = region_of(pool, pfn, NULL);
	unsigned long flags;

	if (WARN_ON_ONCE(!reg))
		return;
	spin_lock_irqsave(&reg->lock, flags);
	reg->nr_poisoned++;
	spin_unlock_irqrestore(&reg->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_quarantine);

/**
 * secretmem_pool_counts - read the counters of a pool, in pages
 * @pool: the pool
 * @nid: a node, or NUMA_NO_NODE for the whole pool
 * @total: pages in the pool, grown units included, less the poisoned ones
 * @free: pages not holding data
 * @rsvd: pages promised to files and not faulted yet
 * @poisoned: pages taken out of the pool for good
 *
 * Each region is read under its own lock: a sum over regions is not one
 * instant's, as /proc/meminfo's sums are not.
 */
void secretmem_pool_counts(struct secretmem_pool *pool, int nid,
			   unsigned long *total, unsigned long *free,
			   unsigned long *rsvd, unsigned long *poisoned)
{
	unsigned long flags;
	unsigned int i;

	*total = *free = *rsvd = *poisoned = 0;
	for (i = 0; i < pool->nr_regions; i++) {
		struct secretmem_region *reg = &pool->regions[i];

		if (nid != NUMA_NO_NODE && reg->nid != nid)
			continue;
		spin_lock_irqsave(&reg->lock, flags);
		*total += reg->nr_pages + reg->nr_grown - reg->nr_poisoned;
		*free += reg->nr_free;
		*rsvd += reg->nr_rsvd;
		*poisoned += reg->nr_poisoned;
		spin_unlock_irqrestore(&reg->lock, flags);
	}
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_counts);

/**
 * secretmem_pool_grown - pages the pool holds in grown units
 * @pool: the pool
 * @nid: a node, or NUMA_NO_NODE for the whole pool
 *
 * Return: pages in units taken from the page allocator, free or not.
 */
unsigned long secretmem_pool_grown(struct secretmem_pool *pool, int nid)
{
	unsigned long nr = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_regions; i++)
		if (nid == NUMA_NO_NODE || pool->regions[i].nid == nid)
			nr += READ_ONCE(pool->regions[i].nr_grown);
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_grown);

/**
 * secretmem_pool_shrink - give empty grown units back
 * @pool: the pool
 * @max_units: give back at most this many
 *
 * A unit goes back when none of its pages is taken or waits for a flush
 * (call secretmem_pool_flush() first to count released pages as free), and
 * its region can still keep every promise without it: reservations are
 * never broken. Never waits for a reservation in progress, which may itself
 * be reclaiming memory (this is called from a shrinker).
 *
 * Context: process context, may sleep.
 * Return: the units given back, or -EBUSY if a reservation was in progress.
 */
long secretmem_pool_shrink(struct secretmem_pool *pool,
			   unsigned long max_units)
{
	struct secretmem_unit *unit, *next;
	unsigned long n = 0;
	LIST_HEAD(gone);
	unsigned int i;

	if (!mutex_trylock(&pool->resv_mutex))
		return -EBUSY;
	for (i = 0; i < pool->nr_regions && n < max_units; i++) {
		struct secretmem_region *reg = &pool->regions[i];

		spin_lock_irq(&reg->lock);
		list_for_each_entry_safe(unit, next, &reg->units, list) {
			if (n == max_units)
				break;
			if (unit->nr_used ||
			    resv_available(reg) < SECRETMEM_UNIT_PAGES)
				continue;
			list_move(&unit->list, &gone);
			reg->nr_grown -= SECRETMEM_UNIT_PAGES;
			reg->nr_free -= SECRETMEM_UNIT_PAGES;
			n++;
		}
		spin_unlock_irq(&reg->lock);
	}
	WRITE_ONCE(pool->nr_grown, pool->nr_grown - n * SECRETMEM_UNIT_PAGES);
	mutex_unlock(&pool->resv_mutex);

	/* no page of these is out: nobody looks them up any more */
	list_for_each_entry_safe(unit, next, &gone, list) {
		xa_erase(&pool->units, unit->base_pfn >> SECRETMEM_UNIT_ORDER);
		pool->ungrow(unit->base_pfn);
		kfree(unit);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_shrink);

/* ---- secretmem= ---- */

/* Decimal digits at *s, without sign or base prefix; advances *s. */
static int parse_number(const char **s, u64 *val)
{
	char digits[24];
	size_t n = 0;

	while (isdigit((*s)[n]))
		n++;
	if (!n)
		return -EINVAL;
	if (n >= sizeof(digits))
		return -ERANGE;
	memcpy(digits, *s, n);
	digits[n] = '\0';
	if (kstrtou64(digits, 10, val))
		return -ERANGE;
	*s += n;
	return 0;
}

/* A size with an optional K/M/G/T suffix, rounded up to 2 MiB. */
static int parse_size(const char **s, u64 *size)
{
	unsigned int shift = 0;
	u64 val;
	int err;

	err = parse_number(s, &val);
	if (err)
		return err;
	switch (**s) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	}
	if (shift)
		(*s)++;
	if (check_shl_overflow(val, shift, &val) ||
	    check_add_overflow(val, (u64)SZ_2M - 1, &val))
		return -ERANGE;
	*size = round_down(val, SZ_2M);
	return 0;
}

static const char *size_error(int err)
{
	return err == -ERANGE ? "size out of range" :
	       "expected SIZE or NODE:SIZE[,NODE:SIZE...]";
}

/**
 * secretmem_parse_param - parse the value of secretmem=
 * @str: "SIZE" or "NODE:SIZE[,NODE:SIZE...]"
 * @specs: the entries found
 * @max_specs: room in @specs
 * @why: on error, what is wrong, for the log
 *
 * Only the syntax is checked here: zero sizes, unknown or duplicate nodes
 * are for the caller, which skips the entries it cannot serve.
 *
 * Return: the number of entries, or -EINVAL for a malformed string.
 */
int secretmem_parse_param(const char *str, struct secretmem_spec *specs,
			  int max_specs, const char **why)
{
	const char *s = str;
	int n = 0, err;

	if (!s || !*s) {
		*why = "empty value";
		return -EINVAL;
	}
	if (!strchr(s, ':')) {
		specs[0].nid = NUMA_NO_NODE;
		err = parse_size(&s, &specs[0].size);
		if (err || *s) {
			*why = err ? size_error(err) : "trailing characters";
			return -EINVAL;
		}
		return 1;
	}
	for (;;) {
		u64 node;

		if (n == max_specs) {
			*why = "too many entries";
			return -EINVAL;
		}
		err = parse_number(&s, &node);
		if (err || *s != ':') {
			*why = "expected SIZE or NODE:SIZE[,NODE:SIZE...]";
			return -EINVAL;
		}
		s++;
		/* out of range nodes are refused by the caller, by number */
		specs[n].nid = min_t(u64, node, INT_MAX);
		err = parse_size(&s, &specs[n].size);
		if (err) {
			*why = size_error(err);
			return -EINVAL;
		}
		n++;
		if (!*s)
			return n;
		if (*s != ',') {
			*why = "trailing characters";
			return -EINVAL;
		}
		s++;
	}
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_parse_param);

/**
 * secretmem_parse_ceiling - take the growth ceiling off a secretmem= value
 * @str: "[FLOOR]+CEILING" or just FLOOR; the "+CEILING" part is cut off
 * @ceiling: the ceiling in bytes (rounded up to 2 MiB), 0 if none is given
 * @why: on error, what is wrong, for the log
 *
 * FLOOR is what secretmem_parse_param() takes, and may be empty: then the
 * pool has no boot part and only grows.
 *
 * Return: 0, or -EINVAL for a malformed ceiling.
 */
int secretmem_parse_ceiling(char *str, u64 *ceiling, const char **why)
{
	char *plus = strchr(str, '+');
	const char *s;
	int err;

	*ceiling = 0;
	if (!plus)
		return 0;
	s = plus + 1;
	err = parse_size(&s, ceiling);
	if (err || *s) {
		*why = err == -ERANGE ? "ceiling out of range" :
		       "expected [FLOOR]+CEILING";
		return -EINVAL;
	}
	*plus = '\0';
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_parse_ceiling);

/* ---- The pool of this machine ---- */

static struct secretmem_region secretmem_regions[MAX_NUMNODES];

static long secretmem_unit_grow(int nid);
static void secretmem_unit_ungrow(unsigned long pfn);

/* memory_failure() marks a free pool page too, and leaves it to us */
static bool secretmem_pfn_poisoned(unsigned long pfn)
{
	return PageHWPoison(pfn_to_page(pfn));
}

/*
 * memory_failure() counts a page after it marks it, so a page marked an
 * instant ago may be missed: it is then as if marked an instant later, while
 * in use, which the final put handles (secretmem_pool_free_folio()).
 */
static bool secretmem_any_poisoned(void)
{
#ifdef CONFIG_MEMORY_FAILURE
	return atomic_long_read(&num_poisoned_pages) != 0;
#else
	return false;
#endif
}

static struct secretmem_pool secretmem_pool = {
	.resv_mutex = __MUTEX_INITIALIZER(secretmem_pool.resv_mutex),
	.flush_mutex = __MUTEX_INITIALIZER(secretmem_pool.flush_mutex),
	.flush_batch = SECRETMEM_FLUSH_BATCH,
	.regions = secretmem_regions,
	.poisoned = secretmem_pfn_poisoned,
	.any_poisoned = secretmem_any_poisoned,
	.units = XARRAY_INIT(secretmem_pool.units, 0),
	.grow = secretmem_unit_grow,
	.ungrow = secretmem_unit_ungrow,
};

/* Set once the pool is in use: the final put of a page looks here. */
DEFINE_STATIC_KEY_FALSE(secretmem_pool_present);
/* only ever widened, by growth; pages in between are looked up exactly */
unsigned long secretmem_pool_start_pfn __read_mostly;
unsigned long secretmem_pool_end_pfn __read_mostly;

/*
 * Pages that left their file and wait for their last reference (another
 * CPU's LRU or mlock batch, a PFN walker): only these make a drain worth it.
 */
static atomic_long_t secretmem_nr_inflight;
#define SECRETMEM_INFLIGHT	((void *)1UL)

#define BITMAP_SIZE(size)	(BITS_TO_LONGS((size) >> PAGE_SHIFT) * sizeof(long))

static char secretmem_param[256] __initdata;
static bool secretmem_param_given __initdata;
static bool secretmem_disabled __initdata;

static int __init secretmem_param_setup(char *str)
{
	secretmem_param_given = true;
	if (str && strscpy(secretmem_param, str) < 0) {
		pr_err("secretmem=: value longer than %zu characters, no pool\n",
		       sizeof(secretmem_param) - 1);
		secretmem_param_given = false;
	}
	return 0;
}
early_param("secretmem", secretmem_param_setup);

/*
 * secretmem.enable=0 turns memfd_secret() off. It is an ordinary parameter of
 * mm/secretmem.c, parsed after setup_arch(): too late for the carve, which
 * must not take memory nobody can use, so look at it early as well.
 */
static int __init secretmem_enable_setup(char *str)
{
	bool on;

	if (str && !kstrtobool(str, &on) && !on)
		secretmem_disabled = true;
	return 0;
}
early_param("secretmem.enable", secretmem_enable_setup);

/*
 * Carve one region out of memblock. Regions of 1 GiB or more are 1 GiB
 * aligned so that removing them splits no direct map page; when no aligned
 * range is free (small guests have their initrd and PCI hole in the way),
 * 2 MiB alignment still splits at most the 1 GiB pages at the two ends.
 */
static void __init secretmem_reserve_region(int nid, u64 size)
{
	struct secretmem_region *reg;
	phys_addr_t align = SZ_2M;
	void *addr = NULL;
	unsigned long *used;
	phys_addr_t base;

	if (size >= SZ_1G) {
		addr = memblock_alloc_exact_nid_raw(size, SZ_1G, 0,
						    MEMBLOCK_ALLOC_ACCESSIBLE,
						    nid);
		if (!addr)
			pr_info("no free 1 GiB-aligned range of %llu MiB%s, trying 2 MiB alignment\n",
				size >> 20, nid == NUMA_NO_NODE ? "" : " on the node");
		else
			align = SZ_1G;
	}
	if (!addr)
		addr = memblock_alloc_exact_nid_raw(size, SZ_2M, 0,
						    MEMBLOCK_ALLOC_ACCESSIBLE,
						    nid);
	if (!addr) {
		if (nid == NUMA_NO_NODE)
			pr_err("cannot reserve %llu MiB: not enough contiguous free memory, no pool\n",
			       size >> 20);
		else
			pr_err("node %d: cannot reserve %llu MiB: not enough contiguous free memory, skipped\n",
			       nid, size >> 20);
		return;
	}
	base = __pa(addr);
	/* used, dirty[0] and dirty[1] */
	used = memblock_alloc(3 * BITMAP_SIZE(size), SMP_CACHE_BYTES);
	if (!used) {
		memblock_free(addr, size);
		pr_err("cannot allocate the bitmap of %llu MiB, skipped\n",
		       size >> 20);
		return;
	}
	/*
	 * kmemleak would scan the region, which is about to leave the
	 * direct map; there are no pointers to find in secrets anyway.
	 */
	kmemleak_free_part_phys(base, size);

	reg = &secretmem_regions[secretmem_pool.nr_regions++];
	reg->base_pfn = PHYS_PFN(base);
	reg->nr_pages = size >> PAGE_SHIFT;
	reg->nr_free = reg->nr_pages;
	reg->used = used;
	reg->dirty[0] = used + BITS_TO_LONGS(reg->nr_pages);
	reg->dirty[1] = reg->dirty[0] + BITS_TO_LONGS(reg->nr_pages);
	reg->nid = nid == NUMA_NO_NODE ? early_pfn_to_nid(reg->base_pfn) : nid;
	pr_info("node %d: reserved %llu MiB at [mem %#018llx-%#018llx], %s aligned\n",
		reg->nid, size >> 20, (u64)base, (u64)base + size - 1,
		align == SZ_1G ? "1 GiB" : "2 MiB");
}

/**
 * secretmem_pool_reserve - set aside the regions secretmem= asks for
 *
 * Called from setup_arch() once memblock knows the NUMA layout and before
 * memblock hands memory to the buddy allocator. A part of the parameter that
 * cannot be served is logged and skipped; the boot goes on.
 */
void __init secretmem_pool_reserve(void)
{
	static struct secretmem_spec specs[SECRETMEM_MAX_SPECS] __initdata;
	nodemask_t seen = NODE_MASK_NONE;
	const char *why = NULL;
	u64 ceiling;
	int i, n = 0;

	if (!secretmem_param_given)
		return;
	if (secretmem_disabled) {
		pr_info("secretmem.enable=0: memfd_secret() is off, no pool\n");
		return;
	}
	if (secretmem_parse_ceiling(secretmem_param, &ceiling, &why)) {
		pr_err("secretmem=%s: %s, no pool\n", secretmem_param, why);
		return;
	}
	if (ceiling && !secretmem_param[0]) {
		pr_info("no boot floor, growth up to %llu MiB\n", ceiling >> 20);
	} else {
		n = secretmem_parse_param(secretmem_param, specs,
					  ARRAY_SIZE(specs), &why);
		if (n < 0) {
			pr_err("secretmem=%s: %s, no pool\n", secretmem_param, why);
			return;
		}
	}
	secretmem_pool.ceiling = ceiling >> PAGE_SHIFT;
	for (i = 0; i < n; i++) {
		int nid = specs[i].nid;

		if (!specs[i].size) {
			pr_err("secretmem=%s: size 0%s, skipped\n", secretmem_param,
			       nid == NUMA_NO_NODE ? "" : " for a node");
			continue;
		}
		if (nid != NUMA_NO_NODE) {
			if (nid >= MAX_NUMNODES || !node_online(nid)) {
				pr_err("secretmem=%s: node %d is not online, skipped\n",
				       secretmem_param, nid);
				continue;
			}
			if (node_isset(nid, seen)) {
				pr_err("secretmem=%s: node %d given twice, repeat skipped\n",
				       secretmem_param, nid);
				continue;
			}
			node_set(nid, seen);
		}
		secretmem_reserve_region(nid, specs[i].size);
	}
	/*
	 * Any node may grow, also one without a boot part, so every online
	 * node gets a region, empty if need be: the ceiling may be raised at
	 * runtime. Without a boot part and a ceiling there is no pool at all.
	 */
	if (!secretmem_pool.nr_regions && !ceiling)
		return;
	for_each_online_node(i) {
		unsigned int r;

		for (r = 0; r < secretmem_pool.nr_regions; r++)
			if (secretmem_regions[r].nid == i)
				break;
		if (r == secretmem_pool.nr_regions)
			secretmem_regions[secretmem_pool.nr_regions++].nid = i;
	}
}

/*
 * Zeroing a page that is not in the direct map: a per-CPU virtual address
 * slot, mapped with interrupts off (the final put of a page may come from
 * an interrupt) and cleared with a local flush, as highmem's kmap_local does.
 *
 * The slot's PTE is in init_mm, whose page tables every CPU walks, and is
 * global without PTI: another CPU may cache it speculatively, and a local
 * flush does not remove that copy. So a zeroed page is not handed out again
 * until a global flush of the slots has run after its zeroing: released
 * pages wait, per epoch, in the pool's dirty bitmaps, and one flush of the
 * whole slot range releases them all. The flush runs once per
 * SECRETMEM_FLUSH_BATCH released pages (from a work item, since a final put
 * cannot send IPIs), or when a fault finds only such pages; the direct map
 * is never restored, not even for a moment.
 */
struct secretmem_slot {
	unsigned long	addr;
	pte_t		*ptep;
};

static DEFINE_PER_CPU(struct secretmem_slot, secretmem_slot);
static unsigned long secretmem_slots_addr __ro_after_init;

static int secretmem_slot_pte(pte_t *ptep, unsigned long addr, void *data)
{
	unsigned long base = (unsigned long)data;
	int cpu = (addr - base) >> PAGE_SHIFT;

	per_cpu(secretmem_slot, cpu).addr = addr;
	per_cpu(secretmem_slot, cpu).ptep = ptep;
	return 0;
}

static int __init secretmem_slots_init(void)
{
	struct vm_struct *area;
	unsigned long size = nr_cpu_ids * PAGE_SIZE;
	int err;

	area = get_vm_area(size, VM_MAP);
	if (!area)
		return -ENOMEM;
	err = apply_to_page_range(&init_mm, (unsigned long)area->addr, size,
				  secretmem_slot_pte, area->addr);
	if (err) {
		free_vm_area(area);
		return err;
	}
	secretmem_slots_addr = (unsigned long)area->addr;
	return 0;
}

static void secretmem_zero_page(unsigned long pfn)
{
	struct secretmem_slot *slot;
	unsigned long flags;

	local_irq_save(flags);
	slot = this_cpu_ptr(&secretmem_slot);
	set_pte(slot->ptep, pfn_pte(pfn, PAGE_KERNEL));
	clear_page((void *)slot->addr);
	pte_clear(&init_mm, slot->addr, slot->ptep);
	flush_tlb_one_kernel(slot->addr);
	local_irq_restore(flags);
}

/* Global flushes of the slots, for debugfs: under the pool's flush_mutex. */
static unsigned long secretmem_slot_flushes;

static void secretmem_flush_slots(void)
{
	flush_tlb_kernel_range(secretmem_slots_addr,
			       secretmem_slots_addr + nr_cpu_ids * PAGE_SIZE);
	secretmem_slot_flushes++;
}

/*
 * /sys/kernel/debug/secretmem/slot_flushes: what releases cost the other
 * CPUs, exactly (make bench divides it by the pages released).
 */
static int __init secretmem_pool_debugfs_init(void)
{
	struct dentry *dir;

	if (!secretmem_pool.nr_regions)
		return 0;
	dir = debugfs_lookup("secretmem", NULL);
	if (!dir)
		return 0;
	debugfs_create_ulong("slot_flushes", 0444, dir, &secretmem_slot_flushes);
	dput(dir);
	return 0;
}
late_initcall(secretmem_pool_debugfs_init);

/* ---- Growth: units from the page allocator, and back ---- */

/*
 * A zeroed unit on @nid, out of the direct map as a whole: one call over the
 * 2 MiB-aligned range keeps a 2 MiB direct-map page whole (a 1 GiB page is
 * split into 2 MiB ones at most), with one TLB flush. Each page becomes a
 * free pool page: its own, with no reference.
 */
static long secretmem_unit_grow(int nid)
{
	gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN |
		    __GFP_ZERO;
	unsigned long addr, pfn, i;
	struct page *page;

	page = alloc_pages_node(nid, gfp, SECRETMEM_UNIT_ORDER);
	if (!page)
		goto fail;
	addr = (unsigned long)page_address(page);
	if (set_memory_np(addr, SECRETMEM_UNIT_PAGES))
		goto map_back;
	/* named in /proc/iomem and known to crash dumps, or not used */
	if (secretmem_crash_unit_add(page_to_pfn(page), SECRETMEM_UNIT_ORDER))
		goto map_back;
	split_page(page, SECRETMEM_UNIT_ORDER);
	for (i = 0; i < SECRETMEM_UNIT_PAGES; i++)
		set_page_count(page + i, 0);
	pfn = page_to_pfn(page);
	/*
	 * The final put must see the unit's pages before any is handed out.
	 * Growth is serialised (resv_mutex); the span only ever widens.
	 */
	if (secretmem_pool_start_pfn == secretmem_pool_end_pfn) {
		WRITE_ONCE(secretmem_pool_end_pfn, pfn + SECRETMEM_UNIT_PAGES);
		WRITE_ONCE(secretmem_pool_start_pfn, pfn);
	} else {
		if (pfn + SECRETMEM_UNIT_PAGES > secretmem_pool_end_pfn)
			WRITE_ONCE(secretmem_pool_end_pfn,
				   pfn + SECRETMEM_UNIT_PAGES);
		if (pfn < secretmem_pool_start_pfn)
			WRITE_ONCE(secretmem_pool_start_pfn, pfn);
	}
	count_vm_event(SECRETMEM_UNITS_GROWN);
	return pfn;
map_back:
	/* whatever part of the direct map was changed */
	if (!set_memory_p(addr, SECRETMEM_UNIT_PAGES))
		__free_pages(page, SECRETMEM_UNIT_ORDER);
	/* else lost rather than handed out unmapped */
fail:
	count_vm_event(SECRETMEM_GROW_FAILED);
	return -ENOMEM;
}

/* An empty unit goes back mapped, as one 2 MiB direct-map page again. */
static void secretmem_unit_ungrow(unsigned long pfn)
{
	unsigned long i;

	secretmem_crash_unit_del(pfn, SECRETMEM_UNIT_ORDER);
	if (set_memory_p((unsigned long)pfn_to_kaddr(pfn), SECRETMEM_UNIT_PAGES)) {
		pr_err_ratelimited("pfn %#lx: cannot map a unit again, 2 MiB lost\n",
				   pfn);
		return;
	}
	for (i = 0; i < SECRETMEM_UNIT_PAGES; i++) {
		struct page *page = pfn_to_page(pfn + i);

		set_page_refcounted(page);
		__free_page(page);
	}
	count_vm_event(SECRETMEM_UNITS_RETURNED);
}

/*
 * Empty units are kept this long, for the next file, before going back
 * (/sys/kernel/mm/secretmem/unit_keep_ms); memory pressure does not wait.
 */
static unsigned int secretmem_unit_keep_ms = 1000;
#define SECRETMEM_SHRINK_DELAY	\
	msecs_to_jiffies(READ_ONCE(secretmem_unit_keep_ms))

static bool secretmem_pool_dirty(void)
{
	unsigned int i;

	for (i = 0; i < secretmem_pool.nr_regions; i++)
		if (READ_ONCE(secretmem_regions[i].nr_dirty))
			return true;
	return false;
}

/*
 * Released pages count as free only after a flush: then give back. Pages
 * that left their files may still sit in another CPU's mlock or LRU batch,
 * which an idle CPU never drains: the work item drains them first.
 */
static long secretmem_shrink_now(unsigned long max_units, bool drain)
{
	if (!READ_ONCE(secretmem_pool.nr_grown))
		return 0;
	if (drain && atomic_long_read(&secretmem_nr_inflight))
		lru_add_drain_all();
	if (secretmem_pool_dirty())
		secretmem_pool_flush(&secretmem_pool, secretmem_flush_slots);
	return secretmem_pool_shrink(&secretmem_pool, max_units);
}

static void secretmem_shrink_workfn(struct work_struct *work);
static DECLARE_DELAYED_WORK(secretmem_shrink_work, secretmem_shrink_workfn);

/*
 * While any unit is grown, look again every delay: the last page of a unit
 * may come back long after the event that queued the work (another CPU's
 * batch, a release below the flush batch). Not sooner than every 100 ms:
 * with unit_keep_ms 0 and a unit a live file holds, the work would
 * otherwise requeue itself at once, for ever.
 */
static void secretmem_shrink_workfn(struct work_struct *work)
{
	secretmem_shrink_now(ULONG_MAX, true);
	if (READ_ONCE(secretmem_pool.nr_grown))
		schedule_delayed_work(&secretmem_shrink_work,
				      max(SECRETMEM_SHRINK_DELAY,
					  msecs_to_jiffies(100)));
}

/* Units may have emptied: look again after the delay. */
static void secretmem_shrink_later(void)
{
	if (READ_ONCE(secretmem_pool.nr_grown))
		schedule_delayed_work(&secretmem_shrink_work,
				      SECRETMEM_SHRINK_DELAY);
}

/*
 * Under memory pressure, empty units go back at once. They cost nothing to
 * give back and no I/O to make again, so the shrinker has no seeks: every
 * pass of reclaim asks it for half of what it counts, whatever the
 * priority, where a few units counted by priority would be scanned only
 * when reclaim is near its end. It counts the grown pages, and one call
 * looks at every unit: it reports a unit's pages scanned per unit.
 */
static unsigned long secretmem_shrink_count(struct shrinker *shrinker,
					    struct shrink_control *sc)
{
	return READ_ONCE(secretmem_pool.nr_grown) ?: SHRINK_EMPTY;
}

static unsigned long secretmem_shrink_scan(struct shrinker *shrinker,
					   struct shrink_control *sc)
{
	long n = secretmem_shrink_now(DIV_ROUND_UP(sc->nr_to_scan,
						   SECRETMEM_UNIT_PAGES), false);

	sc->nr_scanned = max(sc->nr_to_scan,
			     max(n, 1L) * SECRETMEM_UNIT_PAGES);
	/*
	 * Nothing given back: every unit was looked at, and another call in
	 * this pass would only walk them again (under their regions' locks).
	 */
	return n <= 0 ? SHRINK_STOP : n * SECRETMEM_UNIT_PAGES;
}

static void __init secretmem_shrinker_init(void)
{
	struct shrinker *shrinker = shrinker_alloc(0, "secretmem-pool");

	if (!shrinker) {
		pr_warn("no shrinker: empty units go back after a delay only\n");
		return;
	}
	shrinker->count_objects = secretmem_shrink_count;
	shrinker->scan_objects = secretmem_shrink_scan;
	shrinker->batch = 1;
	shrinker->seeks = 0;
	shrinker_register(shrinker);
}

static void secretmem_flush_workfn(struct work_struct *work)
{
	secretmem_pool_flush(&secretmem_pool, secretmem_flush_slots);
	secretmem_shrink_later();
}

static DECLARE_WORK(secretmem_flush_work, secretmem_flush_workfn);

/*
 * A region that cannot be used goes back to the page allocator, mapped:
 * its pages are still reserved and in the direct map at this point.
 */
static void __init secretmem_region_release(struct secretmem_region *reg)
{
	unsigned long i;

	for (i = 0; i < reg->nr_pages; i++)
		free_reserved_page(pfn_to_page(reg->base_pfn + i));
	memblock_free_late(__pa(reg->used), 3 * BITMAP_SIZE(reg->nr_pages << PAGE_SHIFT));
	pr_info("node %d: %lu MiB given back to the page allocator\n",
		reg->nid, reg->nr_pages >> (20 - PAGE_SHIFT));
}

/*
 * Zero a region while it is still mapped and remove it from the direct map
 * in one call, with one TLB flush; then its pages become free pool pages:
 * not reserved, no reference.
 */
static int __init secretmem_region_init(struct secretmem_region *reg)
{
	unsigned long addr = (unsigned long)pfn_to_kaddr(reg->base_pfn);
	unsigned long j;
	int err;

	for (j = 0; j < reg->nr_pages; j++) {
		clear_page((void *)(addr + j * PAGE_SIZE));
		if (!(j & 4095))
			cond_resched();
	}
	err = set_memory_np(addr, reg->nr_pages);
	if (err) {
		pr_err("node %d: cannot remove the region from the direct map (%d)\n",
		       reg->nid, err);
		goto map_again;
	}
	/*
	 * Never saved into a hibernation image (which would also map every
	 * page to copy it); registered only now that the region is kept.
	 */
	err = register_nosave_region_late(reg->base_pfn,
					  reg->base_pfn + reg->nr_pages);
	if (err) {
		pr_err("node %d: cannot keep the region out of hibernation images (%d)\n",
		       reg->nid, err);
		goto map_again;
	}
	for (j = 0; j < reg->nr_pages; j++) {
		struct page *page = pfn_to_page(reg->base_pfn + j);

		ClearPageReserved(page);
		set_page_count(page, 0);
	}
	return 0;

map_again:
	/* whatever part the failed call changed */
	if (set_memory_p(addr, reg->nr_pages)) {
		pr_err("node %d: cannot map the region again either, %lu MiB lost\n",
		       reg->nid, reg->nr_pages >> (20 - PAGE_SHIFT));
		return err;
	}
	secretmem_region_release(reg);
	return err;
}

/*
 * Once page tables can be changed, bring up every region. A region that
 * fails is given back and the others are kept; without zeroing slots no
 * region can be used and all are given back.
 */
static int __init secretmem_pool_init(void)
{
	unsigned int i, kept = 0, spanned = 0;
	int err;

	if (!secretmem_pool.nr_regions)
		return 0;
	err = secretmem_slots_init();
	if (err) {
		pr_err("cannot set up zeroing slots (%d), no pool\n", err);
		for (i = 0; i < secretmem_pool.nr_regions; i++)
			if (secretmem_regions[i].nr_pages)
				secretmem_region_release(&secretmem_regions[i]);
		secretmem_pool.nr_regions = 0;
		return err;
	}
	for (i = 0; i < secretmem_pool.nr_regions; i++) {
		struct secretmem_region *reg = &secretmem_regions[i];

		/* a region with no boot part only holds grown units */
		if (reg->nr_pages) {
			if (secretmem_region_init(reg))
				continue;
			if (!spanned++ || reg->base_pfn < secretmem_pool_start_pfn)
				secretmem_pool_start_pfn = reg->base_pfn;
			secretmem_pool_end_pfn = max(secretmem_pool_end_pfn,
						     reg->base_pfn + reg->nr_pages);
		}
		secretmem_regions[kept++] = *reg;
	}
	if (kept != secretmem_pool.nr_regions)
		pr_err("%u of %u regions could not be set up and were given back\n",
		       secretmem_pool.nr_regions - kept, secretmem_pool.nr_regions);
	secretmem_pool.nr_regions = kept;
	for (i = 0; i < kept; i++) {
		spin_lock_init(&secretmem_regions[i].lock);
		INIT_LIST_HEAD(&secretmem_regions[i].units);
	}
	if (kept) {
		static_branch_enable(&secretmem_pool_present);
		secretmem_shrinker_init();
	}
	return 0;
}
core_initcall(secretmem_pool_init);

/* ---- Pages of the pool for mm/secretmem.c and the final put ---- */

bool secretmem_pool_enabled(void)
{
	return secretmem_pool.nr_regions > 0;
}

/**
 * secretmem_pool_region() - where one region of the pool lies
 * @i: the region's index, from 0
 * @start_pfn: its first page frame
 * @nr_pages: its size in pages
 *
 * For what must know where secret memory is without touching it: crash
 * dumps, /proc/kcore and /proc/iomem (mm/secretmem_crash.c). The regions
 * are constant once the pool is set up (a core_initcall).
 *
 * Only the boot regions (the floor): grown units come and go, and are
 * reported one by one as they do (secretmem_crash_unit_add()).
 *
 * Return: true if non-empty region @i exists, false past the last one.
 */
bool secretmem_pool_region(unsigned int i, unsigned long *start_pfn,
			   unsigned long *nr_pages)
{
	unsigned int r;

	/* a node without a floor has an empty region, for its grown units */
	for (r = 0; r < secretmem_pool.nr_regions; r++) {
		if (!secretmem_regions[r].nr_pages || i--)
			continue;
		*start_pfn = secretmem_regions[r].base_pfn;
		*nr_pages = secretmem_regions[r].nr_pages;
		return true;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(secretmem_pool_region);

/*
 * A file's pages are promised where the task setting its size may allocate:
 * its cpuset's nodes, narrowed by an MPOL_BIND policy, starting from the
 * node its memory policy prefers (the local one by default).
 */
int secretmem_file_reserve(struct secretmem_resv *resv, unsigned long nr_pages)
{
	nodemask_t allowed = cpuset_current_mems_allowed;
	int nid = numa_node_id();

#ifdef CONFIG_NUMA
	struct mempolicy *pol = current->mempolicy;

	if (pol && pol->mode == MPOL_BIND)
		nodes_and(allowed, allowed, pol->nodes);
	nid = mempolicy_slab_node();
#endif
	int err = secretmem_pool_reserve_pages(&secretmem_pool, resv, nr_pages,
					       nid, &allowed);

	/* a failed reservation may leave new units unused */
	if (err) {
		secretmem_shrink_later();
		return err;
	}
	/*
	 * Whole units for the 2 MiB blocks of the file, where the pool has
	 * them. Released pages hide whole units until the next flush.
	 */
	if (nr_pages >= SECRETMEM_UNIT_PAGES && secretmem_pmd_enabled()) {
		if (secretmem_pool_dirty())
			secretmem_pool_flush(&secretmem_pool,
					     secretmem_flush_slots);
		secretmem_pool_reserve_units(&secretmem_pool, resv,
					     nr_pages / SECRETMEM_UNIT_PAGES);
	}
	return 0;
}

/* tests make the reservation fail with fail_function */
ALLOW_ERROR_INJECTION(secretmem_file_reserve, ERRNO);

void secretmem_file_unreserve(struct secretmem_resv *resv)
{
	secretmem_pool_unreserve(&secretmem_pool, resv);
	secretmem_shrink_later();
}

/**
 * secretmem_file_promised - what a file's reservation set aside on a node
 * @resv: the file's reservation, just made: no fault has taken from it yet
 * @nid: the node
 *
 * Return: the pages promised to the file by the regions of @nid.
 */
unsigned long secretmem_file_promised(struct secretmem_resv *resv, int nid)
{
	unsigned long nr = 0;
	unsigned int i;

	if (!resv->per_region)
		return 0;
	for (i = 0; i < secretmem_pool.nr_regions; i++)
		if (secretmem_pool.regions[i].nid == nid)
			nr += READ_ONCE(resv->per_region[i]);
	return nr;
}

/**
 * secretmem_pool_room - the pool's capacity and what it can still promise
 * @nid: a node, or NUMA_NO_NODE for the whole pool
 * @total: pages in the pool, less the poisoned ones
 * @room: pages not promised to any file and not holding data
 *
 * For the whole pool, both include the whole units the pool may still grow
 * by under its ceiling: a guarantee covers what the pool may hold, not only
 * what it holds now. Per node they do not (the ceiling is not per node).
 * The secretmem controller weighs its groups' guarantees against these.
 */
void secretmem_pool_room(int nid, unsigned long *total, unsigned long *room)
{
	struct secretmem_pool *pool = &secretmem_pool;
	unsigned long free, rsvd, poisoned, ceiling, grown, more = 0;

	secretmem_pool_counts(pool, nid, total, &free, &rsvd, &poisoned);
	*room = free > rsvd ? free - rsvd : 0;
	if (nid != NUMA_NO_NODE || !pool->grow)
		return;
	ceiling = READ_ONCE(pool->ceiling);
	grown = READ_ONCE(pool->nr_grown);
	if (ceiling > grown)
		more = round_down(ceiling - grown, SECRETMEM_UNIT_PAGES);
	*total += more;
	*room += more;
}

/*
 * The pool cannot promise @nr_pages. Some of its pages may have left their
 * files but still be held by a CPU's mlock or LRU batch: drain those once.
 * Returns whether a new attempt may succeed.
 */
bool secretmem_pool_drain(unsigned long nr_pages)
{
	unsigned long total, free, rsvd, poisoned;

	secretmem_pool_counts(&secretmem_pool, NUMA_NO_NODE, &total, &free,
			      &rsvd, &poisoned);
	/* an unprivileged loop of refused sizes must not drain every time */
	if (free - rsvd >= nr_pages || !atomic_long_read(&secretmem_nr_inflight))
		return false;
	lru_add_drain_all();
	return true;
}

/*
 * A page for a fault of a file with a reservation, locked, uptodate and with
 * one reference for the caller, like a freshly allocated folio. It reads as
 * zero: pages are zeroed at boot and when they come back. It never fails
 * for a page that was promised and never waits for anybody but a flush.
 */
struct folio *secretmem_pool_alloc_folio(struct secretmem_resv *resv)
{
	struct folio *folio;
	long pfn;

	while ((pfn = secretmem_pool_take(&secretmem_pool, resv,
					  numa_node_id())) == -EAGAIN)
		secretmem_pool_flush(&secretmem_pool, secretmem_flush_slots);
	if (pfn < 0)
		return ERR_PTR(pfn);
	folio = pfn_folio(pfn);
	/* a free pool page has no reference: nobody else can hold one */
	set_page_refcounted(&folio->page);
	folio_lock(folio);
	folio_mark_uptodate(folio);
	return folio;
}

/*
 * PMD mappings of pool memory (/sys/kernel/mm/secretmem/pmd_enabled): on
 * by default wherever there is a pool.
 */
static bool secretmem_pmd_on = true;

bool secretmem_pmd_enabled(void)
{
	/* a unit is what one PMD maps (the pool is x86-64 only: 2 MiB) */
	BUILD_BUG_ON(PMD_ORDER != SECRETMEM_UNIT_ORDER);
	return IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) &&
	       secretmem_pool_enabled() && READ_ONCE(secretmem_pmd_on);
}

/**
 * secretmem_pool_alloc_unit - a whole unit, as one 2 MiB folio
 * @resv: the file's reservation, which pays SECRETMEM_UNIT_PAGES pages
 *
 * As secretmem_pool_alloc_folio(), for a fault that can map 2 MiB at once:
 * a locked, uptodate folio of order SECRETMEM_UNIT_ORDER with one reference.
 * Its final put gives its pages back one by one.
 *
 * Return: the folio, or -ENOSPC when no whole free unit was promised to the
 * file: the caller takes single pages, which the reservation still covers.
 */
struct folio *secretmem_pool_alloc_unit(struct secretmem_resv *resv)
{
	bool flushed = false;
	struct folio *folio;
	struct page *page;
	long pfn;

	for (;;) {
		pfn = secretmem_pool_take_unit(&secretmem_pool, resv,
					       numa_node_id());
		/* released pages may make a whole unit once flushed */
		if (pfn >= 0 || flushed || !secretmem_pool_dirty())
			break;
		secretmem_pool_flush(&secretmem_pool, secretmem_flush_slots);
		flushed = true;
	}
	if (pfn < 0)
		return ERR_PTR(pfn);
	page = pfn_to_page(pfn);
	/* free pool pages have no reference, no flags and no owner */
	prep_compound_page(page, SECRETMEM_UNIT_ORDER);
	folio = page_folio(page);
	set_page_refcounted(page);
	folio_lock(folio);
	folio_mark_uptodate(folio);
	return folio;
}

/* Back to SECRETMEM_UNIT_PAGES single pages, as the page allocator does. */
static void secretmem_unit_dissolve(struct folio *folio)
{
	struct page *head = &folio->page;
	unsigned long i;

	for (i = 1; i < SECRETMEM_UNIT_PAGES; i++) {
		struct page *page = head + i;

		/* the first tails' fields, the order among them */
		page->mapping = NULL;
		clear_compound_head(page);
		page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	}
	head->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	head->mapping = NULL;
	set_page_private(head, 0);
}

/**
 * secretmem_pool_unalloc_unit - a unit the page cache did not take
 * @folio: from secretmem_pool_alloc_unit(), locked, never seen by anybody
 * @resv: the reservation it was taken from, which gets its pages back
 */
void secretmem_pool_unalloc_unit(struct folio *folio,
				 struct secretmem_resv *resv)
{
	unsigned long pfn = folio_pfn(folio), i;

	folio_unlock(folio);
	if (WARN_ON_ONCE(!folio_ref_freeze(folio, 1))) {
		folio_put(folio);
		return;
	}
	secretmem_unit_dissolve(folio);
	secretmem_pool_unit_back(&secretmem_pool, pfn);
	/* never written: still zero, and no flush is due */
	for (i = 0; i < SECRETMEM_UNIT_PAGES; i++)
		secretmem_pool_give(&secretmem_pool, pfn + i, resv);
}

/* The final put of a whole unit: each page zeroed and given back. */
static void secretmem_pool_free_unit(struct folio *folio)
{
	unsigned long pfn = folio_pfn(folio), i;
	bool flush = false;

	secretmem_unit_dissolve(folio);
	secretmem_pool_unit_back(&secretmem_pool, pfn);
	for (i = 0; i < SECRETMEM_UNIT_PAGES; i++) {
		if (unlikely(PageHWPoison(pfn_to_page(pfn + i)))) {
			secretmem_pool_quarantine(&secretmem_pool, pfn + i);
			pr_warn_ratelimited("pfn %#lx is poisoned, taken out of the pool\n",
					    pfn + i);
			continue;
		}
		secretmem_zero_page(pfn + i);
		flush |= secretmem_pool_give(&secretmem_pool, pfn + i, NULL);
	}
	if (flush)
		schedule_work(&secretmem_flush_work);
}

/**
 * secretmem_pool_folio_left_file - a pool page left its file's page cache
 * @folio: the page, still referenced by whoever removed it
 *
 * Marks it in flight until its final put, for secretmem_pool_drain().
 */
void secretmem_pool_folio_left_file(struct folio *folio)
{
	folio->private = SECRETMEM_INFLIGHT;
	atomic_long_inc(&secretmem_nr_inflight);
}

/* Exact test behind secretmem_pool_folio(), for pages inside the span. */
bool __secretmem_pool_pfn(unsigned long pfn)
{
	return region_of(&secretmem_pool, pfn, NULL);
}

/**
 * secretmem_pool_free_folio - the last reference to a pool page is gone
 * @folio: a page of the pool, reference count zero
 *
 * Called from the final put instead of the page allocator's free. The page
 * is zeroed now and can be taken again after the next flush of the zeroing
 * mappings. A hardware-poisoned page is never touched again: it stays out
 * of the pool, counted in /sys/kernel/mm/secretmem/poisoned_bytes.
 *
 * Context: any context, including interrupts with interrupts disabled.
 */
void secretmem_pool_free_folio(struct folio *folio)
{
	unsigned long pfn = folio_pfn(folio);

	if (folio->private == SECRETMEM_INFLIGHT)
		atomic_long_dec(&secretmem_nr_inflight);
	if (folio_test_clear_mlocked(folio)) {
		zone_stat_mod_folio(folio, NR_MLOCK, -folio_nr_pages(folio));
		count_vm_event(UNEVICTABLE_PGCLEARED);
	}
	if (folio_test_large(folio)) {
		secretmem_pool_free_unit(folio);
		return;
	}
	if (unlikely(folio_test_hwpoison(folio))) {
		secretmem_pool_quarantine(&secretmem_pool, pfn);
		pr_warn_ratelimited("pfn %#lx is poisoned, taken out of the pool\n",
				    pfn);
		return;
	}
	/* as the page allocator would hand it out: no flags, no owner */
	folio->page.flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	folio->mapping = NULL;
	folio->private = NULL;
	secretmem_zero_page(pfn);
	if (secretmem_pool_give(&secretmem_pool, pfn, NULL))
		schedule_work(&secretmem_flush_work);
}

/* ---- Reporting ---- */

static void secretmem_pool_read(int nid, unsigned long *total,
				unsigned long *free, unsigned long *rsvd)
{
	unsigned long poisoned;

	secretmem_pool_counts(&secretmem_pool, nid, total, free, rsvd,
			      &poisoned);
}

/**
 * secretmem_pool_meminfo - the Secretmem lines of /proc/meminfo
 * @m: the meminfo file
 */
void secretmem_pool_meminfo(struct seq_file *m)
{
	unsigned long total, free, rsvd;

	secretmem_pool_read(NUMA_NO_NODE, &total, &free, &rsvd);
	seq_printf(m, "SecretmemTotal: %8lu kB\n", total << (PAGE_SHIFT - 10));
	seq_printf(m, "SecretmemFree:  %8lu kB\n", free << (PAGE_SHIFT - 10));
	seq_printf(m, "SecretmemRsvd:  %8lu kB\n", rsvd << (PAGE_SHIFT - 10));
	/* Total is the boot floor plus the grown part */
	seq_printf(m, "SecretmemGrown: %8lu kB\n",
		   secretmem_pool_grown(&secretmem_pool, NUMA_NO_NODE) <<
		   (PAGE_SHIFT - 10));
	seq_printf(m, "SecretmemCeiling: %6lu kB\n",
		   READ_ONCE(secretmem_pool.ceiling) << (PAGE_SHIFT - 10));
}

/**
 * secretmem_pool_node_meminfo - the Secretmem lines of a node's meminfo
 * @buf: the sysfs buffer
 * @len: what is in @buf already
 * @nid: the node
 *
 * Return: the number of characters added.
 */
int secretmem_pool_node_meminfo(char *buf, int len, int nid)
{
	unsigned long total, free, rsvd;

	secretmem_pool_read(nid, &total, &free, &rsvd);
	return sysfs_emit_at(buf, len,
			     "Node %d SecretmemTotal: %8lu kB\n"
			     "Node %d SecretmemFree:  %8lu kB\n"
			     "Node %d SecretmemRsvd:  %8lu kB\n"
			     "Node %d SecretmemGrown: %8lu kB\n",
			     nid, total << (PAGE_SHIFT - 10),
			     nid, free << (PAGE_SHIFT - 10),
			     nid, rsvd << (PAGE_SHIFT - 10),
			     nid, secretmem_pool_grown(&secretmem_pool, nid) <<
				  (PAGE_SHIFT - 10));
}

static ssize_t secretmem_show(char *buf, int which)
{
	unsigned long counts[4];

	secretmem_pool_counts(&secretmem_pool, NUMA_NO_NODE, &counts[0],
			      &counts[1], &counts[2], &counts[3]);
	return sysfs_emit(buf, "%lu\n", counts[which] << PAGE_SHIFT);
}

static ssize_t total_bytes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return secretmem_show(buf, 0);
}

static struct kobj_attribute total_bytes_attr = __ATTR_RO(total_bytes);

static ssize_t free_bytes_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return secretmem_show(buf, 1);
}

static struct kobj_attribute free_bytes_attr = __ATTR_RO(free_bytes);

static ssize_t reserved_bytes_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return secretmem_show(buf, 2);
}

static struct kobj_attribute reserved_bytes_attr = __ATTR_RO(reserved_bytes);

static ssize_t poisoned_bytes_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return secretmem_show(buf, 3);
}

static struct kobj_attribute poisoned_bytes_attr = __ATTR_RO(poisoned_bytes);

static ssize_t grown_bytes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  secretmem_pool_grown(&secretmem_pool, NUMA_NO_NODE) <<
			  PAGE_SHIFT);
}

static struct kobj_attribute grown_bytes_attr = __ATTR_RO(grown_bytes);

static ssize_t floor_bytes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	unsigned long floor = 0;
	unsigned int i;

	for (i = 0; i < secretmem_pool.nr_regions; i++)
		floor += secretmem_regions[i].nr_pages;
	return sysfs_emit(buf, "%lu\n", floor << PAGE_SHIFT);
}

static struct kobj_attribute floor_bytes_attr = __ATTR_RO(floor_bytes);

static ssize_t ceiling_bytes_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  READ_ONCE(secretmem_pool.ceiling) << PAGE_SHIFT);
}

/*
 * Lowering the ceiling below what is grown takes nothing away: it only
 * stops growth until enough units have been given back.
 */
static ssize_t ceiling_bytes_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	unsigned long long bytes;
	int err;

	/* only a pool set up at boot knows where its pages are */
	if (!secretmem_pool_enabled())
		return -EOPNOTSUPP;
	err = kstrtoull(buf, 0, &bytes);
	if (err)
		return err;
	if (bytes > (unsigned long long)totalram_pages() << PAGE_SHIFT)
		return -EINVAL;
	mutex_lock(&secretmem_pool.resv_mutex);
	WRITE_ONCE(secretmem_pool.ceiling,
		   round_up(bytes, SZ_2M) >> PAGE_SHIFT);
	mutex_unlock(&secretmem_pool.resv_mutex);
	return count;
}

static struct kobj_attribute ceiling_bytes_attr = __ATTR_RW(ceiling_bytes);

static ssize_t unit_keep_ms_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(secretmem_unit_keep_ms));
}

static ssize_t unit_keep_ms_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	unsigned int ms;
	int err = kstrtouint(buf, 0, &ms);

	if (err)
		return err;
	if (ms > 3600 * MSEC_PER_SEC)
		return -EINVAL;
	WRITE_ONCE(secretmem_unit_keep_ms, ms);
	/* the new delay applies to a look already queued with the old one */
	if (delayed_work_pending(&secretmem_shrink_work))
		mod_delayed_work(system_wq, &secretmem_shrink_work,
				 SECRETMEM_SHRINK_DELAY);
	return count;
}

static struct kobj_attribute unit_keep_ms_attr = __ATTR_RW(unit_keep_ms);

int secretmem_memlock_mode = SECRETMEM_MEMLOCK_ALWAYS;

static const char * const secretmem_memlock_modes[] = {
	[SECRETMEM_MEMLOCK_ALWAYS]		= "always",
	[SECRETMEM_MEMLOCK_UNLESS_CGROUP_LIMIT]	= "unless_cgroup_limit",
};

static ssize_t memlock_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	int mode = READ_ONCE(secretmem_memlock_mode), i, len = 0;

	for (i = 0; i < ARRAY_SIZE(secretmem_memlock_modes); i++)
		len += sysfs_emit_at(buf, len, i == mode ? "%s[%s]" : "%s%s",
				     i ? " " : "", secretmem_memlock_modes[i]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t memlock_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	int mode = sysfs_match_string(secretmem_memlock_modes, buf);

	if (mode < 0)
		return -EINVAL;
	WRITE_ONCE(secretmem_memlock_mode, mode);
	return count;
}

static struct kobj_attribute memlock_attr = __ATTR_RW(memlock);

static ssize_t pmd_enabled_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", secretmem_pmd_enabled());
}

/* Files mapped already keep their 2 MiB folios; new faults see the change. */
static ssize_t pmd_enabled_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	bool on;
	int err;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) || !secretmem_pool_enabled())
		return -EOPNOTSUPP;
	err = kstrtobool(buf, &on);
	if (err)
		return err;
	WRITE_ONCE(secretmem_pmd_on, on);
	return count;
}

static struct kobj_attribute pmd_enabled_attr = __ATTR_RW(pmd_enabled);

static ssize_t huge_bytes_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  secretmem_pool_huge(&secretmem_pool, false) <<
			  (SECRETMEM_UNIT_ORDER + PAGE_SHIFT));
}

static struct kobj_attribute huge_bytes_attr = __ATTR_RO(huge_bytes);

static ssize_t huge_reserved_bytes_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  secretmem_pool_huge(&secretmem_pool, true) <<
			  (SECRETMEM_UNIT_ORDER + PAGE_SHIFT));
}

static struct kobj_attribute huge_reserved_bytes_attr =
	__ATTR_RO(huge_reserved_bytes);

static struct attribute *secretmem_attrs[] = {
	&total_bytes_attr.attr,
	&free_bytes_attr.attr,
	&reserved_bytes_attr.attr,
	&poisoned_bytes_attr.attr,
	&grown_bytes_attr.attr,
	&floor_bytes_attr.attr,
	&ceiling_bytes_attr.attr,
	&unit_keep_ms_attr.attr,
	&memlock_attr.attr,
	&pmd_enabled_attr.attr,
	&huge_bytes_attr.attr,
	&huge_reserved_bytes_attr.attr,
	NULL,
};

static const struct attribute_group secretmem_attr_group = {
	.attrs = secretmem_attrs,
};

static int __init secretmem_sysfs_init(void)
{
	struct kobject *kobj;
	int err;

	kobj = kobject_create_and_add("secretmem", mm_kobj);
	if (!kobj)
		return -ENOMEM;
	err = sysfs_create_group(kobj, &secretmem_attr_group);
	if (err)
		kobject_put(kobj);
	return err;
}
subsys_initcall(secretmem_sysfs_init);
