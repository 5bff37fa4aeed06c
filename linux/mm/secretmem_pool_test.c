// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the secretmem pool allocator, on a pool of made-up page
 * frame numbers: the allocator only does bookkeeping, so no page is touched,
 * and the TLB flush that makes released pages reusable is a counter.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/random.h>
#include <linux/sizes.h>

#include "secretmem_pool.h"

#define R0_BASE	0x1000UL
#define R0_PAGES 64UL
#define R1_BASE	0x9000UL
#define R1_PAGES 32UL
#define TOTAL	(R0_PAGES + R1_PAGES)

struct pool_fixture {
	struct secretmem_pool pool;
	struct secretmem_region regions[2];
	/* growth, with made-up units */
	unsigned long next_unit;	/* pfn of the next unit grown */
	bool fail_grow;
	int grown, ungrown;
};

/* the fixture of the running test: grow() and ungrow() have no argument */
static struct pool_fixture *cur_fixture;

#define UNIT_BASE	0x100000UL
#define UNIT		SECRETMEM_UNIT_PAGES

static long fake_grow(int nid)
{
	struct pool_fixture *f = cur_fixture;

	if (f->fail_grow)
		return -ENOMEM;
	f->grown++;
	f->next_unit += UNIT;
	return f->next_unit - UNIT;
}

static void fake_ungrow(unsigned long pfn)
{
	cur_fixture->ungrown++;
}

static int pool_init(struct kunit *test)
{
	struct pool_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	mutex_init(&f->pool.resv_mutex);
	mutex_init(&f->pool.flush_mutex);
	f->pool.flush_batch = 8;
	f->pool.regions = f->regions;
	f->pool.nr_regions = 2;
	xa_init(&f->pool.units);
	f->pool.grow = fake_grow;
	f->pool.ungrow = fake_ungrow;
	f->next_unit = UNIT_BASE;
	cur_fixture = f;
	f->regions[0].base_pfn = R0_BASE;
	f->regions[0].nr_pages = R0_PAGES;
	f->regions[0].nid = 0;
	f->regions[1].base_pfn = R1_BASE;
	f->regions[1].nr_pages = R1_PAGES;
	f->regions[1].nid = 1;
	for (i = 0; i < 2; i++) {
		spin_lock_init(&f->regions[i].lock);
		INIT_LIST_HEAD(&f->regions[i].units);
		f->regions[i].nr_free = f->regions[i].nr_pages;
		unsigned long longs = BITS_TO_LONGS(f->regions[i].nr_pages);

		f->regions[i].used = kunit_kcalloc(test, 3 * longs, sizeof(long),
						   GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->regions[i].used);
		f->regions[i].dirty[0] = f->regions[i].used + longs;
		f->regions[i].dirty[1] = f->regions[i].used + 2 * longs;
	}
	test->priv = f;
	return 0;
}

static atomic_t flushes = ATOMIC_INIT(0);

static void count_flush(void)
{
	atomic_inc(&flushes);
}

static struct secretmem_pool *test_pool(struct kunit *test)
{
	return &((struct pool_fixture *)test->priv)->pool;
}

static void expect_counts(struct kunit *test, int nid, unsigned long total,
			  unsigned long free, unsigned long rsvd)
{
	unsigned long t, f, r, p;

	secretmem_pool_counts(test_pool(test), nid, &t, &f, &r, &p);
	KUNIT_EXPECT_EQ(test, t, total);
	KUNIT_EXPECT_EQ(test, f, free);
	KUNIT_EXPECT_EQ(test, r, rsvd);
}

static void reserve_unreserve(struct kunit *test)
{
	struct secretmem_resv resv = {};

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(test_pool(test),
							   &resv, 10, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&resv.nr_pages), 10L);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 10);
	expect_counts(test, 0, R0_PAGES, R0_PAGES, 10);
	expect_counts(test, 1, R1_PAGES, R1_PAGES, 0);
	secretmem_pool_unreserve(test_pool(test), &resv);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&resv.nr_pages), 0L);
	KUNIT_EXPECT_NULL(test, resv.per_region);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

static void reserve_zero_is_noop(struct kunit *test)
{
	struct secretmem_resv resv = {};

	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(test_pool(test),
							   &resv, 0, 0, NULL), 0);
	KUNIT_EXPECT_NULL(test, resv.per_region);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

/* A reservation the pool cannot cover changes nothing. */
static void exhaustion_all_or_nothing(struct kunit *test)
{
	struct secretmem_resv a = {}, b = {}, c = {};
	struct secretmem_pool *pool = test_pool(test);

	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &a, TOTAL + 1,
							   0, NULL), -ENOMEM);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a, 90, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &b, 7, 0, NULL),
			-ENOMEM);
	KUNIT_EXPECT_NULL(test, b.per_region);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 90);
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &c, 6, 1, NULL), 0);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, TOTAL);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &b, 1, 0, NULL),
			-ENOMEM);
	secretmem_pool_unreserve(pool, &a);
	secretmem_pool_unreserve(pool, &c);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

/* Faulted pages still count against new reservations: Free - Rsvd. */
static void take_consumes_reservation(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {}, other = {};
	long pfn[3];
	int i;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, 3, 0, NULL), 0);
	for (i = 0; i < 3; i++) {
		pfn[i] = secretmem_pool_take(pool, &resv, 0);
		KUNIT_EXPECT_GE(test, pfn[i], (long)R0_BASE);
		KUNIT_EXPECT_LT(test, pfn[i], (long)(R0_BASE + R0_PAGES));
	}
	KUNIT_EXPECT_NE(test, pfn[0], pfn[1]);
	KUNIT_EXPECT_NE(test, pfn[1], pfn[2]);
	KUNIT_EXPECT_NE(test, pfn[0], pfn[2]);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL - 3, 0);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take(pool, &resv, 0),
			(long)-ENOSPC);

	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &other,
							   TOTAL - 2, 0, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &other,
							   TOTAL - 3, 0, NULL), 0);
	secretmem_pool_unreserve(pool, &other);

	for (i = 0; i < 3; i++)
		secretmem_pool_give(pool, pfn[i], NULL);
	secretmem_pool_unreserve(pool, &resv);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

