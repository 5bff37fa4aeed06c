// SPDX-License-Identifier: GPL-2.0
/*
 * Secret memory controller for cgroups.
 *
 * Limits how much memfd_secret() memory the tasks of a cgroup may reserve.
 * A secret file is charged once, when its size is set, to the cgroup of the
 * task that sets it, and uncharged when its inode is evicted, after its
 * pages are gone.  The charge is hierarchical and is refused with -ENOMEM
 * when it would take this group or any of its ancestors above secretmem.max.
 *
 * A refused charge leaves no trace but its max event: every limit is
 * checked before anything is added, under one mutex with the other thing
 * that can refuse (the pool's reservation), so no usage, watermark or
 * sibling ever sees a charge that is then taken back.
 *
 * Secret pages are removed from the direct map and cannot be reclaimed, so
 * the controller never reclaims or throttles: the limit is checked once, at
 * reservation time, and that is the only place a task can be refused.
 *
 * The inode keeps a css reference until it is evicted.  Charges therefore
 * stay with the cgroup that made them when the task migrates, and a removed
 * cgroup lingers offline until its last file goes away.
 *
 * With a secretmem= pool, secretmem.min guarantees a group part of the pool:
 * a reservation is refused when it would leave the pool too small for what
 * the groups it is not part of may still reserve under their protection.
 * Protection is hierarchical, as memory.min's is: the root's is the pool,
 * a child's is bounded by its parent's and siblings that claim more than
 * their parent has share it in proportion to their claims.
 */

#include <linux/atomic.h>
#include <linux/cgroup.h>
#include <linux/ctype.h>
#include <linux/error-injection.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/page_counter.h>
#include <linux/rcupdate.h>
#include <linux/secretmem_cgroup.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "secretmem_pool.h"

#define SECRETMEM_MAX_STR	"max"

/* Pages of one group's files on one node, for secretmem.stat. */
struct secretmem_node_pages {
	atomic_long_t	reserved;	/* promised by the pool, not faulted */
	atomic_long_t	faulted;
};

struct secretmem_cgroup {
	struct cgroup_subsys_state	css;

	/* Hierarchical reservation, in pages; max is secretmem.max */
	struct page_counter		res;

	/* secretmem.min, in pages; 0 once the group is offline */
	unsigned long			min;
	/*
	 * Scratch of the protection walk, under secretmem_charge_mutex:
	 * the effective protection, and what the group and its descendants
	 * may still reserve under theirs.
	 */
	unsigned long			emin;
	unsigned long			need;

	/* Charges refused by a limit here or in a descendant */
	atomic64_t			events_max;
	/* Charges refused by this group's own limit */
	atomic64_t			events_local_max;
	/* Charges here or below refused by another group's protection */
	atomic64_t			events_protected;
	/* Charges of this group refused by another group's protection */
	atomic64_t			events_local_protected;

	/* Handles for secretmem.events[.local] notifications */
	struct cgroup_file		events_file;
	struct cgroup_file		events_local_file;

	/* Open secretmem.peak files that were written to: fd-local peaks */
	struct list_head		peaks;
	spinlock_t			peaks_lock;	/* peaks, resets */

	/*
	 * Pages of files charged to this group only, not to its descendants,
	 * per node (nr_node_ids of them).  Kept local so that a fault costs
	 * one or two atomics; secretmem.stat sums the hierarchy when read.
	 */
	struct secretmem_node_pages	nodes[];
};

static struct secretmem_cgroup *css_secretmem(struct cgroup_subsys_state *css)
{
	return css ? container_of(css, struct secretmem_cgroup, css) : NULL;
}

static struct secretmem_cgroup *parent_secretmem(struct secretmem_cgroup *cg)
{
	return css_secretmem(cg->css.parent);
}

static u64 pages_to_bytes(unsigned long nr_pages)
{
	return (u64)nr_pages << PAGE_SHIFT;
}

