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

echo "guest: $(uname -sr), mode $MODE"
if [ "$MODE" = full ]; then
	echo "guest: kernel selftests"
	"$SELFTEST" >"$res/selftests.tap" 2>&1 || rc=1
	if [ -n "$LIBBUILD" ]; then
		echo "guest: library suite (every backend)"
		make -C "$LIBBUILD/tests/lib" check >"$res/lib-check.log" 2>&1 || rc=1
		if [ "$RUN_BATS" = 1 ]; then
			echo "guest: BATS suite"
			make -C "$LIBBUILD/tests/builtin" check \
				>"$res/bats-check.log" 2>&1 || rc=1
		fi
	fi
fi

if [ -n "$BENCH" ]; then
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
echo "guest: done, status $rc"
exit $rc
