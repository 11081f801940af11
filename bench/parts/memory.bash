# memory.bash - part 2: per-spawn cost against the shell's own memory.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# mem-loop.bash holds about MB megabytes in a bash array, then times N
# empty iterations and N runs of true inside that one process; per spawn =
# (loop - empty) / N.  fork copies the parent's page tables, so stock bash
# gets slower as it grows; a vfork-style spawn shares them and stays flat.
# dash and the C floor, taken from part 1, are the flat references.

MEM_IDS=(bash tmplcache)
declare -A MEM_LABEL=([bash]="stock bash" [tmplcache]="bash + tmplcache") MEM_LOADER=() MEM_NOTE=()

memory_setup() {
	if [[ -z $TMPLCACHE_STATE ]]; then
		MEM_LOADER[tmplcache]=$BENCH_TMP/loader-mem.bash
		bench_make_loader "${MEM_LOADER[tmplcache]}" "$BENCH_TMP/stats" xtrue
	else
		MEM_NOTE[tmplcache]=$TMPLCACHE_STATE
	fi
}

memory_run() {
	local n=$BENCH_MEM_N round mb id i rss empty loop out=$BENCH_TMP/out
	local -a ids=(bash)
	[[ ${MEM_NOTE[tmplcache]-} ]] || ids+=(tmplcache)
	for ((round = 1; round <= BENCH_MEM_ROUNDS; round++)); do
		bench_note "  memory scaling: round $round/$BENCH_MEM_ROUNDS (N=$n, MB: $BENCH_MEM_SIZES)"
		for mb in $BENCH_MEM_SIZES; do
			for ((i = 0; i < ${#ids[@]}; i++)); do
				id=${ids[(i + round) % ${#ids[@]}]}
				: >"$BENCH_TMP/stats"
				BENCH_ENV_FILE=${MEM_LOADER[$id]-} BENCH_PATH=$SPAWN_BIN:$PATH \
					bench_run "$out" bash "$BENCH_SRCDIR/mem-loop.bash" "$mb" "$n" xtrue
				bench_check_ok "$out" "${MEM_LABEL[$id]} holding $mb MB"
				# The output is sizes and times; true prints nothing.
				bench_same "memory scaling" "${MEM_LABEL[$id]} $mb MB" "-" "$BENCH_RC"
				if [[ ${MEM_LOADER[$id]-} ]]; then
					bench_routed_check "$BENCH_TMP/stats" "${MEM_LABEL[$id]} holding $mb MB"
					((ROUTED_SPAWNS == n)) || bench_die "${MEM_LABEL[$id]} holding $mb MB:" \
						"tmplcache counted $ROUTED_SPAWNS spawns for $n commands"
				fi
				read -r rss empty loop <"$out"
				bench_add "mem:$id:$mb:rss" "$rss"
				bench_add "mem:$id:$mb:us" "$(bench_calc '%.2f' "($loop - $empty) / $n")"
			done
		done
	done
}

# MEM_US[id:mb], MEM_RSS[id:mb] (MB): medians; empty when n/a.
declare -A MEM_US=() MEM_RSS=()

memory_compute() {
	local id mb
	for id in "${MEM_IDS[@]}"; do
		[[ -z ${MEM_NOTE[$id]-} ]] || continue
		for mb in $BENCH_MEM_SIZES; do
			MEM_US[$id:$mb]=$(bench_calc '%.1f' "$(bench_median "mem:$id:$mb:us")")
			MEM_RSS[$id:$mb]=$(bench_calc '%.0f' "$(bench_median "mem:$id:$mb:rss") / 1024")
		done
	done
}

# memory_data FILE : the chart's data, one row per size:
# rss_MB stock_us tmplcache_us dash_us floor_us (medians), then the best
# and worst round of stock and of tmplcache ("?" = missing).
memory_data() {
	local mb v id
	{
		printf '# rss_MB stock_bash tmplcache dash floor stock_best stock_worst tmplcache_best tmplcache_worst\n'
		for mb in $BENCH_MEM_SIZES; do
			printf '%s' "${MEM_RSS[bash:$mb]}"
			for v in "${MEM_US[bash:$mb]-}" "${MEM_US[tmplcache:$mb]-}" \
				"${SPAWN_US[dash:true]-}" "${FLOOR_US[$FLOOR_REF:true]-}"; do
				printf ' %s' "${v:-?}"
			done
			for id in bash tmplcache; do
				bench_stats "mem:$id:$mb:us"
				printf ' %s %s' "${STAT_BEST:-?}" "${STAT_WORST:-?}"
			done
			printf '\n'
		done
	} >"$1"
}

memory_report() {
	local mb st tc
	printf '## 2. Shell memory scaling\n\n'
	bench_load_line memory
	printf 'µs per `true` (the xtrue copy, by name) started by a bash that holds an array of 1 MiB strings, '
	printf '%d interleaved rounds, N = %d; (loop − empty loop) / N inside that bash, each round its own pair. ' \
		"$BENCH_MEM_ROUNDS" "$BENCH_MEM_N"
	printf 'Median, best and spread (max − min over the rounds); ratios compare medians. '
	printf 'RSS (median) as read from /proc once the memory is held. '
	printf 'References from part 1 (they do not grow): dash %s µs, floor %s µs.\n\n' \
		"${SPAWN_US[dash:true]:-n/a}" "${FLOOR_US[$FLOOR_REF:true]:-n/a}"
	printf '| target | RSS stock | stock bash µs | best | spread | RSS tmplcache | bash + tmplcache µs | best | spread | stock ÷ tmplcache | tmplcache × floor | tmplcache × dash |\n'
	printf '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n'
	for mb in $BENCH_MEM_SIZES; do
		st=${MEM_US[bash:$mb]} tc=${MEM_US[tmplcache:$mb]-}
		printf '| %s MB | %s MB | %s | %s | %s | %s | %s | %s |\n' "$mb" \
			"${MEM_RSS[bash:$mb]}" "$(bench_cells "mem:bash:$mb:us" '%.1f')" \
			"${MEM_RSS[tmplcache:$mb]:+${MEM_RSS[tmplcache:$mb]} MB}" \
			"$(if [[ $tc ]]; then bench_cells "mem:tmplcache:$mb:us" '%.1f'; else printf '%s | | ' "${MEM_NOTE[tmplcache]-}"; fi)" \
			"$(bench_calc '%.2f' "($st) / ($tc)")" \
			"$(bench_calc '%.2f' "($tc) / (${FLOOR_US[$FLOOR_REF:true]-})")" \
			"$(bench_calc '%.2f' "($tc) / (${SPAWN_US[dash:true]-})")"
	done
	printf '\n'
}
