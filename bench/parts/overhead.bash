# overhead.bash - part 5: what tmplcache costs where it routes nothing.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# overhead-loop.bash times, inside one bash, a builtin-only loop and a loop
# of cat/head (names that are not routed), without and with the loadable
# enabled and the usual names routed.  The loaded runs must start nothing
# through tmplcache, and both must print the same output.

OVER_NAMES="sed grep cut tr wc date basename"

overhead_setup() {
	OVER_LOADER=
	[[ $TMPLCACHE_STATE ]] ||
		{ OVER_LOADER=$BENCH_TMP/loader-over.bash
		  bench_make_loader "$OVER_LOADER" "$BENCH_TMP/stats" $OVER_NAMES; }
	OVER_FILE=$BENCH_TMP/over.txt
	printf '%s\n' 'a line' 'another line' >"$OVER_FILE"
}

overhead_run() {
	local round i id kind n out=$BENCH_TMP/out
	local -a ids=(bash)
	[[ $OVER_LOADER ]] && ids+=(tmplcache)
	for ((round = 1; round <= BENCH_OVER_ROUNDS; round++)); do
		bench_note "  no-route overhead: round $round/$BENCH_OVER_ROUNDS"
		for kind in builtin external; do
			n=$([[ $kind == builtin ]] && echo "$BENCH_OVER_BUILTIN_N" || echo "$BENCH_OVER_EXTERNAL_N")
			for ((i = 0; i < ${#ids[@]}; i++)); do
				id=${ids[(i + round) % ${#ids[@]}]}
				: >"$BENCH_TMP/stats"
				BENCH_ENV_FILE=$([[ $id == tmplcache ]] && echo "$OVER_LOADER") \
					bench_run "$out" bash "$BENCH_SRCDIR/overhead-loop.bash" "$kind" "$n" "$OVER_FILE"
				bench_check_ok "$out" "$kind loop ($id)"
				bench_same "overhead $kind" "$id" "$(bench_sum_file "$out")" "$BENCH_RC"
				[[ $id == tmplcache ]] && bench_unrouted_check "$BENCH_TMP/stats" "$kind loop (tmplcache)"
				bench_add "over:$id:$kind" "$(tail -n 1 "$out.err")"
			done
		done
	done
}

overhead_report() {
	local kind id what st
	printf '## 5. Overhead where nothing is routed\n\n'
	bench_load_line overhead
	printf 'Loop wall time inside one bash, %d interleaved rounds; "loaded" = `enable -f tmplcache.so` ' \
		"$BENCH_OVER_ROUNDS"
	printf 'and `tmplcache %s`, none of which the loop uses (checked: 0 routed spawns). ' "$OVER_NAMES"
	printf 'Median, best and spread (max − min over the rounds).\n\n'
	printf '| loop | variant | median ms | best ms | spread ms | × stock (medians) |\n|---|---|--:|--:|--:|--:|\n'
	for kind in builtin external; do
		if [[ $kind == builtin ]]; then
			what="builtins only ($BENCH_OVER_BUILTIN_N iterations)"
		else
			what="cat/head, not routed ($BENCH_OVER_EXTERNAL_N commands)"
		fi
		st=$(bench_median "over:bash:$kind")
		printf '| %s | stock | %s | 1.000 |\n' "$what" "$(bench_cells "over:bash:$kind" '%.1f' 1000)"
		if [[ $OVER_LOADER ]]; then
			printf '| %s | loaded | %s | %s |\n' "$what" "$(bench_cells "over:tmplcache:$kind" '%.1f' 1000)" \
				"$(bench_calc '%.3f' "($(bench_median "over:tmplcache:$kind")) / ($st)")"
		else
			printf '| %s | loaded | %s | | | |\n' "$what" "$TMPLCACHE_STATE"
		fi
	done
	printf '\n'
}