static struct cgroup_subsys_state *
secretmem_css_alloc(struct cgroup_subsys_state *parent_css)
{
	struct secretmem_cgroup *parent = css_secretmem(parent_css);
	struct secretmem_cgroup *cg;

	cg = kzalloc(struct_size(cg, nodes, nr_node_ids), GFP_KERNEL);
	if (!cg)
		return ERR_PTR(-ENOMEM);

	/* page_counter_init() sets max to PAGE_COUNTER_MAX, i.e. "max" */
	page_counter_init(&cg->res, parent ? &parent->res : NULL, false);
	INIT_LIST_HEAD(&cg->peaks);
	spin_lock_init(&cg->peaks_lock);
	return &cg->css;
}

/*
 * Every charge pins its css, so by the time the css is freed all charges
 * have been uncharged and there is nothing left to hand to the parent.
 */
static void secretmem_css_free(struct cgroup_subsys_state *css)
{
	struct secretmem_cgroup *cg = css_secretmem(css);
	int nid;

	WARN_ON_ONCE(page_counter_read(&cg->res));
	for (nid = 0; nid < nr_node_ids; nid++) {
		WARN_ON_ONCE(atomic_long_read(&cg->nodes[nid].reserved));
		WARN_ON_ONCE(atomic_long_read(&cg->nodes[nid].faulted));
	}
	kfree(cg);
}

/*
 * Serialises check-then-charge, so that a checked limit still holds, and
 * secretmem.min with the walks that weigh it.
 */
static DEFINE_MUTEX(secretmem_charge_mutex);

/* Groups with a non-zero secretmem.min: without any, no walk is needed. */
static unsigned long secretmem_nr_protected;

/* A removed group can reserve nothing more: it protects nothing. */
static void secretmem_css_offline(struct cgroup_subsys_state *css)
{
	struct secretmem_cgroup *cg = css_secretmem(css);

	mutex_lock(&secretmem_charge_mutex);
	if (cg->min)
		secretmem_nr_protected--;
	WRITE_ONCE(cg->min, 0);
	mutex_unlock(&secretmem_charge_mutex);
}

/* A refusal of a charge by @over's limit, or of @over's charge (@protected) */
static void secretmem_event(struct secretmem_cgroup *over, bool protected)
{
	struct secretmem_cgroup *cg;

	/* The root has no limit file, so no event files to report in. */
	if (!parent_secretmem(over))
		return;

	atomic64_inc(protected ? &over->events_local_protected :
				 &over->events_local_max);
	cgroup_file_notify(&over->events_local_file);

	for (cg = over; parent_secretmem(cg); cg = parent_secretmem(cg)) {
		atomic64_inc(protected ? &cg->events_protected :
					 &cg->events_max);
		cgroup_file_notify(&cg->events_file);
	}
}

/* Whether @cg or an ancestor has a finite secretmem.max. */
static bool secretmem_limited(struct secretmem_cgroup *cg)
{
	for (; cg; cg = parent_secretmem(cg))
		if (READ_ONCE(cg->res.max) != PAGE_COUNTER_MAX)
			return true;
	return false;
}

static struct secretmem_cgroup *secretmem_root(struct secretmem_cgroup *cg)
{
	while (parent_secretmem(cg))
		cg = parent_secretmem(cg);
	return cg;
}

/*
 * The arithmetic of protection, in pages. A group claims its secretmem.min
 * of its parent's effective protection @parent, but never more than it may
 * hold (its secretmem.max) or than the parent has.
 */
static unsigned long secretmem_claim(unsigned long min, unsigned long max,
				     unsigned long parent)
{
	return min3(min, max, parent);
}

/*
 * A group's effective protection: its claim, unless its siblings' claims
 * (its own included) add up to @sum, more than the parent's @parent; then
 * the parent's is shared in proportion to the claims.
 */
static unsigned long secretmem_share(unsigned long parent, unsigned long claim,
				     unsigned long sum)
{
	if (sum <= parent)
		return claim;
	return mul_u64_u64_div_u64(claim, parent, sum);
}

/*
 * What a group and its descendants may still reserve under their
 * protection, given their usage and what its children may (@children). A
 * group that the charge being weighed is made in (@charging) has its own
 * protection used by that charge, so only its other children count.
 */
