#!/bin/sh
# boots: nopool poison
# A hardware-poisoned secret page is never handed out again nor touched:
# quarantined by the pool, kept from the page allocator on the per-page
# path. Poisoning loses a page for good: the pool's case has a row of its own.
exec /bin/kselftests/secretmem_hwpoison
