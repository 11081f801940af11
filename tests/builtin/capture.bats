#!/usr/bin/env bats
# capture.bats - `tmplcache -o VAR NAME ARGS` gives what `VAR=$(NAME ARGS)`
# gives: VAR, $?, stderr and what the command sees.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Each script runs twice (tc_compare): stock runs `VAR=$(CMD)`, the routed
# run `tmplcache -o VAR CMD`, on the same line so that bash's "line N:"
# messages agree; the counters prove whether it spawned or fell back.

load helpers
load tmux

setup() { tc_setup_bin; }
teardown() { tmx_stop; }

# The first line of every script: R is set only in the routed run.
HEAD='R=; type -t tmplcache >/dev/null && R=1'

# cap VAR CMD: one line running `VAR=$(CMD)` (stock) or `tmplcache -o VAR
# CMD` (routed), then printing $? and VAR.
cap() {
	printf 'if [[ $R ]]; then tmplcache -o %s %s; else %s=$(%s); fi; echo "st=$?"; declare -p %s\n' \
		"$1" "$2" "$1" "$2" "$1"
}

# cap_e VAR CMD: the same with -e, against `VAR=$(CMD 2>&1)`.
cap_e() {
	printf 'if [[ $R ]]; then tmplcache -e -o %s %s; else %s=$(%s 2>&1); fi; echo "st=$?"; declare -p %s\n' \
		"$1" "$2" "$1" "$2" "$1"
}

# cap_r VAR CMD REDIR: with a redirection, against `VAR=$(CMD REDIR)`.
cap_r() {
	printf 'if [[ $R ]]; then tmplcache -o %s %s %s; else %s=$(%s %s); fi; echo "st=$?"; declare -p %s\n' \
		"$1" "$2" "$3" "$1" "$2" "$3" "$1"
}

# cap_k VAR CMD: -k, against bats' way of keeping trailing newlines.
cap_k() {
	printf 'if [[ $R ]]; then tmplcache -k -o %s %s; else %s=$(%s; s=$?; printf .; exit $s); s=$?; %s=${%s%%.}; (exit $s); fi; echo "st=$?"; declare -p %s\n' \
		"$1" "$2" "$1" "$2" "$1" "$1" "$1"
}

@test "-o: trailing newlines stripped, only newlines, empty output, inner newlines kept" {
	tc_compare "sh head" "$HEAD
$(cap x "sh -c 'printf \"a\\nb\\n\\n\\n\"'")
$(cap x "sh -c 'printf \"\\n\\n\\n\"'")
$(cap x "sh -c 'printf \"\"'")
$(cap x "sh -c 'printf \"\\n\\na \\n \\n\"'")
$(cap x "head -c 0 /dev/zero")"
	tc_assert_spawns 5
}

@test "-o: NUL bytes dropped with bash's own warning, once per command" {
	tc_compare "sh head" "$HEAD
$(cap x "sh -c 'printf \"a\\000b\\000c\\n\"'")
$(cap x "head -c 3 /dev/zero")
$(cap x "sh -c 'printf \"x\\n\\000\\n\"'")"
	tc_assert_spawns 3
	[[ $(grep -c 'warning: command substitution: ignored null byte' "$TC_CMP/err.routed") == 3 ]]
}

@test "-o: 1 MB of output (more than a pipe holds) arrives whole" {
	tc_compare "head seq sh md5sum" "$HEAD
$(cap x "sh -c 'yes abc | head -c 1048576'" | sed 's/declare -p x/echo \${#x}/')
printf %s \"\$x\" | md5sum
$(cap y "seq 1 200000" | sed 's/declare -p y/echo \${#y}/')
printf %s \"\$y\" | md5sum
$(cap z "head -c 1048577 /dev/zero")"
	tc_assert_spawns 3
	grep -qx 1048575 "$TC_CMP/out.routed"
}

@test "-o: exit status 0, 1, 126 from the command; not found is bash's 127 and message" {
	tc_compare "sh childview gone" "$HEAD
$(cap x "childview -q -x 0")
$(cap x "childview -q -x 1")
$(cap x "sh -c 'echo out; exit 126'")
$(cap x "gone a b")
$(cap x "nosuch a b")"
	tc_assert_spawns 3
	tc_assert_fallbacks notfound 1
}

@test "-o: a command killed by a signal gives 128+n and no notice" {
	tc_compare "childview" "$HEAD
$(cap x "childview -q -k 15")
$(cap x "childview -q -k 11")
$(cap x "childview -q -k 9")"
	tc_assert_spawns 3
}

@test "-o: a SIGINT that kills the command is the shell's too, as stock" {
	tc_compare "childview" "$HEAD
$(cap x "childview -q -k 2")
echo not reached"
	tc_assert_spawns 1
	[[ $TC_STATUS == 130 ]]
}

