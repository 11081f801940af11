# workload.bash - part 3: a real script, stock bash against tmplcache.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs workload/walk-files (generate a tree of small logs, walk it with
# basename, grep, sed, cut, tr, wc and date) as `bash walk-files OUT COUNT`;
# the tmplcache run differs only in BASH_ENV, which loads the loadable and
# routes those names.  Both runs must leave byte-identical output files.

WORK_NAMES="basename grep sed cut tr wc date"

workload_setup() {
	WORK_LOADER=
	[[ $TMPLCACHE_STATE ]] ||
		{ WORK_LOADER=$BENCH_TMP/loader-work.bash
		  bench_make_loader "$WORK_LOADER" "$BENCH_TMP/stats" $WORK_NAMES; }
}

# Checksum of every file under DIR, by relative name.
workload_sum() {
	(cd "$1" && find . -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum) |
		sha256sum | cut -d' ' -f1
}

workload_run() {
	local round i id out=$BENCH_TMP/work-out log=$BENCH_TMP/out
	local -a ids=(bash)
	[[ $WORK_LOADER ]] && ids+=(tmplcache)
	for ((round = 1; round <= BENCH_WORK_ROUNDS; round++)); do
		bench_note "  script workload: round $round/$BENCH_WORK_ROUNDS ($BENCH_WORK_FILES files)"
		for ((i = 0; i < ${#ids[@]}; i++)); do
			id=${ids[(i + round) % ${#ids[@]}]}
			rm -rf "$out"
			: >"$BENCH_TMP/stats"
			BENCH_ENV_FILE=$([[ $id == tmplcache ]] && echo "$WORK_LOADER") \
				bench_run "$log" bash "$BENCH_SRCDIR/workload/walk-files" "$out" "$BENCH_WORK_FILES"
			bench_check_ok "$log" "walk-files ($id)"
			bench_same "script workload" "$id" "$(workload_sum "$out")" "$BENCH_RC"
			[[ $id == tmplcache ]] && bench_routed_check "$BENCH_TMP/stats" "walk-files (tmplcache)"
			[[ $id == tmplcache ]] && WORK_SPAWNS=$ROUTED_SPAWNS
			bench_add "work:$id" "$BENCH_US"
		done
	done
	rm -rf "$out"
}

workload_report() {
	printf '## 3. Script workload\n\n'
	bench_load_line workload
	printf '`bench/workload/walk-files` over %d generated files (%s), wall time of the whole ' \
		"$BENCH_WORK_FILES" "$WORK_NAMES"
	printf 'script, %d interleaved rounds; both runs wrote identical output (sha256 %s…).' \
		"$BENCH_WORK_ROUNDS" "${REF_SUM[script workload]:0:12}"
	[[ $WORK_LOADER ]] && printf ' tmplcache started %s commands and fell back 0 times.' "$WORK_SPAWNS"
	printf '\n\n'
	bench_wall_table work:bash work:tmplcache "$TMPLCACHE_STATE"
}
