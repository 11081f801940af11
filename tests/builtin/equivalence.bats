#!/usr/bin/env bats
# equivalence.bats - routed commands behave exactly as under stock bash.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every test runs its script under stock bash and under bash routing the
# named commands, compares stdout, stderr and status byte for byte
# (tc_compare), and checks the counters to prove which path ran.

load helpers

setup() {
	tc_setup_bin
}

@test "argv, environment, fds, cwd, umask and signal state match" {
	tc_compare childview 'childview a "b c" "" d'
	tc_assert_spawns 1
}

@test "temporary assignments and _ reach the child as stock" {
	tc_compare childview 'A=1 B="x y" childview; export E=2; childview; unset E; childview'
	tc_assert_spawns 3
}

@test "redirections: files, fd numbers, here-docs, here-strings, closed fds" {
	tc_compare "childview cat" '
echo input >in
childview >out 2>err 3>log 4<in
cat out log
childview 7>&1 >&-
cat <<END
here $((1 + 1))
END
cat <<<"here string"
childview 2>&1 >/dev/null 9<in'
	tc_assert_spawns 6
}

@test "fds opened by exec and {var} are inherited as stock" {
	tc_compare childview '
exec 5>five {v}>var 6<&0
childview
exec 5>&- {v}>&-
childview'
	tc_assert_spawns 2
}

@test "cwd, umask and rlimits" {
	tc_compare "childview cat" '
mkdir -p d && cd d && umask 027
childview
ulimit -n 512
cat /proc/self/limits'
	tc_assert_spawns 2
}

@test "traps: ignored stays ignored, handled and internal ones reset" {
	tc_compare childview '
trap "" INT QUIT
trap "echo term" TERM USR1
childview
trap - INT
childview'
	tc_assert_spawns 2
}

@test "a signal ignored with trap '' CHLD: the child ignores it, as stock" {
	# bash keeps catching SIGCHLD; the child ignores it itself
	# (X_SIGIGNORE_BITS: bash cannot ignore SIGCHLD around the spawn).
	tc_compare childview '
trap "" CHLD
childview'
	# The kernel backend has no X_SIGIGNORE_BITS: there bash would have
	# to ignore SIGCHLD around the spawn, so it falls back (signals).
	if [[ ${SPAWN_TEMPLATE_BACKEND:-} == kernel ]]; then
		tc_assert_spawns 0
		tc_assert_fallbacks signals 1
	else
		tc_assert_spawns 1
		tc_assert_fallbacks signals 0
	fi
}

@test "exit status, \$?, PIPESTATUS and death by signal with bash's message" {
	tc_compare childview '
ulimit -c 0
childview -q -x 3; echo "status $? ${PIPESTATUS[*]}"
childview -q -k 15; echo "status $?"
childview -q -k 11; echo "status $?"
! childview -q -x 4; echo "inverted $?"'
	tc_assert_spawns 4
	[[ $TC_OUT == *$'status 143\nstatus 139\n'* ]]
}

@test "set -e stops at a failing routed command" {
	tc_compare childview '
set -e
childview -q
childview -q -x 5
echo not reached'
	tc_assert_spawns 2
}

@test "set -x traces a routed command once, as stock" {
	tc_compare childview '
set -x
A=1 childview -q one "two words"
set +x'
	tc_assert_spawns 1
}

@test "time reports a routed command" {
	tc_compare childview '
TIMEFORMAT="real-is-timed"
time childview -q'
	tc_assert_spawns 1
}

@test "hash hit counts, type, builtin, help and compgen answer as stock" {
	tc_compare childview '
childview -q; childview -q
hash
type childview
type -t childview; type -a childview ls
hash -t childview
builtin childview
help childview
compgen -b | grep -c "^childview$"
true'
	tc_assert_spawns 2
}

@test "command NAME falls back to bash's own path" {
	tc_compare childview 'command childview -q x; echo $?'
	tc_assert_fallbacks command 1
}

@test "not found: message and command_not_found_handle as stock" {
	tc_compare childview '
PATH=/nonexistent
childview
command_not_found_handle() { echo "handled $1"; return 9; }
childview x; echo $?'
	tc_assert_fallbacks notfound 2
}

@test "temporary PATH resolves as bash does" {
	mkdir -p "$BATS_TEST_TMPDIR/other"
	cp "$CHILDVIEW" "$BATS_TEST_TMPDIR/other/childview"
	tc_compare childview "
PATH=$BATS_TEST_TMPDIR/other:\$PATH childview -q && echo other
childview
hash"
	tc_assert_spawns 2
}

# Children bash forks see its own table (tmplcache.c, unroute_in_child):
# the name runs there as in stock bash, with no fallback to count.
@test "forked contexts run as stock: pipeline, subshell, &, \$()" {
	tc_compare childview '
childview | grep -c ^arg
(childview -q; echo sub $?)
x=$(childview -x 2); echo "cs $?"
childview -q -x 6 & wait $!; echo "bg $?"'
	tc_assert_spawns 0
	tc_assert_fallbacks forked 0
}

@test "lastpipe: the last element runs in the current shell" {
	tc_compare "childview cat" '
shopt -s lastpipe
echo hi | cat
echo "ps ${PIPESTATUS[*]}"
: | childview | cat	# childview reads nothing: a writer could die of SIGPIPE, or not
echo "ps ${PIPESTATUS[*]}"'
	tc_assert_spawns 2
}

@test "a function still wins over a routed name" {
	tc_compare childview 'childview() { echo function; }; childview; command childview -q; echo $?'
	tc_assert_spawns 0
}

@test "the last command of bash -c is exec'd in place, never spawned" {
	tc_require_built
	# Stock bash execs the final command of -c: the child's pid is the
	# shell's.  Routed, it must still be.
	run bash -c 'enable -f "$TC_SO" tmplcache; tmplcache childview; echo "shell $$"; childview'
	assert_success
	local shell child
	shell=$(sed -n 's/^shell //p' <<<"$output")
	child=$(sed -n 's/^pid //p' <<<"$output")
	[[ -n $shell && $shell == "$child" ]]
}

@test "bash -c: commands in a loop or function on the last line are spawned" {
	tc_require_built
	run bash -c 'enable -f "$TC_SO" tmplcache; tmplcache childview; f() { childview -q; }; for i in 1 2; do childview -q; done; f; childview -q; tmplcache -s -v st; echo "spawns ${st[spawns]} nofork ${st[fallback_nofork]}"'
	assert_success
	assert_output "spawns 3 nofork 1"
}
