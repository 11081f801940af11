# reach.bash - part 9: reach on real programs, how many of the commands
# they start tmplcache spawns.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Workloads: `neofetch --stdout` (a bash script of some 10,000 lines), the
# walk-files workload (small), the generated BATS suite (small), and the
# same suite with bats/tmplcache-run loaded in setup (its `run` captures a
# routed command with `tmplcache -o`, no fork; stock keeps bats' own).
# Variants,
# each loaded through BASH_ENV into every bash the workload starts:
#   stock   no tmplcache;
#   list    tmplcache REACH_NAMES (common tools);
#   listF   tmplcache -F REACH_NAMES (and keep routing in forked children);
#   all     tmplcache -a (every command on PATH);
#   allF    tmplcache -a -F (and keep routing in forked children).
# Every variant must print what stock printed (neofetch: its --stdout text
# with the Uptime and Memory lines masked, which change between any two
# runs; walk-files: its output files; bats: the TAP stream).
# Commands started come from TMPLCACHE_REPORT records (builtins/report.c),
# written in one untimed run per variant before the timed rounds: a
# recording bash counts every fork (a pthread_atfork handler) and writes a
# file at exit, which stock bash never does, so the timed rounds load and
# route only, as a user would.  The records count
# spawns, and forks — every fork() a recording bash made, in itself and its
# subshells: a fork that execs an external command, and equally a
# subshell, a pipeline element, a `$( )` or an `&` job, even when that
# child runs only builtins.  Shells replaced by `exec` or killed by a
# signal write no record, so their forks are not counted.  Stock bash
# writes no record: its counts come from one more, untimed, run with
# tmplcache loaded and nothing routed ("stock (counted)").

REACH_NAMES="awk basename cat cut date dirname find grep head ls mkdir ps rm sed sort tail tr uname uniq wc"
REACH_VARIANTS=(stock list listF all allF)
declare -A REACH_LABEL=(
	[stock]="stock bash" [list]="tmplcache (20 names)" [listF]="tmplcache -F (20 names)"
	[all]="tmplcache -a" [allF]="tmplcache -a -F"
) REACH_LOADER=() REACH_NOTE=() REACH_COUNTS=()
REACH_WORKLOADS=(neofetch walk bats batslib bashsuite)
declare -A REACH_WLABEL=(
	[neofetch]="neofetch --stdout" [walk]="walk-files"
	[bats]="BATS suite" [batslib]="BATS suite, tmplcache-run library"
	[bashsuite]="bash's own tests"
)

reach_setup() {
	local v
	REACH_HOME=$BENCH_TMP/reach-home
	mkdir -p "$REACH_HOME" || bench_die "cannot make $REACH_HOME"
	command -v neofetch >/dev/null || REACH_NOTE[neofetch]="skipped: neofetch not installed (scripts/setup-debian)"
	command -v bats >/dev/null || REACH_NOTE[bats]="skipped: bats not installed"
	REACH_NOTE[batslib]=${REACH_NOTE[bats]-}
	REACH_NOTE[bashsuite]="skipped: not quick — \`make check-bash-suite\` runs them stock vs routed (about 3 minutes on 2 cores)"
	if [[ -z ${REACH_NOTE[bats]-} ]]; then
		bash "$BENCH_SRCDIR/bats/gen-suite" "$BENCH_REACH_BATS_TESTS" >"$BENCH_TMP/reach.bats" &&
		bash "$BENCH_SRCDIR/bats/gen-suite" "$BENCH_REACH_BATS_TESTS" --run-library \
			>"$BENCH_TMP/reach-lib.bats" ||
			bench_die "gen-suite failed"
	fi
	if [[ $TMPLCACHE_STATE ]]; then
		REACH_NOTE[all]="tmplcache $TMPLCACHE_STATE"
		return
	fi
	bench_make_report_loader "$BENCH_TMP/reach-count.bash"
	bench_make_report_loader "$BENCH_TMP/reach-list.bash" $REACH_NAMES
	bench_make_report_loader "$BENCH_TMP/reach-listF.bash" -F $REACH_NAMES
	bench_make_report_loader "$BENCH_TMP/reach-all.bash" -a
	bench_make_report_loader "$BENCH_TMP/reach-allF.bash" -a -F
	for v in count list listF all allF; do REACH_LOADER[$v]=$BENCH_TMP/reach-$v.bash; done
	# neofetch writes its default config on its first run: do that now.
	[[ ${REACH_NOTE[neofetch]-} ]] ||
		env -u XDG_CONFIG_HOME HOME="$REACH_HOME" neofetch --stdout >/dev/null 2>&1
}

