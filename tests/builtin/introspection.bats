#!/usr/bin/env bats
# introspection.bats - what bash says about a routed name, and the fd
# numbers a script may use, compared with stock bash.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tmplcache itself is a builtin in the routed run only: listings drop its
# line, so the rest must match byte for byte.

load helpers

setup() {
	tc_setup_bin
}

tc_bash() {
	cd "$BATS_TEST_TMPDIR"
	run bash -c 'enable -f "$TC_SO" tmplcache || exit 99
'"$1"
}

@test "enable NAME, -n, -s, -d, -ps on a routed name: not a shell builtin" {
	tc_compare childview '
enable childview bash; echo "status $?"
enable -n childview; echo "status $?"
enable -s childview; echo "status $?"
enable -d childview; echo "status $?"
enable -n -s childview; echo "status $?"
enable -ps childview; echo "status $?"
childview -q; echo "runs $?"
type -t childview'
	tc_assert_spawns 1
}

@test "enable listings (-p, -a, -n, -s, none) omit routed names" {
	tc_compare childview '
drop() { grep -v "^enable tmplcache$"; }
enable | drop; enable -p | drop; enable -a | drop
enable -n -a | drop; enable -s; enable -n; enable -ps; echo "status $?"
childview -q; echo "runs $?"'
	tc_assert_spawns 1
}

@test "enable -f FILE NAME loads a real builtin over a routed name" {
	local dir
	dir=$(pkg-config --variable=loadablesdir bash 2>/dev/null) || dir=
	[[ -f $dir/basename ]] || skip "bash's loadable basename not installed"
	tc_compare "childview basename" "
basename /a/b
enable -f '$dir/basename' basename; echo \"status \$?\"
type -t basename; basename /c/d
enable -d basename; echo \"status \$?\"
type -t basename; basename /e/f
BASH_LOADABLES_PATH='$dir'
enable basename; echo \"status \$?\"
type -t basename
childview -q; echo \"runs \$?\""
	tc_assert_spawns 2
}

@test "invalid options print the builtin's own usage, status 2" {
	tc_compare childview '
type -Z childview; echo "type $?"
type -Z childview bash; echo "type $?"
builtin -Z childview; echo "builtin $?"
builtin type -Z childview; echo "builtin type $?"
hash -Z childview; echo "hash $?"
help -Z childview; echo "help $?"
compgen -Z childview; echo "compgen $?"
enable -Z childview; echo "enable $?"
command -Z childview; echo "command $?"
childview -q; echo "runs $?"'
	tc_assert_spawns 1
}

@test "--help of the wrapped builtins with a routed name is stock" {
	tc_compare childview '
for b in type builtin hash help compgen enable command; do
	$b --help childview; echo "$b $?"
done
childview -q; echo "runs $?"'
	tc_assert_spawns 1
}

@test "command -v and command -V in \$(...), pipelines and subshells" {
	tc_compare childview '
p=$(command -v childview); echo "p=$p"
[ -x "$(command -v childview)" ] && echo "executable"
echo "V=$(command -V childview)"
echo "pv=$(command -pv childview; echo $?)"
command -v childview | cat
(command -V childview cat)
childview -q; echo "runs $?"'
	tc_assert_spawns 1
}

@test "other introspection in the shell and in its children is stock" {
	tc_compare childview '
drop() { grep -v -e "^enable tmplcache$" -e "^tmplcache$"; }
show() {
	declare -F; type -a childview; type -t childview
	compgen -b | drop; compgen -c childview | sort -u; compgen -A enabled | drop
	enable -a | drop; hash -t childview; builtin childview; echo "builtin $?"
	help -d childview; echo "help $?"
	echo "BASH_CMDS=${BASH_CMDS[childview]}"
}
childview -q
show >shell 2>&1
(show) >sub 2>&1
echo "$(show 2>&1)" >comsub
cmp shell sub && cmp sub comsub && cat shell'
	tc_assert_spawns 1
}