/* A fault that lost a race hands its page back to its reservation. */
static void give_back_to_reservation(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	long pfn;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, 1, 0, NULL), 0);
	pfn = secretmem_pool_take(pool, &resv, 0);
	KUNIT_ASSERT_GE(test, pfn, 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&resv.nr_pages), 0L);
	secretmem_pool_give(pool, pfn, &resv);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&resv.nr_pages), 1L);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 1);
	pfn = secretmem_pool_take(pool, &resv, 0);
	KUNIT_EXPECT_GE(test, pfn, 0L);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL - 1, 0);
	secretmem_pool_give(pool, pfn, NULL);
	secretmem_pool_unreserve(pool, &resv);
}

/* Local node first, then the others; faults follow the reservation. */
static void per_node_choice(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	long pfn;
	int i;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv,
							   R1_PAGES + 8, 1, NULL), 0);
	expect_counts(test, 1, R1_PAGES, R1_PAGES, R1_PAGES);
	expect_counts(test, 0, R0_PAGES, R0_PAGES, 8);

	for (i = 0; i < R1_PAGES; i++) {
		pfn = secretmem_pool_take(pool, &resv, 1);
		KUNIT_EXPECT_GE(test, pfn, (long)R1_BASE);
	}
	/* node 1 is used up: the rest comes from what node 0 set aside */
	pfn = secretmem_pool_take(pool, &resv, 1);
	KUNIT_EXPECT_GE(test, pfn, (long)R0_BASE);
	KUNIT_EXPECT_LT(test, pfn, (long)(R0_BASE + R0_PAGES));
	expect_counts(test, 1, R1_PAGES, 0, 0);
	expect_counts(test, 0, R0_PAGES, R0_PAGES - 1, 7);

	/* a node without a region reserves from the others */
	secretmem_pool_unreserve(pool, &resv);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, 5, 3, NULL),
			0);
	expect_counts(test, 0, R0_PAGES, R0_PAGES - 1, 5);
	secretmem_pool_unreserve(pool, &resv);
}

/* Only allowed nodes are promised, nearest first; none means -ENOMEM. */
static void allowed_nodes_only(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	nodemask_t only1 = NODE_MASK_NONE;

	node_set(1, only1);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &resv,
							   R1_PAGES + 1, 0,
							   &only1), -ENOMEM);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv,
							   R1_PAGES, 0, &only1),
			0);
	expect_counts(test, 1, R1_PAGES, R1_PAGES, R1_PAGES);
	expect_counts(test, 0, R0_PAGES, R0_PAGES, 0);
	secretmem_pool_unreserve(pool, &resv);
}

/*
 * A released page is free (it can be promised) but is not handed out again
 * before a flush of the zeroing mappings has run after its release.
 */
static void released_pages_wait_for_flush(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {}, again = {};
	unsigned long i;
	long pfn;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, TOTAL,
							   0, NULL), 0);
	for (i = 0; i < TOTAL; i++)
		KUNIT_ASSERT_GE(test, secretmem_pool_take(pool, &resv, 0), 0L);
	KUNIT_EXPECT_FALSE(test, secretmem_pool_give(pool, R1_BASE + 3, NULL));
	expect_counts(test, NUMA_NO_NODE, TOTAL, 1, 0);

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &again, 1, 1, NULL),
			0);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take(pool, &again, 1),
			(long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&again.nr_pages), 1L);
	atomic_set(&flushes, 0);
	secretmem_pool_flush(pool, count_flush);
	KUNIT_EXPECT_EQ(test, atomic_read(&flushes), 1);
	pfn = secretmem_pool_take(pool, &again, 1);
	KUNIT_EXPECT_EQ(test, pfn, (long)(R1_BASE + 3));
	expect_counts(test, NUMA_NO_NODE, TOTAL, 0, 0);

	for (i = 0; i < R0_PAGES; i++)
		secretmem_pool_give(pool, R0_BASE + i, NULL);
	for (i = 0; i < R1_PAGES; i++)
		secretmem_pool_give(pool, R1_BASE + i, NULL);
	secretmem_pool_flush(pool, count_flush);
	secretmem_pool_unreserve(pool, &resv);
	secretmem_pool_unreserve(pool, &again);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

/* The caller is told to flush once per batch of released pages, not more. */
static void flush_once_per_batch(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	unsigned long i, due = 0;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, 20, 0, NULL),
			0);
	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_GE(test, secretmem_pool_take(pool, &resv, 0), 0L);
	for (i = 0; i < 20; i++)
		due += secretmem_pool_give(pool, R0_BASE + i, NULL);
	/* a batch of 8 in the fixture: due once at the 8th, then flushed */
	KUNIT_EXPECT_EQ(test, due, 1UL);
	secretmem_pool_flush(pool, count_flush);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(pool->regions[0].used, R0_PAGES));
	KUNIT_EXPECT_EQ(test, pool->regions[0].nr_dirty, 0UL);
	secretmem_pool_unreserve(pool, &resv);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

