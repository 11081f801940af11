#!/usr/bin/env bats
# completion.bats - tab completion for tmplcache (completion/tmplcache) in
# an interactive bash in a real terminal (tmux), loaded the way
# bash-completion loads an installed one: by the command's name, on its
# first completion.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers
load tmux

BASH_COMPLETION=/usr/share/bash-completion/bash_completion

setup() {
	tmx_require
	[[ -f $BASH_COMPLETION ]] || skip "bash-completion not installed"
	# bash-completion's loader looks in $BASH_COMPLETION_USER_DIR/completions.
	mkdir -p "$BATS_TEST_TMPDIR/bc/completions"
	ln -s "$BATS_TEST_DIRNAME/../../completion/tmplcache" \
		"$BATS_TEST_TMPDIR/bc/completions/tmplcache"
	# PATH commands for the test, with prefixes no system command has.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp /bin/true "$BATS_TEST_TMPDIR/bin/tcqzone"
	cp /bin/true "$BATS_TEST_TMPDIR/bin/tcqztwo"
	echo '#!/bin/sh' >"$BATS_TEST_TMPDIR/bin/tcqzscript"
	chmod +x "$BATS_TEST_TMPDIR/bin/tcqzscript"
	: >"$BATS_TEST_TMPDIR/bin/tcqznotexec"
	# What the shell's default completion would offer instead: files here.
	: >"$BATS_TEST_TMPDIR/tcqzfile"
}

teardown() {
	tmx_stop
}

# An interactive routed bash routing NAMES, with bash-completion loaded
# and the test's bin first in PATH.
start_completing() {	# NAMES
	tmx_start routed "$1"
	tmx_send "PATH=\"$BATS_TEST_TMPDIR/bin:\$PATH\" BASH_COMPLETION_USER_DIR=\"$BATS_TEST_TMPDIR/bc\"; . $BASH_COMPLETION; clear" Enter
	tmx_prompt
}

@test "tmplcache -d <Tab> completes the one routed name" {
	start_completing sed
	tmx_send 'tmplcache -d ' Tab
	tmx_wait '^\$ tmplcache -d sed ?$'
	# And it is the real name: removing it leaves nothing routed.
	tmx_send Enter
	tmx_prompt
	tmx_send 'clear; echo "status $? left $(tmplcache -l | wc -l)"' Enter
	tmx_wait '^status 0 left 0$'
}

@test "tmplcache -d <Tab><Tab> lists the routed names, -t too" {
	start_completing "sed grep"
	tmx_send 'tmplcache -d ' Tab Tab
	tmx_wait '^grep +sed *$'
	tmx_send C-u 'clear' Enter
	tmx_prompt
	tmx_send 'tmplcache -t g' Tab
	tmx_wait '^\$ tmplcache -t grep ?$'
	! tmx_screen | grep -q tcqz
}

@test "tmplcache <Tab> completes executables from PATH, not other files" {
	start_completing sed
	tmx_send 'tmplcache tcqz' Tab Tab
	# Executable files in PATH (a script too: it is counted as notelf
	# when run); not a non-executable file, not a file in the directory.
	tmx_wait '^tcqzone +tcqzscript +tcqztwo *$'
	! tmx_screen | grep -Eq 'tcqznotexec|tcqzfile'
	tmx_send C-u 'clear' Enter
	tmx_prompt
	# After an operand, no option is an option any more: commands again.
	tmx_send 'tmplcache sed tcqzo' Tab
	tmx_wait '^\$ tmplcache sed tcqzone ?$'
}

@test "tmplcache -<Tab><Tab> lists the options; -s -v <Tab> an array" {
	start_completing sed
	tmx_send 'tmplcache -' Tab Tab
	tmx_wait '^-F +-H +-a +-d +-e +-f +-k +-l +-o +-r +-s +-t +-v *$'
	tmx_send C-u 'clear; declare -A tcqzarr=()' Enter
	tmx_prompt
	tmx_send 'tmplcache -s -v tcqz' Tab
	tmx_wait '^\$ tmplcache -s -v tcqzarr ?$'
}

# Options and fallback reasons come from the builtin itself, so a new one
# fails here until the completion and tmplcache(1) know it.
@test "the completion and tmplcache(1) cover every option and fallback reason of the builtin" {
	tc_require_built
	local top=$BATS_TEST_DIRNAME/../.. opts reasons o r
	opts=$(timeout 60 bash --norc -c 'enable -f "$TC_SO" tmplcache && help tmplcache' |
		sed -n 's/^ *\(-[A-Za-z]\)\b.*/\1/p')
	reasons=$(timeout 60 bash --norc -c 'enable -f "$TC_SO" tmplcache && tmplcache -s -v st &&
		printf "%s\n" "${!st[@]}"' | sed -n 's/^fallback_//p')
	[[ $(wc -w <<<"$opts") -ge 7 && $(wc -w <<<"$reasons") -ge 14 ]]
	for o in $opts; do
		grep -q -- "'.*$o\\b.*'" "$top/completion/tmplcache" || fail "completion lacks $o"
		grep -Eq "^\\.BI? \\\\$o( |\$)|^\\.BR \\\\$o " "$top/man/tmplcache.1" || fail "tmplcache(1) lacks $o"
	done
	for r in $reasons; do
		grep -qx ".B $r" "$top/man/tmplcache.1" || fail "tmplcache(1) lacks the fallback reason $r"
	done
}
