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
    ("fault_setup_ns_per_page", "Of the fault cost, ftruncate + mmap alone (where a growing pool grows), ns/page", True),
    ("fault_units_grown", "Units grown in the fault window (each repetition starts with none grown)", True),
    ("units_returned", "Units returned over fault + release (unit_keep_ms 0)", True),
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
    ("fork_flushes_per_512", "Fork bomb: global TLB flushes while they fault, exact (units grown + units returned + zeroing-slot flushes), per 512 pages", False),
    ("fork_slot_flushes", "Fork bomb: zeroing-slot flushes while they fault, in total", False),
    ("fork_units_grown", "Fork bomb: units grown while they fault", False),
    ("fork_units_returned", "Fork bomb: units returned, until all are back after exit", False),
    ("fork_grown_after_kb", "Fork bomb: SecretmemGrown after exit, once unit_keep_ms is waited out, kB", False),
    ("fork_giveback_ms", "Fork bomb: from the last reap until every grown unit is back, ms", False),
    ("fork_fault_ipis_per_512_per_cpu", "Fork bomb: IPIs while they fault (CAL + TLB), per 512 pages per other CPU", False),
    ("fork_tlb_ipis_per_512_per_cpu", "Fork bomb: TLB-row IPIs alone while they fault, per 512 pages per other CPU", False),
    ("ftruncate_ns", "ftruncate() of a large file (reservation; grow: growing it from nothing each call), ns/call", False),
    ("churn_cycles_per_s", "Loop of create/fault/close cycles (1..64 pages, fixed seed): cycles per second", False),
    ("churn_pages", "Loop: pages faulted in total", False),
    ("churn_units_grown", "Loop: units grown during it", False),
    ("churn_units_returned", "Loop: units returned during it", False),
    ("churn_grow_failed", "Loop: growth failures", False),
    ("churn_directmap_4k_delta", "Loop: DirectMap4k change (once every grown unit is back), kB", False),
    ("churn_level2_splits", "Loop: direct_map_level2_splits", False),
    ("churn_level3_splits", "Loop: direct_map_level3_splits", False),
    ("churn_grown_after_kb", "Loop: SecretmemGrown once unit_keep_ms is waited out, kB", False),
    ("faults_per_2m", "Page faults per 2 MiB touched (getrusage minflt)", True),
    ("pagefault_only_ns_per_page", "The page faults alone: first writes less the same writes again, ns/page", True),
    ("pagefault_time_ns_per_page", "Time in page faults: the first writes that faulted (after one untimed first write per thread, whose pages are left out: a pass over the first page of each 2 MiB block, then one over the others; a pass counts if it faulted), ns/page", True),
    ("pagefault_latency_ns", "Page fault latency: the median of the first writes that faulted, each timed alone (less the clock's own cost), ns/fault", True),
    ("random_ns_per_load", "Random 8-byte loads over a faulted buffer of the run's size, ns/load", False),
]
# page faults per MiB written: 4 KiB pages, or one PMD per 2 MiB
FAULTS_PER_MIB = {"poolpmd": 0.5}
# pool: 4 KiB pages (pmd_enabled=0); poolpmd: whole 2 MiB units, PMD-mapped
CASE_ORDER = ["pool", "poolpmd", "grow", "grow-kept", "perpage", "shmem", "anon"]
# issue #13: fault cost with growth within this factor of the boot pool's
GROW_RATIO_TARGET = 1.5
# and a loop of at least this many create/fault/close cycles
CHURN_CYCLES_TARGET = 100000
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
    if case in ("pool", "poolpmd", "grow", "grow-kept", "perpage"):
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
    # growth against the boot pool: here lower is better
    for t in thread_counts:
        p, g = get("fault_ns_per_page", "pool", t), get("fault_ns_per_page", "grow", t)
        if not p or not g:
            continue
        ratios.append({
            "what": "fault cost, grow / pool", "threads": t,
            "ratio": g["median"] / p["median"],
            "worst": g["max"] / p["min"], "best": g["min"] / p["max"],
        })
    # the same, within the grow boot: against faults on units kept grown
    for t in thread_counts:
        k, g = get("fault_ns_per_page", "grow-kept", t), get("fault_ns_per_page", "grow", t)
        if not k or not g:
            continue
        ratios.append({
            "what": "fault cost, grow / grow-kept (same boot)", "threads": t,
            "ratio": g["median"] / k["median"],
            "worst": g["max"] / k["min"], "best": g["min"] / k["max"],
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
    for metric, what in (("pagefault_time_ns_per_page", "time in page faults"),
                         ("pagefault_only_ns_per_page", "page faults alone")):
        for other in ("pool", "perpage"):
            for t in thread_counts:
                p = get(metric, "poolpmd", t)
                o = get(metric, other, t)
                if not p or not o or p["median"] <= 0 or p["max"] <= 0 or p["min"] <= 0:
                    continue
                ratios.append({
                    "what": "%s per MiB, %s / poolpmd" % (what, other), "threads": t,
                    "ratio": o["median"] / p["median"],
                    "worst": o["min"] / p["max"], "best": o["max"] / p["min"],
                })
    # the typical fault times the faults a MiB takes: 256 of 4 KiB, or half
    # of one 2 MiB fault
    for other in ("pool", "perpage"):
        for t in thread_counts:
            p = get("pagefault_latency_ns", "poolpmd", t)
            o = get("pagefault_latency_ns", other, t)
            if not p or not o or p["min"] <= 0:
                continue
            f = FAULTS_PER_MIB.get(other, 256) / FAULTS_PER_MIB["poolpmd"]
            ratios.append({
                "what": "fault latency per MiB, %s / poolpmd" % other, "threads": t,
                "ratio": f * o["median"] / p["median"],
                "worst": f * o["min"] / p["max"], "best": f * o["max"] / p["min"],
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

    # The growing pool (issue #13): fault cost within 1.5x of the boot
    # pool's, no 2M -> 4K split, at most one global flush per 512 pages in
    # the fork bomb, every unit back after it, the direct map unchanged by
    # a long loop of create/fault/close.
    for t in thread_counts:
        q = next((q for q in ratios
                  if q["what"] == "fault cost, grow / pool" and q["threads"] == t), None)
        if get("fault_ns_per_page", "grow", t) or q:
            k = next((k for k in ratios if k["what"].startswith("fault cost, grow / grow-kept")
                      and k["threads"] == t), None)
            target("grow: fault cost within %gx of the boot pool's (grow / pool)" % GROW_RATIO_TARGET,
                   t, ("%.2fx (worst rep pair %.2fx)" % (q["ratio"], q["worst"]) if q
                       else "n/a (no pool boot in this run)") +
                   ("; same boot, grow / grow-kept: %.2fx" % k["ratio"] if k else ""),
                   q["ratio"] <= GROW_RATIO_TARGET if q else None)
    for t in thread_counts:
        r = get("level2_splits", "grow", t)
        if r:
            target("grow: 0 direct_map_level2_splits (2M -> 4K) over fault + release", t,
                   "%s in all %d reps" % (num(sum(r["values"])), r["n"]), sum(r["values"]) == 0)

    def allzero(r):
        return all(v == 0 for v in r["values"])

    if get("fork_ms", "grow"):
        forks = boots[get("fork_ms", "grow")["boot"]]["info"]["grow"]["forks"]
        r = get("fork_level2_splits", "grow")
        target("grow, fork bomb of %d one-page processes: 0 direct_map_level2_splits (2M -> 4K)" % forks,
               None, "%s in all %d reps" % (num(sum(r["values"])), r["n"]) if r else "n/a",
               allzero(r) if r else None)
        r, g, s_ = (get(m, "grow") for m in ("fork_flushes_per_512", "fork_units_grown",
                                             "fork_slot_flushes"))
        target("grow, fork bomb: <= 1 global TLB flush per 512 pages faulted "
               "(exact: units grown + returned + slot flushes)", None,
               "median %s (max %s) per 512 pages; units grown %s, slot flushes %s (medians)" % (
                   num(r["median"]), num(r["max"]), num(g["median"]) if g else "?",
                   num(s_["median"]) if s_ else "?") if r else "n/a",
               r["median"] <= 1 if r else None)
        r, tl = get("fork_fault_ipis_per_512_per_cpu", "grow"), get("fork_tlb_ipis_per_512_per_cpu", "grow")
        if r:
            measured = "median %s (max %s) IPIs (CAL + TLB) per 512 pages per other CPU" % (
                num(r["median"]), num(r["max"]))
            if tl:
                measured += "; TLB row alone %s" % num(tl["median"])
            for lbl in (anon_pool, "pool"):
                b = get("fork_fault_ipis_per_512_per_cpu", lbl) if lbl else None
                if b:
                    measured += "; %s: %s" % (lbl, num(b["median"]))
            # forking and waking the children sends IPIs of its own (about
            # 10 per 512 pages per other CPU under TCG): judged on what grow
            # sends beyond the same fork bomb on the boot pool, which grows
            # nothing (else beyond the anonymous one)
            base, blbl = get("fork_fault_ipis_per_512_per_cpu", "pool"), "pool"
            if not base and anon_pool:
                base, blbl = get("fork_fault_ipis_per_512_per_cpu", anon_pool), "anon"
            if base:
                measured += "; beyond %s: %s" % (blbl, num(r["median"] - base["median"]))
            target("grow, fork bomb (cross-check): <= 1 IPI per other CPU per 512 pages while they fault"
                   + (" beyond the boot pool's fork bomb" if base else ""), None, measured,
                   r["median"] - (base["median"] if base else 0) <= 1)
        ga, ret, gr = (get(m, "grow") for m in ("fork_grown_after_kb", "fork_units_returned",
                                                "fork_units_grown"))
        if ga and ret and gr:
            back = allzero(ga) and ret["values"] == gr["values"]
            target("grow, fork bomb: after exit every grown unit is back "
                   "(SecretmemGrown 0, units returned == units grown)", None,
                   "SecretmemGrown after: %s kB; units grown %s, returned %s (per rep)" % (
                       ",".join(num(v) for v in ga["values"]),
                       ",".join(num(v) for v in gr["values"]),
                       ",".join(num(v) for v in ret["values"])), back)
        r = get("fork_directmap_4k_delta", "grow")
        target("grow, fork bomb: DirectMap4k after exit what it was before", None,
               "change %s kB (per rep)" % ",".join(num(v) for v in r["values"]) if r else "n/a",
               allzero(r) if r else None)
    for lbl in ("grow", "pool"):
        r = get("churn_directmap_4k_delta", lbl)
        if not r:
            continue
        cyc = boots[r["boot"]]["info"][lbl].get("cycles", 0)
        ps, ug, ur = (get(m, lbl) for m in ("churn_cycles_per_s", "churn_units_grown",
                                            "churn_units_returned"))
        how = "%d cycles%s, %s cycles/s, units grown %s, returned %s" % (
            cyc, "" if cyc >= CHURN_CYCLES_TARGET else " (fewer than %d: a short run)"
            % CHURN_CYCLES_TARGET, num(ps["median"]) if ps else "?",
            num(ug["median"]) if ug else "?", num(ur["median"]) if ur else "?")
        target("%s, loop of create/fault/close cycles: DirectMap4k change 0" % lbl, None,
               "%s kB; %s" % (num(r["median"]), how), allzero(r))
        r = get("churn_level2_splits", lbl)
        if r:
            target("%s, loop of create/fault/close cycles: 0 direct_map_level2_splits" % lbl, None,
                   "%s" % num(r["median"]), allzero(r))
    for t in thread_counts:
        r = get("faults_per_2m", "poolpmd", t)
        target("poolpmd: 1 fault per 2 MiB", t,
               "median %s (max %s)" % (num(r["median"]), num(r["max"])) if r else "n/a",
               r["median"] <= 1 if r else None)
    # issue #14's 100x: the time spent in page faults per MiB. The first
    # writes as a whole are shown, not judged: after a 2 MiB fault, each
    # of the other 511 first touches still fills the emulator's own TLB
    # under TCG, a cost no real TLB pays per 4 KiB of a PMD mapping. So is
    # the typical fault (median latency) times the faults per MiB, which
    # leaves out what interrupts or host preemptions add to a few faults.
    for q in ratios:
        if q["what"] == "time in page faults per MiB, pool / poolpmd":
            target("poolpmd at least 100x less time in page faults per MiB than the 4 KiB pool path",
                   q["threads"], "%.1fx (worst rep pair %.1fx)" % (q["ratio"], q["worst"]),
                   q["ratio"] >= 100)
        if q["what"] == "fault latency per MiB, pool / poolpmd":
            target("(shown) poolpmd: median fault latency x faults per MiB, against the 4 KiB pool path",
                   q["threads"], "%.1fx (worst rep pair %.1fx)" % (q["ratio"], q["worst"]), None)
        if q["what"] == "page faults alone per MiB, pool / poolpmd":
            target("(shown) poolpmd: first writes less warm writes per MiB, against the 4 KiB pool path",
                   q["threads"], "%.1fx (worst rep pair %.1fx)" % (q["ratio"], q["worst"]), None)
        if q["what"] == "fault cost per MiB, pool / poolpmd":
            target("(shown) poolpmd: ftruncate + mmap + first writes per MiB, against the 4 KiB pool path",
                   q["threads"], "%.1fx (worst rep pair %.1fx)" % (q["ratio"], q["worst"]), None)

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
    gi = next((b["info"]["grow"] for b in boots.values() if "grow" in b["info"]), None)
    if gi:
        md.append("- Growth (case grow): no floor, ceiling %d MiB; unit_keep_ms %s as booted, "
                  "0 in the fault/release and ftruncate measurements (each repetition starts "
                  "with nothing grown), as booted in the fork bomb (waited out after exit) and "
                  "the loop of %s create/fault/close cycles" % (
                      gi.get("secretmem_ceiling_bytes", 0) >> 20, gi.get("unit_keep_ms", "?"),
                      gi.get("cycles", "?")))
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
    over = [t for t in thread_counts if vcpus and t > vcpus]
    if over:
        md.append("- Note: with %s threads on %d vCPUs the threads take turns on a CPU: a "
                  "fault's latency then includes waiting for one." % (
                      " or ".join(str(t) for t in over), vcpus))
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
            if not any(rs):
                continue
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
        md.append("| %s | %s | %s | %s |" % (t["target"], t["threads"] or "–", t["measured"], t["status"]))
    md.append("")
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