/* A poisoned page stays out of the pool and out of its total. */
static void quarantine_shrinks_total(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	unsigned long t, f, r, p;
	long pfn;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, 1, 0, NULL),
			0);
	pfn = secretmem_pool_take(pool, &resv, 0);
	KUNIT_ASSERT_GE(test, pfn, 0L);
	secretmem_pool_quarantine(pool, pfn);
	secretmem_pool_counts(pool, NUMA_NO_NODE, &t, &f, &r, &p);
	KUNIT_EXPECT_EQ(test, t, TOTAL - 1);
	KUNIT_EXPECT_EQ(test, f, TOTAL - 1);
	KUNIT_EXPECT_EQ(test, p, 1UL);
	/* the whole rest can still be promised, not more */
	secretmem_pool_unreserve(pool, &resv);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, TOTAL,
							   0, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &resv,
							   TOTAL - 1, 0, NULL), 0);
	secretmem_pool_unreserve(pool, &resv);
}

/* Every page of a full pool can be faulted, and comes back. */
static void fill_and_drain(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	unsigned long i;
	long pfn;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, TOTAL,
							   0, NULL), 0);
	for (i = 0; i < TOTAL; i++) {
		pfn = secretmem_pool_take(pool, &resv, 0);
		KUNIT_ASSERT_GE(test, pfn, 0L);
	}
	expect_counts(test, NUMA_NO_NODE, TOTAL, 0, 0);
	KUNIT_EXPECT_TRUE(test, bitmap_full(test_pool(test)->regions[0].used,
					    R0_PAGES));
	for (i = 0; i < R0_PAGES; i++)
		secretmem_pool_give(pool, R0_BASE + i, NULL);
	for (i = 0; i < R1_PAGES; i++)
		secretmem_pool_give(pool, R1_BASE + i, NULL);
	secretmem_pool_unreserve(pool, &resv);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
	secretmem_pool_flush(pool, count_flush);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(pool->regions[0].used, R0_PAGES));
	KUNIT_EXPECT_TRUE(test, bitmap_empty(pool->regions[1].used, R1_PAGES));
}

struct race_arg {
	struct secretmem_pool *pool;
	struct completion done;
	atomic_t *failures;
	int nid;
};

static int race_thread(void *data)
{
	struct race_arg *arg = data;
	long pfns[16];
	int round, i;

	for (round = 0; round < 2000; round++) {
		struct secretmem_resv resv = {};
		int n = 1 + get_random_u32_below(ARRAY_SIZE(pfns));

		/* 4 threads x 16 pages fit in the pool: this never fails */
		if (secretmem_pool_reserve_pages(arg->pool, &resv, n, arg->nid, NULL)) {
			atomic_inc(arg->failures);
			continue;
		}
		for (i = 0; i < n; i++) {
			/* only pages waiting for a flush left: flush */
			while ((pfns[i] = secretmem_pool_take(arg->pool, &resv,
							      arg->nid)) == -EAGAIN)
				secretmem_pool_flush(arg->pool, count_flush);
			if (pfns[i] < 0)
				atomic_inc(arg->failures);
		}
		for (i = 0; i < n; i++)
			if (pfns[i] >= 0)
				secretmem_pool_give(arg->pool, pfns[i], NULL);
		secretmem_pool_unreserve(arg->pool, &resv);
		/* non-preemptible kernels: let RCU and the other threads run */
		cond_resched();
	}
	complete(&arg->done);
	return 0;
}

/* Concurrent reserve/fault/free/unreserve keeps every counter exact. */
static void concurrent_use(struct kunit *test)
{
	struct race_arg args[4];
	atomic_t failures = ATOMIC_INIT(0);
	int i;

	for (i = 0; i < ARRAY_SIZE(args); i++) {
		struct task_struct *t;

		args[i].pool = test_pool(test);
		args[i].failures = &failures;
		args[i].nid = i & 1;
		init_completion(&args[i].done);
		t = kthread_run(race_thread, &args[i], "secretmem-kunit/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < ARRAY_SIZE(args); i++)
		wait_for_completion(&args[i].done);
	KUNIT_EXPECT_EQ(test, atomic_read(&failures), 0);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
	secretmem_pool_flush(test_pool(test), count_flush);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(test_pool(test)->regions[0].used,
					     R0_PAGES));
	KUNIT_EXPECT_TRUE(test, bitmap_empty(test_pool(test)->regions[1].used,
					     R1_PAGES));
}

/*
 * Faults, releases and counts in one region never wait for another's lock:
 * with region 0 locked, region 1 still serves its file.
 */
static void regions_lock_apart(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	unsigned long t, f, r, p, flags;
	long pfn;

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, 2, 1, NULL),
			0);
	expect_counts(test, 1, R1_PAGES, R1_PAGES, 2);
	/* nested: the same lock class as region 1's, on purpose */
	spin_lock_irqsave_nested(&pool->regions[0].lock, flags,
				 SINGLE_DEPTH_NESTING);
	pfn = secretmem_pool_take(pool, &resv, 1);
	secretmem_pool_give(pool, pfn, &resv);
	pfn = secretmem_pool_take(pool, &resv, 1);
	secretmem_pool_counts(pool, 1, &t, &f, &r, &p);
	spin_unlock_irqrestore(&pool->regions[0].lock, flags);

	KUNIT_EXPECT_GE(test, pfn, (long)R1_BASE);
	KUNIT_EXPECT_EQ(test, f, R1_PAGES - 1);
	KUNIT_EXPECT_EQ(test, r, 1UL);
	secretmem_pool_give(pool, pfn, NULL);
	secretmem_pool_unreserve(pool, &resv);
	secretmem_pool_flush(pool, count_flush);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

struct shared_arg {
	struct secretmem_pool *pool;
	struct secretmem_resv *resv;
	struct completion done;
	long pfns[TOTAL / 4];
	int nid;
};

static int shared_thread(void *data)
{
	struct shared_arg *arg = data;
	int i;

	for (i = 0; i < ARRAY_SIZE(arg->pfns); i++) {
		while ((arg->pfns[i] = secretmem_pool_take(arg->pool, arg->resv,
							   arg->nid)) == -EAGAIN)
			secretmem_pool_flush(arg->pool, count_flush);
		cond_resched();
	}
	complete(&arg->done);
	return 0;
}

