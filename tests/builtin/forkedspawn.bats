#!/usr/bin/env bats
# forkedspawn.bats - `tmplcache -F`: routed commands in the children bash
# forks (pipeline elements, `( )', `&' jobs, $( )) spawn where stock bash
# would fork for them again (in a loop or function entered after the fork,
# anywhere in an `{ ...; } &' job), and give way to the one bash execs in
# place.  Each compares a stock run with a routed one; the counters prove
# which commands spawned (children count into the shell's totals).
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers
load tmux

setup() { tc_setup_bin; }
teardown() { tmx_stop; }

# What childview prints, with its parent (a subshell, whose pid differs
# between the runs) named.
_norm='norm() { sed "s/^ppid $BASHPID\$/ppid SUBSHELL/" cv.out; }'

@test "-F: a while loop reading a pipeline spawns" {
	tc_compare "-F childview" "$_norm"'
printf "a\nb\n" | while read -r l; do childview "$l" >cv.out; norm; done
echo "status ${PIPESTATUS[*]}"'
	tc_assert_spawns 2
	tc_assert_fallbacks forked 0
}

@test "-F: x=\$(f) where f runs the tools spawns them" {
	tc_compare "-F childview" "$_norm"'
f() { childview -x 3 a >cv.out; echo "st $?"; norm; childview -q b; echo end; }
x=$(f); echo "[$x] $?"'
	tc_assert_spawns 2
	tc_assert_fallbacks forked 0
}

@test "-F: the simple last command of f in x=\$(f) gives way (bash execs it)" {
	tc_compare "-F childview" '
f() { for i in 1 2; do childview -q; done; childview -x 4 tail; }
x=$(f); echo "$? $(grep -c . <<<"$x")"; grep "^ppid" <<<"$x"
g() { childview; }
y=$(g); echo "$?"; grep "^ppid" <<<"$y"'
	tc_assert_spawns 2
	tc_assert_fallbacks forked 2
}

@test "-F: a loop in ( ) spawns, also in a ( ) in a loop" {
	tc_compare "-F childview" "$_norm"'
( for i in 1 2; do childview "$i" >cv.out; norm; done )
echo "status $?"
for i in 1 2; do ( for j in 1 2; do childview -q; done; childview -q ); done
echo "status $?"'
	tc_assert_spawns 6
	tc_assert_fallbacks forked 2
}

@test "-F: { tool; tool; } & spawns both, also in a \$( )" {
	tc_compare "-F childview" '
{ childview -q; childview -x 5 two >cv.out; } &
wait $!; echo "status $?"
grep -c "^arg" cv.out
x=$( { childview -q; childview -x 6; } & wait $! ); echo "$? $(grep -c . <<<"$x")"'
	tc_assert_spawns 4
	tc_assert_fallbacks forked 0
	tc_assert_fallbacks nofork 0
}

@test "-F: nested: a \$( ) in a loop in a \$( )" {
	tc_compare "-F childview" '
x=$(for i in 1 2; do
	y=$(for j in 1 2; do childview -q; echo "$i$j"; done; childview -q)
	echo "[$y]"
done)
echo "$x"'
	tc_assert_spawns 4
	tc_assert_fallbacks forked 2
}

@test "-F: a loop in <( ) spawns, its last command gives way" {
	tc_compare "-F childview" '
while read -r l; do echo "got $l"; done < <(for i in 1 2; do childview -q; echo "$i"; done; childview -q)
grep "^ppid" <(childview)'
	tc_assert_spawns 2
	tc_assert_fallbacks forked 2
}

@test "-F: \$! and wait \$! in a child that spawns" {
	tc_compare "-F childview" '
(
	childview -q -x 3 & bg=$!
	for i in 1 2; do childview -q; done
	[ "$!" = "$bg" ] && echo "same \$!"
	wait "$bg"; echo "bg $?"
	for i in 1; do childview -q -x 6 & done
	wait $!; echo "last $?"
)'
	tc_assert_spawns 2
	tc_assert_fallbacks forked 2
}

@test "-F: set -e in a child stops at a failing spawned command" {
	tc_compare "-F childview" '
( set -e; for i in 1 2; do childview -q -x "$((i - 1))"; echo "after $i"; done; echo no )
echo "status $?"'
	tc_assert_spawns 2
}

@test "-F: EXIT and ERR traps in a child" {
	tc_compare "-F childview" '
x=$(trap "echo exit-trap" EXIT; trap "echo err-trap \$?" ERR
	for i in 1 2; do childview -q -x "$((i + 1))"; done)
echo "[$x] $?"
( trap "childview -q; echo exit-trap-ran" EXIT; for i in 1; do childview -q; done )'
	tc_assert_spawns 3
	tc_assert_fallbacks forked 1
}

@test "-F: a script read from stdin, children reading it too" {
	local script='
x=$(for i in 1 2; do childview -q; done; echo comsub); echo "$x"
( for i in 1 2; do childview -q; done )
printf "p\n" | while read -r l; do childview -q; echo "got $l"; done
read -r line; echo "read: $line"
this line is read as data
{ for i in 1 2; do childview -q; done; read -r l2; echo "child read: $l2"; } </dev/null
echo end'
	TC_STDIN=file tc_compare "-F childview" "$script"
	tc_assert_spawns 7
	TC_STDIN=pipe tc_compare "-F childview" "$script"
	tc_assert_spawns 7
}

