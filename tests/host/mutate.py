# Break each rule of scripts/results.sh, guest/lib/tap.sh and idle.sh in a
# copy of the tree, one at a time, and show that the host checks
# (tests/host/results.sh, tests/host/guestlib.sh) catch it. Not run by
# `make hostcheck`; run it after changing a rule: python3 tests/host/mutate.py
import subprocess, shutil, os, sys, tempfile
R=os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
tmp=tempfile.mkdtemp()
muts=[
 ("plan count","scripts/results.sh",'else if (n != plan)','else if (0)'),
 ("plan missing","scripts/results.sh",'if (nplans == 0) fail','if (0) fail'),
 ("exit lost","scripts/results.sh",'if (rc != 0 && tf == 0 && planskip == "")','if (0)'),
 ("skip on expecting row","scripts/results.sh",'if (lacks != "")','if (1)'),
 ("skip exits 0","scripts/results.sh",'else if (planskip != "") fail("exit"','else if (0) fail("exit"'),
 ("cgroup expected","scripts/results.sh",'E["smt_expect_cgroup"] == "1" && !hasc','0'),
 ("pool size","scripts/results.sh",'else if (total != E["smt_expect_total"])','else if (0)'),
 ("row states expectations","scripts/results.sh",'if (!("smt_expect_cgroup" in E))','if (0)'),
 ("no kunit","scripts/results.sh",'if (!kunit) fail','if (0) fail'),
 ("kunit suite not ok","scripts/results.sh",'if (result[name] == "not ok")','if (0)'),
 ("kunit case plan","scripts/results.sh",'(name in splan) && splan[name] != scases[name]','0'),
 ("kunit suite plan","scripts/results.sh",'else if (ktop_plan != ktop_n)','else if (0)'),
 ("kunit suite missing","scripts/results.sh",'if (!(ksuites[i] in result))','if (0)'),
 ("never started","scripts/results.sh",'if (!begun[tests[i]])','if (0)'),
 ("no SMT-END","scripts/results.sh",'if (cur != "") fail("started", cur ": no SMT-END (the guest','if (0) fail("started", cur ": no SMT-END (the guest'),
 ("glued SMT-END","scripts/results.sh",'while ((i = match(substr(rest, 2), MK)) > 0)','while (0)'),
 ("kmemleak failed marker","scripts/results.sh",'if (kml ~ /^SMT-KMEMLEAK FAILED/)','if (0)'),
 ("kmemleak not scanned","scripts/results.sh",'else if (kml !~ /^SMT-KMEMLEAK scanned: /)','else if (0)'),
 ("flavour needs","scripts/results.sh",'have[k] = F[k] == "1"','have[k] = 1'),
 ("trailing comma in smt_tests=","scripts/results.sh",'if (tests[i] == "") continue','if (0) continue'),
 ("config/boots fills a hand-made command line","scripts/results.sh",'if (!(k in E)) E[k] = v','if (0) E[k] = v'),
 ("a program that is not a guest test","scripts/results.sh",'else fail("exit", t ": exited " rc)','else p++'),
 ("leaked VM_FAULT_OOM on a pool row","scripts/results.sh",'leaked out to the #PF handler/ && have["pool"])','leaked out to the #PF handler/ && 0)'),
 ("leaked VM_FAULT_OOM without a pool","scripts/results.sh",'/Huh VM_FAULT_OOM leaked out to the #PF handler/ && have["pool"]','/Huh VM_FAULT_OOM leaked out to the #PF handler/'),
 ("the deliberate sysrq-c crash of a crash row is a splat","scripts/results.sh",'if (sysrqc && line == "Kernel panic','if (0 && sysrqc && line == "Kernel panic'),
 ("sysrq-c panic exempt on a row without crashkernel=","scripts/results.sh",'sysrqc = crashrow && !crashed','sysrqc = !crashed'),
 ("sysrq-c panic exempt more than once","scripts/results.sh",'sysrqc = 0; crashed = 1; inpanic = 1','sysrqc = 0; inpanic = 1'),
 ("a panic sysrq-c did not announce exempt","scripts/results.sh",'if (sysrqc && line == "Kernel panic','if (line == "Kernel panic'),
 ("anything in the deliberate panic exempt","scripts/results.sh",'else if (line == "Call Trace:") next','else next'),
 ("tap.sh old trap","guest/lib/tap.sh","trap '_tap_exit $?' EXIT","trap 'exit $_tap_fail' EXIT"),
 ("idle meminfo missing","guest/lib/idle.sh",'echo "SecretmemTotal(meminfo) missing present"',':'),
 ("idle inodes missing","guest/lib/idle.sh",'echo "$_idle_inodes missing present"',':'),
]
missed=0
for name,f,old,new in muts:
    d=tmp+'/tree'
    shutil.rmtree(d, ignore_errors=True)
    for sub in ('scripts','tests','guest/lib','config'):
        shutil.copytree(f'{R}/{sub}', f'{d}/{sub}', symlinks=True, ignore=shutil.ignore_patterns('__pycache__'))
    s=open(f'{d}/{f}').read()
    assert s.count(old)==1, (name, s.count(old))
    open(f'{d}/{f}','w').write(s.replace(old,new))
    fails=[]; rc=0
    for t in ('results.sh','guestlib.sh'):
        r=subprocess.run(['bash',f'{d}/tests/host/{t}'],capture_output=True,text=True)
        rc|=r.returncode
        fails+=[l.split(':')[0] for l in r.stdout.splitlines() if l.startswith('not ok')]
    print(f"{'CAUGHT ' if rc else 'MISSED '} {name}: {', '.join(fails)}")
    missed += not rc
shutil.rmtree(tmp)
sys.exit(1 if missed else 0)