static unsigned long secretmem_need(unsigned long emin, unsigned long usage,
				    unsigned long children, bool charging)
{
	if (charging || usage >= emin)
		return children;
	return max(emin - usage, children);
}

/*
 * Whether a charge of @nr_pages breaks a guarantee: it would leave less
 * than @need of the pool's @room. A charge the room cannot cover at all is
 * the pool's to refuse, not a guarantee's.
 */
static bool secretmem_protection_refuses(unsigned long room,
					 unsigned long nr_pages,
					 unsigned long need)
{
	return nr_pages <= room && room - nr_pages < need;
}

/*
 * A removed group protects nothing from the moment of its rmdir: its
 * offlining, which clears its min, may come a grace period later.
 */
static unsigned long secretmem_claim_of(struct secretmem_cgroup *cg,
					unsigned long parent)
{
	if (css_is_dying(&cg->css))
		return 0;
	return secretmem_claim(READ_ONCE(cg->min), READ_ONCE(cg->res.max),
			       parent);
}

/* Sets ->emin of @root and all its descendants; @root's is @capacity. */
static void secretmem_protection_walk(struct secretmem_cgroup *root,
				      unsigned long capacity)
{
	struct cgroup_subsys_state *pos, *child;

	lockdep_assert_held(&secretmem_charge_mutex);
	root->emin = capacity;
	rcu_read_lock();
	css_for_each_descendant_pre(pos, &root->css) {
		unsigned long parent = css_secretmem(pos)->emin, sum = 0;

		css_for_each_child(child, pos)
			sum += secretmem_claim_of(css_secretmem(child), parent);
		css_for_each_child(child, pos) {
			struct secretmem_cgroup *c = css_secretmem(child);

			c->emin = secretmem_share(parent,
						  secretmem_claim_of(c, parent),
						  sum);
		}
	}
	rcu_read_unlock();
}

/*
 * What the groups that @cg is not part of may still reserve under their
 * protection, after secretmem_protection_walk().
 */
static unsigned long secretmem_others_need(struct secretmem_cgroup *root,
					   struct secretmem_cgroup *cg)
{
	struct cgroup_subsys_state *pos, *child;

	lockdep_assert_held(&secretmem_charge_mutex);
	rcu_read_lock();
	css_for_each_descendant_post(pos, &root->css) {
		struct secretmem_cgroup *x = css_secretmem(pos);
		unsigned long children = 0;

		css_for_each_child(child, pos)
			children += css_secretmem(child)->need;
		x->need = secretmem_need(x->emin, page_counter_read(&x->res),
					 children,
					 cgroup_is_descendant(cg->css.cgroup,
							      pos->cgroup));
	}
	rcu_read_unlock();
	return root->need;
}

/* Whether another group's secretmem.min refuses @nr_pages more to @cg. */
static bool secretmem_protected(struct secretmem_cgroup *cg,
				unsigned long nr_pages)
{
	struct secretmem_cgroup *root = secretmem_root(cg);
	unsigned long capacity, room, need;

	if (!secretmem_nr_protected)
		return false;
	secretmem_pool_room(NUMA_NO_NODE, &capacity, &room);
	if (!capacity)
		return false;
	secretmem_protection_walk(root, capacity);
	need = secretmem_others_need(root, cg);
	if (!secretmem_protection_refuses(room, nr_pages, need))
		return false;
	/*
	 * Pages of evicted files may still sit in a CPU's mlock or LRU batch,
	 * out of the room: drain them before refusing. The usage, and so the
	 * need, cannot change meanwhile: charges wait for the mutex.
	 */
	if (!secretmem_pool_drain(nr_pages + need))
		return true;
	secretmem_pool_room(NUMA_NO_NODE, &capacity, &room);
	return secretmem_protection_refuses(room, nr_pages, need);
}

/* The group, @cg or an ancestor, whose limit @nr_pages more would pass. */
static struct secretmem_cgroup *secretmem_over_limit(struct secretmem_cgroup *cg,
						     unsigned long nr_pages)
{
	for (; cg; cg = parent_secretmem(cg)) {
		unsigned long usage = page_counter_read(&cg->res);

		if (nr_pages > READ_ONCE(cg->res.max) ||
		    usage > READ_ONCE(cg->res.max) - nr_pages)
			return cg;
	}
	return NULL;
}

