# common.bash - timing, medians, output checks and formatting for run-all.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by run-all.  Times are integers in microseconds, taken from bash's
# EPOCHREALTIME around whole commands.  Benchmarks report; the only things
# they assert are that compared commands agree (output, exit status) and
# that routed runs really went through tmplcache.

bench_die() {
	printf '\nBENCH FAILURE: %s\n' "$*" >&2
	exit 1
}

# Progress goes to stderr so that stdout carries only the final table.
bench_note() {
	printf '%s\n' "$*" >&2
}

# REPLY = microseconds since the epoch (EPOCHREALTIME has 6 decimals; the
# decimal sign follows the locale, so drop either).
bench_now() {
	REPLY=${EPOCHREALTIME//[.,]/}
}

# bench_run OUT CMD... : run CMD with stdout to OUT and stderr to OUT.err.
# Sets BENCH_US (wall time) and BENCH_RC.  For this one command,
# BENCH_ENV_FILE (when set) becomes BASH_ENV and BENCH_PATH (when set)
# becomes PATH.  The subshell execs CMD, so it costs what a plain external
# command costs: one fork and one exec.
bench_run() {
	local out=$1 t0
	shift
	bench_now
	t0=$REPLY
	(
		[[ ${BENCH_ENV_FILE-} ]] && export BASH_ENV=$BENCH_ENV_FILE
		[[ ${BENCH_PATH-} ]] && export PATH=$BENCH_PATH
		exec "$@"
	) >"$out" 2>"$out.err"
	BENCH_RC=$?
	bench_now
	BENCH_US=$((REPLY - t0))
}

# Samples: SAMPLES[key] is a space-separated list of numbers.
declare -A SAMPLES=()

bench_add() {
	SAMPLES[$1]+=" $2"
}

# Print the median of KEY's samples, or nothing when there are none.
bench_median() {
	[[ ${SAMPLES[$1]-} ]] || return 0
	printf '%s\n' ${SAMPLES[$1]} | sort -g | awk '
		{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]
		      else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_calc FORMAT EXPR : evaluate a floating point EXPR with awk.  Prints
# "n/a" when EXPR mentions an empty operand (written as "()").
bench_calc() {
	case $2 in
	*'()'* | *'/ 0)'* | *'/0)'*) printf 'n/a' ;;
	*) awk "BEGIN { printf \"$1\", $2 }" ;;
	esac
}

# Outputs compared across variants: the first variant of GROUP sets the
# reference checksum and exit status; every other one must match it.
declare -A REF_SUM=() REF_RC=() REF_WHO=()

bench_sum_file() {
	sha256sum <"$1" | cut -d' ' -f1
}

# bench_same GROUP WHO SUM RC
bench_same() {
	local group=$1 who=$2 sum=$3 rc=$4
	if [[ -z ${REF_SUM[$group]-} ]]; then
		REF_SUM[$group]=$sum REF_RC[$group]=$rc REF_WHO[$group]=$who
		return 0
	fi
	[[ $sum == "${REF_SUM[$group]}" && $rc == "${REF_RC[$group]}" ]] ||
		bench_die "$group: $who produced output $sum status $rc," \
			"but ${REF_WHO[$group]} produced ${REF_SUM[$group]} status ${REF_RC[$group]}"
}

# bench_check_run OUT WHO : the last bench_run must have exited 0.
bench_check_ok() {
	((BENCH_RC == 0)) || {
		sed -n '1,20p' "$1.err" >&2
		bench_die "$2 exited with status $BENCH_RC (stderr above)"
	}
}

# bench_instructions CMD... : REPLY = the instructions CMD executes in user
# space, the programs it execs included (callgrind --trace-children=yes:
# a count, the same for the same binary and input, which timing noise
# cannot move); empty when valgrind is missing or CMD fails under it.
# BENCH_ENV_FILE becomes BASH_ENV, as in bench_run.  Only for commands
# that neither fork (a forked child's count starts with its parent's, so
# a sum would count the parent twice) nor spawn through tmplcache
# (valgrind lacks pidfd_open: no template can be made under it).
bench_instructions() {
	local dir=$BENCH_TMP/callgrind
	REPLY=
	command -v valgrind >/dev/null || return 0
	rm -rf "$dir" && mkdir -p "$dir" || return 0
	(
		[[ ${BENCH_ENV_FILE-} ]] && export BASH_ENV=$BENCH_ENV_FILE
		exec valgrind --tool=callgrind --trace-children=yes \
			--callgrind-out-file="$dir/cg.%p" "$@"
	) >/dev/null 2>"$dir/err" &&
		REPLY=$(awk '$1 == "totals:" { n += $2 } END { if (NR) print n }' "$dir"/cg.*)
	rm -rf "$dir"
}

