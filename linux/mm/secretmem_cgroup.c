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
 */

#include <linux/atomic.h>
#include <linux/cgroup.h>
#include <linux/ctype.h>
#include <linux/error-injection.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/page_counter.h>
#include <linux/rcupdate.h>
#include <linux/secretmem_cgroup.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#define SECRETMEM_MAX_STR	"max"

struct secretmem_cgroup {
	struct cgroup_subsys_state	css;

	/* Hierarchical reservation, in pages; max is secretmem.max */
	struct page_counter		res;

	/*
	 * Pages faulted in files charged to this group only, not to its
	 * descendants.  Kept local so the fault path costs one atomic; the
	 * hierarchical sum is built when secretmem.stat is read.
	 */
	atomic_long_t			faulted;

	/* Charges refused by a limit here or in a descendant */
	atomic64_t			events_max;
	/* Charges refused by this group's own limit */
	atomic64_t			events_local_max;

	/* Handles for secretmem.events[.local] notifications */
	struct cgroup_file		events_file;
	struct cgroup_file		events_local_file;

	/* Open secretmem.peak files that were written to: fd-local peaks */
	struct list_head		peaks;
	spinlock_t			peaks_lock;	/* peaks, resets */
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

	cg = kzalloc(sizeof(*cg), GFP_KERNEL);
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

	WARN_ON_ONCE(page_counter_read(&cg->res));
	WARN_ON_ONCE(atomic_long_read(&cg->faulted));
	kfree(cg);
}

static void secretmem_event(struct secretmem_cgroup *over)
{
	struct secretmem_cgroup *cg;

	/* The root has no limit file, so no event files to report in. */
	if (!parent_secretmem(over))
		return;

	atomic64_inc(&over->events_local_max);
	cgroup_file_notify(&over->events_local_file);

	for (cg = over; parent_secretmem(cg); cg = parent_secretmem(cg)) {
		atomic64_inc(&cg->events_max);
		cgroup_file_notify(&cg->events_file);
	}
}

/* Serialises check-then-charge, so that a checked limit still holds. */
static DEFINE_MUTEX(secretmem_charge_mutex);

/* Whether @cg or an ancestor has a finite secretmem.max. */
static bool secretmem_limited(struct secretmem_cgroup *cg)
{
	for (; cg; cg = parent_secretmem(cg))
		if (READ_ONCE(cg->res.max) != PAGE_COUNTER_MAX)
			return true;
	return false;
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
 * ancestors, if every limit allows it and @reserve succeeds.  The limits
 * are checked first and @reserve is called next, with nothing charged yet,
 * so a refusal by either changes no counter or watermark; only a refusal by
 * a limit counts a max event.  On success *@cgp holds a reference on the
 * cgroup, which the caller keeps until it passes *@cgp to
 * secretmem_cgroup_uncharge().  When the controller is disabled or
 * @nr_pages is zero nothing is charged and *@cgp is %NULL, which the other
 * functions accept; @reserve is still called.
 *
 * Context: Process context, charges current's cgroup.  Sleeps.
 * Return: 0 on success, -ENOMEM if a limit refuses, or the error of
 * @reserve; then nothing is charged and *@cgp is %NULL.
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
		secretmem_event(over);
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
 * @nr_faulted: number of those pages reported by secretmem_cgroup_faulted()
 *
 * Uncharge @nr_pages from @cg and its ancestors, forget @nr_faulted faulted
 * pages and drop the reference taken by the charge.  @cg must not be used by
 * the caller afterwards.
 *
 * Context: Any context; does not sleep.
 */
void secretmem_cgroup_uncharge(struct secretmem_cgroup *cg,
			       unsigned long nr_pages,
			       unsigned long nr_faulted)
{
	if (!cg)
		return;

	WARN_ON_ONCE(nr_faulted > nr_pages);

	/*
	 * Drop the faulted count before the usage, so that at no point are
	 * more pages faulted than charged.
	 */
	if (nr_faulted) {
		long left = atomic_long_sub_return(nr_faulted, &cg->faulted);

		/* More faulted pages given back than reported: caller bug. */
		WARN_ON_ONCE(left < 0);
	}
	if (nr_pages)
		page_counter_uncharge(&cg->res, nr_pages);

	css_put(&cg->css);
}

/**
 * secretmem_cgroup_faulted - account pages of a reservation as faulted in
 * @cg: cgroup returned by secretmem_cgroup_try_charge(), may be %NULL
 * @nr_pages: number of pages faulted in, negative to take them back
 *
 * Only moves pages between the "reserved" and "faulted" lines of
 * secretmem.stat; the charge itself is unchanged.
 *
 * Context: Any context; does not sleep or take locks.
 */
void secretmem_cgroup_faulted(struct secretmem_cgroup *cg, long nr_pages)
{
	if (cg)
		atomic_long_add(nr_pages, &cg->faulted);
}

/* Faulted pages of @cg and all of its descendants. */
static unsigned long secretmem_faulted_pages(struct secretmem_cgroup *cg)
{
	struct cgroup_subsys_state *pos;
	long sum = 0;

	/*
	 * Offline descendants stay on the sibling lists until their css is
	 * released, which a live charge prevents, so none is missed.
	 */
	rcu_read_lock();
	css_for_each_descendant_pre(pos, &cg->css)
		sum += atomic_long_read(&css_secretmem(pos)->faulted);
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

static int secretmem_max_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));
	unsigned long max = READ_ONCE(cg->res.max);

	if (max >= PAGE_COUNTER_MAX)
		seq_puts(sf, SECRETMEM_MAX_STR "\n");
	else
		seq_printf(sf, "%llu\n", pages_to_bytes(max));
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
	return 0;
}

static int secretmem_events_local_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));

	seq_printf(sf, "max %lld\n", (s64)atomic64_read(&cg->events_local_max));
	return 0;
}

static int secretmem_stat_show(struct seq_file *sf, void *v)
{
	struct secretmem_cgroup *cg = css_secretmem(seq_css(sf));
	unsigned long usage = page_counter_read(&cg->res);
	unsigned long faulted = secretmem_faulted_pages(cg);

	/*
	 * The two counters are read at different times; clamp so that a
	 * racing charge or uncharge cannot show a negative reservation.
	 */
	faulted = min(faulted, usage);

	seq_printf(sf, "reserved %llu\n", pages_to_bytes(usage - faulted));
	seq_printf(sf, "faulted %llu\n", pages_to_bytes(faulted));
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
	.css_free	= secretmem_css_free,
	.dfl_cftypes	= secretmem_files,
	.legacy_cftypes	= secretmem_files,
};
