# bats.bash - part 4: a generated BATS suite, stock against tmplcache.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bats/gen-suite writes BENCH_BATS_TESTS tests calling sed, grep, cut, tr,
# wc, basename and date.  `bats --formatter tap` runs it as is, and again
# with BASH_ENV loading tmplcache into every bash that bats starts (bats
# itself, its per-test shells).  The TAP streams must be identical.  The
# routing check reads the counters each test's shell hands over in
# teardown: it must have spawned, and fallen back only for commands in
# subshells (reason "forked": bash execs those in place, no fork to save).
# That check is one untimed run whose loader also reports the counters at
# exit (`tmplcache -s -v` in an EXIT trap, about a bash start's worth of
# instructions per shell, which stock never pays); the timed runs load
# and name only, as a user's BASH_ENV would (as part 8 does).

BATS_NAMES="sed grep cut tr wc basename date"

bats_setup() {
	BATS_SUITE=$BENCH_TMP/suite.bats
	bash "$BENCH_SRCDIR/bats/gen-suite" "$BENCH_BATS_TESTS" >"$BATS_SUITE" ||
		bench_die "gen-suite failed"
	BATS_NOTE='' BATS_LOADER=''
	if ! command -v bats >/dev/null; then
		BATS_NOTE="bats not installed"
	elif [[ -z $TMPLCACHE_STATE ]]; then
		BATS_LOADER=$BENCH_TMP/loader-bats.bash
		bench_make_report_loader "$BATS_LOADER" $BATS_NAMES
		BATS_CHECK_LOADER=$BENCH_TMP/loader-bats-check.bash
		bench_make_loader "$BATS_CHECK_LOADER" "$BENCH_TMP/stats" $BATS_NAMES
	fi
}

# "date:fallback_forked=1 grep:fallback_forked=2 ..." -> "3 (date 1, grep 2)"
bats_sum_allowed() {
	local item name total=0 sep=' ('
	local -A per=()
	for item in $1; do
		name=${item%%:*}
		per[$name]=$((${per[$name]-0} + ${item##*=}))
		total=$((total + ${item##*=}))
	done
	printf '%d' "$total"
	((total)) || return 0
	for name in $(printf '%s\n' "${!per[@]}" | sort); do
		printf '%s%s %d' "$sep" "$name" "${per[$name]}"
		sep=', '
	done
	printf ')'
}

bats_run() {
	local round i id out=$BENCH_TMP/tap
	local -a ids=(bash)
	[[ $BATS_NOTE ]] && return
	[[ $BATS_LOADER ]] && ids+=(tmplcache)
	for ((round = 1; round <= BENCH_BATS_ROUNDS; round++)); do
		bench_note "  bats suite: round $round/$BENCH_BATS_ROUNDS ($BENCH_BATS_TESTS tests)"
		for ((i = 0; i < ${#ids[@]}; i++)); do
			id=${ids[(i + round) % ${#ids[@]}]}
			BENCH_ENV_FILE=$([[ $id == tmplcache ]] && echo "$BATS_LOADER") \
				bench_run "$out" bats --formatter tap "$BATS_SUITE"
			bench_check_ok "$out" "bats ($id)"
			bench_same "bats suite" "$id" "$(bench_sum_file "$out")" "$BENCH_RC"
			bench_add "bats:$id" "$BENCH_US"
		done
	done
	if [[ $BATS_LOADER ]]; then
		: >"$BENCH_TMP/stats"
		BENCH_ENV_FILE=$BATS_CHECK_LOADER \
			bench_run "$out" bats --formatter tap "$BATS_SUITE"
		bench_check_ok "$out" "bats (tmplcache, counted)"
		bench_same "bats suite" tmplcache "$(bench_sum_file "$out")" "$BENCH_RC"
		bench_routed_check "$BENCH_TMP/stats" "bats (tmplcache)" "" forked
		BATS_SPAWNS=$ROUTED_SPAWNS
		BATS_FORKED=$(bats_sum_allowed "$ROUTED_ALLOWED")
	fi
	BATS_OK=$(grep -c '^ok ' "$out")
}

bats_report() {
	printf '## 4. BATS suite\n\n'
	bench_load_line bats
	if [[ $BATS_NOTE ]]; then
		printf 'Skipped: %s.\n\n' "$BATS_NOTE"
		return
	fi
	printf '%d generated tests (`bench/bats/gen-suite`), `bats --formatter tap`, wall time, ' \
		"$BENCH_BATS_TESTS"
	printf '%d interleaved rounds; tmplcache loaded through BASH_ENV into every bash bats starts. ' \
		"$BENCH_BATS_ROUNDS"
	printf 'Both runs printed the same TAP (%d ok).' "$BATS_OK"
	[[ $BATS_LOADER ]] && printf ' In an untimed run whose loader also reported the counters at exit (the timed runs load and name only), the shells that reported started %s commands through tmplcache; %s more ran in subshells (fallback reason "forked": `run`, and `$(date)` inside bats), which bash runs its own way as it must; no other fallback.' \
		"$BATS_SPAWNS" "$BATS_FORKED"
	printf '\n\n'
	bench_wall_table bats:bash bats:tmplcache "$TMPLCACHE_STATE"
}
