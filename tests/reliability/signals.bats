#!/usr/bin/env bats
# signals.bats - signals arriving while routed commands are spawned and
# waited for, and user CHLD traps around them.  Signal timing differs from
# run to run, so the scripts print only what must not depend on it (every
# command's status, that each trap ran, the loop completed) and compare
# that with stock bash.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load ../builtin/helpers
load rel-helpers

setup() {
	tc_setup_bin
}

# A background sender signals the shell while it runs routed commands in a
# loop; the traps count.  The sender is paced by the shell's progress, not
# by the clock: after every command the shell writes one token to a FIFO
# and the sender answers each token with one burst (each signal once).  So
# signals land while the next command is spawned and waited for, yet they
# can never outrun the shell: a clock-paced flood livelocked stock bash 5.2
# in wait_for() (SIGCHLD pending, its child a zombie) and hung CI.  The
# sender uses only builtins: it never forks.
storm_script() {	# SIGNALS ITERATIONS COMMAND
	printf 'SIGS="%s" N=%s\ncmd() { %s; }\n' "$1" "$2" "$3"
	cat <<'END'
declare -A got=()
for s in $SIGS; do trap "got[$s]=\$(( \${got[$s]:-0} + 1 ))" "$s"; done
mkfifo progress
exec {tok}<>progress
( while read -r t <&"$tok" && [[ $t == go ]]; do
	for s in $SIGS; do kill -s "$s" $$ 2>/dev/null || exit 0; done
  done ) &
sender=$!
bad=0
for ((i = 0; i < N; i++)); do
	echo go >&"$tok"; cmd; r=$?
	(( r == 7 )) || { echo "iteration $i: status $r"; bad=$((bad + 1)); }
done
# Keep going (boundedly) until every signal has been caught at least once.
for s in $SIGS; do
	for ((j = 0; j < 1000 && ${got[$s]:-0} == 0; j++)); do echo go >&"$tok"; cmd; done
done
echo stop >&"$tok"; wait "$sender"
echo "bad statuses: $bad"
for s in $SIGS; do (( ${got[$s]:-0} > 0 )) && echo "$s trapped"; done
END
}

# tc_compare of a storm script, run again (up to 3 tries in all) when a run
# ended in bash's own wait_for livelock, which livelock-watch recognizes
# and kills after 10 s: stock bash 5.2 falls into it now and then under
# these storms, so stock's output would be missing, or a routed run's
# (waiting is bash's own there too).  Each retry is reported; a state of
# ours that looked the same would still fail three tries in a row.
storm_compare() {	# NAMES SCRIPT
	local try f said
	for try in 1 2 3; do
		TC_WRAP=(bash "$BATS_TEST_DIRNAME/livelock-watch" 10 $((TC_RUN_TIMEOUT - 10)))
		tc_compare "$1" "$2" && return 0
		said=
		for f in "$TC_CMP"/err.stock "$TC_CMP"/err.routed; do
			grep -qs '^LIVELOCK: ' "$f" &&
				said+=" the ${f##*.} run: $(grep -h '^LIVELOCK: ' "$f" | head -n 1)"
		done
		[[ $said ]] || return 1
		echo "# try $try of 3,$said" >&3
	done
	return 1
}

@test "INT, TERM, HUP, USR1 storm during a loop of routed spawns" {
	storm_compare childview "$(storm_script 'INT TERM HUP USR1' 300 'childview -q -x 7')"
	tc_assert_spawns +300
	(( ${ST[fallbacks]} == 0 ))
	rel_figure signal_storm_spawns "${ST[spawns]}"
}

@test "SIGCHLD storm (foreign SIGCHLDs) during a loop of routed spawns" {
	storm_compare childview "$(storm_script 'CHLD' 300 'childview -q -x 7')"
	tc_assert_spawns +300
	(( ${ST[fallbacks]} == 0 ))
}

@test "signals while the shell waits for a long routed child" {
	# sleep is routed too: each one is waited for while signals arrive.
	storm_compare "childview sleep" "$(storm_script 'INT HUP USR1 CHLD' 20 'sleep 0.05; childview -q -x 7')"
	tc_assert_spawns +40
}

@test "a user CHLD trap runs once per routed child, in a loop" {
	tc_compare childview '
n=0
trap "n=\$((n + 1))" CHLD
for ((i = 0; i < 200; i++)); do childview -q -x $((i % 3)); done
trap - CHLD
echo "chld traps $n"'
	tc_assert_spawns 200
}

@test "a CHLD trap that itself runs routed commands" {
	tc_compare childview '
n=0
trap "childview -q; n=\$((n + 1))" CHLD
for ((i = 0; i < 50; i++)); do childview -q -x 1; echo -n "$? "; done
trap - CHLD
echo; echo "traps ran: $(( n >= 50 ))"'
	tc_assert_spawns +100
}

@test "SIGTERM to a routed child, SIGINT to its process group: stock statuses" {
	tc_compare childview '
childview -q -k 15; echo "killed TERM $?"
childview -q -k 2; echo "killed INT $?"
childview -q -k 1; echo "killed HUP $?"
childview -q -k 11 2>/dev/null; echo "segv $?"'
	tc_assert_spawns 4
}
