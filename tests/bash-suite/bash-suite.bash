#!/bin/bash
# bash-suite.bash - bash's own test suite, stock and routed, compared.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs every tests/run-* of the release source of the bash in use
# (THIS_SH, /bin/bash) twice: once stock, once with tmplcache loaded in
# every bash through BASH_ENV, routing the suite's helpers and the common
# tools it runs.  Each run-* prints the diff between what bash printed and
# the expected output, so the routed run must print exactly what the stock
# run printed, with the same exit status, test by test.  Routed shells
# write their `tmplcache -s` table at exit (tcdump.c), summed here to show
# that routing really happened.
#
# Environment: TC_BUILDDIR (build tree, required), TC_SRCDIR (source tree;
# the release tarball is looked up in shared/vendor/ next to it or up to
# two levels above, or
# given as BASH_SUITE_TARBALL), BASH_SUITE_TESTS (a subset of run-* names),
# BASH_SUITE_JOBS (parallel tests, default 2), BASH_SUITE_TIMEOUT (seconds
# per run-* script, default 300), BASH_SUITE_STOCK_REPEAT=N (no routed
# run: each test N times stock, to tell flaky tests from routed changes).
#
# Exit status: 0 all identical, 1 some differ, 77 skipped (with the reason).
set -uo pipefail

: "${TC_BUILDDIR:?set TC_BUILDDIR to the build tree (make check-bash-suite does)}"
: "${TC_SRCDIR:?set TC_SRCDIR to the source tree (make check-bash-suite does)}"
THIS_SH=${THIS_SH:-/bin/bash}
jobs=${BASH_SUITE_JOBS:-2}
limit=${BASH_SUITE_TIMEOUT:-300}
repeat=${BASH_SUITE_STOCK_REPEAT:-0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$PWD/bash-suite-work

so=$TC_BUILDDIR/builtins/.libs/tmplcache.so
dump_so=$TC_BUILDDIR/tests/bash-suite/.libs/tcdump.so

skip() { echo "SKIP: $*"; exit 77; }

# Run-* scripts left out, each for a reason seen in repeated stock runs;
# see README.md.  Keep this list to tests that differ between two stock
# runs, never to hide a routed difference.
declare -A skipped=(
	# posixpipe.tests prints `time`'s elapsed seconds ("real 0.00"): a
	# loaded machine prints 0.01 now and then, stock as well as routed.
	# It runs no external command, so nothing routed is lost.
	[run-posixpipe]="prints elapsed time (real 0.00 vs 0.01 between two stock runs)"
	# nameref11.sub runs coprocs whose error messages race the parent's
	# output (`declare -p RO_PID` before or after "RO_PID: not found"):
	# run alone, stock bash printed two different outputs in 6 runs, 3
	# each.  Under the suite's parallel load its `exec {r}>` line also
	# varies (fd 10 or 11).  Routed and stock agree when run alone.
	[run-nameref]="coproc output races the parent's (two stock outputs, 3 of 6 runs each)"
)

# Names routed in every routed shell: the suite's helpers and the tools its
# scripts run (names not found or not ELF are refused, silently).
routed_names='recho zecho printenv xcase cat sed grep egrep diff cmp rm
	mkdir rmdir touch chmod chgrp cp mv ln mkfifo mktemp ls od wc tr cut
	sort uniq head tail tee expr env sleep date id uname seq awk sh
	basename dirname find xargs'

# ---- what to run --------------------------------------------------------

version=$("$THIS_SH" -c 'echo "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}.${BASH_VERSINFO[2]}"') ||
	skip "$THIS_SH: cannot run it"
# In CI the vendored sources sit in ../shared/vendor/ next to the source
# tree; a git worktree may sit a level deeper.
find_tarball() {
	local up=$TC_SRCDIR i
	for i in 1 2 3; do
		up=$up/..
		if [[ -f $up/shared/vendor/bash-$version.tar.xz ]]; then
			echo "$(cd "$up/shared/vendor" && pwd)/bash-$version.tar.xz"
			return 0
		fi
	done
	return 1
}
tarball=${BASH_SUITE_TARBALL:-$(find_tarball)} ||
	skip "bash-$version.tar.xz not found in shared/vendor/ above $TC_SRCDIR"
[[ -f $tarball ]] || skip "$tarball: no such file"
[[ -f $so ]] || skip "tmplcache.so not built ($so)"
[[ -f $dump_so ]] || skip "tcdump.so not built ($dump_so)"
command -v timeout >/dev/null || skip "timeout(1) not found"

# ---- the release tests and their helpers --------------------------------

# `make tests` in bash builds recho, zecho, printenv and xcase from
# support/*.c and puts them first in PATH; they need only bashansi.h and
# include/, not bash's configure.
prepare() {
	local top=bash-$version h
	rm -rf "$work" && mkdir -p "$work/bin" "$work/out" "$work/run" "$work/counters" || return 1
	tar -xJf "$tarball" -C "$work" "$top/tests" "$top/support" "$top/include" \
		"$top/bashansi.h" || return 1
	for h in recho zecho printenv xcase; do
		"${CC:-cc}" -O -DHAVE_STRING_H -DHAVE_STDLIB_H -DHAVE_UNISTD_H \
			-I"$work/$top" -I"$work/$top/include" \
			-o "$work/bin/$h" "$work/$top/support/$h.c" || return 1
	done
	ln -s "$top/tests" "$work/tests"
}

# ---- one run-* script in one mode ---------------------------------------

# Both modes of a test run from the same paths (cwd, TMPDIR, BASH_ENV) so
# that nothing a test prints differs but the routing.  The BASH_ENV file
# is one line in both modes and ends with `:`, so $_, $? and LINENO start
# alike; any BASH_ENV at all changes run-array (bash leaves BASH_ARGC set),
# hence the stock `:`.
env_line() {	# MODE TEST
	case $1 in
	stock)	echo ':' ;;
	routed)	# A forked bash that runs a script without #! reads BASH_ENV
		# again, with tmplcache already loaded.
		printf '{ enable tmplcache 2>/dev/null || enable -f %q tmplcache; } && tmplcache %s 2>/dev/null; ' \
			"$so" "$(echo $routed_names)"
		printf 'enable -f %q tcdump && tcdump %q && enable -d tcdump; :\n' \
			"$dump_so" "$work/counters/$2/c" ;;
	esac
}