@test "-F: the command a child execs in place gives way" {
	tc_compare "-F childview" '
x=$(childview -x 2 one); echo "$? $(grep -c . <<<"$x")"; grep "^ppid" <<<"$x"
childview two | grep "^ppid"; echo "${PIPESTATUS[*]}"
(childview -x 3) | grep "^ppid"; echo "${PIPESTATUS[*]}"
childview -q -x 4 & wait $!; echo "$?"
childview >cv.out & p=$!; wait "$p"
grep -qx "pid $p" cv.out && echo "\$! is the tool"
x=$(childview -q; childview -q -x 7); echo "$?"'
	tc_assert_spawns 0
	tc_assert_fallbacks forked 7
}

@test "without -F routing ends in every child" {
	tc_compare childview '
( for i in 1 2; do childview -q; done )
x=$(f() { childview -q; echo f; }; f); echo "$x"
echo "v=$(command -v childview)"'
	tc_assert_spawns 0
}

@test "-F: command -v in a child describes a builtin, as in the shell" {
	run timeout 60 bash -c 'enable -f "$TC_SO" tmplcache && tmplcache -F childview
echo "v=$(command -v childview)"; command -v childview | cat
tmplcache -f; echo "v=$(command -v childview)"'
	assert_success
	assert_output "v=childview
childview
v=$TC_BIN/childview"
}

# Loaded in a child bash forked in a function: the depths at that fork are
# unknown, so every command gives way; `childview' is the last command of
# the `( )', which bash execs in place.
@test "-F: loaded in a child, every command gives way" {
	cd "$BATS_TEST_TMPDIR"
	cat >t.sh <<-'EOF'
	g() { ( enable -f "$TC_SO" tmplcache && tmplcache -F childview
		for i in 1; do childview -q; done
		tmplcache -s -v st; echo "${st[spawns]} ${st[fallback_forked]}"
		childview -o 3 ) 3>cv.out; }
	g; grep -qx "ppid $$" cv.out && echo "exec in place"
	EOF
	run timeout 60 bash t.sh
	assert_success
	assert_output "0 1
exec in place"
}

@test "-F is listed by -l and turned off by -f" {
	run timeout 60 bash -c 'enable -f "$TC_SO" tmplcache && tmplcache -F childview
tmplcache -l; tmplcache -f; tmplcache -l'
	assert_success
	assert_output "builtin tmplcache -F
builtin tmplcache childview
builtin tmplcache childview"
}

# bats' `run' runs "$@" in a command substitution, inside a function
# (bats_merge_stdout_and_stderr): a real bats run of a small suite.
@test "-F: bats' run f and run tool spawn in a real bats run" {
	local suite=$BATS_TEST_TMPDIR/suite.bats out=$BATS_TEST_TMPDIR/counts
	# TEST, not the word bats would turn into a test of this file.
	sed 's/^TEST /@test /' >"$suite" <<-'EOF'
	setup() { enable -f "$TC_SO" tmplcache && tmplcache -F childview; }
	f() { childview a; childview -x 3 b; echo f-end; }
	TEST "run f" {
		run f
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "argc 2" ]
		[ "${lines[-1]}" = "f-end" ]
		tmplcache -s -v st
		echo "${st[spawns]} ${st[fallback_forked]}" >"$COUNTS.f"
	}
	TEST "run tool" {
		run childview -x 5 arg
		[ "$status" -eq 5 ]
		[ "${lines[1]}" = "arg 0 childview" ]
		tmplcache -s -v st
		echo "${st[spawns]} ${st[fallback_forked]}" >"$COUNTS"
	}
	EOF
	# bats' wrapper (inside a test, `bats' in PATH is its libexec part),
	# in a clean environment: bats' own variables would steer the run.
	run timeout 120 env -i PATH="$PATH" HOME="$HOME" TC_SO="$TC_SO" \
		COUNTS="$out" "$BATS_ROOT/bin/bats" "$suite"
	assert_success
	assert_line --partial "ok 2 run tool"
	# The counters are per test (setup loads tmplcache anew in each):
	# `run f' spawned twice, `run childview' once, nothing gave way.
	[ "$(<"$out.f")" = "2 0" ]
	[ "$(<"$out")" = "1 0" ]
}

# In an interactive shell: the keys go when `sleep' runs in the terminal's
# foreground group (tmx_wait_fg), the screens of a stock and a routed run
# are compared.
ctrl_c_in_comsub() {
	tmx_send 'x=$(for i in 1 2; do sleep 30; echo "i$i"; done); echo "status $? [$x]"' Enter
	tmx_wait_fg sleep
	tmx_send C-c
	tmx_prompt
	tmx_send 'echo "after $?"' Enter
	tmx_wait '^after '
}

@test "-F: Ctrl-C interrupts a command spawned in a loop in \$( ) as stock" {
	local stock routed stats
	tmx_require
	tmx_start stock "-F sleep"; ctrl_c_in_comsub
	stock=$(tmx_screen); tmx_stop
	tmx_start routed "-F sleep"; ctrl_c_in_comsub
	routed=$(tmx_screen)
	tmx_send 'clear; tmplcache -s -v st; echo "SPAWNS=${st[spawns]} FB=${st[fallbacks]}"' Enter
	tmx_wait '^SPAWNS='
	stats=$(tmx_screen | grep '^SPAWNS=')
	tmx_stop
	if [[ $stock != "$routed" ]]; then
		diff -u <(echo "$stock") <(echo "$routed")
		return 1
	fi
	[[ $stats == "SPAWNS=1 FB=0" ]] || { echo "$stats"; false; }
}
