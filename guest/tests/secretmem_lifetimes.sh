#!/bin/sh
# boots: nopool pool64 numa2 cgdisable
# What a secret file holds lives as long as its inode: O_PATH aliases after
# close, racing first touches, mlock batches, refused charges, Cached,
# placement by memory policy and cpuset, hibernation refused.
exec /bin/kselftests/secretmem_lifetimes
