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
# `strace -f -ff`, every call of every process counted; minor page faults:
# one start under GNU time.  Instructions per start: one start under
# callgrind, a count that the timing noise of this VM (rounds spread by
# hundreds of µs) cannot move.  To read instructions as time, the same run
# measures bash's own rate: a builtin-only loop (overhead-loop.bash), timed
# in every round, its instructions per iteration counted at N and 2N
# iterations so that the start cancels.  Nothing is spawned here (under
# valgrind no template can be made); a load that fails makes the shell
# exit 99, which the run reports.

STARTUP_IDS=(stock stock_args enable bash_env)
declare -A STARTUP_LABEL=() STARTUP_NOTE=() STARTUP_SYS=() STARTUP_CMD=() STARTUP_IR=() STARTUP_FAULTS=()
# The rate loop: iterations timed per round, and counted (N and 2N).
STARTUP_LOOP_N=20000 STARTUP_LOOP_COUNT_N=1000

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
		bench_run "$out" bash "$BENCH_SRCDIR/overhead-loop.bash" builtin "$STARTUP_LOOP_N" /dev/null
		bench_check_ok "$out" "start-up (rate loop)"
		bench_add start:loop "$(bench_calc '%.4f' "$(tail -n 1 "$out.err") / $STARTUP_LOOP_N")"
	done
	startup_counts "${ids[@]}"
}

# startup_counts ID... : syscalls, page faults and instructions of one
# start of each variant, and the rate loop's instructions per iteration.
startup_counts() {
	local id out=$BENCH_TMP/out dir=$BENCH_TMP/strace-start
	for id; do
		BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$STARTUP_ENV") \
			bench_instructions bash -c "${STARTUP_CMD[$id]}"
		STARTUP_IR[$id]=$REPLY
		[[ -x /usr/bin/time ]] || continue
		BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$STARTUP_ENV") \
			bench_run "$out" /usr/bin/time -f %R bash -c "${STARTUP_CMD[$id]}"
		bench_check_ok "$out" "start-up under time (${STARTUP_LABEL[$id]})"
		STARTUP_FAULTS[$id]=$(tail -n 1 "$out.err")
	done
	bench_loop_instructions "$STARTUP_LOOP_COUNT_N"
	STARTUP_LOOP_IR=$REPLY
	command -v strace >/dev/null || return 0
	for id; do
		rm -rf "$dir" && mkdir -p "$dir"
		BENCH_ENV_FILE=$([[ $id == bash_env ]] && printf '%s' "$STARTUP_ENV") \
			bench_run "$out" strace -f -ff -o "$dir/t" bash -c "${STARTUP_CMD[$id]}"
		bench_check_ok "$out" "start-up under strace (${STARTUP_LABEL[$id]})"
		STARTUP_SYS[$id]=$(cat "$dir"/t.* | grep -c '^[a-z_0-9]*(')
	done
	rm -rf "$dir"
}

# startup_rate : STARTUP_RATE = instructions per µs of bash's own code
# (the rate loop's instructions per iteration / its median µs per
# iteration), empty when either is missing.
startup_rate() {
	local us
	STARTUP_RATE=
	us=$(bench_median start:loop)
	[[ $us && $STARTUP_LOOP_IR ]] && STARTUP_RATE=$(bench_calc '%.0f' "$STARTUP_LOOP_IR / $us")
}

# startup_ir_us ID : ID's instructions over stock's, as µs at STARTUP_RATE.
startup_ir_us() {
	bench_calc '%+.0f' "((${STARTUP_IR[$1]-}) - (${STARTUP_IR[stock]-})) / (${STARTUP_RATE-})"
}

startup_report() {
	local id st
	startup_rate
	printf '## 7. Start-up overhead\n\n'
	bench_load_line startup
	printf 'µs per shell start: a driver starts K = %d shells one after the other; wall time / K, ' "$BENCH_START_K"
	printf '%d interleaved rounds. The %d routed names: %s. ' "$BENCH_START_ROUNDS" "$STARTUP_COUNT" "${STARTUP_NAMES% }"
	printf 'Every start exited 0 (a failed load exits 99). Differences are against stock. '
	printf 'The `: <30 names>` row parses a command line as long as the enable row'"'"'s: its difference is bash'"'"'s own, which the enable row pays too. '
	printf 'Counts, which noise cannot move, of one start each: instructions in user space (callgrind), '
	printf 'system calls (`strace -f -ff`, all calls) and minor page faults (GNU time). '
	printf 'Instructions as time: a builtin-only bash loop, timed in every round and counted by callgrind, runs %s instructions per iteration at a median %s µs: %s instructions per µs of bash'"'"'s own code on this machine; ' \
		"${STARTUP_LOOP_IR:-n/a}" "$(bench_calc '%.2f' "($(bench_median start:loop))")" "${STARTUP_RATE:-n/a}"
	printf 'the "≈ µs" column is the instruction difference at that rate (the kernel'"'"'s share of a start — exec, mappings, page faults — is in the other counts, not in it).\n\n'
	printf '| start | median µs | best µs | spread µs (max − min) | − stock µs | instructions | − stock instructions | ≈ µs | syscalls | − stock syscalls | page faults | − stock faults |\n'
	printf '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n'
	bench_stats start:stock
	st=$STAT_MEDIAN
	for id in "${STARTUP_IDS[@]}"; do
		if [[ ${STARTUP_NOTE[$id]-} ]]; then
			printf '| %s | %s | | | | | | | | | | |\n' "${STARTUP_LABEL[$id]}" "${STARTUP_NOTE[$id]}"
			continue
		fi
		bench_stats "start:$id"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${STARTUP_LABEL[$id]}" \
			"$(bench_cells "start:$id" '%.0f')" \
			"$(bench_calc '%+.0f' "$STAT_MEDIAN - $st")" \
			"${STARTUP_IR[$id]:-n/a}" \
			"$(bench_calc '%+d' "(${STARTUP_IR[$id]-}) - (${STARTUP_IR[stock]-})")" \
			"$(startup_ir_us "$id")" \
			"${STARTUP_SYS[$id]:-n/a}" \
			"$(bench_calc '%+d' "(${STARTUP_SYS[$id]-}) - (${STARTUP_SYS[stock]-})")" \
			"${STARTUP_FAULTS[$id]:-n/a}" \
			"$(bench_calc '%+d' "(${STARTUP_FAULTS[$id]-}) - (${STARTUP_FAULTS[stock]-})")"
	done
	printf '\n'
}
