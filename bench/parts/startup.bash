# startup.bash - part 7: what loading tmplcache adds to a bash start.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `bash -c :` stock, against the same with the loadable enabled and 30
# names routed, once in the -c string and once through BASH_ENV; stock
# `bash -c ': <30 names>'`, which parses a command line as long as the
# enable variant's, so that bash's own share shows apart; and that line
# after `enable -f` of a small loadable bash itself ships (mypid), the
# floor any loadable pays (the dynamic loader's open, mappings and page
# faults).  One driver per round starts the variants in turn, one start
# each, K times (the order rotating), timing each start on its own: a
# burst of noise on this shared VM then hits one start of every variant,
# not a whole block of one, and the median over thousands of starts
# holds still where block means moved by hundreds of µs from run to run.
# The driver's own fork is the same for every variant.  Syscalls per
# start: one start under `strace -f -ff`, every call of every process
# counted; minor page faults: one start under GNU time.  Instructions
# per start: one start under callgrind, a count that timing noise cannot
# move.  To read instructions as time, the same run measures bash's own
# rate: a builtin-only loop (overhead-loop.bash), timed in every round,
# its instructions per iteration counted at N and 2N iterations so that
# the start cancels.  Nothing is spawned here (under valgrind no template
# can be made); a load that fails makes the shell exit 99, which the run
# reports.

STARTUP_IDS=(stock stock_args other_so enable bash_env)
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
		[other_so]='`bash -c '"'"'enable -f mypid enable_mypid; : <30 names>'"'"'` (a loadable of bash-builtins)'
		[enable]='`bash -c '"'"'enable -f tmplcache.so tmplcache && tmplcache <30 names>'"'"'`'
		[bash_env]='`bash -c :` with BASH_ENV doing the same'
	)
	STARTUP_NAMES=$(startup_names)
	STARTUP_COUNT=$(wc -w <<<"$STARTUP_NAMES")
	STARTUP_CMD=([stock]=: [stock_args]=": $STARTUP_NAMES")
	STARTUP_RUN=(stock stock_args)
	if [[ -f $BENCH_OTHER_SO ]]; then
		STARTUP_CMD[other_so]="enable -f $BENCH_OTHER_SO $BENCH_OTHER_NAME || exit 99; : $STARTUP_NAMES"
		STARTUP_RUN+=(other_so)
	else
		STARTUP_NOTE[other_so]="skipped: $BENCH_OTHER_SO not installed (bash-builtins)"
	fi
	if [[ $TMPLCACHE_STATE ]]; then
		STARTUP_NOTE+=([enable]=$TMPLCACHE_STATE [bash_env]=$TMPLCACHE_STATE)
	else
		loadline="enable -f $(printf '%q' "$TMPLCACHE_SO") tmplcache && tmplcache $STARTUP_NAMES"
		STARTUP_ENV=$BENCH_TMP/startup-env.bash
		printf '%s || exit 99\n' "$loadline" >"$STARTUP_ENV"
		STARTUP_CMD+=([enable]=$loadline [bash_env]=:)
		STARTUP_RUN+=(enable bash_env)
	fi
	startup_driver
}

# startup_driver : a driver that starts every variant of STARTUP_RUN once
# per cycle, K cycles, the order rotating, and prints "ID µs" per start;
# it stops at the first start that fails.
startup_driver() {
	local i
	{
		printf 'ids=(%s)\ncmds=(' "${STARTUP_RUN[*]}"
		for i in "${STARTUP_RUN[@]}"; do
			printf '%q ' "${STARTUP_CMD[$i]}"
		done
		printf ')\nn=${#ids[@]}\n'
		printf 'for ((i = 0; i < %d; i++)); do\n' "$BENCH_START_K"
		printf '\tfor ((j = 0; j < n; j++)); do\n'
		printf '\t\tk=$(((i + j) %% n))\n'
		printf '\t\tt0=${EPOCHREALTIME//[.,]/}\n'
		printf '\t\tif [[ ${ids[k]} == bash_env ]]; then BASH_ENV=%q bash -c "${cmds[k]}" || exit\n' "${STARTUP_ENV-}"
		printf '\t\telse bash -c "${cmds[k]}" || exit; fi\n'
		printf '\t\tt1=${EPOCHREALTIME//[.,]/}\n'
		printf '\t\techo "${ids[k]} $((t1 - t0))"\n'
		printf '\tdone\ndone\n'
	} >"$BENCH_TMP/startup-driver"
}

