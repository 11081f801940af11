# spawn-loop.bash - part 1: N spawns of true and of sed, per shell.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Each shell runs a script file holding
# `i=0; while [ "$i" -lt N ]; do CMD; i=$((i+1)); done`
# (fish: `for i in (seq N); CMD; end`) as one process timed by run-all, and
# the same loop with `:` as CMD.  Per spawn, round by round = (loop time -
# that round's empty-loop time) / N, so shell startup and loop overhead
# cancel; the report gives the median, best and spread of those.  A
# script file rather than -c: shells treat the last command of -c
# specially (they exec it in place).  The C floor (spawn-floor) times its
# own loops.
#
# "true" is /bin/true copied to a private directory as xtrue, because true
# is a builtin in every shell and tmplcache routes only names that are not
# builtins.  Every runner starts that same file: bash by name through PATH
# (that is what tmplcache routes), the others by its path.

SPAWN_IDS=()
declare -A SH_LABEL=() SH_ARGV=() SH_STYLE=() SH_NOTE=() SH_LOADER=()

# spawn_shell ID LABEL STYLE PROGRAM ARGS... : register a shell if present.
spawn_shell() {
	local id=$1 label=$2 style=$3 prog=$4
	shift 4
	SPAWN_IDS+=("$id")
	SH_LABEL[$id]=$label SH_STYLE[$id]=$style
	if ! command -v "$prog" >/dev/null; then
		SH_NOTE[$id]="not installed ($prog)"
		return
	fi
	SH_ARGV[$id]="$(command -v "$prog") $*"
}

spawn_setup() {
	SPAWN_SMALL=$BENCH_TMP/small.txt
	printf '%s\n' 'one two' 'four five six' 'seven eight nine ten' >"$SPAWN_SMALL"
	SPAWN_BIN=$BENCH_TMP/bin
	mkdir -p "$SPAWN_BIN" && cp /bin/true "$SPAWN_BIN/xtrue" || bench_die "cannot copy /bin/true"
	SPAWN_TRUE=$SPAWN_BIN/xtrue

	spawn_shell bash "bash $BASH_STOCK_VERSION (stock)" bash bash
	spawn_shell tmplcache "bash + tmplcache" bash bash
	if [[ -z $TMPLCACHE_STATE ]]; then
		SH_LOADER[tmplcache]=$BENCH_TMP/loader-spawn.bash
		bench_make_loader "${SH_LOADER[tmplcache]}" "$BENCH_TMP/stats" xtrue sed
	else
		SH_NOTE[tmplcache]=$TMPLCACHE_STATE
	fi
	spawn_shell dash dash posix dash
	spawn_shell ksh93 ksh93 posix ksh93
	spawn_shell mksh mksh posix mksh
	spawn_shell zsh zsh posix zsh -f
	spawn_shell busybox "busybox sh" posix busybox sh
	spawn_shell fish fish fish fish --no-config
}

# spawn_script STYLE KIND N : the loop text for one shell.
spawn_script() {
	local style=$1 kind=$2 n=$3 body
	case $kind in
	empty) body=: ;;
	true) if [[ $style == bash ]]; then body=xtrue; else body="'$SPAWN_TRUE'"; fi ;;
	sed) body="sed 's/e/E/g' '$SPAWN_SMALL'" ;;
	esac
	case $style in
	bash | posix) printf 'i=0; while [ "$i" -lt %d ]; do %s; i=$((i+1)); done\n' "$n" "$body" ;;
	fish) printf 'for i in (seq %d); %s; end\n' "$n" "$body" ;;
	esac
}

