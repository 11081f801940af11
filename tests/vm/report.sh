#!/usr/bin/env bash
# report.sh - turn a check-kernel VM run into TAP, the backend differential
# and one summary line (called by check-kernel.sh).
#
# Usage: report.sh SRCDIR WORKDIR LIBBUILD RUN_BATS LIB_NOTE
# Writes WORKDIR/results/check-kernel.tap and prints it.  Exit status 0 only
# when the VM ran, nothing failed and every kernel/userspace difference is
# listed in kernel/README.md's differences table.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail

srcdir=$1 work=$2 libbuild=$3 run_bats=$4 lib_note=$5
res=$work/results
tap=$res/check-kernel.tap
n=0 pass=0 fail=0 skip=0
sum_self= sum_lib= sum_bats= sum_diff=

emit() { # RESULT NAME [COMMENT]
	n=$((n + 1))
	case $1 in
	PASS|XFAIL) pass=$((pass + 1)); echo "ok $n - $2${3:+ # $3}" ;;
	SKIP) skip=$((skip + 1)); echo "ok $n - $2 # SKIP${3:+ $3}" ;;
	*) fail=$((fail + 1)); echo "not ok $n - $2${3:+ # $3}" ;;
	esac >>"$tap"
}

trs_result() { # FILE -> PASS|FAIL|SKIP|... (worst of its lines), or NONE
	[ -f "$1" ] || { echo NONE; return; }
	awk '/^:test-result:/ { r[$2] = 1 }
	     END { if ("FAIL" in r || "ERROR" in r || "XPASS" in r) print "FAIL";
		   else if ("PASS" in r || "XFAIL" in r) print "PASS";
		   else if ("SKIP" in r) print "SKIP"; else print "NONE" }' "$1"
}

: >"$tap"

# ---- the VM itself --------------------------------------------------------
vm_status=$(cat "$res/status-full" 2>/dev/null || echo none)
if [ "$vm_status" = none ]; then
	emit FAIL "vm: boot and run" "no status from the guest, see $res/console.log"
else
	emit PASS "vm: boot and run (guest status $vm_status)"
fi

# ---- kernel selftests (kselftest TAP) ---------------------------------------
if [ -f "$res/selftests.tap" ]; then
	sp=0 sf=0 ss=0
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*) r=SKIP ;;
		"ok "*) r=PASS ;;
		"not ok "*) r=FAIL ;;
		*) continue ;;
		esac
		name=$(sed -E 's/^(not )?ok [0-9]+ //; s/ # SKIP.*//' <<<"$line")
		emit "$r" "selftest: $name"
		case $r in PASS) sp=$((sp + 1)) ;; SKIP) ss=$((ss + 1)) ;; *) sf=$((sf + 1)) ;; esac
	done <"$res/selftests.tap"
	sum_self="selftests $sp pass/$sf fail/$ss skip"
	[ $((sp + sf + ss)) -gt 0 ] || emit FAIL "selftest: produced no results"
else
	emit FAIL "selftest: no output"
	sum_self="selftests: no output"
fi

# ---- library suite: every test case under every backend ---------------------
# Each test program prints "ok N - CASE [backend]" lines (tests/lib/check.c);
# a program that never got to its cases (backend missing: exit 77) counts
# as one case, "(program)", with its automake result.
declare -A allowed=()
# kernel/README.md: rows "| `program/case` | kernel | userspace | why |"
# between the differences markers.
while IFS='|' read -r _ key kres ures _; do
	key=$(echo $key | tr -d '`') kres=$(echo $kres) ures=$(echo $ures)
	[ -n "$key" ] && allowed[$key]="$kres/$ures"
done < <(sed -n '/<!-- differences begin -->/,/<!-- differences end -->/p' \
	"$srcdir/kernel/README.md" | grep '^| *`')

cases_of() { # LOGFILE TRSFILE -> "CASE RESULT" lines
	local out
	out=$(sed -nE 's/^ok [0-9]+ - (.*) \[[a-z0-9]+\] # SKIP.*/\1 SKIP/p;
		       s/^ok [0-9]+ - (.*) \[[a-z0-9]+\].*/\1 PASS/p;
		       s/^not ok [0-9]+ - (.*) \[[a-z0-9]+\].*/\1 FAIL/p' "$1" 2>/dev/null |
	      tr ' ' '\001' | sed -E 's/\x01(PASS|FAIL|SKIP)$/ \1/' | tr '\001' '_')
	if [ -n "$out" ]; then echo "$out"; else echo "(program) $(trs_result "$2")"; fi
}

