// SPDX-License-Identifier: GPL-2.0
/*
 * Secret memory and crash dumps.
 *
 * A crash dump writes every page of the machine out on purpose, so the
 * secretmem= pool must not be in it. In the kernel that owns the pool:
 *
 *  - /proc/iomem names each region ("Secret memory", a child of its System
 *    RAM), so userspace tools can see where it is;
 *  - kexec_file_load() leaves the regions out of the ELF core headers it
 *    builds for a capture kernel (arch/x86/kernel/crash.c), as it leaves
 *    out the crash kernel's own reservation;
 *  - /proc/kcore has no program header over them;
 *  - vmcoreinfo carries one "SECRETMEM_REGION=start,size" line per region
 *    (physical address and size in bytes, hexadecimal), for dump tools.
 *
 * In a capture kernel (/proc/vmcore): a loader that does not know the pool
 * (kexec_load(), whose ELF headers userspace builds from /proc/iomem's
 * System RAM) puts it in the dump. The capture kernel reads the crashed
 * kernel's vmcoreinfo and reads every page of those lines as zeros, by
 * read() and by mmap() alike, whoever built the headers.
 *
 * The per-page path (no pool) is left as it is: its pages are ordinary page
 * cache pages, kept or filtered out by dump tools like any other.
 */

#define pr_fmt(fmt) "secretmem: " fmt

#include <linux/crash_core.h>
#include <linux/crash_dump.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/secretmem_crash.h>
#include <linux/string.h>
#include <linux/vmcore_info.h>

#include "secretmem_pool.h"

/* The vmcoreinfo key; the capture kernel looks for the same one. */
#define SECRETMEM_VMCOREINFO_KEY	"SECRETMEM_REGION="

#ifdef CONFIG_SECRETMEM_POOL

/**
 * secretmem_walk_outside() - call @func for the parts of a range outside the pool
 * @pfn: first page frame of the range
 * @nr_pages: size of the range in pages
 * @arg: passed to @func
 * @func: called for each part, in ascending order
 *
 * For walkers of System RAM that must not describe secret memory (the
 * program headers of /proc/kcore): the range is cut around every region
 * of the pool.
 *
 * Return: 0, or the first non-zero value @func returned (the walk stops
 * there, as walk_system_ram_range() does).
 */
int secretmem_walk_outside(unsigned long pfn, unsigned long nr_pages,
			   void *arg, secretmem_pfn_range_fn func)
{
	unsigned long end = pfn + nr_pages;

	while (pfn < end) {
		unsigned long next = end, skip_to = end;
		unsigned long start, nr;
		unsigned int i;
		int ret;

		/* the lowest region that overlaps [pfn, end) */
		for (i = 0; secretmem_pool_region(i, &start, &nr); i++) {
			if (start + nr <= pfn || start >= end || start >= next)
				continue;
			next = max(start, pfn);
			skip_to = min(start + nr, end);
		}
		if (next > pfn) {
			ret = func(pfn, next - pfn, arg);
			if (ret)
				return ret;
		}
		pfn = skip_to;
	}
	return 0;
}

static struct resource *secretmem_resources;

/*
 * /proc/iomem: each region, named, under the System RAM that holds it.
 * Not IORESOURCE_SYSRAM: walkers of System RAM still see their parent
 * whole, and only what knows this name (or the helpers above) cuts it out.
 * A postcore_initcall: after the pool's core_initcall, before /proc/kcore
 * lists RAM (fs_initcall).
 */
static int __init secretmem_iomem_init(void)
{
	unsigned long start, nr;
	unsigned int i, n = 0;

	while (secretmem_pool_region(n, &start, &nr))
		n++;
	if (!n)
		return 0;
	secretmem_resources = kcalloc(n, sizeof(*secretmem_resources),
				      GFP_KERNEL);
	if (!secretmem_resources)
		return -ENOMEM;
	for (i = 0; secretmem_pool_region(i, &start, &nr); i++) {
		struct resource *res = &secretmem_resources[i];

		res->name = "Secret memory";
		res->start = PFN_PHYS(start);
		res->end = PFN_PHYS(start + nr) - 1;
		res->flags = IORESOURCE_MEM | IORESOURCE_BUSY;
		if (insert_resource(&iomem_resource, res))
			pr_warn("region %pR: not named in /proc/iomem\n", res);
	}
	return 0;
}
postcore_initcall(secretmem_iomem_init);

#ifdef CONFIG_CRASH_DUMP
/**
 * secretmem_crash_nr_regions() - how many ranges the pool can split
 *
 * Excluding a region from a range of RAM may split it in two: the caller
 * sizes its &struct crash_mem with one more slot per region.
 *
 * Return: the number of regions of the pool.
 */
unsigned int secretmem_crash_nr_regions(void)
{
	unsigned long start, nr;
	unsigned int n = 0;

	while (secretmem_pool_region(n, &start, &nr))
		n++;
	return n;
}

/**
 * secretmem_crash_exclude() - leave the pool out of crash ELF headers
 * @cmem: the ranges of RAM that the headers will describe
 *
 * Called where kexec_file_load() excludes the crash kernel's reservation
 * from the ranges a capture kernel will dump.
 *
 * Return: 0, or -ENOMEM when @cmem has no slot left for a split.
 */