/*
 * Faults on different pages of one file run at once and take from the same
 * reservation, across both regions, while earlier pages come back and are
 * flushed: every promised page is handed out exactly once.
 */
static void one_reservation_many_faults(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct shared_arg *args;
	struct secretmem_resv resv = {}, old = {};
	unsigned long *seen, i;
	int t;

	args = kunit_kcalloc(test, 4, sizeof(*args), GFP_KERNEL);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(TOTAL), sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, args);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	/* every page used once and released: all wait for a flush */
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &old, TOTAL, 0,
							   NULL), 0);
	for (i = 0; i < TOTAL; i++)
		KUNIT_ASSERT_GE(test, secretmem_pool_take(pool, &old, 0), 0L);
	for (i = 0; i < TOTAL; i++)
		secretmem_pool_give(pool, i < R0_PAGES ? R0_BASE + i :
				    R1_BASE + i - R0_PAGES, NULL);
	secretmem_pool_unreserve(pool, &old);

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, TOTAL, 0,
							   NULL), 0);
	for (t = 0; t < 4; t++) {
		struct task_struct *task;

		args[t].pool = pool;
		args[t].resv = &resv;
		args[t].nid = t & 1;
		init_completion(&args[t].done);
		task = kthread_run(shared_thread, &args[t], "secretmem-kunit/%d", t);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (t = 0; t < 4; t++)
		wait_for_completion(&args[t].done);

	KUNIT_EXPECT_EQ(test, atomic_long_read(&resv.nr_pages), 0L);
	expect_counts(test, NUMA_NO_NODE, TOTAL, 0, 0);
	for (t = 0; t < 4; t++) {
		for (i = 0; i < ARRAY_SIZE(args[t].pfns); i++) {
			long pfn = args[t].pfns[i], bit;

			KUNIT_ASSERT_GE(test, pfn, (long)R0_BASE);
			bit = pfn < R1_BASE ? pfn - R0_BASE :
			      R0_PAGES + pfn - R1_BASE;
			KUNIT_EXPECT_FALSE(test, test_and_set_bit(bit, seen));
			secretmem_pool_give(pool, pfn, NULL);
		}
	}
	secretmem_pool_unreserve(pool, &resv);
	secretmem_pool_flush(pool, count_flush);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(pool->regions[0].used, R0_PAGES));
	KUNIT_EXPECT_TRUE(test, bitmap_empty(pool->regions[1].used, R1_PAGES));
}

static unsigned long poisoned_pfn;

static bool fake_poisoned(unsigned long pfn)
{
	return pfn == poisoned_pfn;
}

/*
 * A page poisoned while free is never handed out: a fault that meets it
 * quarantines it and takes the next one, while the region has a page
 * nobody was promised.
 */
static void poisoned_free_page_skipped(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	unsigned long t, f, r, p;

	pool->poisoned = fake_poisoned;
	poisoned_pfn = R0_BASE + 1;
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, 3, 0, NULL),
			0);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take(pool, &resv, 0), (long)R0_BASE);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take(pool, &resv, 0),
			(long)R0_BASE + 2);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take(pool, &resv, 0),
			(long)R0_BASE + 3);
	secretmem_pool_counts(pool, NUMA_NO_NODE, &t, &f, &r, &p);
	KUNIT_EXPECT_EQ(test, t, TOTAL - 1);
	KUNIT_EXPECT_EQ(test, f, TOTAL - 4);
	KUNIT_EXPECT_EQ(test, r, 0UL);
	KUNIT_EXPECT_EQ(test, p, 1UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&resv.nr_lost), 0L);
	secretmem_pool_unreserve(pool, &resv);
}

/*
 * When every free page of the region was promised, the poison took a
 * promised page: the fault that meets it loses it (-EHWPOISON, as for a
 * poisoned page of a file), every other promise holds, and the counters
 * stay consistent.
 */
static void poisoned_free_page_breaks_one_promise(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv resv = {};
	unsigned long i, got = 0;
	long pfn;

	pool->poisoned = fake_poisoned;
	poisoned_pfn = R1_BASE + 5;
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, R1_PAGES,
							   1, NULL), 0);
	/* every page of node 1 is promised: none to spare for the poison */
	for (i = 0; i < R1_PAGES; i++) {
		pfn = secretmem_pool_take(pool, &resv, 1);
		if (pfn == -EHWPOISON)
			continue;
		KUNIT_EXPECT_GE(test, pfn, (long)R1_BASE);
		KUNIT_EXPECT_NE(test, pfn, (long)poisoned_pfn);
		got++;
	}
	KUNIT_EXPECT_EQ(test, got, R1_PAGES - 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&resv.nr_lost), 1L);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take(pool, &resv, 1),
			(long)-EHWPOISON);
	expect_counts(test, 1, R1_PAGES - 1, 0, 0);
	expect_counts(test, 0, R0_PAGES, R0_PAGES, 0);
	/* node 0 can still promise all it has */
	secretmem_pool_unreserve(pool, &resv);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &resv, R0_PAGES,
							   1, NULL), 0);
	secretmem_pool_unreserve(pool, &resv);
}

/*
 * Not the test pool: the machine's own. Every page of every kept region is
 * out of the direct map, so no kernel read can reach it; /proc/kcore, which
 * used to show this by reading the pool as zeros, has no program header
 * over it any more (mm/secretmem_crash.c).
 */