# A child sees bash's table as it is at its fork (forkview.c keeps the
# hidden table ready from one fork to the next): enable -n, enable and
# routing changes between forks, and a child's own forks and changes.
@test "children see the builtin table as it is at each fork" {
	tc_compare childview '
retune() { command -v tmplcache >/dev/null 2>&1 && tmplcache "$@"; }
kids() {
	(type -t echo childview test; command -v childview; enable -n)
	echo "$(type -t echo; compgen -b | grep -c -v "^tmplcache$")"
	( (type -t childview echo); enable -n echo; (type -t echo); type -t echo )
}
kids; childview -q
enable -n echo; kids
enable echo; enable -n test; kids
retune -d childview; kids; childview -q
retune childview; enable test; kids; childview -q
(enable -n childview; echo "sub $?"; retune -d childview; type -t childview; (childview -q; echo "runs $?"))
kids'
	tc_assert_spawns 2
}

# Residual, by bash's design: `command` is recognised by its function
# pointer (execute_cmd.c: builtin == command_builtin), so it cannot be
# wrapped, and describe_command() runs with no hook of ours: in the shell
# process itself a routed name is described as a builtin.
@test "command -v and -V in the shell itself describe a builtin" {
	tc_bash '
tmplcache childview
command -v childview; echo "v $?"
command -V childview; echo "V $?"
echo "$(command -v childview)"'
	assert_success
	assert_output "childview
v 0
childview is a shell builtin
V 0
$TC_BIN/childview"
}

# The fd cases of a script, with the shell's fd numbers printed at the end
# (templates excepted: they are close-on-exec and above every number the
# script names).
_fd_script='
for n in 10 255 300 1000 1020 1021 1022 1023 1024 1030 2000; do
	eval "exec $n>f$n" && echo "x$n" >&$n; echo "exec $n: $?"
	eval "childview -q $n>g$n"; echo "cmd $n: $?"
	eval "exec $n<&-"; echo "close $n: $?"
done
cat f* 2>/dev/null
exec {a}>fa {b}<fa; echo "var $a $b"
childview | grep "^fd "'

@test "a script's fds below the soft limit, with templates under it (soft == hard)" {
	ulimit -n 2048 2>/dev/null || skip "cannot set ulimit -n 2048"
	tc_compare "childview cat" "$_fd_script"
	tc_assert_spawns 12
}

@test "a script's fds, and fds past the soft limit, with templates above it" {
	ulimit -Sn 1024 && (($(ulimit -Hn) >= 2048)) 2>/dev/null ||
		skip "needs a hard fd limit of 2048 or more"
	tc_compare "childview cat" "$_fd_script"
	tc_assert_spawns 9 # childview N>g fails for N >= 1024
}

@test "ulimit -Hn raising the hard limit moves templates past the soft one" {
	(ulimit -n 1024 && ulimit -Hn 8192) 2>/dev/null ||
		skip "cannot raise a hard limit (needs CAP_SYS_RESOURCE)"
	ulimit -n 1024
	tc_compare "childview cat" '
ulimit -Hn 8192
exec 1023>f 1022>g; echo x >&1023; echo y >&1022; cat f g
childview | grep "^fd "'
	tc_assert_spawns 1
}

# Residual (README): with no room above the soft limit, templates take the
# highest free numbers below it, and bash undoes a redirection onto one of
# those (it takes close-on-exec fds above 9 for its own).
@test "with soft == hard, exec onto a template's own number does not stick" {
	ulimit -n 2048 2>/dev/null || skip "cannot set ulimit -n 2048"
	tc_bash '
tmplcache childview; childview -q	# templates are made at first use
for f in /proc/$$/fd/*; do [[ $(readlink "$f") == */childview ]] && t=${f##*/}; done
echo "template $t"
eval "exec $t>f"; echo x >&$t; echo "write $?"'
	assert_success
	assert_line "template 2047"
	assert_line "write 1"
}

# Residual (README): a redirection onto a number past the soft limit fails
# in stock bash too; onto a template's number bash also fails to undo it.
@test "exec onto a template's number past the soft limit: a second error" {
	ulimit -Sn 1024 && (($(ulimit -Hn) >= 2048)) 2>/dev/null ||
		skip "needs a hard fd limit of 2048 or more"
	tc_bash '
tmplcache childview; childview -q	# templates are made at first use
for f in /proc/$$/fd/*; do [[ $(readlink "$f") == */childview ]] && t=${f##*/}; done
echo "template $t"
eval "exec $t>f"; echo "exec $?"'
	assert_success
	assert_line "template 2047"
	assert_line --regexp '^bash: line 6: 2047: Bad file descriptor$'
	assert_line --regexp '^bash: line 6: [0-9]+: Bad file descriptor$'
	assert_equal "$(grep -c 'Bad file descriptor' <<<"$output")" 2
}