run_one() {	# MODE TEST OUTNAME
	local mode=$1 t=$2 out=$3 dir=$work/run/$2 rc
	rm -rf "$dir" && mkdir -p "$dir/tmp" "$work/counters/$t" || return 1
	cp -a "$work/tests/." "$dir/tests" || return 1
	env_line "$mode" "$t" >"$dir/env.bash"
	(
		cd "$dir/tests" || exit 1
		export THIS_SH TMPDIR=$dir/tmp BASH_TSTOUT=$dir/tmp/bashtst \
			BUILD_DIR=$dir/no-build-dir BASH_ENV=$dir/env.bash \
			PATH=$work/bin:$PATH
		# Nothing of this harness in the tests' environment.
		unset TC_BUILDDIR TC_SRCDIR BASH_SUITE_TESTS BASH_SUITE_JOBS \
			BASH_SUITE_TIMEOUT BASH_SUITE_STOCK_REPEAT BASH_SUITE_TARBALL \
			BASH_SUITE_WORK
		exec timeout -k 10 "$limit" sh "./$t" </dev/null
	) >"$work/out/$out" 2>&1
	rc=$?
	# timeout(1): 124 when it stopped the test, 137 when it had to kill it.
	((rc == 124 || rc == 137)) && echo "bash-suite: $t ($mode) timed out after $limit s" >&2
	echo "$rc" >"$work/out/$out.status"
	rm -rf "$dir"
}

# One test: stock, then routed (or stock N times).
run_test() {	# TEST
	local t=$1 i
	if ((repeat > 0)); then
		for ((i = 1; i <= repeat; i++)); do run_one stock "$t" "$t.stock$i"; done
	else
		run_one stock "$t" "$t.stock"
		run_one routed "$t" "$t.routed"
	fi
}

# ---- comparing and counting ---------------------------------------------

# What differs between two stock runs too: a pid in bash's message.
normalize() {	# FILE
	sed -E 's/(cannot set terminal process group \()[0-9]+\)/\1PID)/' "$1"
}

# The routed output of TEST equals the output of a further stock run, or
# a further routed run gives stock's: in up to 4 more runs of each.  Some
# tests race the clock (read7.sub's first `read -t 0.00001 -e` is EOF on
# /dev/null or a timeout, by whether 10 us pass first): either mode can
# land on the rarer side under load.  Each such pass is printed.
same_in_reruns() {	# TEST
	local i
	for ((i = 2; i <= 5; i++)); do
		run_one stock "$1" "$1.stock$i"
		if same "$1" "stock$i" routed; then
			echo "flaky in stock: $1 (routed matches stock run $i)"
			return 0
		fi
		run_one routed "$1" "$1.routed$i"
		if same "$1" stock "routed$i"; then
			echo "flaky: $1 (routed run $i matches stock)"
			return 0
		fi
	done
	return 1
}

same() {	# TEST A B: identical output and status
	cmp -s <(normalize "$work/out/$1.$2") <(normalize "$work/out/$1.$3") &&
		cmp -s "$work/out/$1.$2.status" "$work/out/$1.$3.status"
}

