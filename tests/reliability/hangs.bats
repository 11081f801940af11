#!/usr/bin/env bats
# hangs.bats - the guards that keep a hung test from hanging CI really stop
# it, name it and leave nothing behind (tests/bounded, BATS_TEST_TIMEOUT).
# Each case hangs on purpose for a few seconds.
#
# SPDX-License-Identifier: GPL-3.0-or-later

setup() {
	BOUNDED=$BATS_TEST_DIRNAME/../bounded
	cd "$BATS_TEST_TMPDIR"
}

# No process whose command line carries MARK is left anywhere.
none_left() {	# MARK
	! pgrep -f -- "$1" >/dev/null
}

@test "bounded kills a command that ignores TERM, with its grandchildren, and names it" {
	local mark=hang-$RANDOM$RANDOM
	# A grandchild holds stdout: a reader would wait for it too.
	run bash "$BOUNDED" 3 bash -c "trap '' TERM INT; (exec -a $mark-child sleep 1000) & exec -a $mark bash -c 'trap \"\" TERM; while :; do :; done'"
	[[ $status == 124 ]] || { echo "status $status"; echo "$output"; false; }
	[[ $output == *"bounded: killed after 3s"* ]]
	[[ $output == *"# "*"$mark"* ]]	# what hung is listed, as a TAP comment
	none_left "$mark"
}

@test "bounded passes a command's own status through" {
	run bash "$BOUNDED" 30 bash -c 'exit 3'
	[[ $status == 3 ]]
	[[ $output != *bounded* ]]
}

@test "a BATS test that sleeps forever is stopped by its time limit and named" {
	printf '%s\n' '@test "sleeps forever" { sleep 1000; }' '@test "fine" { true; }' >t.bats
	BATS_TEST_TIMEOUT=2 run bash "$BOUNDED" 60 bats --tap t.bats
	[[ $output == *"not ok 1 sleeps forever # timeout after 2s"* ]] || { echo "$output"; false; }
	[[ $output == *"ok 2 fine"* ]]
	[[ $output != *"bounded: killed"* ]]	# the per-test limit did it
}

@test "a BATS test stuck where its own limit cannot reach is stopped by the file's bound, named" {
	# A command substitution whose process ignores TERM: bats' per-test
	# timeout cannot end it; the bound around the file does.
	printf '%s\n' '@test "stuck in a comsub" { x=$(bash -c '\''trap "" TERM INT; while :; do :; done'\''); }' >t.bats
	BATS_TEST_TIMEOUT=2 run bash "$BOUNDED" 8 bats --tap t.bats
	[[ $status == 124 ]] || { echo "status $status"; echo "$output"; false; }
	[[ $output == *"bounded: killed after 8s"* ]]
	[[ $output == *"test_stuck_in_a_comsub"* ]] || { echo "$output"; false; }
	none_left 'trap "" TERM INT; while'
}

# The state stock bash 5.2 now and then spins in under a signal storm
# (livelock-watch, signals.bats): running, SIGCHLD blocked and pending, a
# zombie child.  perl makes it on purpose.
SPIN_CHLD_BLOCKED='use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGCHLD)); if (!fork) { exit 0 } 1 while 1;'

@test "livelock-watch kills and names a process spinning with SIGCHLD blocked and pending over a zombie" {
	run bash "$BATS_TEST_DIRNAME/livelock-watch" 1 60 perl -e "$SPIN_CHLD_BLOCKED"
	[[ $status == 125 ]] || { echo "status $status"; echo "$output"; false; }
	[[ $output == "LIVELOCK: "*"SIGCHLD blocked and pending, a zombie child unreaped"* ]]
	none_left "$SPIN_CHLD_BLOCKED"
}

@test "livelock-watch leaves a slow command alone, stdin and status passed through, and bounds it" {
	# Slower than one check, and a zombie child for a while: not spinning.
	run bash -c 'echo in | bash "$1" 1 60 perl -e "if (!fork) { exit 0 } sleep 3; wait; print scalar <STDIN>; exit 4"' _ \
		"$BATS_TEST_DIRNAME/livelock-watch"
	[[ $status == 4 && $output == in ]] || { echo "status $status"; echo "$output"; false; }
	local long=1$RANDOM$RANDOM	# seconds, and a name to look for
	run bash "$BATS_TEST_DIRNAME/livelock-watch" 1 2 sleep "$long"
	[[ $status == 124 && $output == "TIMEOUT: "* ]] || { echo "status $status"; echo "$output"; false; }
	none_left "sleep $long"
}
