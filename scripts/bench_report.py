#!/usr/bin/env python3
"""Turn the BENCH lines of the `make bench` boots into results.json and
results.md: a table per metric (cases as rows, median [min-max]), the
ratios of this run, and the targets marked met or not met. Reports only:
the exit status says whether the logs could be read, never how fast.

usage: bench_report.py --out DIR [--nproc N --model M --accel A --qemu Q
                       --date D --guest G] ROW=LOGDIR...
"""
import argparse
import json
import os
import sys

# Metrics in report order: name, title, whether it has a thread count.
# (fault_tlb_ipis and release_tlb_ipis, the TLB row alone, stay in the JSON.)
METRICS = [
    ("fault_ns_per_page", "Fault cost: ftruncate + mmap + first write, ns/page", True),
    ("release_ns_per_page", "Release cost: munmap + close until the memory is back, ns/page", True),
    ("background_ipis_per_s", "Background: IPIs per second while the benchmark only spins on CPU 0", False),
    ("fault_ipis_per_page", "IPIs over the fault window (ftruncate + mmap + first write; CAL + TLB, all CPUs), per page", True),
    ("pagefault_ipis_per_page", "IPIs during the page faults alone (the first writes, counted from a pause after mmap), per page", True),
    ("release_ipis_per_page", "IPIs at release (CAL + TLB, all CPUs), per page", True),
    ("release_slot_flushes_per_512", "Global flushes of the pool's zeroing slots at release (debugfs, exact), per 512 pages", True),
    ("fault_slot_flushes", "Global flushes of the pool's zeroing slots during the faults, in total", True),
    ("fault_splits", "Direct map splits at fault (level2 + level3)", True),
    ("level2_splits", "direct_map_level2_splits over fault + release", True),
    ("level3_splits", "direct_map_level3_splits over fault + release", True),
    ("directmap_4k_delta", "DirectMap4k change over fault + release, kB", True),
    ("directmap_2m_delta", "DirectMap2M change over fault + release, kB", True),
    ("directmap_1g_delta", "DirectMap1G change over fault + release, kB", True),
    ("fork_ipis", "Fork bomb: IPIs in total (CAL + TLB), processes with one page each", False),
    ("fork_level2_splits", "Fork bomb: direct_map_level2_splits", False),
    ("fork_level3_splits", "Fork bomb: direct_map_level3_splits", False),
    ("fork_directmap_4k_delta", "Fork bomb: DirectMap4k change, kB", False),
    ("fork_ms", "Fork bomb: fork, fault, hold, exit and reap, ms in total", False),
    ("ftruncate_ns", "ftruncate() of a large file (reservation), ns/call", False),
    ("faults_per_2m", "Page faults per 2 MiB touched (getrusage minflt)", True),
    ("pagefault_only_ns_per_page", "The page faults alone: first writes less the same writes again, ns/page", True),
    ("random_ns_per_load", "Random 8-byte loads over a faulted buffer of the run's size, ns/load", False),
]
# pool: 4 KiB pages (pmd_enabled=0); poolpmd: whole 2 MiB units, PMD-mapped
CASE_ORDER = ["pool", "poolpmd", "perpage", "shmem", "anon"]
# Counts whose total over all repetitions says more than their median: a
# direct map page splits once, so later repetitions find it split already.
SUMMED_UNITS = ("splits", "kB")