diff_table=$res/differential.md
{
	echo "| test | kernel | clone3 | clone | verdict |"
	echo "|---|---|---|---|---|"
} >"$diff_table"
undocumented=0 documented=0 same=0
declare -A cnt=()
if [ -n "$libbuild" ] && ls "$libbuild"/tests/lib/*.kernel.trs >/dev/null 2>&1; then
	for k in "$libbuild"/tests/lib/*.kernel.trs; do
		prog=$(basename "$k" .kernel.trs)
		declare -A r=()
		for b in kernel clone3 clone; do
			# a backend this run did not test (see LIB_BACKENDS)
			[ -f "$libbuild/tests/lib/$prog.$b.trs" ] || continue
			while read -r c v; do
				r[$b:$c]=$v
				emit "$v" "lib: $prog/$c [$b]"
				cnt[$b.$v]=$(( ${cnt[$b.$v]:-0} + 1 ))
			done < <(cases_of "$libbuild/tests/lib/$prog.$b.log" \
				"$libbuild/tests/lib/$prog.$b.trs")
		done
		# every case either backend ran
		for c in $(printf '%s\n' "${!r[@]}" | sed 's/^[a-z0-9]*://' | sort -u); do
			kr=${r[kernel:$c]:-NONE} c3=${r[clone3:$c]:-NONE} cl=${r[clone:$c]:--}
			if [ "$kr" = "$c3" ]; then
				same=$((same + 1))
				continue
			fi
			if [ "${allowed[$prog/$c]:-}" = "$kr/$c3" ]; then
				verdict="documented"; documented=$((documented + 1))
			else
				verdict="UNDOCUMENTED"; undocumented=$((undocumented + 1))
			fi
			echo "| $prog/$c | $kr | $c3 | $cl | $verdict |" >>"$diff_table"
		done
		unset r
	done
	[ "$undocumented" = 0 ] && v=PASS || v=FAIL
	emit "$v" "differential: kernel vs userspace (clone3): $same cases same, $documented documented differences, $undocumented undocumented"
	sum_lib="lib kernel ${cnt[kernel.PASS]:-0}/${cnt[kernel.FAIL]:-0}/${cnt[kernel.SKIP]:-0}, clone3 ${cnt[clone3.PASS]:-0}/${cnt[clone3.FAIL]:-0}/${cnt[clone3.SKIP]:-0}, clone ${cnt[clone.PASS]:-0}/${cnt[clone.FAIL]:-0}/${cnt[clone.SKIP]:-0} (pass/fail/skip)"
	sum_diff="differential $same same/$documented documented/$undocumented undocumented"
else
	# A build that failed is a failure, not a reason to skip.
	case $lib_note in *"did not build"*) v=FAIL ;; *) v=SKIP ;; esac
	emit "$v" "lib: library suite" "${lib_note:-no results}"
	sum_lib="lib: skipped (${lib_note:-no results})"
	sum_diff="differential: skipped"
fi

# bats_taps BACKEND LABEL: the results of results/bats-BACKEND-*.tap.
bats_taps() {
	local t f line r p=0 fl=0 sk=0
	for t in "$res"/bats-"$1"-*.tap; do
		[ -f "$t" ] || continue
		f=$(basename "$t" .tap)
		f=$(tr + / <<<"${f#bats-"$1"-}").bats
		grep -q '^ok \|^not ok ' "$t" || { emit FAIL "bats [$2]: $f" "no results, see $t"; fl=$((fl + 1)); continue; }
		while IFS= read -r line; do
			case $line in
			"ok "*" # skip"*) r=SKIP; sk=$((sk + 1)) ;;
			"ok "*) r=PASS; p=$((p + 1)) ;;
			"not ok "*) r=FAIL; fl=$((fl + 1)) ;;
			*) continue ;;
			esac
			emit "$r" "bats [$2]: $f $(sed -E 's/^(not )?ok [0-9]+ //; s/ # skip.*//' <<<"$line")"
		done <"$t"
	done
	[ $((p + fl + sk)) = 0 ] ||
		sum_bats="${sum_bats:+$sum_bats; }bats on the $2 backend $p pass/$fl fail/$sk skip"
}

