#!/bin/bash
# fuzz-options.bash - random option strings and names thrown at the
# tmplcache builtin, in one shell per batch.  Asserts: bash survives
# every batch (exit status from the batch's last line), every error line
# has the form "...: tmplcache: X: reason" (or bash's usage line), and
# after each call the listing matches what the shell believes is routed
# (`tmplcache -l` vs `type -t`: a routed name is "builtin" only while it
# is listed).
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# TC_FUZZ_ITERATIONS (default 400) calls, TC_FUZZ_SEED (default: the
# time) reproduces a run: the seed is printed first.  Exit 77 when the
# loadable is not built (automake's skip).

: "${TC_BUILDDIR:?set TC_BUILDDIR to the build tree}"
so=$TC_BUILDDIR/builtins/.libs/tmplcache.so
[[ -f $so ]] || { echo "SKIP: $so not built"; exit 77; }
iterations=${TC_FUZZ_ITERATIONS:-400}
seed=${TC_FUZZ_SEED:-$(date +%s)}
RANDOM=$seed
echo "fuzz-options: seed $seed, $iterations calls"

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
for n in aa bb cc; do cp /bin/true "$work/bin/$n"; done
printf '#!/bin/sh\n' >"$work/bin/sc"; chmod +x "$work/bin/sc"

words=(aa bb cc sc cd if echo true tmplcache nosuch a/b "" " " - -- -l -d -r -s -t
	-v -H -Hx -dl -ls -rs -x -? --help 0 1 -1 99999999999999999999 st 1x
	"a b" $'\t' '*' '$(id)' "\`id\`" '${x}' "[" "aa=" "=aa" ää
	"$(printf 'x%.0s' {1..300})")

failures=0
batch=0
while ((batch * 20 < iterations)); do
	batch=$((batch + 1))
	script=$work/batch.$batch
	{
		echo "enable -f '$so' tmplcache || exit 99"
		echo "PATH='$work/bin':\$PATH"
		for ((c = 0; c < 20; c++)); do
			cmd="tmplcache"
			for ((w = RANDOM % 5; w > 0; w--)); do
				cmd+=" $(printf '%q' "${words[RANDOM % ${#words[@]}]}")"
			done
			((RANDOM % 4 == 0)) && cmd="TMPLCACHE_MAX=$((RANDOM % 3)) $cmd"
			echo "$cmd"
			# consistency: a listed name spawns, an unlisted one does
			# not; every name still runs
			echo 'for n in aa bb cc; do l=0; tmplcache -l | grep -qx "builtin tmplcache $n" && l=1; tmplcache -s -v s0; $n || echo "RUNFAIL $n"; tmplcache -s -v s1; r=$((s1[spawns] - s0[spawns])); ((l == r)) || echo "INCONSISTENT $n listed=$l spawned=$r"; done'
		done
		echo 'echo BATCH-OK'
	} >"$script"
	out=$(cd "$work" && bash "$script" 2>&1 </dev/null)
	st=$?
	# Lines naming tmplcache are errors (": tmplcache: X: reason", or
	# the usage/help text); anything else is listing, stats or help.
	bad=$(grep -E 'tmplcache: ' <<<"$out" |
		grep -v -E ': line [0-9]+: tmplcache: .*: .+$|^tmplcache: (usage: )?tmplcache \[' || true)
	if ((st != 0)) || [[ $out != *BATCH-OK* || $out == *INCONSISTENT* || $out == *RUNFAIL* ]] ||
	   grep -q -E 'INCONSISTENT|RUNFAIL|Segmentation|Aborted|core dumped' <<<"$out"; then
		echo "FAIL batch $batch (status $st): script kept at $script.failed"
		cp "$script" "$script.failed"; cp "$script" "${TMPDIR:-/tmp}/fuzz-options-failed.$seed.$batch"
		grep -E 'INCONSISTENT|RUNFAIL|Segmentation|Aborted' <<<"$out" | head -5
		failures=$((failures + 1))
	fi
	if [[ -n $bad ]]; then
		echo "odd output in batch $batch (not an error in tmplcache: X: reason form):"
		head -5 <<<"$bad"
		failures=$((failures + 1))
	fi
done
echo "fuzz-options: $((batch * 20)) calls in $batch shells, $failures failures"
[[ -n ${TC_REL_FIGURES:-} ]] && echo "fuzz_options $((batch * 20)) calls, $batch shells, seed $seed, $failures failures" >>"$TC_REL_FIGURES"
((failures == 0))