# reach_once WORKLOAD VARIANT [RECORDS] : one run; sets BENCH_US and
# checks the output against stock's.  RECORDS, when given, is the
# TMPLCACHE_REPORT directory, whose counts go to REACH_COUNTS (an untimed
# run); without it no shell records anything (a timed run).
reach_once() {
	local w=$1 v=$2 rec=${3-} out=$BENCH_TMP/reach-out dir=$BENCH_TMP/reach-walk sum
	local -a cmd=(env -u XDG_CONFIG_HOME -u TMPLCACHE_REPORT HOME="$REACH_HOME")
	rm -rf "$dir"
	if [[ $rec ]]; then
		rm -rf "$rec"
		mkdir -p "$rec"
		cmd+=(TMPLCACHE_REPORT="$rec")
	fi
	case $w in
	neofetch) cmd+=(neofetch --stdout) ;;
	walk) cmd+=(bash "$BENCH_SRCDIR/workload/walk-files" "$dir" "$BENCH_REACH_FILES") ;;
	bats) cmd+=(bats --formatter tap "$BENCH_TMP/reach.bats") ;;
	batslib) cmd+=(BATS_LIB_PATH="$BENCH_SRCDIR/../bats${BATS_LIB_PATH:+:$BATS_LIB_PATH}"
		bats --formatter tap "$BENCH_TMP/reach-lib.bats") ;;
	esac
	BENCH_ENV_FILE=${REACH_LOADER[$v]-} bench_run "$out" "${cmd[@]}"
	bench_check_ok "$out" "${REACH_WLABEL[$w]} ($v)"
	case $w in
	neofetch) sum=$(sed -E 's/^(Uptime|Memory): .*/\1: (varies)/' "$out" | sha256sum | cut -d' ' -f1) ;;
	walk) sum=$(workload_sum "$dir") ;;
	bats | batslib) sum=$(bench_sum_file "$out") ;;
	esac
	bench_same "reach $w" "$v" "$sum" "$BENCH_RC"
	rm -rf "$dir"
	if [[ $rec ]]; then
		compgen -G "$rec/*.tsv" >/dev/null ||
			bench_die "${REACH_WLABEL[$w]} ($v): no TMPLCACHE_REPORT record was written"
		REACH_COUNTS[$w:$v]=$(reach_counts "$rec")
	fi
}

# reach_counts DIR : "shells spawns forks WHY TOP" over DIR's records (a
# space inside WHY or TOP is written as \037, a | as \|), WHY
# the fallbacks by reason ("forked=24:date/grep,notelf=2:bats-x"), TOP the
# three first words that forked most ("grep=100,tr=25"); "-" for none.
reach_counts() {
	awk -F'\t' '
		FNR == 1 { shells++ }
		$1 == "shell" && $2 == "forks" { forks += $3 }
		$1 == "spawn" { spawns += $3 }
		$1 == "fallback" && $4 > 0 {
			why[$3] += $4
			if (!(($3, $2) in seen)) { seen[$3, $2] = 1; names[$3] = names[$3] (names[$3] == "" ? "" : "/") $2 }
		}
		$1 == "fork" { word[$2] += $3 }
		END {
			r = ""
			for (k in why) r = r (r == "" ? "" : ",") k "=" why[k] ":" names[k]
			top = ""
			for (i = 0; i < 3; i++) {
				best = ""
				for (k in word) if (best == "" || word[k] > word[best]) best = k
				if (best == "") break
				w = best
				gsub(/[,=:]/, "_", w); gsub(/ /, "\037", w); gsub(/\|/, "\\|", w)
				top = top (top == "" ? "" : ",") w "=" word[best]
				delete word[best]
			}
			gsub(/ /, "\037", r)
			print shells + 0, spawns + 0, forks + 0, (r == "" ? "-" : r), (top == "" ? "-" : top)
		}' "$1"/*.tsv
}

