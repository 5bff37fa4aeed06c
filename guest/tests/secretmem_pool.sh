#!/bin/sh
# boots: nopool pool64 numa2
# The pool through memfd_secret(): reservations, errors, zeroing, counters.
exec /bin/kselftests/secretmem_pool
