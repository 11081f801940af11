# overhead.bash - part 5: what tmplcache costs where it routes nothing.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# overhead-loop.bash times, inside one bash, a builtin-only loop and a loop
# of cat/head (names that are not routed), without and with the loadable
# enabled and the usual names routed.  The loaded runs must start nothing
# through tmplcache, and both must print the same output.  The timed loaded
# runs load and name only: the counters are checked in one untimed run per
# loop whose loader also reports them from an EXIT trap, since a trap makes
# every child bash forks reset the signals bash then catches (16 more
# rt_sigaction calls per fork), which stock, timed without one, never pays.
# The builtin loop's instructions per iteration are counted too (callgrind,
# at N and 2N iterations, stock and loaded): a count that the spread of
# the timed rounds cannot hide.  The external loop forks, which a sum of
# callgrind's counts cannot take (common.bash, bench_instructions).

OVER_NAMES="sed grep cut tr wc date basename"

overhead_setup() {
	OVER_LOADER= OVER_CHECK_LOADER=
	if [[ ! $TMPLCACHE_STATE ]]; then
		OVER_LOADER=$BENCH_TMP/loader-over.bash
		bench_make_report_loader "$OVER_LOADER" $OVER_NAMES
		OVER_CHECK_LOADER=$BENCH_TMP/loader-over-check.bash
		bench_make_loader "$OVER_CHECK_LOADER" "$BENCH_TMP/stats" $OVER_NAMES
	fi
	OVER_FILE=$BENCH_TMP/over.txt
	printf '%s\n' 'a line' 'another line' >"$OVER_FILE"
}

declare -A OVER_IR=()

overhead_run() {
	local round i id kind n out=$BENCH_TMP/out
	bench_loop_instructions 1000
	OVER_IR[bash]=$REPLY
	if [[ $OVER_LOADER ]]; then
		BENCH_ENV_FILE=$OVER_LOADER bench_loop_instructions 1000
		OVER_IR[tmplcache]=$REPLY
	fi
	local -a ids=(bash)
	[[ $OVER_LOADER ]] && ids+=(tmplcache)
	for kind in builtin external; do
		[[ $OVER_CHECK_LOADER ]] || break
		n=$([[ $kind == builtin ]] && echo "$BENCH_OVER_BUILTIN_N" || echo "$BENCH_OVER_EXTERNAL_N")
		: >"$BENCH_TMP/stats"
		BENCH_ENV_FILE=$OVER_CHECK_LOADER \
			bench_run "$out" bash "$BENCH_SRCDIR/overhead-loop.bash" "$kind" "$n" "$OVER_FILE"
		bench_check_ok "$out" "$kind loop (tmplcache, counters checked)"
		bench_unrouted_check "$BENCH_TMP/stats" "$kind loop (tmplcache)"
	done
	for ((round = 1; round <= BENCH_OVER_ROUNDS; round++)); do
		bench_note "  no-route overhead: round $round/$BENCH_OVER_ROUNDS"
		for kind in builtin external; do
			n=$([[ $kind == builtin ]] && echo "$BENCH_OVER_BUILTIN_N" || echo "$BENCH_OVER_EXTERNAL_N")
			for ((i = 0; i < ${#ids[@]}; i++)); do
				id=${ids[(i + round) % ${#ids[@]}]}
				BENCH_ENV_FILE=$([[ $id == tmplcache ]] && echo "$OVER_LOADER") \
					bench_run "$out" bash "$BENCH_SRCDIR/overhead-loop.bash" "$kind" "$n" "$OVER_FILE"
				bench_check_ok "$out" "$kind loop ($id)"
				bench_same "overhead $kind" "$id" "$(bench_sum_file "$out")" "$BENCH_RC"
				bench_add "over:$id:$kind" "$(tail -n 1 "$out.err")"
			done
		done
	done
}

# overhead_ir ID KIND : the builtin loop's instructions per iteration.
overhead_ir() {
	[[ $2 == builtin ]] || return 0
	printf '%s' "${OVER_IR[$1]:-n/a}"
}

overhead_report() {
	local kind id what st
	printf '## 5. Overhead where nothing is routed\n\n'
	bench_load_line overhead
	printf 'Loop wall time inside one bash, %d interleaved rounds; "loaded" = `enable -f tmplcache.so` ' \
		"$BENCH_OVER_ROUNDS"
	printf 'and `tmplcache %s`, none of which the loop uses; the timed runs load and name only, without the EXIT trap (which would make each child reset 16 signal handlers stock never catches) that reports the counters in one untimed run per loop (checked: 0 routed spawns). ' "$OVER_NAMES"
	printf 'Median, best and spread (max − min over the rounds). '
	printf 'Instructions per iteration of the builtin loop: callgrind, at 1000 and 2000 iterations, so that start and exit cancel (the external loop forks: not counted).\n\n'
	printf '| loop | variant | median ms | best ms | spread ms | × stock (medians) | round by round | instructions per iteration |\n|---|---|--:|--:|--:|--:|---|--:|\n'
	for kind in builtin external; do
		if [[ $kind == builtin ]]; then
			what="builtins only ($BENCH_OVER_BUILTIN_N iterations)"
		else
			what="cat/head, not routed ($BENCH_OVER_EXTERNAL_N commands)"
		fi
		st=$(bench_median "over:bash:$kind")
		printf '| %s | stock | %s | 1.000 | | %s |\n' "$what" "$(bench_cells "over:bash:$kind" '%.1f' 1000)" \
			"$(overhead_ir bash "$kind")"
		if [[ $OVER_LOADER ]]; then
			printf '| %s | loaded | %s | %s | %s | %s |\n' "$what" "$(bench_cells "over:tmplcache:$kind" '%.1f' 1000)" \
				"$(bench_calc '%.3f' "($(bench_median "over:tmplcache:$kind")) / ($st)")" \
				"$(bench_verdict "over:bash:$kind" "over:tmplcache:$kind")" \
				"$(overhead_ir tmplcache "$kind")"
		else
			printf '| %s | loaded | %s | | | | | |\n' "$what" "$TMPLCACHE_STATE"
		fi
	done
	printf '\n'
}
