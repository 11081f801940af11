# startup.bash - part 7: what loading tmplcache adds to a bash start.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `bash -c :` stock, against the same with the loadable enabled and 30
# names routed, once in the -c string and once through BASH_ENV; and
# stock `bash -c ': <30 names>'`, which parses a command line as long as
# the enable variant's, so that bash's own share shows apart.  A driver
# script starts K such shells one after the other; µs per start = its wall
# time / K (the driver's own fork is the same for every variant, so the
# differences are the loading).  Syscalls per start: one start under
# `strace -f -ff`, every call of every process counted.  Nothing is spawned
# here; a load that fails makes the shell exit 99, which the run reports.

STARTUP_IDS=(stock stock_args enable bash_env)
declare -A STARTUP_LABEL=() STARTUP_NOTE=() STARTUP_SYS=() STARTUP_CMD=()

# startup_names : the first 30 of these that PATH finds as ELF files (not
# builtins or scripts, which tmplcache refuses).
startup_names() {
	local n p magic count=0
	for n in sed grep cut tr wc date basename dirname head tail sort uniq cat ls cp mv \
		rm mkdir rmdir touch chmod ln find xargs env expr seq tee stat id awk diff \
		md5sum sha256sum mktemp readlink realpath uname whoami nproc tac; do
		((count < 30)) || break
		p=$(type -P "$n") || continue
		[[ $(type -t "$n") == file ]] || continue
		LC_ALL=C read -rn 4 magic <"$p" 2>/dev/null
		[[ $magic == $'\x7fELF' ]] || continue
		printf '%s ' "$n"
		count=$((count + 1))
	done
}

startup_setup() {
	local loadline id
	STARTUP_LABEL=(
		[stock]='stock `bash -c :`'
		[stock_args]='stock `bash -c '"'"': <30 names>'"'"'`'
		[enable]='`bash -c '"'"'enable -f tmplcache.so tmplcache && tmplcache <30 names>'"'"'`'
		[bash_env]='`bash -c :` with BASH_ENV doing the same'
	)
	STARTUP_NAMES=$(startup_names)
	STARTUP_COUNT=$(wc -w <<<"$STARTUP_NAMES")
	STARTUP_CMD=([stock]=: [stock_args]=": $STARTUP_NAMES")
	if [[ $TMPLCACHE_STATE ]]; then
		startup_drivers stock stock_args
		STARTUP_NOTE=([enable]=$TMPLCACHE_STATE [bash_env]=$TMPLCACHE_STATE)
		return
	fi
	loadline="enable -f $(printf '%q' "$TMPLCACHE_SO") tmplcache && tmplcache $STARTUP_NAMES"
	STARTUP_ENV=$BENCH_TMP/startup-env.bash
	printf '%s || exit 99\n' "$loadline" >"$STARTUP_ENV"
	STARTUP_CMD+=([enable]=$loadline [bash_env]=:)
	startup_drivers "${STARTUP_IDS[@]}"
}

# startup_drivers ID... : one driver per variant: K starts, stopping at
# the first failure.
startup_drivers() {
	local id
	for id; do
		{
			printf 'for ((i = 0; i < %d; i++)); do ' "$BENCH_START_K"
			[[ $id == bash_env ]] && printf 'BASH_ENV=%q ' "$STARTUP_ENV"
			printf 'bash -c %q || exit; done\n' "${STARTUP_CMD[$id]}"
			printf 'echo started %d\n' "$BENCH_START_K"
		} >"$BENCH_TMP/startup-$id"
	done
}

startup_run() {
	local round i id out=$BENCH_TMP/out dir=$BENCH_TMP/strace-start
	local -a ids=(stock stock_args)
	[[ $TMPLCACHE_STATE ]] || ids+=(enable bash_env)
	for ((round = 1; round <= BENCH_START_ROUNDS; round++)); do
		bench_note "  start-up: round $round/$BENCH_START_ROUNDS (K=$BENCH_START_K)"
		for ((i = 0; i < ${#ids[@]}; i++)); do
			id=${ids[(i + round) % ${#ids[@]}]}
			bench_run "$out" bash "$BENCH_TMP/startup-$id"
			bench_check_ok "$out" "start-up (${STARTUP_LABEL[$id]})"
			bench_same "start-up" "$id" "$(bench_sum_file "$out")" "$BENCH_RC"
			bench_add "start:$id" "$(bench_calc '%.1f' "$BENCH_US / $BENCH_START_K")"
		done
	done
	command -v strace >/dev/null || return 0
	for id in "${ids[@]}"; do
		rm -rf "$dir" && mkdir -p "$dir"
		BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$STARTUP_ENV") \
			bench_run "$out" strace -f -ff -o "$dir/t" bash -c "${STARTUP_CMD[$id]}"
		bench_check_ok "$out" "start-up under strace (${STARTUP_LABEL[$id]})"
		STARTUP_SYS[$id]=$(cat "$dir"/t.* | grep -c '^[a-z_0-9]*(')
	done
	rm -rf "$dir"
}

startup_report() {
	local id st
	printf '## 7. Start-up overhead\n\n'
	bench_load_line startup
	printf 'µs per shell start: a driver starts K = %d shells one after the other; wall time / K, ' "$BENCH_START_K"
	printf '%d interleaved rounds. The %d routed names: %s. ' "$BENCH_START_ROUNDS" "$STARTUP_COUNT" "${STARTUP_NAMES% }"
	printf 'Every start exited 0 (a failed load exits 99). Syscalls: one start under `strace -f -ff`, all calls counted. '
	printf 'Differences are against the stock median. '
	printf 'The `: <30 names>` row parses a command line as long as the enable row'"'"'s: its difference is bash'"'"'s own, which the enable row pays too.\n\n'
	printf '| start | median µs | best µs | spread µs (max − min) | − stock µs | syscalls | − stock syscalls |\n'
	printf '|---|--:|--:|--:|--:|--:|--:|\n'
	bench_stats start:stock
	st=$STAT_MEDIAN
	for id in "${STARTUP_IDS[@]}"; do
		if [[ ${STARTUP_NOTE[$id]-} ]]; then
			printf '| %s | %s | | | | | |\n' "${STARTUP_LABEL[$id]}" "${STARTUP_NOTE[$id]}"
			continue
		fi
		bench_stats "start:$id"
		printf '| %s | %s | %s | %s | %s |\n' "${STARTUP_LABEL[$id]}" \
			"$(bench_cells "start:$id" '%.0f')" \
			"$(bench_calc '%+.0f' "$STAT_MEDIAN - $st")" \
			"${STARTUP_SYS[$id]:-n/a}" \
			"$(bench_calc '%+d' "(${STARTUP_SYS[$id]-}) - (${STARTUP_SYS[stock]-})")"
	done
	printf '\n'
}
