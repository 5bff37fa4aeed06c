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
 * Units the pool grows by come and go while the system runs: each is named
 * in /proc/iomem while the pool has it, and set in a bitmap of one bit per
 * unit-sized block of physical memory, which vmcoreinfo locates with a
 * "SECRETMEM_UNITS=bitmap,bits,unit" line (physical address of the bitmap,
 * its number of bits, the unit's size in bytes; hexadecimal). ELF headers
 * built at load time cannot know them: only the capture kernel hides them.
 *
 * In a capture kernel (/proc/vmcore): a loader that does not know the pool
 * (kexec_load(), whose ELF headers userspace builds from /proc/iomem's
 * System RAM) puts it in the dump, and no loader can know the units grown
 * after it ran. The capture kernel reads the crashed kernel's vmcoreinfo
 * (and the unit bitmap it locates) and reads every page of those ranges as
 * zeros, by read() and by mmap() alike, whoever built the headers.
 *
 * The per-page path (no pool) is left as it is: its pages are ordinary page
 * cache pages, kept or filtered out by dump tools like any other.
 */

#define pr_fmt(fmt) "secretmem: " fmt

#include <linux/bitmap.h>
#include <linux/cc_platform.h>
#include <linux/crash_core.h>
#include <linux/crash_dump.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/memblock.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/secretmem_crash.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/vmcore_info.h>
#include <linux/xarray.h>

#include "secretmem_pool.h"

/* The vmcoreinfo keys; the capture kernel looks for the same ones. */
#define SECRETMEM_VMCOREINFO_KEY	"SECRETMEM_REGION="
#define SECRETMEM_VMCOREINFO_UNITS	"SECRETMEM_UNITS="

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

/* The "Secret memory" resource of each grown unit, by unit index. */
static DEFINE_XARRAY(secretmem_unit_res);

#ifdef CONFIG_CRASH_DUMP
/* Bit N: the unit-sized block at physical N * unit is a grown unit now. */
static unsigned long *secretmem_unit_bits;
static unsigned long secretmem_unit_nbits;
#endif

/**
 * secretmem_crash_unit_add() - a unit joins the pool: name it, mark it
 * @pfn: its first page frame, aligned to its size
 * @order: its size, as a page order
 *
 * Called once the unit is out of the direct map, before any of its pages
 * holds a secret. A unit that a crash dump could not leave out is not to be
 * used: the caller gives it back on an error.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM.
 */
int secretmem_crash_unit_add(unsigned long pfn, unsigned int order)
{
	unsigned long idx = pfn >> order;
	struct resource *res;

#ifdef CONFIG_CRASH_DUMP
	if (!secretmem_unit_bits || idx >= secretmem_unit_nbits)
		return -ENOMEM;
#endif
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	res->name = "Secret memory";
	res->start = PFN_PHYS(pfn);
	res->end = PFN_PHYS(pfn + (1UL << order)) - 1;
	res->flags = IORESOURCE_MEM | IORESOURCE_BUSY;
	if (xa_err(xa_store(&secretmem_unit_res, idx, res, GFP_KERNEL))) {
		kfree(res);
		return -ENOMEM;
	}
	/* a name is for userspace's eyes only: not worth refusing a unit */
	if (insert_resource(&iomem_resource, res))
		pr_warn_once("unit %pR: not named in /proc/iomem\n", res);
#ifdef CONFIG_CRASH_DUMP
	set_bit(idx, secretmem_unit_bits);
#endif
	return 0;
}

/**
 * secretmem_crash_unit_del() - a unit leaves the pool
 * @pfn: its first page frame
 * @order: its size, as a page order
 *
 * Called before the unit is mapped again and freed; its pages are zeroed.
 *
 * Context: process context.
 */
void secretmem_crash_unit_del(unsigned long pfn, unsigned int order)
{
	unsigned long idx = pfn >> order;
	struct resource *res;

#ifdef CONFIG_CRASH_DUMP
	if (secretmem_unit_bits && idx < secretmem_unit_nbits)
		clear_bit(idx, secretmem_unit_bits);
#endif
	res = xa_erase(&secretmem_unit_res, idx);
	if (!res)
		return;
	if (res->parent)
		release_resource(res);
	kfree(res);
}

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

	/*
	 * Before any unit can grow (userspace runs after the initcalls);
	 * kcalloc() memory is physically contiguous, as the capture kernel
	 * reads it by its physical address.
	 */
	if (!secretmem_pool_enabled())
		return 0;
	secretmem_unit_nbits = DIV_ROUND_UP(max_pfn, SECRETMEM_UNIT_PAGES);
	secretmem_unit_bits = kcalloc(BITS_TO_LONGS(secretmem_unit_nbits),
				      sizeof(long), GFP_KERNEL);
	/* without it no unit is used (secretmem_crash_unit_add()) */
	if (secretmem_unit_bits)
		vmcoreinfo_append_str(SECRETMEM_VMCOREINFO_UNITS "%llx,%lx,%lx\n",
				      (unsigned long long)virt_to_phys(secretmem_unit_bits),
				      secretmem_unit_nbits,
				      (unsigned long)PAGE_SIZE * SECRETMEM_UNIT_PAGES);
	else
		pr_warn("no unit bitmap for crash dumps: the pool will not grow\n");
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

/* The crashed kernel's unit bitmap, read from its memory. */
static unsigned long *vmcore_unit_bits;
static unsigned long vmcore_unit_nbits;
static unsigned int vmcore_unit_shift;	/* pages per unit, as a shift */

/* The bitmap may not be larger than this: 16 MiB covers 256 PiB. */
#define VMCORE_UNIT_BITMAP_MAX	(16UL << 20)

/* Any page of the old kernel's secret memory reads as zeros. */
static bool vmcore_secret_pfn_is_ram(struct vmcore_cb *cb, unsigned long pfn)
{
	unsigned long unit = pfn >> vmcore_unit_shift;
	unsigned int i;

	for (i = 0; i < vmcore_nr_secret; i++)
		if (pfn >= vmcore_secret[i].start && pfn < vmcore_secret[i].end)
			return false;
	return !(vmcore_unit_bits && unit < vmcore_unit_nbits &&
		 test_bit(unit, vmcore_unit_bits));
}

/*
 * The SECRETMEM_UNITS line of @info, if any: read the crashed kernel's
 * bitmap of grown units. Returns 0 (also without such a line), or -EIO
 * when there is one that cannot be used: then no old RAM may be dumped.
 */
static int vmcore_read_units(const char *info, size_t len)
{
	const size_t klen = strlen(SECRETMEM_VMCOREINFO_UNITS);
	unsigned long long phys, nbits, unit;
	const char *p = info, *end = info + len;
	size_t bytes;
	struct kvec kvec;
	struct iov_iter iter;
	u64 pos;
	char line[80];

	for (; p < end; p++) {
		const char *eol;

		if (p != info && p[-1] != '\n')
			continue;
		if (end - p <= klen || memcmp(p, SECRETMEM_VMCOREINFO_UNITS, klen))
			continue;
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if (eol - p - klen >= sizeof(line))
			return -EIO;
		memcpy(line, p + klen, eol - p - klen);
		line[eol - p - klen] = '\0';
		if (sscanf(line, "%llx,%llx,%llx", &phys, &nbits, &unit) != 3 ||
		    !nbits || unit < PAGE_SIZE || !is_power_of_2(unit))
			return -EIO;
		bytes = BITS_TO_LONGS(nbits) * sizeof(long);
		if (nbits > VMCORE_UNIT_BITMAP_MAX * BITS_PER_BYTE)
			return -EIO;
		vmcore_unit_bits = kvzalloc(bytes, GFP_KERNEL);
		if (!vmcore_unit_bits)
			return -EIO;
		kvec.iov_base = vmcore_unit_bits;
		kvec.iov_len = bytes;
		iov_iter_kvec(&iter, ITER_DEST, &kvec, 1, bytes);
		pos = phys;
		if (read_from_oldmem(&iter, bytes, &pos,
				     cc_platform_has(CC_ATTR_MEM_ENCRYPT)) !=
		    bytes) {
			kvfree(vmcore_unit_bits);
			vmcore_unit_bits = NULL;
			return -EIO;
		}
		vmcore_unit_nbits = nbits;
		vmcore_unit_shift = ilog2(unit) - PAGE_SHIFT;
		return 0;
	}
	return 0;
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
	unsigned int n, units = 0;
	const char *info;
	size_t len = 0;

	info = vmcore_find_vmcoreinfo(notes, size, &len);
	if (!info)
		return;
	n = vmcore_each_secret_line(info, len, NULL);
	if (vmcore_read_units(info, len)) {
		/* never dump what cannot be filtered: no old RAM at all */
		pr_err("vmcore: the crashed kernel's grown units cannot be read, dumping no RAM\n");
		goto all;
	}
	if (!n && !vmcore_unit_bits)
		return;
	if (n) {
		vmcore_secret = kcalloc(n, sizeof(*vmcore_secret), GFP_KERNEL);
		if (vmcore_secret) {
			vmcore_nr_secret = vmcore_each_secret_line(info, len,
								   vmcore_secret);
		} else {
			pr_err("vmcore: no memory for %u secret regions, dumping no RAM\n",
			       n);
			goto all;
		}
	}
	if (vmcore_unit_bits)
		units = bitmap_weight(vmcore_unit_bits, vmcore_unit_nbits);
	register_vmcore_cb(&vmcore_secret_cb);
	pr_info("vmcore: %u region(s) and %u grown unit(s) of the crashed kernel's secret memory read as zeros\n",
		vmcore_nr_secret, units);
	return;
all:
	vmcore_secret = &vmcore_all_secret;
	vmcore_nr_secret = 1;
	register_vmcore_cb(&vmcore_secret_cb);
}

#endif /* CONFIG_PROC_VMCORE */
