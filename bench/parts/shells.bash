# shells.bash - part 8: many short shells, the shape of test suites.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bats, git's test-lib and configure scripts start many bash processes
# that each run a few commands, so what tmplcache costs at start-up is paid
# per shell and what it saves per command is earned only a few times.  A
# driver script starts S shells one after the other, each running a script
# of M commands (sed, grep, cut, tr, wc in turn) on a small file:
#   stock     - as is;
#   routed    - the script's first line sources the loader (enable -f and
#               route the five names), as a script would;
#   BASH_ENV  - the loader comes in through BASH_ENV into every shell.
# All three must print the same; the routed ones must have spawned S × M
# commands through tmplcache and fallen back never.  That is checked in
# one untimed run of each routed variant whose loader also reports the
# counters at exit (an EXIT trap: `tmplcache -s -v` and a printf of the
# array), not in the timed runs: the report costs about as many
# instructions as a bash start and a quarter of a millisecond per shell,
# which stock bash, with nothing to report, never pays.  The timed
# loader is what a user writes: enable -f and the names.  Beside the
# times, counts that noise cannot move: system calls (strace -f -c, every
# process) and minor page faults (GNU time, the driver and all it waited
# for) per shell, over a driver of SHORT_COUNT_S shells.

SHORT_NAMES="sed grep cut tr wc"
SHORT_COUNT_S=10
declare -A SHORT_SYS=() SHORT_FAULTS=()
SHORT_IDS=(stock script bash_env)
declare -A SHORT_LABEL=(
	[stock]="stock bash"
	[script]="bash + tmplcache, loaded by the script"
	[bash_env]="bash + tmplcache, loaded through BASH_ENV"
) SHORT_NOTE=()

shells_setup() {
	local i
	local -a cmds=(
		"sed 's/a/A/g' \"\$1\""
		"grep -c e \"\$1\""
		"cut -d' ' -f2 \"\$1\""
		"tr 'a-z' 'A-Z' <\"\$1\""
		"wc -w <\"\$1\""
	)
	SHORT_IN=$BENCH_TMP/short-in.txt
	printf '%s\n' 'one two three' 'alpha beta gamma' 'seven eight nine' >"$SHORT_IN"
	{
		printf '# one short shell of the many-shells part (generated)\n'
		printf '[[ ${BENCH_SHORT_LOADER-} ]] && { source "$BENCH_SHORT_LOADER" || exit 99; }\n'
		for ((i = 0; i < BENCH_SHORT_M; i++)); do
			printf '%s\n' "${cmds[i % ${#cmds[@]}]}"
		done
	} >"$BENCH_TMP/short.bash"
	printf 'for ((s = 0; s < %d; s++)); do bash %q %q || exit; done\n' \
		"$BENCH_SHORT_S" "$BENCH_TMP/short.bash" "$SHORT_IN" >"$BENCH_TMP/short-driver"
	printf 'for ((s = 0; s < %d; s++)); do bash %q %q || exit; done\n' \
		"$SHORT_COUNT_S" "$BENCH_TMP/short.bash" "$SHORT_IN" >"$BENCH_TMP/short-count-driver"
	if [[ $TMPLCACHE_STATE ]]; then
		SHORT_NOTE=([script]=$TMPLCACHE_STATE [bash_env]=$TMPLCACHE_STATE)
	else
		SHORT_LOADER=$BENCH_TMP/loader-short.bash
		bench_make_report_loader "$SHORT_LOADER" $SHORT_NAMES
		SHORT_CHECK_LOADER=$BENCH_TMP/loader-short-check.bash
		bench_make_loader "$SHORT_CHECK_LOADER" "$BENCH_TMP/stats" $SHORT_NAMES
	fi
}

# shells_check ID : one untimed run of routed variant ID with the reporting
# loader: every command spawned, none fell back, the output as stock's.
shells_check() {
	local id=$1 out=$BENCH_TMP/out want=$((BENCH_SHORT_S * BENCH_SHORT_M))
	: >"$BENCH_TMP/stats"
	BENCH_SHORT_LOADER=$([[ $id == script ]] && printf '%s' "$SHORT_CHECK_LOADER") \
	BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$SHORT_CHECK_LOADER") \
		bench_run "$out" bash "$BENCH_TMP/short-driver"
	bench_check_ok "$out" "many short shells (${SHORT_LABEL[$id]}, counted)"
	bench_same "many short shells" "${SHORT_LABEL[$id]}" "$(bench_sum_file "$out")" "$BENCH_RC"
	# BASH_ENV also loads into the driver, which routes nothing it runs
	# (bash is not a routed name): its report says 0.
	bench_routed_check "$BENCH_TMP/stats" "many short shells (${SHORT_LABEL[$id]})"
	((ROUTED_SPAWNS == want)) || bench_die "many short shells (${SHORT_LABEL[$id]}):" \
		"tmplcache counted $ROUTED_SPAWNS spawns for $want commands"
}

