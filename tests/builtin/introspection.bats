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

@test "command -v and command -V in the shell and in \$(...)" {
	tc_compare childview '
command -v childview; echo "v $?"
command -V childview; echo "V $?"
command -v childview cat; command -V cat childview
p=$(command -v childview); echo "p=$p"
[ -x "$(command -v childview)" ] && echo "executable"
echo "V=$(command -V childview)"
command -pv childview; echo "pv $?"
childview -q; echo "runs $?"'
	tc_assert_spawns 1
}