/**
 * secretmem_cgroup_try_charge - charge a secret memory reservation
 * @nr_pages: number of pages to reserve
 * @cgp: where to store the charged cgroup
 * @reserve: what else must agree before the charge is made, or %NULL;
 *	     told whether a finite secretmem.max applies to the charge
 * @arg: argument of @reserve
 *
 * Charge @nr_pages to the cgroup of the current task and to all of its
 * ancestors, if every limit allows it, no other group's secretmem.min
 * would be left short by it, and @reserve succeeds.  The limits and
 * guarantees are checked first and @reserve is called next, with nothing
 * charged yet, so a refusal by any of them changes no counter or watermark;
 * a refusal by a limit counts a max event, by a guarantee a protected one.
 * On success *@cgp holds a reference on the cgroup, which the caller keeps
 * until it passes *@cgp to secretmem_cgroup_uncharge().  When the controller is disabled or
 * @nr_pages is zero nothing is charged and *@cgp is %NULL, which the other
 * functions accept; @reserve is still called.
 *
 * Context: Process context, charges current's cgroup.  Sleeps.
 * Return: 0 on success, -ENOMEM if a limit or a guarantee refuses, or the
 * error of @reserve; then nothing is charged and *@cgp is %NULL.
 */
int secretmem_cgroup_try_charge(unsigned long nr_pages,
				struct secretmem_cgroup **cgp,
				int (*reserve)(void *arg, bool limited), void *arg)
{
	struct secretmem_cgroup *cg, *over;
	int err;

	*cgp = NULL;
	if (!cgroup_subsys_enabled(secretmem_cgrp_subsys) || !nr_pages)
		return reserve ? reserve(arg, false) : 0;

	/*
	 * More than the root can ever hold.  Refuse it here so the counters
	 * below cannot overflow; it is no group's limit, so no event.
	 */
	if (nr_pages > PAGE_COUNTER_MAX)
		return -ENOMEM;

	cg = css_secretmem(task_get_css(current, secretmem_cgrp_id));
	mutex_lock(&secretmem_charge_mutex);
	over = secretmem_over_limit(cg, nr_pages);
	if (over) {
		err = -ENOMEM;
		secretmem_event(over, false);
	} else if (secretmem_protected(cg, nr_pages)) {
		err = -ENOMEM;
		secretmem_event(cg, true);
	} else {
		err = reserve ? reserve(arg, secretmem_limited(cg)) : 0;
	}
	if (!err)
		page_counter_charge(&cg->res, nr_pages);
	mutex_unlock(&secretmem_charge_mutex);

	if (err) {
		css_put(&cg->css);
		return err;
	}
	*cgp = cg;
	return 0;
}

/*
 * Tests make the charge fail with fail_function. An injected failure skips
 * the body and leaves *@cgp untouched: secretmem_reserve() calls this with
 * its state->cg still NULL, so that needs no special case there.
 */
ALLOW_ERROR_INJECTION(secretmem_cgroup_try_charge, ERRNO);

/**
 * secretmem_cgroup_uncharge - undo a secret memory reservation
 * @cg: cgroup returned by secretmem_cgroup_try_charge(), may be %NULL
 * @nr_pages: number of pages that were charged
 *
 * Uncharge @nr_pages from @cg and its ancestors and drop the reference
 * taken by the charge.  The caller takes its pages off the per-node lines
 * with secretmem_cgroup_node_add() first, so that no group ever shows more
 * pages faulted than charged.  @cg must not be used by the caller afterwards.
 *
 * Context: Any context; does not sleep.
 */
void secretmem_cgroup_uncharge(struct secretmem_cgroup *cg,
			       unsigned long nr_pages)
{
	if (!cg)
		return;
	if (nr_pages)
		page_counter_uncharge(&cg->res, nr_pages);
	css_put(&cg->css);
}

