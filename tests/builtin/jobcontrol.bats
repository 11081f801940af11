#!/usr/bin/env bats
# jobcontrol.bats - interactive job control through a real terminal (tmux):
# the same keystrokes to a stock and to a routed interactive bash give the
# same screen, and the routed one really spawned.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers
load tmux

setup() {
	tmx_require
	tc_setup_bin
}

teardown() {
	tmx_stop
}

# Replace job pids ("[1] 12345") that differ between runs.
screen_normalized() {
	tmx_screen | sed -E 's/^\[([0-9]+)\] [0-9]+$/[\1] PID/'
}

# Run the same scenario (a function of no arguments) stock and routed,
# compare the screens, and leave the routed counters in ROUTED_STATS.
compare_interactive() {	# NAMES SCENARIO
	local stock routed
	tmx_start stock "$1"
	"$2"
	stock=$(screen_normalized)
	tmx_stop

	tmx_start routed "$1"
	"$2"
	routed=$(screen_normalized)
	tmx_send 'clear; tmplcache -s -v st; echo "SPAWNS=${st[spawns]} FB=${st[fallbacks]}"' Enter
	tmx_wait '^SPAWNS='
	ROUTED_STATS=$(tmx_screen | grep '^SPAWNS=')
	tmx_stop

	if [[ $stock != "$routed" ]]; then
		diff -u <(echo "$stock") <(echo "$routed")
		return 1
	fi
}

fg_child_view() {
	tmx_send 'childview >view; echo "status $?"' Enter
	tmx_wait '^status '
	tmx_prompt
	# The foreground child leads its own group and owns the terminal.
	tmx_send 'clear; while read -r k v; do case $k in pid) p=$v;; pgid) g=$v;; tpgid) t=$v;; sigblk|sigign) echo "$k $v";; esac; done <view; [[ $p == "$g" && $g == "$t" ]] && echo "own group, owns tty"' Enter
	tmx_wait '^sigign '
	tmx_prompt
}

@test "a foreground routed command gets its own group and the terminal" {
	compare_interactive childview fg_child_view
	tmx_start routed childview
	fg_child_view
	tmx_screen | grep -q 'own group, owns tty'
	tmx_stop
	[[ $ROUTED_STATS == "SPAWNS=1 FB=0" ]] || { echo "$ROUTED_STATS"; false; }
}

ctrl_c() {
	tmx_send 'sleep 30' Enter
	tmx_wait_fg sleep
	tmx_send C-c
	tmx_prompt
	tmx_send 'echo "status $?"' Enter
	tmx_wait '^status '
}

@test "Ctrl-C interrupts a routed command as stock" {
	compare_interactive sleep ctrl_c
	tmx_start routed sleep; ctrl_c
	tmx_screen | grep -q '^status 130$'
	tmx_stop
	[[ $ROUTED_STATS == "SPAWNS=1 FB=0" ]] || { echo "$ROUTED_STATS"; false; }
}

# Keys go only when the previous step is done: the screen shows it, or the
# command runs in the terminal's foreground group (tmx_wait_fg).
ctrl_z_jobs_fg() {
	tmx_send 'cat' Enter
	tmx_wait_fg cat
	tmx_send 'hello' Enter
	tmx_wait_count 2 '^hello$'
	tmx_send C-z
	tmx_wait 'Stopped'
	tmx_prompt
	tmx_send 'jobs' Enter
	tmx_wait '^\[1\]\+ +Stopped +cat$'
	tmx_prompt
	tmx_send 'fg' Enter
	tmx_wait '^cat$'
	tmx_wait_fg cat
	tmx_send 'again' Enter
	tmx_wait_count 2 '^again$'
	tmx_send C-d
	tmx_prompt
	tmx_send 'echo "status $?"' Enter
	tmx_wait '^status '
}

@test "Ctrl-Z, jobs and fg on a routed command that reads the terminal" {
	compare_interactive cat ctrl_z_jobs_fg
	[[ $ROUTED_STATS == "SPAWNS=1 FB=0" ]] || { echo "$ROUTED_STATS"; false; }
}

bg_kill_wait() {
	tmx_send 'sleep 30' Enter
	tmx_wait_fg sleep
	tmx_send C-z
	tmx_wait 'Stopped'
	tmx_prompt
	tmx_send 'bg' Enter
	tmx_wait 'sleep 30 &'
	tmx_prompt
	tmx_send 'kill %1; sleep 0.5; wait; echo "waited $?"' Enter
	tmx_wait '^waited '
}

@test "Ctrl-Z, bg, kill %1 and wait on a routed command" {
	compare_interactive sleep bg_kill_wait
	[[ $ROUTED_STATS == "SPAWNS=2 FB=0" ]] || { echo "$ROUTED_STATS"; false; }
}
