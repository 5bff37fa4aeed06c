// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the secretmem controller's protection arithmetic: what a
 * group may claim, how siblings share a parent's protection, what the other
 * groups still need and when a charge is refused for it. Built into
 * secretmem_cgroup.c, whose helpers it calls.
 */

#include <kunit/test.h>

#define P(mib)	((unsigned long)(mib) << (20 - PAGE_SHIFT))

/* A claim is the group's min, but no more than its max or its parent's. */
static void claim_bounded(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, secretmem_claim(P(8), PAGE_COUNTER_MAX, P(64)),
			P(8));
	/* min above max: what the group can never hold is not protected */
	KUNIT_EXPECT_EQ(test, secretmem_claim(P(32), P(16), P(64)), P(16));
	/* min above the parent's protection: the parent's */
	KUNIT_EXPECT_EQ(test, secretmem_claim(P(128), PAGE_COUNTER_MAX, P(64)),
			P(64));
	/* min "max" on a pool of 64M */
	KUNIT_EXPECT_EQ(test, secretmem_claim(PAGE_COUNTER_MAX,
					      PAGE_COUNTER_MAX, P(64)), P(64));
	KUNIT_EXPECT_EQ(test, secretmem_claim(0, PAGE_COUNTER_MAX, P(64)), 0);
}

/* Claims that fit are granted whole; others share in proportion. */
static void share_proportional(struct kunit *test)
{
	unsigned long big = 1UL << 40;

	KUNIT_EXPECT_EQ(test, secretmem_share(P(64), P(16), P(48)), P(16));
	KUNIT_EXPECT_EQ(test, secretmem_share(P(64), P(16), P(64)), P(16));
	/* 60 + 60 of 100: 50 each */
	KUNIT_EXPECT_EQ(test, secretmem_share(100, 60, 120), 50);
	/* 100 + 50 + 50 of 100: 50, 25, 25, never more than the parent */
	KUNIT_EXPECT_EQ(test, secretmem_share(100, 100, 200), 50);
	KUNIT_EXPECT_EQ(test, secretmem_share(100, 50, 200), 25);
	/* rounding down: 3 x 1 of 2 gives 0 each, never above the parent */
	KUNIT_EXPECT_EQ(test, secretmem_share(2, 1, 3), 0);
	/* no overflow with a claim times a capacity beyond 64 bits */
	KUNIT_EXPECT_EQ(test, secretmem_share(big, big, 2 * big), big / 2);
	KUNIT_EXPECT_EQ(test, secretmem_share(0, 0, 0), 0);
}

/* What a group still needs: its unused protection, or its children's. */
static void need_of_a_group(struct kunit *test)
{
	/* protected 32, using 8: 24 more */
	KUNIT_EXPECT_EQ(test, secretmem_need(P(32), P(8), 0, false), P(24));
	/* faulted, released, using more than protected: nothing */
	KUNIT_EXPECT_EQ(test, secretmem_need(P(32), P(40), 0, false), 0);
	KUNIT_EXPECT_EQ(test, secretmem_need(P(32), P(32), 0, false), 0);
	/* a child protected beyond what its parent has left */
	KUNIT_EXPECT_EQ(test, secretmem_need(P(32), P(30), P(8), false), P(8));
	/* the charging group's own protection is the charge's to use */
	KUNIT_EXPECT_EQ(test, secretmem_need(P(32), 0, P(4), true), P(4));
	KUNIT_EXPECT_EQ(test, secretmem_need(P(32), 0, 0, true), 0);
}

static void refusal(struct kunit *test)
{
	/* room 64, 24 needed elsewhere: 40 fit, 41 do not */
	KUNIT_EXPECT_FALSE(test, secretmem_protection_refuses(P(64), P(40),
							      P(24)));
	KUNIT_EXPECT_TRUE(test, secretmem_protection_refuses(P(64), P(40) + 1,
							     P(24)));
	/* nothing needed: anything the pool has */
	KUNIT_EXPECT_FALSE(test, secretmem_protection_refuses(P(64), P(64), 0));
	/* more than the room: the pool refuses it, not a guarantee */
	KUNIT_EXPECT_FALSE(test, secretmem_protection_refuses(P(64), P(65),
							      P(24)));
	/* the guarantees already exceed the room: every charge is refused */
	KUNIT_EXPECT_TRUE(test, secretmem_protection_refuses(P(8), 1, P(16)));
}

/*
 * A 64M pool; root's children A (min 16M, using 4M) and B (min 64M, using
 * nothing) overcommit it with C (no min). B's child B1 asks 128M.
 */
static void tree_of_groups(struct kunit *test)
{
	unsigned long root = P(64), sum, a, b, b1, c, room;

	sum = secretmem_claim(P(16), PAGE_COUNTER_MAX, root) +
	      secretmem_claim(P(64), PAGE_COUNTER_MAX, root) +
	      secretmem_claim(0, PAGE_COUNTER_MAX, root);
	KUNIT_EXPECT_EQ(test, sum, P(80));
	a = secretmem_share(root, P(16), sum);
	b = secretmem_share(root, P(64), sum);
	c = secretmem_share(root, 0, sum);
	/* 64 shared 16:64: 12.8M and 51.2M */
	KUNIT_EXPECT_EQ(test, a, P(64) / 5);
	KUNIT_EXPECT_EQ(test, b, P(64) * 4 / 5);
	KUNIT_EXPECT_EQ(test, c, 0);
	KUNIT_EXPECT_LE(test, a + b + c, root);
	/* B1, an only child, gets all of B's, no more */
	b1 = secretmem_share(b, secretmem_claim(P(128), PAGE_COUNTER_MAX, b),
			     secretmem_claim(P(128), PAGE_COUNTER_MAX, b));
	KUNIT_EXPECT_EQ(test, b1, b);

	/* C charges: A's 8.8M unused and B's (its child's) 51.2M count */
	sum = secretmem_need(a, P(4), 0, false) +
	      secretmem_need(b, 0, secretmem_need(b1, 0, 0, false), false);
	KUNIT_EXPECT_EQ(test, sum, a - P(4) + b);
	/* a room of just that: C gets no page; one page more, it gets one */
	room = sum;
	KUNIT_EXPECT_TRUE(test, secretmem_protection_refuses(room, 1, sum));
	KUNIT_EXPECT_FALSE(test, secretmem_protection_refuses(room + 1, 1, sum));
	/* B1 charges: only A's, B's own protection is B1's */
	sum = secretmem_need(a, P(4), 0, false) +
	      secretmem_need(b, 0, secretmem_need(b1, 0, 0, true), true);
	KUNIT_EXPECT_EQ(test, sum, a - P(4));
	KUNIT_EXPECT_FALSE(test, secretmem_protection_refuses(room, room - sum,
							      sum));
	KUNIT_EXPECT_TRUE(test, secretmem_protection_refuses(room,
							     room - sum + 1,
							     sum));
}

static struct kunit_case secretmem_cgroup_cases[] = {
	KUNIT_CASE(claim_bounded),
	KUNIT_CASE(share_proportional),
	KUNIT_CASE(need_of_a_group),
	KUNIT_CASE(refusal),
	KUNIT_CASE(tree_of_groups),
	{}
};

static struct kunit_suite secretmem_cgroup_suite = {
	.name = "secretmem_cgroup",
	.test_cases = secretmem_cgroup_cases,
};

kunit_test_suite(secretmem_cgroup_suite);
