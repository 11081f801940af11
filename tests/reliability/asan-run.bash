#!/bin/bash
# asan-run.bash - the same routed scripts as valgrind-run.bash, with the
# loadable built by --enable-sanitizers and bash given the ASan and UBSan
# runtimes through LD_PRELOAD (bash itself is not instrumented: only
# tmplcache and libspawntemplate are checked).  Here the spawn path runs.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# TC_ASAN_BUILDDIR: a build tree configured with --enable-sanitizers
# (default: build one in a temporary directory, ~1 minute).  Exit 77
# (skip) when gcc has no libasan.

: "${TC_BUILDDIR:?set TC_BUILDDIR to the build tree}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
asan=$(gcc -print-file-name=libasan.so) ubsan=$(gcc -print-file-name=libubsan.so)
[[ -f $asan && -f $ubsan ]] || { echo "SKIP: no libasan/libubsan"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
b=${TC_ASAN_BUILDDIR:-}
if [[ -z $b ]]; then
	b=$work/build; mkdir "$b"
	(cd "$b" && "$srcdir/configure" -q --enable-sanitizers && make -j2 -s >/dev/null 2>&1) ||
		{ echo "FAIL: sanitizer build"; exit 1; }
fi
export SO=$b/builtins/.libs/tmplcache.so CHILDVIEW=$TC_BUILDDIR/tests/lib/childview
source "$here/routed-scenarios.bash"
rel_write_scenarios "$work"
fail=0 runs=0 spawns=0
for s in "$work"/s-*.sh; do
	d=$work/run.${s##*/s-}; mkdir "$d"
	# Counters out through BASH_ENV-free means: the script's last line.
	printf '%s\n' 'trap '\''tmplcache -s -v st 2>/dev/null && echo "SPAWNS ${st[spawns]}" >&3'\'' EXIT' |
		cat - "$s" >"$d/t.sh"
	( cd "$d" && LD_PRELOAD=$asan:$ubsan \
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=98 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98 \
		bash t.sh >"$d/out" 2>"$d/err" 3>"$d/spawns" </dev/null )
	rc=$?
	runs=$((runs + 1))
	n=$(sed -n 's/^SPAWNS //p' "$d/spawns"); spawns=$((spawns + ${n:-0}))
	if ((rc == 98)) || grep -q -E 'ERROR: AddressSanitizer|runtime error:' "$d/err"; then
		echo "FAIL ${s##*/}:"; grep -A30 -E 'ERROR: AddressSanitizer|runtime error:' "$d/err" | head -40
		fail=$((fail + 1))
	else
		echo "ok ${s##*/} (exit $rc, ${n:-0} spawns)"
	fi
done
echo "asan: $runs scripts, $spawns routed spawns, $fail failing"
[[ -n ${TC_REL_FIGURES:-} ]] && echo "asan $runs scripts, $spawns routed spawns, $fail failing" >>"$TC_REL_FIGURES"
((fail == 0))