# bench_loop_instructions N : REPLY = the instructions per iteration of
# overhead-loop.bash's builtin-only loop, counted at N and 2N iterations
# so that the shell's start and exit cancel; empty when not countable.
# BENCH_ENV_FILE becomes BASH_ENV, as in bench_run.
bench_loop_instructions() {
	local n=$1 one
	bench_instructions bash "$BENCH_SRCDIR/overhead-loop.bash" builtin "$n" /dev/null
	one=$REPLY
	bench_instructions bash "$BENCH_SRCDIR/overhead-loop.bash" builtin "$((2 * n))" /dev/null
	[[ $one && $REPLY ]] && REPLY=$(((REPLY - one) / n)) || REPLY=
}

# ---- any loadable --------------------------------------------------------

# A small loadable bash-builtins ships (parts 5 and 7): what `enable -f`
# costs a shell before any code of tmplcache's.
BENCH_OTHER_SO=/usr/lib/bash/mypid BENCH_OTHER_NAME=enable_mypid

# ---- tmplcache ---------------------------------------------------------

# bench_make_loader FILE STATS NAMES... : write a BASH_ENV file that loads
# tmplcache, routes NAMES, and at exit appends "pid tag declare -A ..." (the
# counters from `tmplcache -s -v`) for this shell to STATS; tag "exit", or
# what the caller passes (a BATS teardown calls
# `__tmplcache_bench_report test`).  The report is as few commands as
# possible: bats runs its DEBUG trap before each of them.  A loader that
# cannot load or route makes the shell exit 99, which the runs report.
# BENCH_LOADER_PRE, when set, is a command run before routing.
bench_make_loader() {
	local file=$1 stats=$2
	shift 2
	{
		printf '# BASH_ENV for tmplcache benchmark runs (generated).\n'
		printf 'enable -f %q tmplcache || exit 99\n' "$TMPLCACHE_SO"
		[[ ${BENCH_LOADER_PRE-} ]] && printf '%s || exit 99\n' "$BENCH_LOADER_PRE"
		printf 'tmplcache %s || exit 99\n' "$*"
		printf '__tmplcache_bench_report() {\n'
		printf '\tlocal -A __st\n'
		printf '\ttmplcache -s -v __st && printf "%%s %%s %%s\\n" "$$" "${1:-exit}" "${__st[*]@A}" >>%q\n' "$stats"
		printf '}\n'
		printf 'trap __tmplcache_bench_report EXIT\n'
	} >"$file"
}

