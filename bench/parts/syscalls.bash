# syscalls.bash - part 6: system calls per spawn, counted by strace.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Counts, not times: strace slows every call, so this part says how many
# system calls one spawn of the xtrue copy of /bin/true costs, split into
# the parent (the shell or spawn-floor) and the child up to and including
# its successful execve/execveat; what the program then does itself is the
# same for every runner and shown apart.  Each runner is traced twice,
# with N and 2N spawns (`strace -f -ff`: one file per process); parent per
# spawn = (parent calls at 2N − at N) / N, so start-up and exit cancel;
# child per spawn = the mean over the 2N run's children.  A child is a
# process whose trace holds the successful exec of xtrue; the parent is
# the process that created it.
#
# Runners: stock bash and bash + tmplcache (BASH_ENV loader) running the
# part 1 loop, tmplcache on its default backend and forced to the clone
# fallback (SPAWN_TEMPLATE_BACKEND=clone), and the C floor (spawn-floor -M
# METHOD) for each method, its library on both backends too.  Stock bash
# also runs with an EXIT trap like the loader's, the reference for the
# rows that have it: the trap makes bash catch its terminating signals,
# whose handlers every child must then reset before exec (stock's child
# as much as the clone fallback's, which skips only those the exec mask
# keeps blocked: execve resets them before one can be delivered).
#
# The counts are exact, not racy: SIGCHLD comes before or after bash's
# wait4 at the same cost.  They depend on the signals the shells inherit
# ignored, which the report names: a bench started in the background by
# a non-interactive shell (`make bench &` from a script) has SIGINT and
# SIGQUIT ignored, and bash's wait_for() then puts SIGINT's SIG_IGN back
# after its own handler, one rt_sigaction more per spawn, stock and
# routed alike.

SYS_IDS=()
declare -A SYS_LABEL=() SYS_NOTE=() SYS_TARGET=() SYS_PARENT=() SYS_CHILD=() SYS_AFTER=()

syscalls_setup() {
	local id
	SYS_IDS=(bash bash_trap tmplcache tmplcache_clone tmplcache_clone_notrap floor_library
		floor_library_clone floor_posix_spawn floor_vfork floor_fork)
	SYS_LABEL=(
		[bash]="bash $BASH_STOCK_VERSION (stock, fork)"
		[bash_trap]="bash $BASH_STOCK_VERSION (stock, fork), EXIT trap"
		[tmplcache]="bash + tmplcache (${TMPLCACHE_BACKEND:-default backend})"
		[tmplcache_clone]="bash + tmplcache (clone fallback)"
		[tmplcache_clone_notrap]="bash + tmplcache (clone fallback), no EXIT trap"
		[floor_library]="C floor: libspawntemplate (${TMPLCACHE_BACKEND:-default backend})"
		[floor_library_clone]="C floor: libspawntemplate (clone fallback)"
		[floor_posix_spawn]="C floor: glibc posix_spawn"
		[floor_vfork]="C floor: vfork + execve"
		[floor_fork]="C floor: fork + execve"
	)
	# The issue's targets for a routed spawn (parent + child up to exec).
	SYS_TARGET=([tmplcache]="≤ 30" [tmplcache_clone]="≤ 45" [tmplcache_clone_notrap]="≤ 45")
	[[ ${TMPLCACHE_BACKEND-} == clone3 ]] || SYS_TARGET[tmplcache]="≤ 30 on clone3"
	if ! command -v strace >/dev/null; then
		for id in "${SYS_IDS[@]}"; do SYS_NOTE[$id]="n/a (strace not installed)"; done
		return
	fi
	# ptrace may be forbidden (containers, yama): try once.
	strace -f -o /dev/null true 2>/dev/null ||
		for id in "${SYS_IDS[@]}"; do SYS_NOTE[$id]="n/a (strace cannot trace here)"; done
	if [[ $TMPLCACHE_STATE ]]; then
		SYS_NOTE[tmplcache]=$TMPLCACHE_STATE SYS_NOTE[tmplcache_clone]=$TMPLCACHE_STATE
		SYS_NOTE[tmplcache_clone_notrap]=$TMPLCACHE_STATE
	fi
	if [[ -z ${SPAWN_FLOOR-} || ! -x $SPAWN_FLOOR ]]; then
		for id in floor_library floor_library_clone floor_posix_spawn floor_vfork floor_fork; do
			SYS_NOTE[$id]="n/a (spawn-floor not built)"
		done
	fi
	SYS_LOADER=$BENCH_TMP/loader-sys.bash
	[[ $TMPLCACHE_STATE ]] || bench_make_loader "$SYS_LOADER" "$BENCH_TMP/stats" xtrue
	# The loader reports through an EXIT trap, which makes bash catch
	# its terminating signals (trap.c: initialize_terminating_signals);
	# without CLONE_CLEAR_SIGHAND the child resets each of those
	# handlers.  The no-trap row reports from the loop's last line.
	SYS_LOADER_NOTRAP=$BENCH_TMP/loader-sys-notrap.bash
	[[ $TMPLCACHE_STATE ]] || grep -v '^trap .* EXIT$' "$SYS_LOADER" >"$SYS_LOADER_NOTRAP"
	SYS_STOCK_TRAP=$BENCH_TMP/stock-trap.bash
	printf 'trap : EXIT\n' >"$SYS_STOCK_TRAP"
	# What the runners inherit ignored: a child of this bash gets its
	# startup dispositions back (an external command shows them).
	SYS_IGNORED=$(syscalls_ignored)
}