/**
 * secretmem_cgroup_node_add - account a charge's pages to a node
 * @cg: cgroup returned by secretmem_cgroup_try_charge(), may be %NULL
 * @nid: the node
 * @reserved: pages promised by the pool on @nid, negative to take back
 * @faulted: pages faulted in on @nid, negative to take back
 *
 * Only feeds the "reserved" and "faulted" lines of secretmem.stat; the
 * charge itself is unchanged.  A fault of a page the pool promised on @nid
 * moves it from @reserved to @faulted.
 *
 * Context: Any context; does not sleep or take locks.
 */
void secretmem_cgroup_node_add(struct secretmem_cgroup *cg, int nid,
			       long reserved, long faulted)
{
	if (!cg)
		return;
	if (reserved)
		atomic_long_add(reserved, &cg->nodes[nid].reserved);
	if (faulted)
		atomic_long_add(faulted, &cg->nodes[nid].faulted);
}

/*
 * Pages of @cg and all of its descendants on @nid: promised when @faulted
 * is false, faulted in when it is true.
 */
static unsigned long secretmem_node_pages(struct secretmem_cgroup *cg,
					  int nid, bool faulted)
{
	struct cgroup_subsys_state *pos;
	long sum = 0;

	/*
	 * Offline descendants stay on the sibling lists until their css is
	 * released, which a live charge prevents, so none is missed.
	 */
	rcu_read_lock();
	css_for_each_descendant_pre(pos, &cg->css) {
		struct secretmem_node_pages *np = &css_secretmem(pos)->nodes[nid];

		sum += atomic_long_read(faulted ? &np->faulted : &np->reserved);
	}
	rcu_read_unlock();

	return max(sum, 0L);
}

/*
 * Parse a secretmem.max value: "max", or decimal bytes with an optional
 * K, M, G or T suffix.  Anything else is rejected rather than guessed at.
 */
static int secretmem_parse_max(char *buf, unsigned long *nr_pages)
{
	unsigned int shift = 0;
	unsigned long long bytes;
	size_t len, i;

	buf = strim(buf);
	if (!strcmp(buf, SECRETMEM_MAX_STR)) {
		*nr_pages = PAGE_COUNTER_MAX;
		return 0;
	}

	len = strlen(buf);
	if (!len)
		return -EINVAL;

	switch (tolower(buf[len - 1])) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	}
	if (shift)
		buf[--len] = '\0';
	if (!len)
		return -EINVAL;

	/* kstrtoull() alone would also take a sign or a trailing newline. */
	for (i = 0; i < len; i++)
		if (!isdigit(buf[i]))
			return -EINVAL;

	if (kstrtoull(buf, 10, &bytes))
		return -EINVAL;
	if (bytes > (U64_MAX >> shift))
		return -EINVAL;
	bytes <<= shift;

	/* Like memory.max, anything the counter cannot hold means "max". */
	*nr_pages = min_t(u64, bytes >> PAGE_SHIFT, PAGE_COUNTER_MAX);
	return 0;
}

static ssize_t secretmem_max_write(struct kernfs_open_file *of, char *buf,
				   size_t nbytes, loff_t off)
{
	struct secretmem_cgroup *cg = css_secretmem(of_css(of));
	unsigned long nr_pages;
	int ret;

	ret = secretmem_parse_max(buf, &nr_pages);
	if (ret)
		return ret;

	/*
	 * Not page_counter_set_max(): it refuses a limit below the usage
	 * with -EBUSY, while here such a limit is valid and only stops new
	 * charges.  Secret pages cannot be reclaimed, so nothing is undone.
	 * A charge racing with this store may see either limit.
	 */
	WRITE_ONCE(cg->res.max, nr_pages);
	return nbytes;
}

static void secretmem_show_pages(struct seq_file *sf, unsigned long nr_pages)
{
	if (nr_pages >= PAGE_COUNTER_MAX)
		seq_puts(sf, SECRETMEM_MAX_STR "\n");
	else
		seq_printf(sf, "%llu\n", pages_to_bytes(nr_pages));
}

static int secretmem_max_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));

	secretmem_show_pages(sf, READ_ONCE(cg->res.max));
	return 0;
}

