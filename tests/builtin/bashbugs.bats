#!/usr/bin/env bats
# bashbugs.bats - bugs of stock bash that a routed command moves from the
# forked child into the shell itself, because bash performs a builtin's
# redirections in the shell.  The loadable gets control only after bash
# has performed them, so nothing can be done; each test pins the exact
# difference on a bash that has the bug, and demands stock behaviour on
# one that does not.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

BATS_TEST_TIMEOUT=120

setup() {
	tc_setup_bin
	cd "$BATS_TEST_TMPDIR"
	echo data >in
}

# bash 5.1 and 5.2 (input.c: duplicate_buffered_stream) dereference a NULL
# buffer when a command closes stdin and then opens another input fd while
# the script itself is read from stdin (`bash < script`, `cat script |
# bash`); bash 5.3 fixed it.
# Stock bash crashes only in the child it forked for a disk command.
has_dup_buffer_bug() {
	printf ': <&- 3<in\necho after\n' >probe.sh
	tc_timed probe bash <probe.sh >/dev/null 2>&1 3>&-
	(($? == 139))
}

# Run bash on t.sh fed as MODE (file: `bash < t.sh`, pipe: `cat t.sh |
# bash`), outputs in out.RUN and err.RUN; returns bash's status.
run_on_stdin() {	# MODE RUN [env...]
	local mode=$1 run=$2
	shift 2
	if [[ $mode == file ]]; then
		env "$@" timeout -s KILL 120 bash <t.sh >"out.$run" 2>"err.$run" 3>&-
	else
		cat t.sh | env "$@" timeout -s KILL 120 bash >"out.$run" 2>"err.$run" 3>&-
	fi
}

pin_dup_buffer_crash() {	# MODE
	printf 'cat <&- 3<in\necho after\n' >t.sh
	printf 'enable -f "$TC_SO" tmplcache && tmplcache cat\n' >rc
	local s_rc=0 r_rc=0
	run_on_stdin "$1" stock || s_rc=$?
	run_on_stdin "$1" routed BASH_ENV=./rc || r_rc=$?
	if ! has_dup_buffer_bug; then
		# Fixed in this bash: routed is stock.
		[[ $s_rc == "$r_rc" ]] || { echo "status: stock $s_rc, routed $r_rc"; false; }
		diff out.stock out.routed
		diff err.stock err.routed
		return
	fi
	# Stock: the forked child dies of SIGSEGV, the shell reports it and
	# goes on.
	[[ $s_rc == 0 ]] || { echo "stock status $s_rc"; false; }
	[[ $(<out.stock) == after ]]
	grep -q 'Segmentation fault.*cat 0>&- 3< in' err.stock
	# Routed: bash's own redirection code crashes the shell before the
	# builtin runs; nothing after it runs.
	[[ $r_rc == 139 ]] || { echo "routed status $r_rc"; cat err.routed; false; }
	[[ ! -s out.routed ]]
}

@test "cmd <&- 3<file in a script on stdin (bash < file): bash 5.1/5.2's crash is pinned" {
	pin_dup_buffer_crash file
}

@test "cmd <&- 3<file in a script on stdin (cat file | bash): bash 5.1/5.2's crash is pinned" {
	pin_dup_buffer_crash pipe
}

# bash 5.1 and 5.2 leave a process substitution's pipe open in the shell
# when a builtin's later redirection fails in a sourced file (`. file`,
# `bash -c '. file'`), so the substitution never sees EOF and `wait`
# waits for it for ever; bash 5.3 fixed it.  Stock bash meets it only in
# a forked child, which exits and closes the pipe.
has_procsub_leak_bug() {
	printf 'echo x > >(cat >/dev/null) >nodir/x\nwait\n' >probe.sh
	timeout -s KILL 10 bash -c '. ./probe.sh' </dev/null >/dev/null 2>&1 3>&-
	(($? == 137))
}

@test "NAME > >(cmd) >nodir/x in a sourced file, then wait: bash 5.1/5.2's leaked pipe is pinned" {
	printf 'head -n 2 > >(cat >ps) >nodir/x\nwait\necho done\n' >t.sh
	printf 'enable -f "$TC_SO" tmplcache && tmplcache head\n' >rc
	local s_rc=0 r_rc=0
	timeout -s KILL 10 bash -c '. ./t.sh' </dev/null >out.stock 2>err.stock 3>&- || s_rc=$?
	BASH_ENV=./rc timeout -s KILL 10 bash -c '. ./t.sh' </dev/null >out.routed 2>err.routed 3>&- || r_rc=$?
	[[ $s_rc == 0 && $(<out.stock) == done ]] || { echo "stock: $s_rc"; cat out.stock err.stock; false; }
	if ! has_procsub_leak_bug; then
		[[ $r_rc == 0 ]] || { echo "routed status $r_rc"; false; }
		diff out.stock out.routed
		diff err.stock err.routed
		return
	fi
	# Routed: `wait` never returns; the time limit kills the shell.
	[[ $r_rc == 137 ]] || { echo "routed status $r_rc"; cat out.routed err.routed; false; }
	[[ ! -s out.routed ]]
}