int secretmem_crash_exclude(struct crash_mem *cmem)
{
	unsigned long start, nr;
	unsigned int i;
	int ret;

	for (i = 0; secretmem_pool_region(i, &start, &nr); i++) {
		ret = crash_exclude_mem_range(cmem, PFN_PHYS(start),
					      PFN_PHYS(start + nr) - 1);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * vmcoreinfo is set up by a subsys_initcall (crash_save_vmcoreinfo_init);
 * what is appended after it goes into every crash's note.
 */
static int __init secretmem_vmcoreinfo_init(void)
{
	unsigned long start, nr;
	unsigned int i;

	for (i = 0; secretmem_pool_region(i, &start, &nr); i++)
		vmcoreinfo_append_str(SECRETMEM_VMCOREINFO_KEY "%llx,%llx\n",
				      (unsigned long long)PFN_PHYS(start),
				      (unsigned long long)PFN_PHYS(nr));
	return 0;
}
late_initcall(secretmem_vmcoreinfo_init);
#endif /* CONFIG_CRASH_DUMP */

#endif /* CONFIG_SECRETMEM_POOL */

#ifdef CONFIG_PROC_VMCORE

/* The crashed kernel's secret memory, in page frames: [start, end). */
struct secretmem_old_range {
	unsigned long start, end;
};

static struct secretmem_old_range vmcore_all_secret = { 0, ULONG_MAX };
static struct secretmem_old_range *vmcore_secret;
static unsigned int vmcore_nr_secret;

/* Any page of the old kernel's secret memory reads as zeros. */
static bool vmcore_secret_pfn_is_ram(struct vmcore_cb *cb, unsigned long pfn)
{
	unsigned int i;

	for (i = 0; i < vmcore_nr_secret; i++)
		if (pfn >= vmcore_secret[i].start && pfn < vmcore_secret[i].end)
			return false;
	return true;
}

static struct vmcore_cb vmcore_secret_cb = {
	.pfn_is_ram = vmcore_secret_pfn_is_ram,
};

/* The VMCOREINFO note among the crashed kernel's notes, or NULL. */
static const char *vmcore_find_vmcoreinfo(const char *notes, size_t size,
					  size_t *len)
{
	size_t off = 0;

	while (off + sizeof(struct elf64_note) <= size) {
		const struct elf64_note *nhdr = (const void *)(notes + off);
		size_t name = off + sizeof(*nhdr);
		size_t desc = name + ALIGN(nhdr->n_namesz, 4);
		size_t next = desc + ALIGN(nhdr->n_descsz, 4);

		if (nhdr->n_namesz == 0 || next > size || next <= off)
			break;
		if (nhdr->n_namesz == sizeof(VMCOREINFO_NOTE_NAME) &&
		    !memcmp(notes + name, VMCOREINFO_NOTE_NAME,
			    sizeof(VMCOREINFO_NOTE_NAME))) {
			*len = nhdr->n_descsz;
			return notes + desc;
		}
		off = next;
	}
	return NULL;
}

/*
 * Parse the SECRETMEM_REGION lines of @info into @out (if not NULL);
 * returns how many parsed. A range that is not whole pages is widened to
 * whole pages: the dump loses a few bytes rather than keeping secret ones.
 */
static unsigned int vmcore_each_secret_line(const char *info, size_t len,
					    struct secretmem_old_range *out)
{
	const size_t klen = strlen(SECRETMEM_VMCOREINFO_KEY);
	const char *p = info, *end = info + len;
	unsigned int n = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		unsigned long long start, size;
		char line[64];
		size_t l;

		if (!eol)
			eol = end;
		l = eol - p;
		if (l > klen && l < sizeof(line) &&
		    !memcmp(p, SECRETMEM_VMCOREINFO_KEY, klen)) {
			memcpy(line, p + klen, l - klen);
			line[l - klen] = '\0';
			if (sscanf(line, "%llx,%llx", &start, &size) == 2 &&
			    size && start + size > start) {
				if (out) {
					out[n].start = PHYS_PFN(start);
					out[n].end = PHYS_PFN(start + size +
							      PAGE_SIZE - 1);
				}
				n++;
			} else {
				pr_warn("vmcore: cannot parse vmcoreinfo line %.*s\n",
					(int)l, p);
			}
		}
		p = eol + 1;
	}
	return n;
}

/**
 * vmcore_secretmem_init() - zero the crashed kernel's secret memory in /proc/vmcore
 * @notes: the crashed kernel's ELF notes, merged (fs/proc/vmcore.c)
 * @size: their size in bytes
 *
 * Called once the capture kernel has read the ELF core headers, before
 * /proc/vmcore exists. The ranges the crashed kernel's vmcoreinfo names
 * as secret memory are reported as not RAM to /proc/vmcore (a vmcore
 * callback), which then reads them as zeros and maps the zero page over
 * them, whatever the ELF headers say.
 */
void vmcore_secretmem_init(const char *notes, size_t size)
{
	const char *info;
	size_t len = 0;
	unsigned int n;

	info = vmcore_find_vmcoreinfo(notes, size, &len);
	if (!info)
		return;
	n = vmcore_each_secret_line(info, len, NULL);
	if (!n)
		return;
	vmcore_secret = kcalloc(n, sizeof(*vmcore_secret), GFP_KERNEL);
	if (vmcore_secret) {
		vmcore_nr_secret = vmcore_each_secret_line(info, len,
							   vmcore_secret);
	} else {
		/* never dump what cannot be filtered: no old RAM at all */
		pr_err("vmcore: no memory for %u secret regions, dumping no RAM\n",
		       n);
		vmcore_secret = &vmcore_all_secret;
		vmcore_nr_secret = 1;
	}
	register_vmcore_cb(&vmcore_secret_cb);
	pr_info("vmcore: %u region(s) of the crashed kernel's secret memory read as zeros\n",
		vmcore_nr_secret);
}

#endif /* CONFIG_PROC_VMCORE */
