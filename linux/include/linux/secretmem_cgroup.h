/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between memfd_secret() and the secretmem cgroup controller.
 *
 * A secret file is charged once, when its size is set, to the cgroup of
 * the task that sets it. The inode keeps a reference on that cgroup until
 * it is evicted, so moving the task later does not move the charge.
 */
#ifndef _LINUX_SECRETMEM_CGROUP_H
#define _LINUX_SECRETMEM_CGROUP_H

#include <linux/errno.h>
#include <linux/types.h>

struct secretmem_cgroup;

#ifdef CONFIG_CGROUP_SECRETMEM

int secretmem_cgroup_try_charge(unsigned long nr_pages,
				struct secretmem_cgroup **cgp,
				int (*reserve)(void *arg, bool limited), void *arg);
void secretmem_cgroup_uncharge(struct secretmem_cgroup *cg,
			       unsigned long nr_pages);
void secretmem_cgroup_node_add(struct secretmem_cgroup *cg, int nid,
			       long reserved, long faulted);

#else /* CONFIG_CGROUP_SECRETMEM */

static inline int secretmem_cgroup_try_charge(unsigned long nr_pages,
					      struct secretmem_cgroup **cgp,
					      int (*reserve)(void *arg,
							     bool limited),
					      void *arg)
{
	*cgp = NULL;
	return reserve ? reserve(arg, false) : 0;
}

static inline void secretmem_cgroup_uncharge(struct secretmem_cgroup *cg,
					     unsigned long nr_pages)
{
}

static inline void secretmem_cgroup_node_add(struct secretmem_cgroup *cg,
					     int nid, long reserved,
					     long faulted)
{
}

#endif /* CONFIG_CGROUP_SECRETMEM */

#endif /* _LINUX_SECRETMEM_CGROUP_H */