static void machine_regions_unmapped(struct kunit *test)
{
	unsigned long start, nr, j, mapped = 0;
	unsigned int i, level;
	pte_t *pte;

	if (!secretmem_pool_region(0, &start, &nr))
		kunit_skip(test, "no secretmem= pool on this boot");
	for (i = 0; secretmem_pool_region(i, &start, &nr); i++) {
		for (j = 0; j < nr; j++) {
			pte = lookup_address((unsigned long)pfn_to_kaddr(start + j),
					     &level);
			if (pte && (pte_val(*pte) & _PAGE_PRESENT))
				mapped++;
		}
	}
	KUNIT_EXPECT_EQ(test, mapped, 0UL);
}

/* Units a test left behind: the allocator's, not the test's, to free. */
static void pool_exit(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_unit *unit, *next;
	int i;

	for (i = 0; i < 2; i++)
		list_for_each_entry_safe(unit, next, &f->regions[i].units, list)
			kfree(unit);
	xa_destroy(&f->pool.units);
}

static bool in_unit(long pfn, unsigned long base)
{
	return pfn >= (long)base && pfn < (long)(base + UNIT);
}

/* Growth by whole units, within the ceiling, that keeps every promise. */
static void grow_within_ceiling(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {}, b = {}, c = {};

	pool->ceiling = 2 * UNIT;
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a, TOTAL, 0,
							   NULL), 0);
	KUNIT_EXPECT_EQ(test, f->grown, 0);
	/* 10 more pages: one whole unit, on the reservation's node */
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &b, 10, 0,
							   NULL), 0);
	KUNIT_EXPECT_EQ(test, f->grown, 1);
	KUNIT_EXPECT_EQ(test, secretmem_pool_grown(pool, 0), UNIT);
	KUNIT_EXPECT_EQ(test, secretmem_pool_grown(pool, 1), 0UL);
	expect_counts(test, 0, R0_PAGES + UNIT, R0_PAGES + UNIT, R0_PAGES + 10);
	/* two more units would pass the ceiling: nothing changes */
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &c, 2 * UNIT,
							   0, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, f->grown, 1);
	expect_counts(test, NUMA_NO_NODE, TOTAL + UNIT, TOTAL + UNIT, TOTAL + 10);
	/* the unit keeps b's promise: it stays */
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 0L);
	secretmem_pool_unreserve(pool, &b);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 1L);
	KUNIT_EXPECT_EQ(test, f->ungrown, 1);
	KUNIT_EXPECT_EQ(test, pool->nr_grown, 0UL);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, TOTAL);
	/* a ceiling lowered below nothing grown: no growth */
	pool->ceiling = UNIT - 1;
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &b, 1, 0,
							   NULL), -ENOMEM);
	secretmem_pool_unreserve(pool, &a);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

/* A page allocator that cannot give a unit: a clean -ENOMEM. */
static void grow_failure(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {};

	pool->ceiling = 4 * UNIT;
	f->fail_grow = true;
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &a, TOTAL + 1,
							   0, NULL), -ENOMEM);
	KUNIT_EXPECT_NULL(test, a.per_region);
	KUNIT_EXPECT_EQ(test, pool->nr_grown, 0UL);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
	f->fail_grow = false;
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_pages(pool, &a, TOTAL + 1,
							   0, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->grown, 1);
	secretmem_pool_unreserve(pool, &a);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 1L);
}

/*
 * The boot part first, then the fullest unit; units hold released pages
 * until a flush, then drain and go back.
 */
static void fullest_unit_first(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	unsigned long n = R0_PAGES + UNIT + 1, i, first;
	struct secretmem_resv a = {};
	long *pfns, pfn;

	pfns = kunit_kcalloc(test, n, sizeof(*pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	pool->ceiling = 2 * UNIT;
	/* all of the boot pool and 513 more pages: two units on node 0 */
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a,
							   TOTAL + UNIT + 1,
							   0, NULL), 0);
	KUNIT_ASSERT_EQ(test, f->grown, 2);
	for (i = 0; i < n; i++) {
		pfns[i] = secretmem_pool_take(pool, &a, 0);
		KUNIT_ASSERT_GE(test, pfns[i], 0L);
	}
	for (i = 0; i < R0_PAGES; i++)
		KUNIT_EXPECT_TRUE(test, pfns[i] >= (long)R0_BASE &&
				  pfns[i] < (long)(R0_BASE + R0_PAGES));
	/* one unit is filled before the other is touched */
	first = round_down(pfns[R0_PAGES], UNIT);
	for (i = R0_PAGES; i < R0_PAGES + UNIT; i++)
		KUNIT_EXPECT_TRUE(test, in_unit(pfns[i], first));
	KUNIT_EXPECT_FALSE(test, in_unit(pfns[n - 1], first));
	/* a page freed in the full unit is taken again before the other's */
	KUNIT_EXPECT_FALSE(test, secretmem_pool_give(pool, pfns[R0_PAGES + 7],
						     NULL));
	secretmem_pool_flush(pool, count_flush);
	pfn = secretmem_pool_take(pool, &a, 0);
	KUNIT_EXPECT_EQ(test, pfn, pfns[R0_PAGES + 7]);

	/* drain: released pages hold their units until the flush */
	for (i = 0; i < n; i++)
		secretmem_pool_give(pool, pfns[i], NULL);
	secretmem_pool_unreserve(pool, &a);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 0L);
	secretmem_pool_flush(pool, count_flush);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, 1), 1L);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 1L);
	KUNIT_EXPECT_EQ(test, f->ungrown, 2);
	KUNIT_EXPECT_EQ(test, secretmem_pool_grown(pool, NUMA_NO_NODE), 0UL);
	expect_counts(test, NUMA_NO_NODE, TOTAL, TOTAL, 0);
}