# syscalls_ignored : the names of the signals this bash started with
# ignored, as its children get them, or "none".
syscalls_ignored() {
	local mask sig names=
	mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status 2>/dev/null)
	[[ $mask ]] || { printf 'unknown'; return; }
	for ((sig = 1; sig <= 31; sig++)); do
		((16#$mask >> (sig - 1) & 1)) && names+=" $(kill -l "$sig")"
	done
	printf '%s' "${names# }"
	[[ $names ]] || printf 'none'
}

# syscalls_trace ID N DIR : trace runner ID doing N spawns into DIR/t.PID.
syscalls_trace() {
	local id=$1 n=$2 dir=$3 out=$BENCH_TMP/out backend= loader= env_file=
	local -a cmd
	rm -rf "$dir" && mkdir -p "$dir"
	case $id in
	bash | bash_trap | tmplcache*)
		spawn_script bash true "$n" >"$BENCH_TMP/sysloop"
		cmd=(bash "$BENCH_TMP/sysloop")
		[[ $id == tmplcache* ]] && loader=$SYS_LOADER
		[[ $id == bash_trap ]] && env_file=$SYS_STOCK_TRAP
		if [[ $id == *_notrap ]]; then
			loader=$SYS_LOADER_NOTRAP
			printf '__tmplcache_bench_report\n' >>"$BENCH_TMP/sysloop"
		fi
		;;
	floor_*)
		local method=${id#floor_}
		method=${method%_clone}
		cmd=("$SPAWN_FLOOR" -n "$n" -r 1 -M "$method" "$SPAWN_TRUE")
		;;
	esac
	[[ $id == *_clone || $id == *_clone_* ]] && backend=clone
	: >"$BENCH_TMP/stats"
	BENCH_ENV_FILE=${loader:-$env_file} BENCH_PATH=$SPAWN_BIN:$PATH \
		bench_run "$out" env ${backend:+SPAWN_TEMPLATE_BACKEND=$backend} \
		strace -f -ff -s 512 -o "$dir/t" "${cmd[@]}"
	bench_check_ok "$out" "${SYS_LABEL[$id]} under strace"
	if [[ $loader ]]; then
		bench_routed_check "$BENCH_TMP/stats" "${SYS_LABEL[$id]} under strace"
		((ROUTED_SPAWNS == n)) || bench_die "${SYS_LABEL[$id]} under strace:" \
			"tmplcache counted $ROUTED_SPAWNS spawns for $n commands"
		[[ -z $backend ]] || grep -q "\[backend\]=\"$backend\"" "$BENCH_TMP/stats" ||
			bench_die "${SYS_LABEL[$id]}: tmplcache did not run on the $backend backend" \
				"($(grep -o '\[backend\]="[^"]*"' "$BENCH_TMP/stats" | head -n 1))"
	fi
	if [[ $id == floor_library* ]]; then
		grep -q "^library (${backend:-${TMPLCACHE_BACKEND:-}}" "$out" ||
			bench_die "${SYS_LABEL[$id]}: spawn-floor reported $(grep '^library' "$out")"
	fi
}

# syscalls_count DIR : "children parent_calls child_calls_to_exec
# child_calls_after" over DIR's per-process traces (t.PID).  A child is a
# process whose trace holds the successful exec of xtrue (by name for the
# shells, by path for spawn-floor); the parent side is every process that
# created one of them (clone, clone3, vfork, fork returning its pid).
# counted from its last exec.  Other processes (libtool's wrapper around
# spawn-floor, its sed and ls) are left out.
syscalls_count() {
	awk -v prog="$SPAWN_TRUE" '
		function flush() {
			calls[file] = since
			if (child) { kids++; cpre += pre; cpost += post; is_kid[pid] = 1 }
		}
		FNR == 1 {
			if (NR > 1) flush()
			file = FILENAME; pid = FILENAME; sub(/.*\./, "", pid)
			seen_exec = 0; child = 0; pre = 0; post = 0; since = 0
		}
		# A spawner counts from its last exec: the libtool wrapper
		# script execs spawn-floor in the same process.
		/^[a-z_0-9]+\(/ { since++ }
		/^execve\(.* = 0$/ { since = 0 }
		/^(clone|clone3|vfork|fork)\(.* = [0-9]+$/ { made[$NF] = file }
		/^[a-z_0-9]+\(/ {
			if (seen_exec) post++; else pre++
			if (!seen_exec && /^execve(at)?\(/ && / = 0$/ &&
			    (index($0, "[\"xtrue\"") || index($0, "[\"" prog "\"")))
				seen_exec = child = 1
		}
		END {
			flush()
			for (p in is_kid) if (p in made) spawner[made[p]] = 1
			for (f in spawner) parent += calls[f]
			print kids + 0, parent + 0, cpre + 0, cpost + 0
		}' "$1"/t.*
}

syscalls_run() {
	local id n=$BENCH_SYS_N k1 p1 k2 p2 c2 a2
	for id in "${SYS_IDS[@]}"; do
		[[ -z ${SYS_NOTE[$id]-} ]] || continue
		bench_note "  syscalls: ${SYS_LABEL[$id]} (N=$n and $((2 * n)), under strace)"
		syscalls_trace "$id" "$n" "$BENCH_TMP/strace1"
		read -r k1 p1 _ _ <<<"$(syscalls_count "$BENCH_TMP/strace1")"
		syscalls_trace "$id" "$((2 * n))" "$BENCH_TMP/strace2"
		read -r k2 p2 c2 a2 <<<"$(syscalls_count "$BENCH_TMP/strace2")"
		((k1 == n && k2 == 2 * n)) || bench_die "${SYS_LABEL[$id]} under strace:" \
			"found $k1 and $k2 children that exec'd xtrue, expected $n and $((2 * n))"
		SYS_PARENT[$id]=$(bench_calc '%.1f' "($p2 - $p1) / $n")
		SYS_CHILD[$id]=$(bench_calc '%.1f' "$c2 / $k2")
		SYS_AFTER[$id]=$(bench_calc '%.1f' "$a2 / $k2")
	done
	rm -rf "$BENCH_TMP/strace1" "$BENCH_TMP/strace2"
}

syscalls_report() {
	local id total
	printf '## 6. System calls per spawn\n\n'
	bench_load_line syscalls
	printf 'Counts, not times (strace slows every call). One spawn of the xtrue copy of /bin/true; '
	printf 'each runner traced with `strace -f -ff` (one file per process) for N = %d and 2N spawns: ' "$BENCH_SYS_N"
	printf 'parent = (calls of the process that created the children, at 2N − at N) / N, so start-up and exit cancel; '
	printf 'child = calls in the child up to and including its successful execve/execveat, '
	printf 'mean over the 2N children; "after exec" = what /bin/true itself then makes (the same program everywhere). '
	printf 'The shells run the part 1 loop; tmplcache is loaded through BASH_ENV, its runs counted N and 2N routed spawns (`tmplcache -s -v`), '
	printf 'and the clone rows force SPAWN_TEMPLATE_BACKEND=clone (checked in the counters). '
	printf 'The loader reports its counters from an EXIT trap, which makes bash catch its terminating signals; '
	printf 'without CLONE_CLEAR_SIGHAND the child resets each caught handler (one rt_sigaction each; a signal the exec mask keeps blocked is left to execve), '
	printf 'so the "no EXIT trap" row runs the same loop with the report as its last command instead; '
	printf 'stock bash with an EXIT trap (`trap : EXIT` through BASH_ENV) is their reference: its own child resets those handlers too. '
	printf 'The counts are exact (SIGCHLD before or after bash'"'"'s wait4 costs the same) but depend on the signals the shells inherit ignored: '
	printf 'here %s. ' "$SYS_IGNORED"
	printf 'Started with SIGINT ignored (in the background by a non-interactive shell), bash'"'"'s wait_for() puts SIGINT'"'"'s SIG_IGN back after its own handler at every wait: one call more per spawn, stock and routed alike. '
	printf 'A routed spawn'"'"'s parent side is bash'"'"'s own wait as in stock, one block of every signal by the builtin instead of stock'"'"'s two calls, '
	printf 'and the library'"'"'s checks: fstat and fcntl(F_GETFL) of the template fd, the credentials (getresuid, getresgid, getgroups), stat of the template'"'"'s path, then the clone; '
	printf 'the builtin builds its args in the library'"'"'s scratch (`spawn_template_x_scratch`), read without process_vm_readv, and asks for no pidfd (`SPAWN_TEMPLATE_SPAWN_X_NO_PIDFD`), '
	printf 'the two calls the C floor still makes (its args on its own stack, its pidfd closed). '
	printf 'Targets from issue 9 for a routed spawn: ≤ 30 on clone3, ≤ 45 on the clone fallback.\n\n'
	printf '| runner | parent | child to exec | parent + child | target | after exec |\n'
	printf '|---|--:|--:|--:|---|--:|\n'
	for id in "${SYS_IDS[@]}"; do
		if [[ ${SYS_NOTE[$id]-} ]]; then
			printf '| %s | %s | | | | |\n' "${SYS_LABEL[$id]}" "${SYS_NOTE[$id]}"
			continue
		fi
		total=$(bench_calc '%.1f' "${SYS_PARENT[$id]} + ${SYS_CHILD[$id]}")
		printf '| %s | %s | %s | %s | %s | %s |\n' "${SYS_LABEL[$id]}" "${SYS_PARENT[$id]}" \
			"${SYS_CHILD[$id]}" "$total" "$(syscalls_target "$id" "$total")" "${SYS_AFTER[$id]}"
	done
	printf '\n'
}

# syscalls_target ID TOTAL : "≤ 30: met" / "≤ 30: not met" / "".
syscalls_target() {
	local t=${SYS_TARGET[$1]-} limit
	[[ $t ]] || return 0
	limit=${t#≤ }
	limit=${limit%% *}
	if awk -v a="$2" -v b="$limit" 'BEGIN { exit !(a <= b) }'; then
		printf '%s: met' "$t"
	else
		printf '%s: not met' "$t"
	fi
}
