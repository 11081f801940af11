#!/usr/bin/env bats
# report.bats - TMPLCACHE_REPORT=DIR records and their summary,
# tmplcache-report.  The record is written at exit by the shell that
# loaded tmplcache and must change nothing the script can see.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

REPORT=$BATS_TEST_DIRNAME/../../scripts/tmplcache-report

setup() {
	tc_setup_bin
	RDIR=$BATS_TEST_TMPDIR/records
	mkdir -p "$RDIR"
	# A script in PATH: routing it falls back (notelf).
	printf '#!/bin/sh\nexit 0\n' >"$TC_BIN/a-script"
	chmod +x "$TC_BIN/a-script"
}

# Compare stock and routed with TMPLCACHE_REPORT=DIR exported in both
# (stock bash has no tmplcache and writes nothing).
compare_reporting() {	# NAMES SCRIPT [DIR]
	TC_WRAP=(env TMPLCACHE_REPORT="${3:-$RDIR}")
	tc_compare "$1" "$2"
}

records() {
	local f n=0
	for f in "$RDIR"/*.tsv; do
		[[ -e $f ]] && n=$((n + 1))
	done
	echo "$n"
}

# The one record's rows of KIND for NAME, fields after the name.
row() {	# KIND NAME
	awk -F'\t' -v k="$1" -v n="$2" '$1 == k && $2 == n {
		$1 = $2 = ""; sub(/^  /, ""); print }' "$RDIR"/*.tsv
}

assert_records() {	# N
	local n
	n=$(records)
	[[ $n == "$1" ]] || { echo "records: want $1, got $n"; ls -la "$RDIR"; return 1; }
}

@test "the record counts spawns, fallbacks and forks per name, as tmplcache -s does" {
	compare_reporting 'sed cat no-such-cmd a-script' '
for i in 1 2 3; do sed -n 1p /dev/null; done
cat /dev/null
echo x | cat
no-such-cmd 2>/dev/null
a-script
x=$(date +%s)
( childview -q )
echo done'
	tc_assert_spawns 4
	tc_assert_fallbacks notfound 1
	tc_assert_fallbacks notelf 1
	assert_records 1
	# What the EXIT trap read with tmplcache -s -v, the record says.
	[[ $(row spawn sed | cut -d' ' -f1) == "${ST[sed:spawns]}" ]]
	[[ $(row spawn sed | cut -d' ' -f1) == 3 ]]
	[[ $(row spawn cat | cut -d' ' -f1) == 1 ]]
	[[ $(row fallback no-such-cmd) == "notfound 1" ]]
	[[ $(row fallback a-script) == "notelf 1" ]]
	# A routed name that never spawned is listed: it is routed.
	[[ $(row spawn no-such-cmd) == "0 0 0" ]]
	# Forks: both pipeline elements, the fallbacks, $(...), (...).
	[[ $(row fork cat) == 1 ]]
	[[ $(row fork echo) == 1 ]]
	[[ $(row fork no-such-cmd) == 1 ]]
	[[ $(row fork a-script) == 1 ]]
	[[ $(row fork '(in an assignment)') == 1 ]]
	[[ $(row fork '(subshell or group)') == 1 ]]
	[[ $(row shell forks) == 6 ]]
	[[ $(row shell pid) == "$(cut -d' ' -f1 "$TC_CMP/pid.routed")" ]]
	[[ $(row shell argv0) == ./../t.sh ]]
	[[ $(row shell bash) == "$BASH_VERSION" ]]
	[[ $(row shell rss_kb) -gt 0 ]]
}

@test "nothing is written without TMPLCACHE_REPORT, nor when it is set but not exported" {
	tc_compare 'sed' 'sed -n 1p /dev/null'
	tc_assert_spawns 1
	cd "$BATS_TEST_TMPDIR"
	run env RDIR="$RDIR" bash -c 'TMPLCACHE_REPORT=$RDIR; enable -f "$TC_SO" tmplcache && tmplcache sed; sed -n 1p /dev/null'
	assert_success
	assert_records 0
	[[ -z $(ls -A "$RDIR") ]]
}

@test "exit N: same output and status, one record" {
	compare_reporting 'sed' 'sed -n 1p /dev/null; echo out; echo err >&2; exit 3'
	[[ $TC_STATUS == 3 ]]
	tc_assert_spawns 1
	assert_records 1
}

@test "end of script, read from stdin: same output and status, one record" {
	TC_STDIN=file compare_reporting 'sed' 'sed -n 1p /dev/null; echo $?; false'
	[[ $TC_STATUS == 1 ]]
	assert_records 1
}

@test "set -e failure: same output and status, one record" {
	compare_reporting 'sed' 'set -e; sed -n 1p /dev/null; sed -n 1p /no/such/file; echo notreached'
	[[ $TC_STATUS == 2 ]]
	assert_records 1
}

@test "a subshell and a child bash: the subshell writes nothing, a bash that loads tmplcache writes its own" {
	compare_reporting 'sed' '
( sed -n 1p /dev/null; exit 5 ); echo "sub $?"
sed -n 1p /dev/null | cat
bash -c '\''enable -f "$TC_SO" tmplcache && tmplcache sed && sed -n 1p /dev/null; echo "child $?"'\''
bash -c "echo stock child"'
	# The routed shell and, in each run, the child bash that loaded
	# tmplcache; the subshell, the pipeline element and the stock child
	# wrote nothing.
	assert_records 3
	[[ $(cat "$RDIR"/*.tsv | grep -cx $'shell\targv0\tbash') == 2 ]]
	[[ $(cat "$RDIR"/*.tsv | grep -cx $'shell\targv0\t./../t.sh') == 1 ]]
	# Its one line is bash -c's last: the child gives way to bash's exec.
	[[ $(cat "$RDIR"/*.tsv | grep -cx $'fallback\tsed\tnofork\t1') == 2 ]]
}

@test "killed by its own SIGTERM: same output and status; nothing can be written" {
	# A non-interactive bash does not catch SIGTERM (sig.c): it dies by
	# the signal without exit(), so no record, as documented.
	compare_reporting 'sed' 'sed -n 1p /dev/null; echo before; kill -TERM $$; echo after'
	[[ $TC_STATUS == 143 ]]
	assert_records 0
}

@test "SIGTERM handled by a trap that exits: same output and status, one record" {
	compare_reporting 'sed' "trap 'echo term; exit 7' TERM
sed -n 1p /dev/null; kill -TERM \$\$; echo after"
	[[ $TC_STATUS == 7 ]]
	assert_records 1
}

@test "exec of another command: same output and status; nothing can be written" {
	compare_reporting 'sed' 'sed -n 1p /dev/null; exec childview -q'
	assert_records 0
}

@test "enable -d tmplcache: the counts before the unload are in the record" {
	compare_reporting 'sed cat' '
sed -n 1p /dev/null; cat /dev/null
if type -t tmplcache >/dev/null; then
	tmplcache -d cat
	enable -d tmplcache
	enable -f "$TC_SO" tmplcache && tmplcache sed
fi
sed -n 1p /dev/null
echo $?'
	assert_records 1
	# sed: 1 before the unload, 1 after; cat: among the removed names.
	[[ $(row spawn sed | awk '{ n += $1 } END { print n }') == 2 ]]
	[[ $(row spawn '(removed names)' | cut -d' ' -f1) == 1 ]]
}

@test "an unwritable DIR changes nothing and says nothing" {
	# Decided: silent (the script is not ours to disturb); a directory
	# that cannot be made or written gets no record.
	: >"$BATS_TEST_TMPDIR/a-file"
	compare_reporting 'sed' 'sed -n 1p /dev/null; echo $?; exit 4' \
		"$BATS_TEST_TMPDIR/a-file/records"
	[[ $TC_STATUS == 4 ]]
	tc_assert_spawns 1
	assert_records 0
	[[ ! -s $TC_CMP/err.routed ]]
}

@test "a missing DIR is made, one level" {
	compare_reporting 'sed' 'sed -n 1p /dev/null; echo $?' "$RDIR/new"
	[[ $(ls "$RDIR/new" | wc -l) == 1 ]]
}

@test "a relative DIR is the one named at load, after a cd" {
	tc_require_built
	cd "$BATS_TEST_TMPDIR"
	mkdir -p elsewhere
	# Not sed last: bash -c would exec it in place, and write nothing.
	run env TMPLCACHE_REPORT=records bash -c 'enable -f "$TC_SO" tmplcache && tmplcache sed; cd elsewhere; sed -n 1p /dev/null; echo $?'
	assert_success
	assert_records 1
	[[ -z $(ls -A elsewhere) ]]
}

# ---- tmplcache-report ------------------------------------------------------

make_records() {
	compare_reporting 'sed cat a-script' '
for i in 1 2 3 4 5; do sed -n 1p /dev/null; done
a-script; cat /dev/null | cat'
	compare_reporting 'sed grep' 'sed -n 1p /dev/null; grep -q x /dev/null; ls >/dev/null'
	compare_reporting 'cut' 'printf "a b\n" | cut -d" " -f1; cut -f1 /dev/null'
	assert_records 3
}

# Totals from the records themselves: spawns, fallbacks, forks, and the
# estimate for MODEL "A B C D": sum of spawns * ((A + B*MB) - (C + D*MB))
# / 1000 over the shells, MB their RSS at exit.
expected_total() {
	awk -F'\t' '
	FNR == 1 { if (NR > 1) saved += sp * ((100 + 10 * mb) - (20 + mb)) / 1000; sp = 0; shells++ }
	$1 == "spawn" { s += $3; sp += $3 }
	$1 == "fallback" { f += $4 }
	$2 == "forks" { k += $3 }
	$2 == "rss_kb" { mb = $3 / 1024 }
	END {
		saved += sp * ((100 + 10 * mb) - (20 + mb)) / 1000
		printf "| %d | %d | %d | %d | %.1f |\n", shells, s, f, k, saved
	}' "$RDIR"/*.tsv
}

@test "tmplcache-report: totals computed from the records, and a PNG" {
	make_records
	run env TMPLCACHE_REPORT_MODEL="100 10 20 1" bash "$REPORT" "$RDIR" "$BATS_TEST_TMPDIR/chart.png"
	assert_success
	local total
	total=$(grep '^| \*\*total\*\*' <<<"$output" |
		awk -F' *\\| *' '{ printf "| %s | %s | %s | %s | %s |\n", $3, $6, $7, $8, $10 }')
	[[ $total == "$(expected_total)" ]] || { echo "total: $total, want $(expected_total)"; echo "$output"; return 1; }
	assert_output --partial '| a-script | 1 | routed; fell back: notelf=1 |'
	assert_output --partial '| sed | 6 |'
	assert_output --partial 'given in TMPLCACHE_REPORT_MODEL'
	[[ -s $BATS_TEST_TMPDIR/chart.png ]]
	[[ $(head -c 8 "$BATS_TEST_TMPDIR/chart.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
}

@test "tmplcache-report: measures its cost model when none is given" {
	make_records
	run env TMPLCACHE_SO="$TC_SO" bash "$REPORT" "$RDIR"
	assert_success
	assert_output --regexp 'measured now: cat /dev/null at [0-9]+, [0-9]+, [0-9]+ MB'
	assert_output --regexp 'stock fork\+exec\+wait = -?[0-9.]+ [+-] [0-9.]+\*MB; routed spawn\+exec\+wait = -?[0-9.]+ [+-] [0-9.]+\*MB\.'
	grep '^| \*\*total\*\*' <<<"$output" | grep -Eq '\| -?[0-9]+\.[0-9] \|$'
}

# A fitted slope in (-0.005, 0) prints as -0.00: the line must say
# "+ 0.00*MB", not "+ -0.00*MB" (a CI run's measured routed slope did).
@test "tmplcache-report: the model line rounds as fitted, and a zero has no sign" {
	make_records
	run env TMPLCACHE_REPORT_MODEL="-0.0 0.5 20 -0.00" bash "$REPORT" "$RDIR"
	assert_success
	assert_output --partial 'stock fork+exec+wait = 0.0 + 0.50*MB; routed spawn+exec+wait = 20.0 + 0.00*MB.'
	run env TMPLCACHE_REPORT_MODEL="3 -0.004 7.26 -1.5" bash "$REPORT" "$RDIR"
	assert_success
	assert_output --partial 'stock fork+exec+wait = 3.0 + 0.00*MB; routed spawn+exec+wait = 7.3 - 1.50*MB.'
}

@test "tmplcache-report: usage, and a directory without records" {
	run bash "$REPORT"
	assert_failure 2
	assert_output 'usage: tmplcache-report DIR [OUT.png]'
	run bash "$REPORT" "$RDIR"
	assert_failure 1
	assert_output "tmplcache-report: $RDIR: no records"
}