/* A reservation whose node may not be used grows on an allowed one. */
static void grow_on_allowed_node(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	nodemask_t only1 = NODE_MASK_NONE;
	struct secretmem_resv a = {};

	pool->ceiling = UNIT;
	node_set(1, only1);
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a,
							   R1_PAGES + 1, 0,
							   &only1), 0);
	KUNIT_EXPECT_EQ(test, f->grown, 1);
	KUNIT_EXPECT_EQ(test, secretmem_pool_grown(pool, 1), UNIT);
	secretmem_pool_unreserve(pool, &a);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 1L);
}

/* The pages of the unit at @pfn come back: to @resv, or used (NULL). */
static void give_unit(struct secretmem_pool *pool, unsigned long pfn,
		      struct secretmem_resv *resv)
{
	unsigned long i;

	secretmem_pool_unit_back(pool, pfn);
	for (i = 0; i < UNIT; i++)
		secretmem_pool_give(pool, pfn + i, resv);
}

static bool fake_any_poisoned(void)
{
	return true;
}

/*
 * A unit with a poisoned free page is never mapped whole, even when the
 * machine's count of poisoned pages is checked first: a 2 MiB fault takes
 * another unit, and single pages still come from the poisoned one.
 */
static void poisoned_unit_not_taken_whole(struct kunit *test)
{
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {};
	long pfn;

	pool->poisoned = fake_poisoned;
	pool->any_poisoned = fake_any_poisoned;
	poisoned_pfn = UNIT_BASE + 7;
	pool->ceiling = 2 * UNIT;
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a,
							   TOTAL + 2 * UNIT, 0,
							   NULL), 0);
	pfn = secretmem_pool_take_unit(pool, &a, 0);
	KUNIT_EXPECT_EQ(test, pfn, (long)(UNIT_BASE + UNIT));
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &a, 0),
			(long)-ENOSPC);
	if (pfn >= 0)
		give_unit(pool, pfn, &a);
	secretmem_pool_unreserve(pool, &a);
}

/*
 * A whole free unit for a 2 MiB mapping: it costs the reservation exactly
 * UNIT pages, and its pages come back one by one.
 */
static void take_whole_unit(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {};
	long pfn;

	pool->ceiling = UNIT;
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a,
							   TOTAL + UNIT, 0,
							   NULL), 0);
	KUNIT_ASSERT_EQ(test, f->grown, 1);
	/* the boot parts are smaller than a unit: the grown one */
	pfn = secretmem_pool_take_unit(pool, &a, 0);
	KUNIT_EXPECT_EQ(test, pfn, (long)UNIT_BASE);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&a.nr_pages), (long)TOTAL);
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, false), 1UL);
	expect_counts(test, NUMA_NO_NODE, TOTAL + UNIT, TOTAL, TOTAL);
	/* less than a unit left promised in the region: nothing changes */
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &a, 0),
			(long)-ENOSPC);
	expect_counts(test, NUMA_NO_NODE, TOTAL + UNIT, TOTAL, TOTAL);
	/* single pages still come from the boot part */
	KUNIT_EXPECT_LT(test, secretmem_pool_take(pool, &a, 0),
			(long)UNIT_BASE);
	/* not used after all: back to the reservation, whole at once */
	give_unit(pool, pfn, &a);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&a.nr_pages),
			(long)(TOTAL + UNIT - 1));
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, false), 0UL);
	pfn = secretmem_pool_take_unit(pool, &a, 0);
	KUNIT_EXPECT_EQ(test, pfn, (long)UNIT_BASE);
	/* the final put: used pages, free once flushed */
	give_unit(pool, pfn, NULL);
	secretmem_pool_unreserve(pool, &a);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 0L);
	secretmem_pool_flush(pool, count_flush);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 1L);
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, false), 0UL);
}

/*
 * No unit for a reservation with less than a unit promised in the region,
 * nor from a unit one page of which is out (or waits for a flush): single
 * pages then, and another unit if there is one.
 */
static void unit_needs_promise_and_whole_unit(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {}, b = {};
	unsigned long i;
	long *pfns, pfn;

	pfns = kunit_kcalloc(test, TOTAL, sizeof(*pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	pool->ceiling = 2 * UNIT;
	/* every page of the boot parts out */
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a, TOTAL, 0,
							   NULL), 0);
	for (i = 0; i < TOTAL; i++) {
		pfns[i] = secretmem_pool_take(pool, &a, 0);
		KUNIT_ASSERT_GE(test, pfns[i], 0L);
	}
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &b, UNIT - 1,
							   0, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->grown, 1);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &b, 0),
			(long)-ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&b.nr_pages), (long)UNIT - 1);
	secretmem_pool_unreserve(pool, &b);

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &b, UNIT + 1,
							   0, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->grown, 2);
	pfn = secretmem_pool_take(pool, &b, 0);
	KUNIT_EXPECT_EQ(test, pfn, (long)UNIT_BASE);
	secretmem_pool_give(pool, pfn, NULL);
	/* the first unit waits for a flush: the second one */
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &b, 0),
			(long)(UNIT_BASE + UNIT));
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &b, 0),
			(long)-ENOSPC);
	give_unit(pool, UNIT_BASE + UNIT, &b);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&b.nr_pages), (long)UNIT);
	secretmem_pool_flush(pool, count_flush);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &b, 0),
			(long)UNIT_BASE);
	give_unit(pool, UNIT_BASE, &b);
	secretmem_pool_unreserve(pool, &b);
	for (i = 0; i < TOTAL; i++)
		secretmem_pool_give(pool, pfns[i], NULL);
	secretmem_pool_unreserve(pool, &a);
	secretmem_pool_flush(pool, count_flush);
	expect_counts(test, NUMA_NO_NODE, TOTAL + 2 * UNIT, TOTAL + 2 * UNIT,
		      0);
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, false), 0UL);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 2L);
}

/*
 * Units set aside at reservation stay whole while other files take single
 * pages: without that, fullest-first would take c's pages from a's units.
 */