/*
 * secretmem.min takes the values secretmem.max does. Any value is valid:
 * what the pool and the ancestors cannot cover is cut down in the effective
 * protection (secretmem.stat), and a new guarantee never takes back what
 * was reserved before it, it only refuses later reservations of others.
 */
static ssize_t secretmem_min_write(struct kernfs_open_file *of, char *buf,
				   size_t nbytes, loff_t off)
{
	struct secretmem_cgroup *cg = css_secretmem(of_css(of));
	unsigned long nr_pages;
	int ret;

	ret = secretmem_parse_max(buf, &nr_pages);
	if (ret)
		return ret;

	mutex_lock(&secretmem_charge_mutex);
	if (!cg->min && nr_pages)
		secretmem_nr_protected++;
	else if (cg->min && !nr_pages)
		secretmem_nr_protected--;
	WRITE_ONCE(cg->min, nr_pages);
	mutex_unlock(&secretmem_charge_mutex);
	return nbytes;
}

static int secretmem_min_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));

	secretmem_show_pages(sf, READ_ONCE(cg->min));
	return 0;
}

static u64 secretmem_current_read(struct cgroup_subsys_state *css,
				  struct cftype *cft)
{
	return pages_to_bytes(page_counter_read(&css_secretmem(css)->res));
}

/*
 * secretmem.peak works as memory.peak does: the group's watermark, or, for
 * an open file that was written to, the highest usage since that write
 * (page_counter's local_watermark, reset by the latest write through any
 * file; the other written files keep what they had seen in their value).
 */
#define SECRETMEM_PEAK_UNSET	((u64)-1)

static int secretmem_peak_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));
	struct cgroup_of_peak *ofp = of_peak(sf->private);
	u64 fd_peak = READ_ONCE(ofp->value), peak;

	if (fd_peak == SECRETMEM_PEAK_UNSET)
		peak = READ_ONCE(cg->res.watermark);
	else
		peak = max(fd_peak, (u64)READ_ONCE(cg->res.local_watermark));
	seq_printf(sf, "%llu\n", pages_to_bytes(peak));
	return 0;
}

static int secretmem_peak_open(struct kernfs_open_file *of)
{
	of_peak(of)->value = SECRETMEM_PEAK_UNSET;
	return 0;
}

static void secretmem_peak_release(struct kernfs_open_file *of)
{
	struct secretmem_cgroup *cg = css_secretmem(of_css(of));
	struct cgroup_of_peak *ofp = of_peak(of);

	if (ofp->value == SECRETMEM_PEAK_UNSET)
		return;
	spin_lock(&cg->peaks_lock);
	list_del(&ofp->list);
	spin_unlock(&cg->peaks_lock);
}

/* Any write resets the peak seen through this open file to the usage. */
static ssize_t secretmem_peak_write(struct kernfs_open_file *of, char *buf,
				    size_t nbytes, loff_t off)
{
	struct secretmem_cgroup *cg = css_secretmem(of_css(of));
	struct cgroup_of_peak *ofp = of_peak(of), *peer;
	unsigned long usage, seen;

	spin_lock(&cg->peaks_lock);
	seen = READ_ONCE(cg->res.local_watermark);
	usage = page_counter_read(&cg->res);
	WRITE_ONCE(cg->res.local_watermark, usage);
	/*
	 * The other files keep the peak they could see until now: the
	 * local watermark being reset, not just today's usage (which is all
	 * memory.peak gives them in 6.12, so one reader's reset can lower
	 * another's peak).
	 */
	list_for_each_entry(peer, &cg->peaks, list)
		if (max(seen, usage) > peer->value)
			WRITE_ONCE(peer->value, max(seen, usage));
	if (ofp->value == SECRETMEM_PEAK_UNSET)
		list_add(&ofp->list, &cg->peaks);
	WRITE_ONCE(ofp->value, usage);
	spin_unlock(&cg->peaks_lock);
	return nbytes;
}

static int secretmem_events_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));

	seq_printf(sf, "max %lld\n", (s64)atomic64_read(&cg->events_max));
	seq_printf(sf, "protected %lld\n",
		   (s64)atomic64_read(&cg->events_protected));
	return 0;
}

