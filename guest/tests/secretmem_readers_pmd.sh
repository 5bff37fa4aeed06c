#!/bin/sh
# boots: pool64 numa2
# The kernel-side readers of secretmem_readers again, against a 2 MiB
# secret buffer mapped by one PMD (a whole unit of the pool): GUP-fast and
# the page walks meet a PMD leaf, and the buffer must still be PMD-mapped
# after each refusal.
exec /bin/kselftests/secretmem_readers --pmd