shells_run() {
	local round i id out=$BENCH_TMP/out
	local -a ids=(stock)
	[[ $TMPLCACHE_STATE ]] || ids+=(script bash_env)
	for ((round = 1; round <= BENCH_SHORT_ROUNDS; round++)); do
		bench_note "  many short shells: round $round/$BENCH_SHORT_ROUNDS ($BENCH_SHORT_S shells × $BENCH_SHORT_M commands)"
		for ((i = 0; i < ${#ids[@]}; i++)); do
			id=${ids[(i + round) % ${#ids[@]}]}
			BENCH_SHORT_LOADER=$([[ $id == script ]] && printf '%s' "$SHORT_LOADER") \
			BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$SHORT_LOADER") \
				bench_run "$out" bash "$BENCH_TMP/short-driver"
			bench_check_ok "$out" "many short shells (${SHORT_LABEL[$id]})"
			bench_same "many short shells" "${SHORT_LABEL[$id]}" "$(bench_sum_file "$out")" "$BENCH_RC"
			bench_add "short:$id" "$BENCH_US"
		done
	done
	for id in "${ids[@]}"; do
		[[ $id == stock ]] || shells_check "$id"
		shells_counts "$id"
	done
}

# shells_counts ID : SHORT_SYS and SHORT_FAULTS per shell of variant ID,
# with its timed loader, over the SHORT_COUNT_S-shell driver.
shells_counts() {
	local id=$1 out=$BENCH_TMP/out loader=
	[[ $id == stock ]] || loader=$SHORT_LOADER
	if command -v strace >/dev/null; then
		BENCH_SHORT_LOADER=$([[ $id == script ]] && printf '%s' "$loader") \
		BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$loader") \
			bench_run "$out" strace -f -c -o "$out.strace" bash "$BENCH_TMP/short-count-driver"
		bench_check_ok "$out" "many short shells (${SHORT_LABEL[$id]}, under strace)"
		SHORT_SYS[$id]=$(awk -v s="$SHORT_COUNT_S" '$NF == "total" { printf "%.0f", $4 / s }' "$out.strace")
	fi
	if [[ -x /usr/bin/time ]]; then
		BENCH_SHORT_LOADER=$([[ $id == script ]] && printf '%s' "$loader") \
		BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$loader") \
			bench_run "$out" /usr/bin/time -f %R bash "$BENCH_TMP/short-count-driver"
		bench_check_ok "$out" "many short shells (${SHORT_LABEL[$id]}, under time)"
		SHORT_FAULTS[$id]=$(tail -n 1 "$out.err" | awk -v s="$SHORT_COUNT_S" '{ printf "%.0f", $1 / s }')
	fi
}

shells_report() {
	local id st verdict=
	printf '## 8. Many short shells\n\n'
	bench_load_line shells
	printf 'The shape of bats, git'"'"'s test-lib and configure scripts: a driver starts S = %d bash processes ' "$BENCH_SHORT_S"
	printf 'one after the other, each running a script of M = %d commands (%s in turn) on a 3-line file; ' \
		"$BENCH_SHORT_M" "$SHORT_NAMES"
	printf 'wall time of the whole driver, %d interleaved rounds. All variants printed the same (sha256 %s…); ' \
		"$BENCH_SHORT_ROUNDS" "${REF_SUM[many short shells]:0:12}"
	printf 'an untimed run of each routed variant, its loader also reporting `tmplcache -s -v` from every shell at exit, spawned all %d commands through tmplcache with no fallback; the timed runs load and name only, as a user would (the report costs about a bash start in instructions, which stock never pays).\n\n' \
		"$((BENCH_SHORT_S * BENCH_SHORT_M))"
	printf 'Counts per shell, which noise cannot move, over a driver of %d shells with the timed loaders: system calls (`strace -f -c`, every process) and minor page faults (GNU time: the driver and every process it waited for).\n\n' "$SHORT_COUNT_S"
	printf '| variant | median s | best s | spread s (max − min) | × stock (medians) | round by round | ms per shell (median) | syscalls per shell | page faults per shell |\n'
	printf '|---|--:|--:|--:|--:|---|--:|--:|--:|\n'
	bench_stats short:stock
	st=$STAT_MEDIAN
	for id in "${SHORT_IDS[@]}"; do
		if [[ ${SHORT_NOTE[$id]-} ]]; then
			printf '| %s | %s | | | | | | | |\n' "${SHORT_LABEL[$id]}" "${SHORT_NOTE[$id]}"
			continue
		fi
		bench_stats "short:$id"
		printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${SHORT_LABEL[$id]}" "$(bench_cells "short:$id" '%.2f' 1e6)" \
			"$(bench_calc '%.2f' "$STAT_MEDIAN / $st")" \
			"$([[ $id == stock ]] || bench_verdict short:stock "short:$id")" \
			"$(bench_calc '%.2f' "$STAT_MEDIAN / 1000 / $BENCH_SHORT_S")" \
			"${SHORT_SYS[$id]:-n/a}" "${SHORT_FAULTS[$id]:-n/a}"
		if [[ $id != stock ]]; then
			if awk -v a="$STAT_MEDIAN" -v b="$st" 'BEGIN { exit !(a < b) }'; then
				verdict+=" ${SHORT_LABEL[$id]}: faster than stock (median; $(bench_verdict short:stock "short:$id"))."
			else
				verdict+=" ${SHORT_LABEL[$id]}: **not** faster than stock (median; $(bench_verdict short:stock "short:$id"))."
			fi
		fi
	done
	printf '\n'
	[[ $verdict ]] && printf 'Routed < stock?%s\n\n' "$verdict"
	return 0
}