reach_run() {
	local w round i v rec=$BENCH_TMP/reach-records
	local -a ids
	for w in "${REACH_WORKLOADS[@]}"; do
		[[ ${REACH_NOTE[$w]-} ]] && continue
		ids=(stock)
		[[ ${REACH_NOTE[all]-} ]] || ids+=(list listF all allF)
		if [[ -z ${REACH_NOTE[all]-} ]]; then
			bench_note "  reach: ${REACH_WLABEL[$w]}, counted (untimed)"
			for v in count list listF all allF; do
				reach_once "$w" "$v" "$rec"
			done
		fi
		for ((round = 1; round <= BENCH_REACH_ROUNDS; round++)); do
			bench_note "  reach: ${REACH_WLABEL[$w]}, round $round/$BENCH_REACH_ROUNDS"
			for ((i = 0; i < ${#ids[@]}; i++)); do
				v=${ids[(i + round) % ${#ids[@]}]}
				reach_once "$w" "$v"
				bench_add "reach:$w:$v" "$BENCH_US"
			done
		done
	done
	rm -rf "$rec"
}

# "forked=24:date/grep,b=2" -> "forked 24 (date, grep), b 2"; "-" -> "0".
reach_list() {
	[[ $1 == - ]] && { printf '0'; return; }
	local item sep= n
	local -a items
	IFS=, read -ra items <<<"${1//$'\037'/ }"
	for item in "${items[@]}"; do
		n=${item#*=}
		printf '%s%s %s' "$sep" "${item%%=*}" "${n%%:*}"
		[[ $n == *:* ]] && n=${n#*:} || n=
		# -a counts a name first used in a forked child under "(removed
		# names)" (automode.c: the child makes no entry of its own).
		n=${n//(removed names)/names first used in a child}
		[[ $n ]] && printf ' (%s)' "${n//\//, }"
		sep=', '
	done
}

# reach_share WORKLOAD VARIANT : spawned share of spawns + forks, in %.
reach_share() {
	local shells spawns forks
	read -r shells spawns forks _ <<<"${REACH_COUNTS[$1:$2]-}"
	[[ $spawns ]] || { printf 'n/a'; return; }
	bench_calc '%.0f%%' "100 * $spawns / ($spawns + $forks + ($spawns + $forks == 0))"
}

reach_summary() {
	local w sep=
	[[ ${REACH_NOTE[all]-} ]] && return
	printf 'Reach (part 9), with `tmplcache -a -F` through BASH_ENV: spawned share of the commands started and wall time against stock: '
	for w in neofetch walk bats batslib; do
		printf '%s%s ' "$sep" "${REACH_WLABEL[$w]}"
		if [[ ${REACH_NOTE[$w]-} ]]; then
			printf 'skipped'
		else
			printf '%s, %s× (%s)' "$(reach_share "$w" allF)" \
				"$(bench_calc '%.2f' "($(bench_median "reach:$w:allF")) / ($(bench_median "reach:$w:stock"))")" \
				"$(bench_verdict "reach:$w:stock" "reach:$w:allF")"
		fi
		sep='; '
	done
	printf '. '
}

reach_report() {
	local w v shells spawns forks why top st med spread rounds
	printf '## 9. Reach on real programs\n\n'
	bench_load_line reach
	printf 'What share of the commands real programs start tmplcache spawns, loaded through BASH_ENV into every bash they start: '
	printf 'stock; the %d names `%s`, without and with `-F`; `tmplcache -a`; `tmplcache -a -F`. ' "$(wc -w <<<"$REACH_NAMES")" "$REACH_NAMES"
	printf 'Wall time is the median of %d interleaved round(s), with their spread (max − min): read a ratio against it, and against the round-by-round column: each round runs every variant once, back to back, so a ratio within one round meets one state of the machine; a variant faster in some rounds and slower in others differs from stock by less than these rounds resolve. ' "$BENCH_REACH_ROUNDS"
	printf 'Every variant printed what stock printed (neofetch: its `--stdout` text with the Uptime and Memory lines masked; walk-files: its output files; bats: the TAP stream). '
	printf 'Counts come from the TMPLCACHE_REPORT records of one more, untimed, run of each variant (they do not depend on the round); the timed rounds record nothing, since a recording bash counts every fork and writes a file at exit, which stock bash never does: '
	printf '"forks" is every fork() a recording bash made, in itself and its subshells — a fork that execs an external command, and equally a subshell, pipeline element, `$( )` or `&` job, even one that runs only builtins; '
	printf 'a shell replaced by `exec` or killed by a signal writes no record, so its forks are not counted. '
	printf '"started" = spawned + forks (a fallback is one of the forks: bash'"'"'s own fork and exec); stock bash writes no record, so its row counts a run with tmplcache loaded and nothing routed. '
	printf 'walk-files: %d files; BATS: %d generated tests, one in eight through bats'"'"' `run`; ' "$BENCH_REACH_FILES" "$BENCH_REACH_BATS_TESTS"
	printf 'the library row runs the same tests with `bats_load_library tmplcache-run` in setup (stock bash: bats'"'"' own `run`, as tmplcache is not loaded).\n\n'
	printf '| workload | variant | median s | spread s (max − min) | × stock | round by round | shells | started | spawned | forks | spawned share | fallbacks by reason | most forks (first word) |\n'
	printf '|---|---|--:|--:|--:|---|--:|--:|--:|--:|--:|---|---|\n'
	for w in "${REACH_WORKLOADS[@]}"; do
		if [[ ${REACH_NOTE[$w]-} ]]; then
			printf '| %s | %s | | | | | | | | | | | |\n' "${REACH_WLABEL[$w]}" "${REACH_NOTE[$w]}"
			continue
		fi
		st=$(bench_median "reach:$w:stock")
		for v in "${REACH_VARIANTS[@]}"; do
			med=$(bench_median "reach:$w:$v")
			if [[ -z $med ]]; then
				printf '| %s | %s | %s | | | | | | | | | | |\n' "${REACH_WLABEL[$w]}" "${REACH_LABEL[$v]}" "${REACH_NOTE[all]-n/a}"
				continue
			fi
			bench_stats "reach:$w:$v"
			spread=$(bench_calc '%.2f' "($STAT_WORST - $STAT_BEST) / 1e6")
			rounds=$([[ $v == stock ]] || bench_verdict "reach:$w:stock" "reach:$w:$v")
			read -r shells spawns forks why top <<<"${REACH_COUNTS[$w:$([[ $v == stock ]] && echo count || echo "$v")]-}"
			if [[ -z $shells ]]; then
				printf '| %s | %s | %s | %s | %s | %s | n/a (not counted) | | | | | | |\n' "${REACH_WLABEL[$w]}" \
					"${REACH_LABEL[$v]}" "$(bench_calc '%.2f' "$med / 1e6")" "$spread" "$(bench_calc '%.2f' "$med / $st")" "$rounds"
				continue
			fi
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
				"${REACH_WLABEL[$w]}" "${REACH_LABEL[$v]}" \
				"$(bench_calc '%.2f' "$med / 1e6")" "$spread" "$(bench_calc '%.2f' "$med / $st")" "$rounds" \
				"${shells-}" "$((${spawns:-0} + ${forks:-0}))" "${spawns-}" "${forks-}" \
				"$(reach_share "$w" "$([[ $v == stock ]] && echo count || echo "$v")")" \
				"$(reach_list "${why:--}")" "$(reach_list "${top:--}")"
		done
	done
	printf '\n'
	printf 'Out of reach by bash'"'"'s design: a pipeline element, an `&` job and the command a forked `$( )` runs last are each '
	printf 'a fork bash makes before it knows what will run, and the child then execs the command in place: there is no fork left to save. '
	printf '`-F` keeps routing in those children, so loops and functions running in them spawn their commands; '
	printf 'bash 5.3'"'"'s `${ cmd; }` captures output without forking, so what it runs spawns from the shell itself; '
	printf '`tmplcache -o VAR cmd` does the same in any bash, and the tmplcache-run library gives bats'"'"' `run` that capture (the library row).\n\n'
}