# Not the parent pid: bash 5.1 forks again in the $( ) when a trap to ''
# is set (the SHLVL test checks the parent where it does not).  Of the
# environment (equivalence.bats compares it whole) envc, SHLVL and `_':
# a value may contain the shell's pid, which a PID namespace makes short.
@test "-o: what the command sees (fds, signals, process group, env) is stock's" {
	tc_compare "childview" "$HEAD
trap '' USR1; trap 'echo trapped' TERM
exec 5>five
$(cap x "childview a 'b c'" | sed 's/declare -p x/grep -v "^ppid\\|^env [^S_]" <<<"$x"/')"
	tc_assert_spawns 1
	grep -q '^fd 1 pipe:' "$TC_CMP/out.routed"
}

@test "-o: SHLVL one less, as the command bash execs in place gets it; none less with -e" {
	tc_compare "childview" "$HEAD
$(cap x "childview" | sed 's/declare -p x/grep "^env.SHLVL\\|^ppid" <<<"$x"/')
$(cap_e x "childview" | sed 's/declare -p x/grep ^env.SHLVL <<<"$x"/')
export -n SHLVL
$(cap x "childview" | sed 's/declare -p x/grep ^env.SHLVL <<<"$x"/')
env | grep ^SHLVL
SHLVL=7
$(cap x "childview" | sed 's/declare -p x/grep ^env.SHLVL <<<"$x"/')
unset SHLVL
$(cap x "childview" | sed 's/declare -p x/grep ^env.SHLVL <<<"$x"/')
env | grep ^SHLVL
export SHLVL=3; trap '' USR2
$(cap x "childview" | sed 's/declare -p x/grep ^env.SHLVL <<<"$x"/')
trap 'echo usr2' USR2
$(cap x "childview" | sed 's/declare -p x/grep ^env.SHLVL <<<"$x"/')
f() { $(cap x "childview" | sed 's/declare -p x/grep ^env.SHLVL <<<"$x"/'); }
trap 'echo in-trap; f' USR2; kill -USR2 \$\$"
	tc_assert_spawns 8
	grep -qx 'env SHLVL=6' "$TC_CMP/out.routed"
}

@test "-o -k keeps trailing newlines; redirections apply as inside \$( )" {
	tc_compare "sh childview" "$HEAD
$(cap_k x "sh -c 'printf \"a\\n\\n\"; exit 3'")
$(cap_k x "sh -c 'printf \"\\n\"'")
$(cap_k x "sh -c 'printf \"a.\"'")
$(cap_k x "childview" | sed 's/declare -p x/grep "^env.SHLVL" <<<"$x"/')
$(cap_r x "sh -c 'echo out; echo err >&2'" "2>/dev/null")
$(cap_r x "childview" "2>/dev/null" | sed 's/declare -p x/grep "^env.SHLVL\\|^fd 2" <<<"$x"/')
$(cap_r x "childview" "</dev/null" | sed 's/declare -p x/grep "^env.SHLVL\\|^fd 0" <<<"$x"/')"
	tc_assert_spawns 7
}

@test "-o: traps the command substitution keeps (ERR with set -E) fall back" {
	tc_compare "childview" "$HEAD
trap 'echo ERR \$?' ERR
$(cap x "childview -q -x 3")
set -E
$(cap x "childview -q -x 4")"
	tc_assert_spawns 1
	tc_assert_fallbacks signals 1
}

@test "-o: with stdout, then stderr closed in the shell, the command's fds are stock's" {
	tc_compare "childview" "$HEAD
exec 3>&1 1>&-
$(cap x "childview" | sed 's/declare -p x/grep "^fd\\|^st" <<<"$x" >\&2/' | sed 's/echo "st=$?"/echo "st=$?" >\&2/')
exec 1>&3 2>&-
$(cap_e x "childview" | sed 's/declare -p x/grep "^fd" <<<"$x"/')"
	tc_assert_spawns 2
}

@test "-o VAR -e: stderr joins stdout as VAR=\$(CMD 2>&1)" {
	tc_compare "sh" "$HEAD
$(cap_e x "sh -c 'echo out; echo err >&2; echo out2; exit 3'")
$(cap x "sh -c 'echo out; echo err >&2'")"
	tc_assert_spawns 2
}

@test "-o: set -e ends the script on a failing command, as stock" {
	tc_compare "childview" "$HEAD
set -e
$(cap x "childview -q -x 0")
$(cap x "childview -q -x 4")
echo not reached"
	tc_assert_spawns 2
	[[ $TC_STATUS == 4 ]]
}