static void units_set_aside_stay_whole(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {}, b = {}, c = {};
	unsigned long i;
	long pfn;

	pool->ceiling = 3 * UNIT;
	/* the boot parts, smaller than a unit, all out */
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &b, TOTAL, 0,
							   NULL), 0);
	for (i = 0; i < TOTAL; i++)
		KUNIT_ASSERT_GE(test, secretmem_pool_take(pool, &b, 0), 0L);
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a, 2 * UNIT,
							   0, NULL), 0);
	KUNIT_ASSERT_EQ(test, f->grown, 2);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_units(pool, &a, 2), 2UL);
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, true), 2UL);
	/* a reservation is set aside once */
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_units(pool, &a, 2), 0UL);
	expect_counts(test, NUMA_NO_NODE, TOTAL + 2 * UNIT, 2 * UNIT, 2 * UNIT);

	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &c, UNIT, 0,
							   NULL), 0);
	KUNIT_ASSERT_EQ(test, f->grown, 3);
	for (i = 0; i < UNIT; i++) {
		pfn = secretmem_pool_take(pool, &c, 0);
		KUNIT_ASSERT_GE(test, pfn, (long)(UNIT_BASE + 2 * UNIT));
	}
	/* a's units are still whole, and c's pages did not cost a any */
	pfn = secretmem_pool_take_unit(pool, &a, 0);
	KUNIT_EXPECT_GE(test, pfn, (long)UNIT_BASE);
	KUNIT_EXPECT_LT(test, pfn, (long)(UNIT_BASE + 2 * UNIT));
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, true), 1UL);
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, false), 1UL);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &a, 0),
			(long)(2 * UNIT_BASE + UNIT) - pfn);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&a.nr_pages), 0L);
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, true), 0UL);
	expect_counts(test, NUMA_NO_NODE, TOTAL + 3 * UNIT, 0, 0);
	secretmem_pool_unreserve(pool, &a);
	secretmem_pool_unreserve(pool, &b);
	secretmem_pool_unreserve(pool, &c);
}

/*
 * A file that takes single pages after all (its mapping cannot take them
 * whole) gets them from its units, one unit at a time; what is left of the
 * units goes back at unreserve, and empty units can be given back.
 */
static void units_set_aside_become_pages(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {}, b = {};
	unsigned long i;
	long pfn;

	pool->ceiling = 2 * UNIT;
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &b, TOTAL, 0,
							   NULL), 0);
	/* promised from the boot parts only: no whole unit there */
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_units(pool, &b, 1), 0UL);
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a, 2 * UNIT,
							   0, NULL), 0);
	KUNIT_ASSERT_EQ(test, f->grown, 2);
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_units(pool, &a, 2), 2UL);
	/* b's single pages: from the boot parts, never a's units */
	for (i = 0; i < TOTAL; i++)
		KUNIT_EXPECT_LT(test, secretmem_pool_take(pool, &b, 0),
				(long)UNIT_BASE);
	KUNIT_EXPECT_EQ(test, secretmem_pool_take(pool, &b, 0), (long)-ENOSPC);
	for (i = 0; i < UNIT + 1; i++) {
		pfn = secretmem_pool_take(pool, &a, 0);
		KUNIT_ASSERT_GE(test, pfn, (long)UNIT_BASE);
		KUNIT_ASSERT_LT(test, pfn, (long)(UNIT_BASE + 2 * UNIT));
	}
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, true), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&a.nr_pages), (long)UNIT - 1);
	/* no whole unit is left promised: 4 KiB pages */
	KUNIT_EXPECT_EQ(test, secretmem_pool_take_unit(pool, &a, 0),
			(long)-ENOSPC);
	expect_counts(test, NUMA_NO_NODE, TOTAL + 2 * UNIT, UNIT - 1,
		      UNIT - 1);
	secretmem_pool_unreserve(pool, &a);
	secretmem_pool_unreserve(pool, &b);
	expect_counts(test, NUMA_NO_NODE, TOTAL + 2 * UNIT, UNIT - 1, 0);
}

/* Units set aside and never used go back at unreserve, and can shrink. */
static void units_set_aside_unreserved(struct kunit *test)
{
	struct pool_fixture *f = test->priv;
	struct secretmem_pool *pool = test_pool(test);
	struct secretmem_resv a = {};

	pool->ceiling = 2 * UNIT;
	KUNIT_ASSERT_EQ(test, secretmem_pool_reserve_pages(pool, &a,
							   TOTAL + 2 * UNIT,
							   0, NULL), 0);
	KUNIT_ASSERT_EQ(test, f->grown, 2);
	KUNIT_EXPECT_EQ(test, secretmem_pool_reserve_units(pool, &a, 3), 2UL);
	/* promised and set aside: never given back */
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 0L);
	secretmem_pool_unreserve(pool, &a);
	KUNIT_EXPECT_EQ(test, secretmem_pool_huge(pool, true), 0UL);
	KUNIT_EXPECT_NULL(test, a.units);
	expect_counts(test, NUMA_NO_NODE, TOTAL + 2 * UNIT, TOTAL + 2 * UNIT,
		      0);
	KUNIT_EXPECT_EQ(test, secretmem_pool_shrink(pool, ULONG_MAX), 2L);
	KUNIT_EXPECT_EQ(test, f->ungrown, 2);
}

