#!/bin/sh
# boots: nopool pool64 grow
# needs: faultinject
# memfd_secret, ftruncate, mmap and faults under fail-nth and random
# failslab/fail_page_alloc/fail_function failures (debug kernel; the base
# kernel has no fault injection and skips). The test runs in a cgroup of
# its own so the secretmem charge is one of the points that can fail.
cg=/sys/fs/cgroup
if grep -qw secretmem $cg/cgroup.controllers; then
	echo +secretmem > $cg/cgroup.subtree_control
	mkdir -p $cg/smt_faults
	echo $$ > $cg/smt_faults/cgroup.procs
fi
ulimit -l unlimited
/bin/kselftests/secretmem_faults
rc=$?
if [ -d $cg/smt_faults ]; then
	echo $$ > $cg/cgroup.procs
	rmdir $cg/smt_faults
fi
exit $rc
