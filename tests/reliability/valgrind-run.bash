#!/bin/bash
# valgrind-run.bash - bash running routed scripts (routed-scenarios.bash)
# with tmplcache loaded, under valgrind memcheck: no invalid access, no
# definite leak in tmplcache's code.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Finding (valgrind 3.19, Debian 12): valgrind implements neither clone3
# nor pidfd_open (it answers ENOSYS), so the library finds no backend
# ("none") and every routed name falls back.  SPAWN_TEMPLATE_BACKEND=clone
# does not help (its probe is pidfd_open).  This run therefore checks the
# builtin's own code -- options, listing, templates, stats, hide/table,
# enable -d, every fallback path -- not the spawn itself; the spawn path
# is covered by asan-run.bash and tests/lib under ASan.
# Exit 77 (skip) without valgrind.

: "${TC_BUILDDIR:?set TC_BUILDDIR to the build tree}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
export SO=$TC_BUILDDIR/builtins/.libs/tmplcache.so CHILDVIEW=$TC_BUILDDIR/tests/lib/childview
[[ -f $SO && -x $CHILDVIEW ]] || { echo "SKIP: build the loadable and childview first"; exit 77; }
source "$here/routed-scenarios.bash"
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
rel_write_scenarios "$work"
fail=0 runs=0 backend=
for s in "$work"/s-*.sh; do
	d=$work/run.${s##*/s-}; mkdir "$d"
	( cd "$d" && valgrind -q --error-exitcode=99 --trace-children=no \
		--leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$d/vg.log" bash "$s" >"$d/out" 2>&1 </dev/null )
	rc=$?
	runs=$((runs + 1))
	# bash's own definite leaks would also count; report only ours.
	ours=$(grep -c -E 'tmplcache|spawntemplate|builtins/|lib/' "$d/vg.log" || true)
	if grep -q -E 'Invalid (read|write|free)|uninitialised|definitely lost' "$d/vg.log" && ((ours > 0)); then
		echo "FAIL ${s##*/}:"; head -40 "$d/vg.log"; fail=$((fail + 1))
	elif ((rc == 99)) && ((ours > 0)); then
		echo "FAIL ${s##*/}: valgrind exit 99"; head -40 "$d/vg.log"; fail=$((fail + 1))
	else
		echo "ok ${s##*/} (exit $rc)"
	fi
done
backend=$(cd "$work" && valgrind -q bash -c 'enable -f "$SO" tmplcache; tmplcache -s | tail -1' 2>/dev/null)
echo "valgrind: $runs scripts, $fail failing; under valgrind: $backend"
[[ -n ${TC_REL_FIGURES:-} ]] && echo "valgrind $runs scripts, $fail failing; $backend" >>"$TC_REL_FIGURES"
((fail == 0))