static struct kunit_case secretmem_pool_cases[] = {
	KUNIT_CASE(reserve_unreserve),
	KUNIT_CASE(reserve_zero_is_noop),
	KUNIT_CASE(exhaustion_all_or_nothing),
	KUNIT_CASE(take_consumes_reservation),
	KUNIT_CASE(give_back_to_reservation),
	KUNIT_CASE(per_node_choice),
	KUNIT_CASE(allowed_nodes_only),
	KUNIT_CASE(released_pages_wait_for_flush),
	KUNIT_CASE(flush_once_per_batch),
	KUNIT_CASE(quarantine_shrinks_total),
	KUNIT_CASE(fill_and_drain),
	KUNIT_CASE(concurrent_use),
	KUNIT_CASE(regions_lock_apart),
	KUNIT_CASE(one_reservation_many_faults),
	KUNIT_CASE(poisoned_free_page_skipped),
	KUNIT_CASE(poisoned_free_page_breaks_one_promise),
	KUNIT_CASE(machine_regions_unmapped),
	KUNIT_CASE(grow_within_ceiling),
	KUNIT_CASE(grow_failure),
	KUNIT_CASE(fullest_unit_first),
	KUNIT_CASE(grow_on_allowed_node),
	KUNIT_CASE(take_whole_unit),
	KUNIT_CASE(poisoned_unit_not_taken_whole),
	KUNIT_CASE(unit_needs_promise_and_whole_unit),
	KUNIT_CASE(units_set_aside_stay_whole),
	KUNIT_CASE(units_set_aside_become_pages),
	KUNIT_CASE(units_set_aside_unreserved),
	{}
};

static struct kunit_suite secretmem_pool_suite = {
	.name = "secretmem_pool",
	.init = pool_init,
	.exit = pool_exit,
	.test_cases = secretmem_pool_cases,
};

/* ---- secretmem= parsing ---- */

struct parse_case {
	const char *str;
	int ret;		/* entries, or -EINVAL */
	int nid0;
	u64 size0;
	int nid1;
	u64 size1;
};

static const struct parse_case parse_cases[] = {
	{ "64M", 1, NUMA_NO_NODE, SZ_64M },
	{ "1G", 1, NUMA_NO_NODE, SZ_1G },
	{ "1000000", 1, NUMA_NO_NODE, SZ_2M },		/* rounded up */
	{ "3m", 1, NUMA_NO_NODE, SZ_4M },
	{ "0", 1, NUMA_NO_NODE, 0 },			/* caller refuses 0 */
	{ "0:32M,1:2G", 2, 0, SZ_32M, 1, SZ_2G },
	{ "1:64M,1:64M", 2, 1, SZ_64M, 1, SZ_64M },	/* caller skips dup */
	{ "7:64M", 1, 7, SZ_64M },			/* caller checks node */
	{ "", -EINVAL },
	{ "garbage", -EINVAL },
	{ "-64M", -EINVAL },
	{ "64Mjunk", -EINVAL },
	{ "64M ", -EINVAL },
	{ "99999999999999999999", -EINVAL },
	{ "17179869184G", -EINVAL },			/* 2^64 bytes */
	{ ",", -EINVAL },
	{ "0:64M,", -EINVAL },
	{ ":64M", -EINVAL },
	{ "0:", -EINVAL },
	{ "0:64M;1:64M", -EINVAL },
	{ "x:64M", -EINVAL },
	{ "0x10:64M", -EINVAL },
};

static void parse_case_desc(const struct parse_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", c->str);
}

KUNIT_ARRAY_PARAM(parse, parse_cases, parse_case_desc);

static void parse_param(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	struct secretmem_spec specs[4];
	const char *why = NULL;
	int n;

	n = secretmem_parse_param(c->str, specs, ARRAY_SIZE(specs), &why);
	KUNIT_ASSERT_EQ(test, n, c->ret);
	if (n < 0) {
		KUNIT_EXPECT_NOT_NULL(test, why);
		return;
	}
	KUNIT_EXPECT_EQ(test, specs[0].nid, c->nid0);
	KUNIT_EXPECT_EQ(test, specs[0].size, c->size0);
	if (n > 1) {
		KUNIT_EXPECT_EQ(test, specs[1].nid, c->nid1);
		KUNIT_EXPECT_EQ(test, specs[1].size, c->size1);
	}
}

/* "[FLOOR]+CEILING": the ceiling is cut off, the floor left to parse */
static void parse_ceiling(struct kunit *test)
{
	static const struct {
		const char *str, *floor;
		int ret;
		u64 ceiling;
	} cases[] = {
		{ "64M", "64M", 0, 0 },
		{ "64M+1G", "64M", 0, SZ_1G },
		{ "+256M", "", 0, SZ_256M },
		{ "0:32M,1:16M+3m", "0:32M,1:16M", 0, SZ_4M },
		{ "64M+0", "64M", 0, 0 },
		{ "64M+", NULL, -EINVAL },
		{ "64M+x", NULL, -EINVAL },
		{ "64M+1G+1G", NULL, -EINVAL },
		{ "+-1G", NULL, -EINVAL },
		{ "+17179869184G", NULL, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[32];
		const char *why = NULL;
		u64 ceiling = 1;

		strscpy(buf, cases[i].str);
		KUNIT_EXPECT_EQ_MSG(test, secretmem_parse_ceiling(buf, &ceiling,
								  &why),
				    cases[i].ret, "%s", cases[i].str);
		if (cases[i].ret) {
			KUNIT_EXPECT_NOT_NULL(test, why);
			continue;
		}
		KUNIT_EXPECT_STREQ(test, buf, cases[i].floor);
		KUNIT_EXPECT_EQ_MSG(test, ceiling, cases[i].ceiling, "%s",
				    cases[i].str);
	}
}

static struct kunit_case secretmem_param_cases[] = {
	KUNIT_CASE_PARAM(parse_param, parse_gen_params),
	KUNIT_CASE(parse_ceiling),
	{}
};

static struct kunit_suite secretmem_param_suite = {
	.name = "secretmem_param",
	.test_cases = secretmem_param_cases,
};

kunit_test_suites(&secretmem_pool_suite, &secretmem_param_suite);

MODULE_DESCRIPTION("KUnit tests for the secretmem pool");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
