#!/bin/sh
# boots: pool64
# 2 MiB mappings of secret memory: aligned mmap, one PMD fault per unit,
# FilePmdMapped, the kernel readers refused on a PMD-mapped buffer, the
# splits (munmap, mprotect, mremap, MADV_*), fork, the 4 KiB fallbacks,
# a 2 MiB and a 4 KiB fault racing into one block, the whole pool as units.
exec /bin/kselftests/secretmem_pmd