spawn_run() {
	local n=$BENCH_SPAWN_N round kind id i k argv out=$BENCH_TMP/out
	local -a ids=()
	for id in "${SPAWN_IDS[@]}"; do
		[[ -z ${SH_NOTE[$id]-} ]] && ids+=("$id")
	done
	for ((round = 1; round <= BENCH_SPAWN_ROUNDS; round++)); do
		bench_note "  spawn loop: round $round/$BENCH_SPAWN_ROUNDS (N=$n)"
		floor_round "$n" "$round"
		for kind in empty true sed; do
			# Rotate the order every round so no shell always goes first.
			for ((i = 0; i < ${#ids[@]}; i++)); do
				id=${ids[(i + round) % ${#ids[@]}]}
				read -ra argv <<<"${SH_ARGV[$id]}"
				spawn_script "${SH_STYLE[$id]}" "$kind" "$n" >"$BENCH_TMP/loop"
				: >"$BENCH_TMP/stats"
				BENCH_ENV_FILE=${SH_LOADER[$id]-} BENCH_PATH=$SPAWN_BIN:$PATH \
					bench_run "$out" "${argv[@]}" "$BENCH_TMP/loop"
				bench_check_ok "$out" "${SH_LABEL[$id]} ($kind loop)"
				bench_same "spawn loop $kind" "${SH_LABEL[$id]}" "$(bench_sum_file "$out")" "$BENCH_RC"
				if [[ ${SH_LOADER[$id]-} && $kind != empty ]]; then
					bench_routed_check "$BENCH_TMP/stats" "${SH_LABEL[$id]} ($kind loop)"
					((ROUTED_SPAWNS == n)) || bench_die "${SH_LABEL[$id]} ($kind loop):" \
						"tmplcache counted $ROUTED_SPAWNS spawns for $n commands"
				fi
				bench_add "spawn:$id:$kind" "$BENCH_US"
			done
		done
	done
}

# SPAWN_US[id:kind] = median per-spawn microseconds (empty when n/a).
declare -A SPAWN_US=()

spawn_compute() {
	local id kind
	for id in "${SPAWN_IDS[@]}"; do
		[[ -z ${SH_NOTE[$id]-} ]] || continue
		for kind in true sed; do
			bench_per_round "spawnper:$id:$kind" "spawn:$id:empty" "spawn:$id:$kind" "$BENCH_SPAWN_N"
			SPAWN_US[$id:$kind]=$(bench_calc '%.1f' "$(bench_median "spawnper:$id:$kind")")
		done
	done
	floor_compute
}

# spawn_row LABEL KEY-PREFIX US-ARRAY-NAME ID : one table row; the cells
# per kind are median, best, spread, × floor and × stock (medians).
spawn_row() {
	local label=$1 prefix=$2 id=$4 kind us row
	local -n usv=$3
	row="| $label "
	for kind in true sed; do
		us=${usv[$id:$kind]-}
		row+="| $(bench_cells "$prefix:$id:$kind" '%.1f') "
		row+="| $(bench_calc '%.2f' "(${us}) / (${FLOOR_US[$FLOOR_REF:$kind]-})") "
		row+="| $(bench_calc '%.2f' "(${us}) / (${SPAWN_US[bash:$kind]-})") "
	done
	printf '%s|\n' "$row"
}

spawn_report() {
	local id
	printf '## 1. Spawn loop\n\n'
	bench_load_line spawn
	printf 'µs per command started over %d interleaved rounds, N = %d per loop: median, best and spread (max − min over the rounds); ' \
		"$BENCH_SPAWN_ROUNDS" "$BENCH_SPAWN_N"
	printf 'ratios compare medians. '
	printf 'Shells: per round, (loop time − that round'"'"'s empty-loop time) / N, each loop a script file run by one shell process '
	printf '(zsh -f, fish --no-config: no startup files) timed '
	printf 'with EPOCHREALTIME. true: a copy of /bin/true (bash runs it by name, the others by path); '
	printf 'sed: `sed '"'"'s/e/E/g'"'"'` on a 3-line file; every runner '
	printf 'produced the same output; every tmplcache loop counted N routed spawns. Floor = %s, timed by spawn-floor in the same rounds.\n\n' \
		"${FLOOR_LABEL[$FLOOR_REF]-spawn-floor (not available)}"
	printf '| runner | true µs | best | spread | × floor | × stock bash | sed µs | best | spread | × floor | × stock bash |\n'
	printf '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n'
	for id in "${FLOOR_IDS[@]}"; do
		if [[ ${FLOOR_NOTE[$id]-} ]]; then
			printf '| %s | %s | | | | | | | | | |\n' "${FLOOR_LABEL[$id]}" "${FLOOR_NOTE[$id]}"
			continue
		fi
		spawn_row "${FLOOR_LABEL[$id]}" floor FLOOR_US "$id"
	done
	for id in "${SPAWN_IDS[@]}"; do
		if [[ ${SH_NOTE[$id]-} ]]; then
			printf '| %s | %s | | | | | | | | | |\n' "${SH_LABEL[$id]}" "${SH_NOTE[$id]}"
			continue
		fi
		spawn_row "${SH_LABEL[$id]}" spawnper SPAWN_US "$id"
	done
	printf '\n'
}