def fail(msg):
    print("error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def load(row, logdir):
    """The BENCH objects of one boot, each tagged with its row."""
    path = os.path.join(logdir, "tests.log")
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError as e:
        fail("cannot read %s: %s" % (path, e))
    infos, results = [], []
    for line in lines:
        line = line.rstrip("\r")
        if not line.startswith("BENCH "):
            continue
        try:
            obj = json.loads(line[len("BENCH "):])
        except ValueError as e:
            fail("%s: bad BENCH line (%s): %s" % (path, e, line[:120]))
        obj["boot"] = row
        (infos if obj["metric"] == "info" else results).append(obj)
    if not results:
        fail("no BENCH results in %s" % path)
    cmdline = ""
    try:
        cmdline = open(os.path.join(logdir, "cmdline")).read().strip()
    except OSError:
        pass
    return infos, results, cmdline


def label(case, boot, pooled_boots):
    """pool and perpage exist in one boot each; shmem and anon in both."""
    if case in ("pool", "poolpmd", "perpage"):
        return case
    return "%s (%s boot)" % (case, "pool" if boot in pooled_boots else "no-pool")


def num(v):
    if v == int(v):
        return "%d" % v
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 1:
        return "%.2f" % v
    return "%.4f" % v


def cell(r):
    if r is None:
        return "n/a"
    return "%s [%s–%s]" % (num(r["median"]), num(r["min"]), num(r["max"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    for opt in ("nproc", "model", "accel", "qemu", "date", "guest"):
        ap.add_argument("--" + opt, default="?")
    ap.add_argument("boots", nargs="+", metavar="ROW=LOGDIR")
    a = ap.parse_args()

    boots, results = {}, []
    for spec in a.boots:
        row, _, logdir = spec.partition("=")
        if not logdir:
            fail("expected ROW=LOGDIR, got %s" % spec)
        infos, res, cmdline = load(row, logdir)
        boots[row] = {"cmdline": cmdline, "info": {i["case"]: i for i in infos}}
        results += res
    pooled = {row for row, b in boots.items() if "pool" in b["info"]}

    # rows of the tables: (label, case, boot), pool boot first
    rows = []
    for row in sorted(boots, key=lambda r: r not in pooled):
        cases = sorted({r["case"] for r in results if r["boot"] == row},
                       key=CASE_ORDER.index)
        rows += [(label(c, row, pooled), c, row) for c in cases]
    for r in results:
        r["label"] = label(r["case"], r["boot"], pooled)

    def get(metric, lbl, threads=None):
        for r in results:
            if r["metric"] == metric and r["label"] == lbl and r.get("threads") == threads:
                return r
        return None

    thread_counts = sorted({r["threads"] for r in results if "threads" in r})

    # ratios of fault cost, medians of this run
    ratios = []
    shmem_pool = label("shmem", next(iter(pooled)), pooled) if pooled else None
    for other, olabel in (("perpage", "perpage"), ("shmem", shmem_pool)):
        for t in thread_counts:
            p, o = get("fault_ns_per_page", "pool", t), get("fault_ns_per_page", olabel, t)
            if not p or not o:
                continue
            ratios.append({
                "what": "fault cost, %s / pool" % olabel, "threads": t,
                "ratio": o["median"] / p["median"],
                "worst": o["min"] / p["max"], "best": o["max"] / p["min"],
            })

    # 2 MiB mappings: fault cost per MiB against the 4 KiB pool path and
    # the per-page path, random access against the 4 KiB pool path
    for other in ("pool", "perpage"):
        for t in thread_counts:
            p, o = get("fault_ns_per_page", "poolpmd", t), get("fault_ns_per_page", other, t)
            if not p or not o:
                continue
            ratios.append({
                "what": "fault cost per MiB, %s / poolpmd" % other, "threads": t,
                "ratio": o["median"] / p["median"],
                "worst": o["min"] / p["max"], "best": o["max"] / p["min"],
            })
    for other in ("pool", "perpage"):
        for t in thread_counts:
            p = get("pagefault_only_ns_per_page", "poolpmd", t)
            o = get("pagefault_only_ns_per_page", other, t)
            if not p or not o or p["median"] <= 0 or p["max"] <= 0 or p["min"] <= 0:
                continue
            ratios.append({
                "what": "page faults alone per MiB, %s / poolpmd" % other, "threads": t,
                "ratio": o["median"] / p["median"],
                "worst": o["min"] / p["max"], "best": o["max"] / p["min"],
            })
    p, o = get("random_ns_per_load", "poolpmd"), get("random_ns_per_load", "pool")
    if p and o:
        ratios.append({"what": "random loads, pool (4 KiB) / poolpmd", "threads": 1,
                       "ratio": o["median"] / p["median"],
                       "worst": o["min"] / p["max"], "best": o["max"] / p["min"]})

    # targets, judged on the medians of the repetitions
    targets = []

    def target(name, threads, measured, ok):
        targets.append({"target": name, "threads": threads, "measured": measured,
                        "status": "n/a" if ok is None else ("met" if ok else "not met")})

    # a page splits once, in whichever repetition first touches it: any split counts
    for t in thread_counts:
        r = get("fault_splits", "pool", t)
        target("pool: 0 direct map splits at fault", t,
               "%s in all %d reps" % (num(sum(r["values"])), r["n"]) if r else "n/a",
               sum(r["values"]) == 0 if r else None)
    # IPIs at fault: the page faults alone, then the whole window with
    # ftruncate and mmap, next to anon's in the same boot
    anon_pool = label("anon", next(iter(pooled)), pooled) if pooled else None
    for metric, name in (("pagefault_ipis_per_page", "pool: 0 IPIs at fault (the page faults)"),
                         ("fault_ipis_per_page",
                          "pool: 0 IPIs over the whole fault window (ftruncate + mmap + faults)")):
        for t in thread_counts:
            r = get(metric, "pool", t)
            if not r:
                target(name, t, "n/a", None)
                continue
            pages = boots[r["boot"]]["info"]["pool"]["pages"]
            measured = "median %s IPIs (max %s) per %d pages" % (
                num(r["median"] * pages), num(r["max"] * pages), pages)
            an = get(metric, anon_pool, t)
            if an:
                measured += "; anon: median %s (max %s)" % (
                    num(an["median"] * pages), num(an["max"] * pages))
            target(name, t, measured, r["median"] == 0)
    # A release zeroes pages through per-CPU slots and flushes the slots on
    # every CPU once per 512 pages: one flush is an IPI to each other CPU.
    for t in thread_counts:
        r = get("release_ipis_per_page", "pool", t)
        others = max(1, boots[r["boot"]]["info"]["pool"].get("cpus", 2) - 1) if r else 1
        target("pool: <= 1 global flush (1 IPI per other CPU) per 512 pages at release", t,
               "median %s IPIs per 512 pages (max %s), %s flushes' worth for %d other CPUs" % (
                   num(r["median"] * 512), num(r["max"] * 512),
                   num(r["median"] * 512 / others), others)
               if r else "n/a",
               r["median"] * 512 / others <= 1 if r else None)
    # The same, counted exactly: the slot flushes themselves (a partial last
    # batch of a run may add one, later: 4096 pages are 8 batches).
    for t in thread_counts:
        r = get("release_slot_flushes_per_512", "pool", t)
        target("pool: <= 1 global flush of the zeroing slots per 512 pages released (exact count)", t,
               "median %s (max %s) per 512 pages" % (num(r["median"]), num(r["max"]))
               if r else "n/a",
               r["median"] <= 1 if r else None)
    for q in ratios:
        if q["what"].startswith("fault cost, perpage"):
            target("pool at least 5x faster per fault than perpage", q["threads"],
                   "%.1fx (worst rep pair %.1fx)" % (q["ratio"], q["worst"]), q["ratio"] >= 5)
    for q in ratios:
        if q["what"].startswith("fault cost, shmem"):
            target("pool no slower per fault than shmem", q["threads"],
                   "shmem / pool = %.2fx (worst rep pair %.2fx)" % (q["ratio"], q["worst"]),
                   q["ratio"] >= 1)

    for t in thread_counts:
        r = get("faults_per_2m", "poolpmd", t)
        target("poolpmd: 1 fault per 2 MiB", t,
               "median %s (max %s)" % (num(r["median"]), num(r["max"])) if r else "n/a",
               r["median"] <= 1 if r else None)
    for q in ratios:
        if q["what"] == "page faults alone per MiB, pool / poolpmd":
            target("poolpmd at least 100x less page-fault time per MiB than the 4 KiB pool path",
                   q["threads"], "%.1fx (worst rep pair %.1fx)" % (q["ratio"], q["worst"]),
                   q["ratio"] >= 100)
        if q["what"] == "fault cost per MiB, pool / poolpmd":
            target("poolpmd at least 100x less fault time per MiB (ftruncate + mmap + first writes)",
                   q["threads"], "%.1fx (worst rep pair %.1fx)" % (q["ratio"], q["worst"]),
                   q["ratio"] >= 100)

    machine = {"nproc": a.nproc, "model": a.model, "accel": a.accel, "qemu": a.qemu}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"date": a.date, "machine": machine, "guest": a.guest, "boots": boots,
                   "results": results, "ratios": ratios, "targets": targets}, f, indent=1)
        f.write("\n")

    info = next(iter(next(iter(boots.values()))["info"].values()), {})
    # the first line names the accelerator: TCG timings are emulated
    md = ["# secretmem benchmark (`make bench`, %s)" % a.accel, ""]
    md.append("- Date: %s" % a.date)
    md.append("- Host: %s CPUs, %s; %s; %s" % (a.nproc, a.model, a.accel, a.qemu))
    md.append("- Guest: kernel %s, %s" % (info.get("kernel", "?"), a.guest))
    for row, b in boots.items():
        extra = " ".join(w for w in b["cmdline"].split()
                         if w.startswith("secretmem=")) or "no secretmem="
        md.append("- Boot `%s`: %s; cases %s" % (row, extra, ", ".join(b["info"])))
    md.append("- Per run: %s pages of %s bytes, %s repetitions, %s processes in the fork bomb; "
              "ftruncate sizes: %s" % (
                  info.get("pages", "?"), info.get("page_size", "?"), info.get("reps", "?"),
                  info.get("forks", "?"),
                  ", ".join(sorted({"%s %d MiB" % (c, i["ftruncate_bytes"] >> 20)
                                    for b in boots.values() for c, i in b["info"].items()
                                    if i["ftruncate_bytes"]}))))
    md.append("- Cells: median [min–max] over the repetitions. IPIs are the CAL and TLB rows of "
              "/proc/interrupts summed over CPUs (on x86 a TLB shootdown is a function call "
              "IPI too, so it shows in both rows). %s Nothing here is asserted." % (
                  "Timings are emulated under TCG: compare within the run, not with other "
                  "machines." if "TCG" in a.accel else
                  "Timings are of a KVM guest on this host: compare within the run."))
    vcpus = info.get("cpus", 0)
    if a.nproc.isdigit() and "TCG" in a.accel and vcpus > int(a.nproc):
        md.append("- Note: the guest's %d vCPUs share %s host CPUs. With more threads than "
                  "host CPUs a vCPU can be descheduled while it holds a lock the others spin "
                  "on, so timings with %d threads vary widely, most where the threads share "
                  "a file's locks (pool, perpage, shmem)." % (vcpus, a.nproc, vcpus))
    md.append("")
    for metric, title, threaded in METRICS:
        if not any(r["metric"] == metric for r in results):
            continue
        md.append("## %s" % title)
        md.append("")
        cols = ["%d thread%s" % (t, "" if t == 1 else "s") for t in thread_counts] \
            if threaded else ["value"]
        unit = next(r["unit"] for r in results if r["metric"] == metric)
        summed = unit in SUMMED_UNITS
        if summed:
            cols.append("sum of all reps")
        md.append("| case | " + " | ".join(cols) + " |")
        md.append("|---|" + "---|" * len(cols))
        for lbl, _, _ in rows:
            rs = [get(metric, lbl, t) for t in thread_counts] if threaded \
                else [get(metric, lbl)]
            cells = [cell(r) for r in rs]
            if summed:
                cells.append(num(sum(sum(r["values"]) for r in rs if r)))
            md.append("| %s | %s |" % (lbl, " | ".join(cells)))
        md.append("")
    md.append("## Ratios of fault cost (this run)")
    md.append("")
    md.append("| ratio | threads | of medians | worst–best rep pair |")
    md.append("|---|---|---|---|")
    for q in ratios:
        md.append("| %s | %d | %.2fx | %.2fx–%.2fx |" % (q["what"], q["threads"], q["ratio"],
                                                        q["worst"], q["best"]))
    md.append("")
    md.append("## Targets (judged on medians; splits on the sum of all repetitions)")
    md.append("")
    md.append("| target | threads | measured | status |")
    md.append("|---|---|---|---|")
    for t in targets:
        md.append("| %s | %d | %s | %s |" % (t["target"], t["threads"], t["measured"], t["status"]))
    md.append("")
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
