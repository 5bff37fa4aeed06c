#!/bin/sh
# boots: nopool pool64 numa2 cgdisable growfloor
# The secretmem cgroup controller's interface and charging.
exec /bin/kselftests/test_secretmem
