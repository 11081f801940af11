#!/bin/bash
# guest-run.sh - what the check-kernel VM runs (called by guest-init.sh).
#
# Reads WORKDIR/guest.env (written by check-kernel.sh) and leaves every
# result in WORKDIR/results for the host to read: the selftests' TAP, the
# library's and the BATS suite's automake logs (in their build tree), and
# the benchmark table.  Exit status: 0 when every suite that ran passed.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
work=$1
. "$work/guest.env"
res=$work/results
rc=0

# bats_files BACKEND "FILES": each file with that backend forced, bats'
# own TAP in results/bats-BACKEND-NAME.tap.  A file is relative to
# tests/builtin unless named reliability/NAME.bats; "+" stands for "/" in
# the TAP file's name (report.sh turns it back).
bats_files() {
	local f path
	echo "guest: BATS files on the $1 backend: $2"
	for f in $2; do
		case $f in */*) path=$SRCDIR/tests/$f ;; *) path=$SRCDIR/tests/builtin/$f ;; esac
		SECONDS=0
		SPAWN_TEMPLATE_BACKEND=$1 \
		TC_BUILDDIR=$LIBBUILD BATS_TEST_TIMEOUT=1500 \
		bash "$SRCDIR/tests/bounded" 3000 \
			bats --tap "$path" \
			>"$res/bats-$1-$(tr / + <<<"${f%.bats}").tap" 2>&1 || rc=1
		echo "guest: $f on the $1 backend took $SECONDS s (guest clock)"
	done
}

echo "guest: $(uname -sr), mode $MODE"
if [ "$MODE" = full ]; then
	echo "guest: kernel selftests"
	"$SELFTEST" >"$res/selftests.tap" 2>&1 || rc=1
	if [ -n "$LIBBUILD" ]; then
		# Kernel and clone3 (the userspace backend's first choice): the
		# differential needs these two, and under TCG every spawn costs
		# milliseconds, so the clone fallback is left to the host's
		# make check.  LIB_BACKENDS overrides.
		echo "guest: library suite (backends: $LIB_BACKENDS)"
		# LIB_TESTS (program names) narrows the run to those.
		tests=
		for b in $LIB_BACKENDS; do
			if [ -n "${LIB_TESTS:-}" ]; then
				for p in $LIB_TESTS; do
					tests="$tests $p.$b.test"
				done
			else
				tests="$tests $(cd "$LIBBUILD/tests/lib" && echo *."$b".test)"
			fi
		done
		# Emulated, a CPU is many times slower: the bounds that stop
		# a hung test are scaled up (the VM itself is bounded too).
		# TC_KERNEL_JOBCTL: this tree's kernel has patch 0006, so the
		# kernel backend must claim X_SETPGID and X_TCSETPGRP;
		# TC_KERNEL_NOWRITEPIN: patch 0007, the create flag.
		# TC_LIB_ROUNDS: the long tests' loops, in percent.
		TC_KERNEL_JOBCTL=1 TC_KERNEL_NOWRITEPIN=1 \
		TC_LIB_ROUNDS=${LIB_ROUNDS:-100} \
		make -C "$LIBBUILD/tests/lib" check TESTS="$tests" \
			TC_LIB_TEST_TIMEOUT=2400 \
			>"$res/lib-check.log" 2>&1 || rc=1
		case $USERSPACE_BATS in
		0) ;;
		1)	# The whole suite on the userspace backend over this
			# kernel, as on the host.
			if [ "$RUN_BATS" = 1 ]; then
				echo "guest: BATS suite (userspace backend)"
				SECONDS=0
				SPAWN_TEMPLATE_BACKEND=clone3 \
				make -C "$LIBBUILD/tests/builtin" check \
					TC_FILE_TIMEOUT=3000 TC_TEST_TIMEOUT=1500 \
					>"$res/bats-check.log" 2>&1 || rc=1
				echo "guest: BATS suite on the userspace backend took $SECONDS s (guest clock)"
			fi ;;
		*)	# Named files only (CI: those of the kernel pass).
			[ "$RUN_BATS" = 1 ] && bats_files clone3 "$USERSPACE_BATS" ;;
		esac
		# Some files again on the kernel backend (check-kernel.sh
		# says which and why): its X_ERRNO (patch 0005) lets
		# tmplcache spawn there; the tests prove it by counters.
		if [ "$RUN_BATS" = 1 ] && [ -n "$KERNEL_BATS" ]; then
			bats_files kernel "$KERNEL_BATS"
		fi
	fi
fi

if [ -n "$BENCH" ] && [ "$BENCH_N" -gt 0 ]; then
	echo "guest: benchmark ($BENCH_N spawns per row)"
	out=$res/bench-$MODE.txt
	cp "$work/static-true" /tmp/static-true
	: >"$out"
	for target in $BENCH_TARGETS; do
		for mode in kernel userspace posix_spawn fork_exec; do
			case $mode in
			kernel|userspace)
				SPAWN_TEMPLATE_BACKEND=$mode "$BENCH" template \
					"$BENCH_N" "$target" ;;
			*)	"$BENCH" "$mode" "$BENCH_N" "$target" ;;
			esac >>"$out" 2>&1 || echo "$mode $target failed" >>"$out"
		done
	done
fi
if [ -n "$BENCH" ] && [ "$BASH_LOOP_N" -gt 0 ]; then
	# The same static program from a bash loop: stock bash, then routed
	# by tmplcache on each backend, at each shell size.  A row that fell
	# back says so instead of giving a number (report.sh fails it).
	echo "guest: bash loop ($BASH_LOOP_N spawns per row, shell sizes $BASH_LOOP_MB MB)"
	out=$res/bash-loop-$MODE.txt
	cp "$work/static-true" /tmp/static-true
	: >"$out"
	SECONDS=0
	for mb in $BASH_LOOP_MB; do
		env -u SPAWN_TEMPLATE_BACKEND bash \
			"$SRCDIR/tests/vm/bench-bash-loop.sh" "$mb" "$BASH_LOOP_N" \
			/tmp/static-true "$LIBBUILD/builtins/.libs/tmplcache.so" \
			>>"$out" 2>"$res/bash-loop.err" ||
			grep -q "^bash-loop .* $mb failed" "$out" ||
			echo "bash-loop all $mb failed: $(tail -n 1 "$res/bash-loop.err")" >>"$out"
	done
	rm -f "$res/bash-loop.err"
	echo "guest: bash loop took $SECONDS s (guest clock)"
fi
echo "guest: done, status $rc"
exit $rc
