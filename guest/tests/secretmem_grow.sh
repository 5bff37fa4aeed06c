#!/bin/sh
# boots: grow growfloor grow-numa2 pool64
# The elastic pool: growth by 2 MiB units, the ceiling, give-back.
exec /bin/kselftests/secretmem_grow