# bench_make_report_loader FILE [ARGS...] : write a BASH_ENV file that
# loads tmplcache and, given ARGS, runs `tmplcache ARGS` (names, -a, -F).
# It sets no trap: what the shell did is read from the records that
# TMPLCACHE_REPORT=DIR, exported by the caller, makes every loading bash
# write at exit.  A loader that cannot load or route makes the shell exit
# 99, which the runs report.
bench_make_report_loader() {
	local file=$1
	shift
	{
		printf '# BASH_ENV for tmplcache benchmark runs (generated).\n'
		printf 'enable -f %q tmplcache || exit 99\n' "$TMPLCACHE_SO"
		(($#)) && printf 'tmplcache %s || exit 99\n' "$*"
	} >"$file"
}

# bench_stats_totals STATS [TAG] : "spawns fallbacks [name:fallback_REASON=n
# ...]" summed over the shells that reported (each one's last line:
# counters are cumulative), only lines tagged TAG when given.
bench_stats_totals() {
	awk -v tag="${2-}" '
		tag == "" || $2 == tag { last[$1] = $0 }
		END {
			for (p in last) {
				line = last[p]
				while (match(line, /\[[^]]*\]="[^"]*"/)) {
					kv = substr(line, RSTART + 1, RLENGTH - 2)
					line = substr(line, RSTART + RLENGTH)
					k = kv; sub(/\]=".*/, "", k)
					v = kv; sub(/.*\]="/, "", v)
					if (k == "spawns") s += v
					else if (k == "fallbacks") fb += v
					else if (k ~ /:fallback_/ && v + 0 > 0) why[k] += v
				}
			}
			out = (s + 0) " " (fb + 0)
			for (k in why) out = out " " k "=" why[k]
			print out
		}' "$1"
}

# bench_routed_check STATS WHO [TAG [ALLOWED]] : the run must have spawned
# through tmplcache and never fallen back, except for the fallback reasons
# in ALLOWED (space-separated, e.g. "forked": commands in subshells, which
# bash execs in place: there is no fork left to save).  Sets ROUTED_SPAWNS
# and ROUTED_ALLOWED (the allowed fallbacks, "name:reason=n ...").
bench_routed_check() {
	local stats=$1 who=$2 tag=${3-} allowed=" ${4-} " item reason bad=
	[[ -s $stats ]] || bench_die "$who: no tmplcache statistics were written" \
		"(was the loadable loaded? see the run's stderr)"
	read -r ROUTED_SPAWNS ROUTED_FALLBACKS ROUTED_WHY <<<"$(bench_stats_totals "$stats" "$tag")"
	((ROUTED_SPAWNS > 0)) ||
		bench_die "$who: tmplcache spawned nothing: this run was not routed"
	ROUTED_ALLOWED=
	for item in $ROUTED_WHY; do
		reason=${item#*:fallback_}
		if [[ $allowed == *" ${reason%%=*} "* ]]; then
			ROUTED_ALLOWED+=" $item"
		else
			bad+=" $item"
		fi
	done
	[[ -z $bad ]] && { [[ $ROUTED_ALLOWED ]] || ((ROUTED_FALLBACKS == 0)); } ||
		bench_die "$who: tmplcache fell back $ROUTED_FALLBACKS times" \
			"(${bad# }${ROUTED_ALLOWED:+, allowed:$ROUTED_ALLOWED}):" \
			"timing a fallback is not timing tmplcache"
}

# bench_unrouted_check STATS WHO : loaded, but nothing went through it.
bench_unrouted_check() {
	local s
	[[ -s $1 ]] || bench_die "$2: no tmplcache statistics were written"
	read -r s _ <<<"$(bench_stats_totals "$1")"
	((s == 0)) || bench_die "$2: expected no routed spawns, tmplcache counted $s"
}

# ---- best, median and spread -------------------------------------------

# bench_stats KEY : STAT_N, STAT_MEDIAN, STAT_BEST (the smallest: for times
# the best), STAT_WORST, and the quartiles STAT_P25 and STAT_P75 (nearest
# rank) over KEY's samples; all empty when there are none.
bench_stats() {
	STAT_N= STAT_MEDIAN= STAT_BEST= STAT_WORST= STAT_P25= STAT_P75=
	[[ ${SAMPLES[$1]-} ]] || return 0
	read -r STAT_N STAT_MEDIAN STAT_BEST STAT_WORST STAT_P25 STAT_P75 < <(printf '%s\n' ${SAMPLES[$1]} | sort -g | awk '
		function rank(p) { r = int(p * NR + 0.999999); return v[r < 1 ? 1 : r] }
		{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      print NR, m, v[1], v[NR], rank(0.25), rank(0.75) }')
}

# bench_paired STOCK-KEY OTHER-KEY : compare two variants round by round.
# Their samples were added in round order, one per round each, and the
# two ran back to back within a round, so OTHER ÷ STOCK in one round
# meets the same machine.  Sets PAIRED_N (rounds), PAIRED_MEDIAN,
# PAIRED_MIN and PAIRED_MAX of those ratios, and PAIRED_FASTER (rounds
# where OTHER took less time); PAIRED_N is empty when the rounds do not
# pair.
bench_paired() {
	local -a a=(${SAMPLES[$1]-}) b=(${SAMPLES[$2]-})
	local i
	PAIRED_N= PAIRED_MEDIAN= PAIRED_MIN= PAIRED_MAX= PAIRED_FASTER=0
	((${#a[@]} > 0 && ${#a[@]} == ${#b[@]})) || return 0
	SAMPLES[paired:ratio]=
	for ((i = 0; i < ${#a[@]}; i++)); do
		bench_add paired:ratio "$(bench_calc '%.6f' "${b[i]} / ${a[i]}")"
		awk -v s="${a[i]}" -v o="${b[i]}" 'BEGIN { exit !(o < s) }' && ((++PAIRED_FASTER))
	done
	bench_stats paired:ratio
	PAIRED_N=$STAT_N PAIRED_MEDIAN=$STAT_MEDIAN PAIRED_MIN=$STAT_BEST PAIRED_MAX=$STAT_WORST
}

# bench_verdict STOCK-KEY OTHER-KEY : what the rounds say of OTHER against
# stock, in words: faster in every round, slower in every round, or
# faster in K of N (the rounds disagree: a difference, if any, below what
# they resolve), with the median of the per-round ratios and their range.
bench_verdict() {
	bench_paired "$1" "$2"
	[[ $PAIRED_N ]] || { printf 'n/a'; return; }
	if ((PAIRED_FASTER == PAIRED_N)); then
		printf 'faster in every round (%d)' "$PAIRED_N"
	elif ((PAIRED_FASTER == 0)); then
		printf 'slower in every round (%d)' "$PAIRED_N"
	else
		printf 'faster in %d of %d rounds' "$PAIRED_FASTER" "$PAIRED_N"
	fi
	awk -v m="$PAIRED_MEDIAN" -v a="$PAIRED_MIN" -v b="$PAIRED_MAX" \
		'BEGIN { printf " (per round %.2f×, %.2f–%.2f)", m, a, b }'
}

# bench_cells KEY FORMAT [DIVISOR] : three table cells "median | best |
# spread", spread being worst − best (the whole min–max range of the
# rounds), each divided by DIVISOR; "n/a" cells when KEY has no samples.
bench_cells() {
	local div=${3:-1}
	bench_stats "$1"
	if [[ -z $STAT_N ]]; then
		printf 'n/a | n/a | n/a'
		return
	fi
	awk -v f="$2" -v d="$div" -v m="$STAT_MEDIAN" -v b="$STAT_BEST" -v w="$STAT_WORST" \
		'BEGIN { printf f " | " f " | " f, m / d, b / d, (w - b) / d }'
}

# bench_per_round OUT EMPTY LOOP N : OUT gets, round by round, (LOOP −
# EMPTY) / N from the two keys' samples taken in the same rounds, so that
# best and spread describe rounds, not a mix of them.
bench_per_round() {
	local -a e=(${SAMPLES[$2]-}) l=(${SAMPLES[$3]-})
	local i
	SAMPLES[$1]=
	for ((i = 0; i < ${#l[@]} && i < ${#e[@]}; i++)); do
		bench_add "$1" "$(bench_calc '%.2f' "(${l[i]} - ${e[i]}) / $4")"
	done
}

# ---- machine load ------------------------------------------------------

BENCH_CORES=$(nproc)
LOAD_SAMPLES=() # "part when 1min 5min 15min"
declare -A LOAD_NOISY=() LOAD_SEEN=()

# bench_load PART WHEN : record /proc/loadavg; the part is noisy when the
# 1-minute load exceeds one per core at any of its samples.
bench_load() {
	local a b c rest
	read -r a b c rest </proc/loadavg
	LOAD_SAMPLES+=("$1 $2 $a $b $c")
	LOAD_SEEN[$1]+="${LOAD_SEEN[$1]:+, }$2 $a"
	if awk -v l="$a" -v n="$BENCH_CORES" 'BEGIN { exit !(l > n) }'; then
		LOAD_NOISY[$1]=1 LOAD_NOISY[any]=1
	fi
}

# bench_load_line PART : the report's line on a part's load.
bench_load_line() {
	printf 'Load average (1 min) on %d cores: %s' "$BENCH_CORES" "${LOAD_SEEN[$1]-not sampled}"
	if [[ ${LOAD_NOISY[$1]-} ]]; then
		printf ' — **noisy**: the load exceeded one per core, the times below measure contention as much as tmplcache.\n\n'
	else
		printf ' — quiet (load at most one per core at every sample).\n\n'
	fi
}

# bench_wall_table STOCK-KEY ROUTED-KEY NOTE : a two-row table of wall
# seconds, stock bash and bash + tmplcache (NOTE in its place when it did
# not run), median, best, spread, the ratio of medians and what the
# rounds say one by one (bench_verdict).
bench_wall_table() {
	local st tc
	st=$(bench_median "$1") tc=$(bench_median "$2")
	printf '| variant | median s | best s | spread s (max − min) | × stock (medians) | round by round |\n|---|--:|--:|--:|--:|---|\n'
	printf '| stock bash | %s | 1.00 | |\n' "$(bench_cells "$1" '%.2f' 1e6)"
	if [[ $tc ]]; then
		printf '| bash + tmplcache | %s | %s | %s |\n' "$(bench_cells "$2" '%.2f' 1e6)" \
			"$(bench_calc '%.2f' "$tc / $st")" "$(bench_verdict "$1" "$2")"
	else
		printf '| bash + tmplcache | %s | | | | |\n' "$3"
	fi
	printf '\n'
}
