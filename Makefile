# Host tooling for the secretmem pool and controller. `make help` lists verbs.
SHELL := /bin/bash
S := scripts
FLAVOUR ?= base

.PHONY: help deps tree kernel selftests guest run test test-debug test-mutants ci lint bench hostcheck clean distclean

# Debug-kernel rows CI runs: every pool test (pool64, with the 2 MiB
# mappings), hardware poison of pool pages (poison, a short boot) and a
# crash dump with a pool (crashpool: kexec_file_load's headers and the
# capture kernel's vmcore filter, 204 s). The others (numa2 too since
# 2026-11-26: 157 s, its tests run on the base kernel in make test) run on
# the debug kernel in `make test-debug` only: CI's cold budget (see README).
CI_DEBUG_ROWS := pool64 poison crashpool
# On the debug kernel CI leaves out what the base kernel's boots of make
# test already run and what costs the most there (debug pool64, 2026-11-25):
# the unprivileged rerun of every kselftest (200 s), pool_pageflags (141 s),
# the fork bomb (73 s) and stress-ng (27 s). `make test-debug` runs them.
CI_DEBUG_NOT := unprivileged pool_pageflags forkbomb stress_ng

help:
	@echo "make run         boot the kernel and narrate a demo"
	@echo "make test        lint, build, and run the whole test matrix in QEMU"
	@echo "make test-debug  the same tests on the debug kernel (KASAN, lockdep, ...)"
	@echo "make test-mutants  show that each deliberate bug of mutants/ fails the tests (not in CI; MUTANTS='03 gup' picks)"
	@echo "make ci          what CI runs: make test, then test-debug on $(CI_DEBUG_ROWS) (not $(CI_DEBUG_NOT))"
	@echo "make lint        checkpatch --strict, sparse and W=1 on our code"
	@echo "make hostcheck   the tooling's own checks (tests/host), no kernel needed"
	@echo "make tree        assemble build/linux (pristine + quilt series + linux/)"
	@echo "make kernel      build the kernel (FLAVOUR=base|debug)"
	@echo "make guest       build the kselftests and the initramfs"
	@echo "make bench       measure secret memory with and without a pool: build/bench/results.md"
	@echo "Pick tests or boots: make test T='memfd_secret' ROWS='pool64' (NOT_T='stress' leaves out)"
	@echo "QEMU's accelerator: KVM where a probe boot shows it works, else TCG; force one with ACCEL=kvm|tcg"

deps:
	@$(S)/deps.sh

tree: deps
	@$(S)/tree.sh

kernel: tree
	@$(S)/kernel.sh $(FLAVOUR)

selftests: kernel
	@$(S)/selftests.sh $(FLAVOUR)

guest: selftests
	@$(S)/initramfs.sh $(FLAVOUR)

run: guest
	@$(S)/demo.sh $(FLAVOUR)

bench: guest
	@$(S)/bench.sh $(FLAVOUR)

lint: kernel
	@$(S)/lint.sh

hostcheck:
	@$(S)/hostcheck.sh

test: hostcheck lint guest
	@$(S)/test.sh $(FLAVOUR)

test-debug:
	@$(MAKE) --no-print-directory guest FLAVOUR=debug
	@$(S)/test.sh debug

# Not part of ci: see README, "Mutation check".
test-mutants: guest
	@$(S)/mutants.sh $(MUTANTS)

ci: test
	@$(MAKE) --no-print-directory test-debug ROWS="$(CI_DEBUG_ROWS)" NOT_T="$(CI_DEBUG_NOT)"

clean:
	rm -rf build/obj-* build/guest-* build/logs

distclean:
	rm -rf build
