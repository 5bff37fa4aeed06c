# shellcheck shell=bash
# Common paths and helpers, sourced by the other scripts.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
KVER_PIN=6.12.117-1~deb12u1
SRC=$BUILD/src/linux-source-6.12
TREE=$BUILD/linux
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Relative paths in the cache key: a fresh clone elsewhere still hits.
export CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=true

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# obj_dir FLAVOUR: where the kernel of that flavour (base, debug) is built.
obj_dir() { echo "$BUILD/obj-$1"; }