@test "-o: a name not routed, a function, a builtin run bash's command substitution" {
	tc_compare "childview" "$HEAD
$(cap x "cat /dev/null")
$(cap x "echo builtin")
f() { echo fn \"\$@\"; return 5; }
$(cap x "f a 'b c'")
childview() { echo shadowed; }
$(cap x "childview")"
	tc_assert_spawns 0
}

@test "-o: job control (set -m) and a subshell without -F fall back identically" {
	tc_compare "childview" "$HEAD
set -m
$(cap x "childview -q -x 3")
set +m
( $(cap x "childview -q -x 2") )"
	tc_assert_spawns 0
	tc_assert_fallbacks jobctl 1
}

@test "-o with -F: spawns in a subshell and a pipeline element, as stock there" {
	tc_compare "-F childview" "$HEAD
( $(cap x "childview a" | sed 's/declare -p x/grep "^env.SHLVL\\|^arg" <<<"$x"/') )
{ $(cap x "childview b" | sed 's/declare -p x/grep "^env.SHLVL\\|^arg" <<<"$x"/'); } | cat
x=\$( $(cap y "childview -q -x 3") ); echo \"\$x\""
	tc_assert_spawns 3
}

@test "-o: script on stdin: the command reads the line after, the rest runs" {
	local script="$HEAD
$(cap x "head -n 1")
DATA LINE that must not run
echo after
$(cap y "head -c 2")
XY echo rest"
	TC_STDIN=file tc_compare "head" "$script"
	tc_assert_spawns 2
	grep -q 'x="DATA LINE' "$TC_CMP/out.routed"
	TC_STDIN=pipe tc_compare "head" "$script"
}

@test "-o: hash table and \$_ of the shell stay as stock" {
	tc_compare "childview" "$HEAD
hash -r
$(cap x "childview -q")
hash -t childview 2>&1; echo \"st=\$?\"
hash childview
$(cap x "childview -q")
hash"
	tc_assert_spawns 2
}

@test "-o: a readonly VAR is bash's error after the command ran" {
	tc_require_built
	run env --default-signal bash -c 'enable -f "$TC_SO" tmplcache && tmplcache childview
readonly r=1
tmplcache -o r childview -q -x 3 && echo no; echo "st=$?"; declare -p r
tmplcache -s -v s; echo "${s[spawns]}"'
	[[ $status == 0 ]]
	[[ $output == *"bash: line 3: r: readonly variable"$'\n'"st=1"$'\n''declare -r r="1"'$'\n'1 ]]
}

@test "-o: usage errors: an invalid VAR, no command, other options" {
	tc_require_built
	run env bash -c 'enable -f "$TC_SO" tmplcache
tmplcache -o 1x childview; echo "st=$?"
tmplcache -o x; echo "st=$?"
tmplcache -o x -s childview; echo "st=$?"
tmplcache -e childview; echo "st=$?"
declare -p x 2>&1'
	[[ ${lines[0]} == "bash: line 2: tmplcache: \`1x': not a valid identifier" ]]
	[[ ${lines[1]} == st=1 ]]
	[[ ${lines[3]} == st=2 ]]
	[[ $output == *"st=2"*"st=2"*"st=2"*"x: not found" ]]
}

# Ctrl-C while a script run from an interactive shell waits in `x=$(sleep)'
# or `tmplcache -o x sleep': the terminal's SIGINT reaches the shell and
# the command (one process group); the shell, which blocks SIGINT while it
# reads, dies of it after the command does.  The screens are compared; the
# routed script counts its spawns into a file from its EXIT trap.
ctrl_c_capture() {	# MODE
	local lead=':'
	[[ $1 == routed ]] && lead="enable -f '$TC_SO' tmplcache && tmplcache sleep"
	cat >"$BATS_TEST_TMPDIR/ctrlc.sh" <<-EOF
	$lead; R=\$(type -t tmplcache); rm -f spawns
	trap '[[ \$R ]] && tmplcache -s -v st && echo "\${st[spawns]} \${st[fallbacks]}" >spawns' EXIT
	if [[ \$R ]]; then tmplcache -o x sleep 30; else x=\$(sleep 30); fi; echo "same line \$?"
	echo "next line \$?"
	EOF
	tmx_start "$1" ""
	tmx_send 'bash ./ctrlc.sh' Enter
	tmx_wait_fg sleep
	tmx_send C-c
	tmx_prompt
	tmx_send 'echo "after $?"' Enter
	tmx_wait '^after '
}

@test "-o: Ctrl-C on a script waiting in tmplcache -o ends it as stock" {
	local stock routed
	tmx_require
	ctrl_c_capture stock
	stock=$(tmx_screen); tmx_stop
	ctrl_c_capture routed
	routed=$(tmx_screen); tmx_stop
	if [[ $stock != "$routed" ]]; then
		diff -u <(echo "$stock") <(echo "$routed")
		return 1
	fi
	[[ $routed == *"after 130"* ]]
	[[ $(<"$BATS_TEST_TMPDIR/spawns") == "1 0" ]]
}
