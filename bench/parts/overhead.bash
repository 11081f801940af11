# overhead.bash - part 5: what tmplcache costs where it routes nothing.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# overhead-loop.bash times, inside one bash, a builtin-only loop, a loop
# of cat/head (names that are not routed) and a loop of command
# substitutions of a builtin, without and with the loadable enabled and
# the usual names routed, and with a small loadable of bash-builtins
# (mypid) enabled instead: what any `enable -f` leaves a shell paying.
# The loaded runs must start nothing through tmplcache, and all must print
# the same output.  The timed loaded runs load and name only: the counters
# are checked in one untimed run per loop whose loader also reports them
# from an EXIT trap, since a trap makes every child bash forks reset the
# signals bash then catches (16 more rt_sigaction calls per fork), which
# stock, timed without one, never pays.
# The builtin loop's instructions per iteration are counted too
# (callgrind, at N and 2N iterations): a count that the spread of the
# timed rounds cannot hide.  The forking loops' are not: a sum of
# callgrind's counts cannot take a fork (common.bash, bench_instructions).
# Nor their page faults: with a fixed layout they repeat exactly, but the
# layout moves them by more than any loadable's own share (stock bash's
# `$( )' child: 89 faults, 65 with one 3 KB variable more in the
# environment).

OVER_NAMES="sed grep cut tr wc date basename"
OVER_KINDS=(builtin external comsub)

# over_n KIND : the iterations of the KIND loop.
over_n() {
	case $1 in
	builtin) REPLY=$BENCH_OVER_BUILTIN_N ;;
	external) REPLY=$BENCH_OVER_EXTERNAL_N ;;
	comsub) REPLY=$BENCH_OVER_COMSUB_N ;;
	esac
}

overhead_setup() {
	OVER_LOADER= OVER_CHECK_LOADER= OVER_OTHER_LOADER=
	if bash -c "enable -f $BENCH_OTHER_SO $BENCH_OTHER_NAME" 2>/dev/null; then
		OVER_OTHER_LOADER=$BENCH_TMP/loader-over-other.bash
		printf 'enable -f %q %s || exit 99\n' "$BENCH_OTHER_SO" "$BENCH_OTHER_NAME" >"$OVER_OTHER_LOADER"
	fi
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

# over_loader ID : the BASH_ENV file of variant ID (none for stock).
over_loader() {
	case $1 in
	tmplcache) printf '%s' "$OVER_LOADER" ;;
	other_so) printf '%s' "$OVER_OTHER_LOADER" ;;
	esac
}

overhead_run() {
	local round i id kind n out=$BENCH_TMP/out
	local -a ids=(bash)
	[[ $OVER_OTHER_LOADER ]] && ids+=(other_so)
	[[ $OVER_LOADER ]] && ids+=(tmplcache)
	for id in "${ids[@]}"; do
		BENCH_ENV_FILE=$(over_loader "$id") bench_loop_instructions 1000
		OVER_IR[$id]=$REPLY
	done
	for kind in "${OVER_KINDS[@]}"; do
		[[ $OVER_CHECK_LOADER ]] || break
		over_n "$kind"
		n=$REPLY
		: >"$BENCH_TMP/stats"
		BENCH_ENV_FILE=$OVER_CHECK_LOADER \
			bench_run "$out" bash "$BENCH_SRCDIR/overhead-loop.bash" "$kind" "$n" "$OVER_FILE"
		bench_check_ok "$out" "$kind loop (tmplcache, counters checked)"
		bench_unrouted_check "$BENCH_TMP/stats" "$kind loop (tmplcache)"
	done
	for ((round = 1; round <= BENCH_OVER_ROUNDS; round++)); do
		bench_note "  no-route overhead: round $round/$BENCH_OVER_ROUNDS"
		for kind in "${OVER_KINDS[@]}"; do
			over_n "$kind"
			n=$REPLY
			for ((i = 0; i < ${#ids[@]}; i++)); do
				id=${ids[(i + round) % ${#ids[@]}]}
				BENCH_ENV_FILE=$(over_loader "$id") \
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
	local kind id what st n
	local -A label=([other_so]='`enable -f mypid`' [tmplcache]=loaded)
	printf '## 5. Overhead where nothing is routed\n\n'
	bench_load_line overhead
	printf 'Loop wall time inside one bash, %d interleaved rounds; "loaded" = `enable -f tmplcache.so` ' \
		"$BENCH_OVER_ROUNDS"
	printf 'and `tmplcache %s`, none of which the loop uses; the timed runs load and name only, without the EXIT trap (which would make each child reset 16 signal handlers stock never catches) that reports the counters in one untimed run per loop (checked: 0 routed spawns). ' "$OVER_NAMES"
	printf 'The `enable -f mypid` rows load a small loadable of bash-builtins instead: what any loadable leaves a shell paying, the difference from it being tmplcache'"'"'s own. '
	printf 'Median, best and spread (max − min over the rounds). '
	printf 'Instructions per iteration of the builtin loop: callgrind, at 1000 and 2000 iterations, so that start and exit cancel (the other loops fork: not counted). '
	printf 'Every child of the forking loops runs our fork handler; a `$( )` child also exits through exit(), which runs each loaded object'"'"'s finalizers (tmplcache.so has none).\n\n'
	printf '| loop | variant | median ms | best ms | spread ms | × stock (medians) | round by round | instructions per iteration |\n|---|---|--:|--:|--:|--:|---|--:|\n'
	for kind in "${OVER_KINDS[@]}"; do
		over_n "$kind"
		n=$REPLY
		case $kind in
		builtin) what="builtins only ($n iterations)" ;;
		external) what="cat/head, not routed ($n commands)" ;;
		comsub) what="\`x=\$(echo \$i)\` ($n command substitutions)" ;;
		esac
		st=$(bench_median "over:bash:$kind")
		for id in bash other_so tmplcache; do
			if [[ $id == bash ]]; then
				printf '| %s | stock | %s | 1.000 | | %s |\n' "$what" "$(bench_cells "over:bash:$kind" '%.1f' 1000)" \
					"$(overhead_ir bash "$kind")"
			elif [[ $(over_loader "$id") ]]; then
				printf '| %s | %s | %s | %s | %s | %s |\n' "$what" "${label[$id]}" \
					"$(bench_cells "over:$id:$kind" '%.1f' 1000)" \
					"$(bench_calc '%.3f' "($(bench_median "over:$id:$kind")) / ($st)")" \
					"$(bench_verdict "over:bash:$kind" "over:$id:$kind")" \
					"$(overhead_ir "$id" "$kind")"
			elif [[ $id == tmplcache ]]; then
				printf '| %s | loaded | %s | | | | |\n' "$what" "$TMPLCACHE_STATE"
			fi
		done
	done
	printf '\n'
}
