#!/bin/sh
# boots: nopool pool64 numa2
# Kernel-side readers (/proc/kcore, /dev/mem, /proc/PID/mem, ptrace,
# process_vm_*, splice family, O_DIRECT, io_uring, readahead, PROT_EXEC)
# against a live secret mapping, with and without a pool.
exec /bin/kselftests/secretmem_readers