# ---- BATS suite (each .bats file is a TAP test in automake) ------------------
if [ "$run_bats" = 1 ]; then
	bp=0 bf=0 bs=0
	for t in "$libbuild"/tests/builtin/*.trs; do
		[ -f "$t" ] || continue
		f=$(basename "$t" .trs)
		while IFS= read -r line; do
			r=$(awk '{print $2}' <<<"$line")
			emit "$r" "bats: $f"
			case $r in PASS) bp=$((bp + 1)) ;; SKIP) bs=$((bs + 1)) ;; *) bf=$((bf + 1)) ;; esac
		done < <(grep '^:test-result:' "$t")
	done
	[ $((bp + bf + bs)) = 0 ] || sum_bats="bats $bp pass/$bf fail/$bs skip"
	# Files run with a backend forced (guest-run.sh's bats_files): bats'
	# own TAP.  The userspace pass is either the automake run above or
	# these files (bats-clone3-*).
	bats_taps clone3 userspace
	bats_taps kernel kernel
	[ -n "$sum_bats" ] || sum_bats="bats: none run"
else
	case $lib_note in *"did not build"*) v=FAIL ;; *) v=SKIP ;; esac
	emit "$v" "bats: tmplcache BATS suite" "${lib_note:-not run}"
	sum_bats="bats: skipped"
fi

# ---- benchmark ----------------------------------------------------------------
for f in "$res"/bench-*.txt; do
	[ -f "$f" ] || continue
	echo "# $(basename "$f"):" >>"$tap"
	sed 's/^/#   /' "$f" >>"$tap"
done

# The bash loop rows: a row that fell back (or failed) fails, since a
# number for it would not measure what it names.
for f in "$res"/bash-loop-*.txt; do
	[ -f "$f" ] || continue
	m=$(basename "$f" .txt)
	m=${m#bash-loop-}
	while read -r _ v mb rest; do
		case $rest in
		failed*) emit FAIL "bench: bash loop, $v, $mb MB [$m]" "${rest#failed: }" ;;
		*) emit PASS "bench: bash loop, $v, $mb MB [$m]" ;;
		esac
	done <"$f"
	echo "# $(basename "$f") (per spawn minus an empty iteration; ratio to stock bash at the same size):" >>"$tap"
	# icount: 1 guest ns = 1 instruction.
	[ "$m" = icount ] && unit="k instructions" || unit="us"
	awk -v unit="$unit" '$4 ~ /^[0-9]+$/ { ns[$3 " " $2] = $6; rss[$3] = $4 }
	     { if (!($3 in seen)) { seen[$3] = 1; order[++k] = $3 } }
	     END {
		for (i = 1; i <= k; i++) {
			mb = order[i]; line = ""
			split("stock userspace kernel", vs, " ")
			for (j = 1; j <= 3; j++) {
				key = mb " " vs[j]
				if (!(key in ns)) { line = line sprintf("; %s failed", vs[j]); continue }
				r = (mb " stock") in ns && ns[mb " stock"] > 0 ? sprintf(" (%.2f)", ns[key] / ns[mb " stock"]) : ""
				line = line sprintf("; %s %.1f %s%s", vs[j], ns[key] / 1000, unit, r)
			}
			print "#   " mb " MB (VmRSS " int(rss[mb] / 1024) " MB):" substr(line, 2)
		}
	     }' "$f" >>"$tap"
done

{
	echo "1..$n"
	cat "$tap"
} >"$tap.tmp" && mv "$tap.tmp" "$tap"
cat "$tap"
echo "# differential (kernel vs userspace):"
sed 's/^/#   /' "$diff_table"
summary="check-kernel: $pass pass, $fail fail, $skip skip -- $sum_self; $sum_lib; $sum_bats; $sum_diff"
echo "$summary" | tee "$res/summary"
[ "$fail" = 0 ]
