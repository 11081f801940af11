#!/usr/bin/env bats
# contexts.bats - routed commands inside the shell's other machinery:
# process substitution, coprocesses, traps, functions, eval, source,
# `set -m` in a script, restricted and POSIX modes, signals while waiting.
# Each compares a stock run with a routed one.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

setup() {
	tc_setup_bin
}

@test "process substitution fds reach the child as stock" {
	tc_compare "childview cat" '
childview <(echo in) >(cat >/dev/null)
cat <(echo via procsub)'
	tc_assert_spawns 2
}

@test "a running coprocess: its fds stay out of the child as stock" {
	tc_compare childview '
coproc CAT { cat; }
childview
echo hello >&"${CAT[1]}"
read -r line <&"${CAT[0]}"; echo "$line"
kill $CAT_PID; wait $CAT_PID 2>/dev/null
true'
	tc_assert_spawns 1
}

@test "a CHLD trap runs for a routed child as stock" {
	tc_compare childview '
trap "echo chld" CHLD
childview -q; echo "status $?"
childview -q -x 2; echo "status $?"
trap - CHLD'
	tc_assert_spawns 2
}

@test "ERR and DEBUG traps see a routed command as stock" {
	tc_compare childview '
trap "echo err \$?" ERR
trap "[[ \$BASH_COMMAND == childview* ]] && echo debug: \$BASH_COMMAND" DEBUG
childview -q -x 3
trap - ERR DEBUG'
	tc_assert_spawns 1
}

@test "functions, redirections on them, eval and source" {
	tc_compare childview '
f() { childview -q "$@"; echo "in f $?"; }
f one
f two >out 2>&1; cat out
eval "childview -q three; echo eval \$?"
echo "childview -q four; echo source \$?" >s.sh; source ./s.sh'
	tc_assert_spawns 4
}

@test "\$_ and \$? after a routed command" {
	tc_compare childview '
childview -q a "b c"; echo "[$_] [$?]"
A=1 childview -q; echo "[$_]"'
	tc_assert_spawns 2
}

@test "exec of a routed name replaces the shell as stock" {
	tc_compare childview '
echo before
exec childview last'
	# The shell is gone: no counters to read; equality is the check.
}

@test "set -m in a script: the child gets its own process group" {
	tc_compare childview '
set -m
childview >view; echo "status $?"
while read -r k v; do case $k in pid) p=$v;; pgid) g=$v;; esac; done <view
[[ $p == "$g" ]] && echo "own group"
jobs; echo "jobs $?"'
	# Without a terminal bash cannot hand it over: routed or fallen back,
	# the result must be stock (and is counted either way).
	[[ $TC_OUT == *"own group"* ]]
}

@test "restricted mode falls back" {
	# A restricted shell refuses enable -f, but startup files (BASH_ENV)
	# run before the restrictions do.
	echo 'enable -f "$TC_SO" tmplcache && tmplcache childview' >"$BATS_TEST_TMPDIR/loader"
	run bash -r -c 'childview -q; echo "status $?"; cd /; echo "cd $?"'
	local stock=$output
	BASH_ENV=$BATS_TEST_TMPDIR/loader run bash -r -c 'childview -q; echo "status $?"; cd /; echo "cd $?"
tmplcache -s -v st; echo "restricted ${st[fallback_restricted]}"'
	assert_output "$stock
restricted 1"
}

@test "POSIX mode" {
	tc_compare childview '
childview -q; echo "status $?"
A=1 childview; echo "status $?"' --posix
	tc_assert_spawns 2
}

@test "SIGINT and SIGTERM to the shell while it waits for a routed child" {
	# Paced by progress: the sender signals the shell only once the routed
	# foreground child has started (it reports on a FIFO), then ends it.
	tc_compare childview '
trap "echo got INT" INT
trap "echo got TERM" TERM
mkfifo started
( while read -r k v; do [[ $k == pid ]] && child=$v; [[ $k == end ]] && break; done <started
  kill -INT $$; kill -TERM $$; kill -TERM "$child" ) &
childview -o 9 -w 9>started
echo "status $?"
childview -q; echo "status $?"
wait'
	tc_assert_spawns 2
}

@test "a nested bash inherits nothing of tmplcache" {
	tc_compare childview '
childview -q
bash -c "type -t tmplcache childview; echo nested \$?"'
	tc_assert_spawns 1
}