# Sum the `tmplcache -s` tables one test's routed shells wrote:
# "shells spawns fallbacks reason=N,..."
count_test() {	# TEST
	cat "$work/counters/$1"/c.* 2>/dev/null | awk '
		/^total / { n++; s += $2; f += $3
			if ($6 != "-") { k = split($6, r, ","); for (i = 1; i <= k; i++) {
				split(r[i], kv, "="); why[kv[1]] += kv[2] } } }
		END { out = ""; for (w in why) out = out (out ? "," : "") w "=" why[w]
			printf "%d %d %d %s\n", n, s, f, out ? out : "-" }'
}

# ---- main ---------------------------------------------------------------

main() {
	local t tests=() differ=() pinned=() flaky=() start=$SECONDS
	prepare || { echo "bash-suite: cannot unpack $tarball or build its helpers" >&2; return 1; }
	if [[ -n ${BASH_SUITE_TESTS:-} ]]; then
		read -ra tests <<<"$BASH_SUITE_TESTS"
	else
		for t in "$work/tests"/run-*; do
			t=${t##*/}
			case $t in run-all|run-minimal|run-gprof|*.orig|*~) continue ;; esac
			tests+=("$t")
		done
	fi
	local n_all=${#tests[@]} run=()
	for t in "${tests[@]}"; do
		if [[ -n ${skipped[$t]:-} ]]; then
			echo "skip $t: ${skipped[$t]}"
		else
			run+=("$t")
		fi
	done
	echo "bash $version ($THIS_SH), ${#run[@]} of $n_all run-* tests, $jobs at a time"

	# Longest first, so the two workers finish together.
	printf '%s\n' "${run[@]}" | sort -t- -k2 | awk '
		$0 == "run-jobs" || $0 == "run-trap" { print; next } { rest[++n] = $0 }
		END { for (i = 1; i <= n; i++) print rest[i] }' |
		BASH_SUITE_WORK=$work xargs -P "$jobs" -I{} "$BASH" "$here/bash-suite.bash" --one {}

	local sh=0 sp=0 fb=0 line
	declare -A why=()
	for t in "${run[@]}"; do
		if ((repeat > 0)); then
			local i
			for ((i = 2; i <= repeat; i++)); do
				same "$t" stock1 "stock$i" || { flaky+=("$t"); break; }
			done
			continue
		fi
		# A test whose output varies from run to run passes when the
		# two modes meet in up to 4 more runs of each (same_in_reruns).
		if ! same "$t" stock routed && ! same_in_reruns "$t"; then
			local d
			d=$(diff -u --label "$t stock" --label "$t routed" \
				<(normalize "$work/out/$t.stock") \
				<(normalize "$work/out/$t.routed"))
			if [[ -f $here/pinned/$t.diff && $d == "$(<"$here/pinned/$t.diff")" ]]; then
				pinned+=("$t")
				echo "pinned $t: differs exactly as pinned/$t.diff says (README, What is still visible)"
			else
				differ+=("$t")
				echo "---- $t differs (stock status $(<"$work/out/$t.stock.status"), routed $(<"$work/out/$t.routed.status"))"
				head -n 60 <<<"$d"
			fi
		elif [[ -f $here/pinned/$t.diff ]]; then
			differ+=("$t")
			echo "---- $t is identical now: pinned/$t.diff is stale, remove the pin"
		fi
		read -r line <<<"$(count_test "$t")"
		local a=($line)
		echo "counters $t: shells ${a[0]}, spawns ${a[1]}, fallbacks ${a[2]} (${a[3]})" >>"$work/counters.txt"
		((sh += a[0], sp += a[1], fb += a[2]))
		if [[ ${a[3]} != - ]]; then
			local r
			for r in ${a[3]//,/ }; do why[${r%%=*}]=$(( ${why[${r%%=*}]:-0} + ${r#*=} )); done
		fi
	done

	if ((repeat > 0)); then
		echo "stock, $repeat runs each: ${#flaky[@]} differ between runs: ${flaky[*]:-none}"
		echo "runtime: $((SECONDS - start)) s"
		((${#flaky[@]} == 0))
		return
	fi
	local reasons=
	for t in "${!why[@]}"; do reasons+="${reasons:+, }$t=${why[$t]}"; done
	echo "routed shells that wrote counters: $sh; spawns: $sp; fallbacks: $fb (${reasons:-none})"
	echo "per test: $work/counters.txt"
	echo "runtime: $((SECONDS - start)) s"
	((${#pinned[@]})) &&
		echo "${#pinned[@]} differ only as pinned (unavoidable through bash's loadable interface): ${pinned[*]}"
	if ((${#differ[@]})); then
		echo "${#differ[@]} of ${#run[@]} differ routed vs stock: ${differ[*]}"
		return 1
	fi
	if ((sp == 0)); then
		echo "no routed spawn at all: routing did not happen"
		return 1
	fi
	echo "all ${#run[@]} identical routed vs stock, but for ${#pinned[@]} pinned"
}

unset BASH_ENV ENV
if [[ ${1:-} == --one ]]; then
	work=${BASH_SUITE_WORK:?}
	run_test "$2"
else
	main
fi
