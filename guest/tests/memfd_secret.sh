#!/bin/sh
# boots: nopool pool64 numa2 cgdisable
# Upstream tools/testing/selftests/mm/memfd_secret, unchanged.
exec /bin/kselftests/memfd_secret