startup_run() {
	local round id us out=$BENCH_TMP/out
	for ((round = 1; round <= BENCH_START_ROUNDS; round++)); do
		bench_note "  start-up: round $round/$BENCH_START_ROUNDS (K=$BENCH_START_K starts of each)"
		bench_run "$out" bash "$BENCH_TMP/startup-driver"
		bench_check_ok "$out" "start-up driver"
		while read -r id us; do
			bench_add "start:$id" "$us"
		done <"$out"
		bench_run "$out" bash "$BENCH_SRCDIR/overhead-loop.bash" builtin "$STARTUP_LOOP_N" /dev/null
		bench_check_ok "$out" "start-up (rate loop)"
		bench_add start:loop "$(bench_calc '%.4f' "$(tail -n 1 "$out.err") / $STARTUP_LOOP_N")"
	done
	for id in "${STARTUP_RUN[@]}"; do
		bench_stats "start:$id"
		((STAT_N == BENCH_START_K * BENCH_START_ROUNDS)) ||
			bench_die "start-up: ${STARTUP_LABEL[$id]} started $STAT_N times, not $((BENCH_START_K * BENCH_START_ROUNDS))"
	done
	startup_counts "${STARTUP_RUN[@]}"
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
	printf 'µs per shell start, each start timed on its own: in each of %d rounds a driver starts every variant once per cycle, K = %d cycles, the order rotating, so %d starts of each variant in all. ' \
		"$BENCH_START_ROUNDS" "$BENCH_START_K" "$((BENCH_START_ROUNDS * BENCH_START_K))"
	printf 'The table gives the median, the best and the middle half (25th to 75th percentile) of those starts; differences are between medians. '
	printf 'The %d routed names: %s. ' "$STARTUP_COUNT" "${STARTUP_NAMES% }"
	printf 'Every start exited 0 (a failed load exits 99). '
	printf 'The `: <30 names>` row parses a command line as long as the enable row'"'"'s: its difference is bash'"'"'s own, which the enable row pays too. '
	printf 'The mypid row loads a small loadable that bash-builtins ships and parses the same line: what any `enable -f` costs (the dynamic loader: open, mappings, relocations, page faults); the enable row'"'"'s difference from it is tmplcache'"'"'s own. '
	printf 'Counts, which noise cannot move, of one start each: instructions in user space (callgrind), '
	printf 'system calls (`strace -f -ff`, all calls) and minor page faults (GNU time). '
	printf 'Instructions as time: a builtin-only bash loop, timed in every round and counted by callgrind, runs %s instructions per iteration at a median %s µs: %s instructions per µs of bash'"'"'s own code on this machine; ' \
		"${STARTUP_LOOP_IR:-n/a}" "$(bench_calc '%.2f' "($(bench_median start:loop))")" "${STARTUP_RATE:-n/a}"
	printf 'the "≈ µs" column is the instruction difference at that rate (the kernel'"'"'s share of a start — exec, mappings, page faults — is in the other counts, not in it).\n\n'
	printf '| start | median µs | best µs | middle half µs | − stock µs | instructions | − stock instructions | ≈ µs | syscalls | − stock syscalls | page faults | − stock faults |\n'
	printf '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n'
	bench_stats start:stock
	st=$STAT_MEDIAN
	for id in "${STARTUP_IDS[@]}"; do
		if [[ ${STARTUP_NOTE[$id]-} ]]; then
			printf '| %s | %s | | | | | | | | | | |\n' "${STARTUP_LABEL[$id]}" "${STARTUP_NOTE[$id]}"
			continue
		fi
		bench_stats "start:$id"
		printf '| %s | %.0f | %.0f | %.0f–%.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${STARTUP_LABEL[$id]}" \
			"$STAT_MEDIAN" "$STAT_BEST" "$STAT_P25" "$STAT_P75" \
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