static int secretmem_events_local_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));

	seq_printf(sf, "max %lld\n", (s64)atomic64_read(&cg->events_local_max));
	seq_printf(sf, "protected %lld\n",
		   (s64)atomic64_read(&cg->events_local_protected));
	return 0;
}

/* The group's effective protection, in pages. */
static unsigned long secretmem_effective_min(struct secretmem_cgroup *cg)
{
	unsigned long capacity, room, emin = 0;

	mutex_lock(&secretmem_charge_mutex);
	if (secretmem_nr_protected) {
		secretmem_pool_room(NUMA_NO_NODE, &capacity, &room);
		secretmem_protection_walk(secretmem_root(cg), capacity);
		emin = cg->emin;
	}
	mutex_unlock(&secretmem_charge_mutex);
	return emin;
}

static int secretmem_stat_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));
	unsigned long usage = page_counter_read(&cg->res);
	unsigned long faulted = 0, capacity, room;
	bool root = !parent_secretmem(cg);
	int nid;

	for_each_node_state(nid, N_MEMORY)
		faulted += secretmem_node_pages(cg, nid, true);
	/*
	 * The counters are read at different times; clamp so that a racing
	 * charge or uncharge cannot show a negative reservation.
	 */
	faulted = min(faulted, usage);

	seq_printf(sf, "reserved %llu\n", pages_to_bytes(usage - faulted));
	seq_printf(sf, "faulted %llu\n", pages_to_bytes(faulted));
	if (root) {
		secretmem_pool_room(NUMA_NO_NODE, &capacity, &room);
		seq_printf(sf, "capacity %llu\n", pages_to_bytes(capacity));
	} else {
		seq_printf(sf, "effective_min %llu\n",
			   pages_to_bytes(secretmem_effective_min(cg)));
	}

	for_each_node_state(nid, N_MEMORY) {
		seq_printf(sf, "node%d_reserved %llu\n", nid,
			   pages_to_bytes(secretmem_node_pages(cg, nid, false)));
		seq_printf(sf, "node%d_faulted %llu\n", nid,
			   pages_to_bytes(secretmem_node_pages(cg, nid, true)));
		if (root) {
			secretmem_pool_room(nid, &capacity, &room);
			seq_printf(sf, "node%d_capacity %llu\n", nid,
				   pages_to_bytes(capacity));
		}
	}
	return 0;
}

static struct cftype secretmem_files[] = {
	{
		.name = "max",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = secretmem_max_show,
		.write = secretmem_max_write,
	},
	{
		.name = "min",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = secretmem_min_show,
		.write = secretmem_min_write,
	},
	{
		/* On the root too: everything is charged up to it. */
		.name = "current",
		.read_u64 = secretmem_current_read,
	},
	{
		.name = "peak",
		.flags = CFTYPE_NOT_ON_ROOT,
		.open = secretmem_peak_open,
		.release = secretmem_peak_release,
		.seq_show = secretmem_peak_show,
		.write = secretmem_peak_write,
	},
	{
		.name = "events",
		.flags = CFTYPE_NOT_ON_ROOT,
		.file_offset = offsetof(struct secretmem_cgroup, events_file),
		.seq_show = secretmem_events_show,
	},
	{
		.name = "events.local",
		.flags = CFTYPE_NOT_ON_ROOT,
		.file_offset = offsetof(struct secretmem_cgroup,
					events_local_file),
		.seq_show = secretmem_events_local_show,
	},
	{
		.name = "stat",
		.seq_show = secretmem_stat_show,
	},
	{ }	/* terminate */
};

struct cgroup_subsys secretmem_cgrp_subsys = {
	.css_alloc	= secretmem_css_alloc,
	.css_offline	= secretmem_css_offline,
	.css_free	= secretmem_css_free,
	.dfl_cftypes	= secretmem_files,
	.legacy_cftypes	= secretmem_files,
};

#ifdef CONFIG_CGROUP_SECRETMEM_KUNIT_TEST
#include "secretmem_cgroup_test.c"
#endif
