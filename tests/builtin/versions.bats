#!/usr/bin/env bats
# versions.bats - one build per bash release.  The loadable refuses a bash
# release other than the one it was built for, with one line naming both,
# and the shell goes on: checked both ways (scripts/test runs this file in
# the build for the system's bash and in the one for 5.3.9).  The other
# releases are built from the vendored sources by scripts/build-bash; a
# release not built here is a visible skip.  Then what only some releases
# have: bash 5.3's forkless command substitution.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

release_of() {	# BASH
	"$1" -c 'echo "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}.${BASH_VERSINFO[2]}"'
}

# The path of bash VERSION on this machine: scripts/build-bash's prefix,
# else a bash on PATH (the system's), if it is that release.
bash_release() {	# VERSION
	local b
	for b in "${TC_BASH_PREFIX:-${TMPDIR:-/var/tmp}/tmplcache-bash}/$1/bin/bash" \
		$(type -a -P bash); do
		if [[ -x $b && $(release_of "$b") == "$1" ]]; then
			echo "$b"
			return 0
		fi
	done
	return 1
}

# The release under test: helpers.bash put the build's bash first on PATH.
built_for() {
	release_of bash
}

refused_by() {	# VERSION
	local b
	tc_require_built
	[[ $1 != "$(built_for)" ]] || skip "bash $1 is the release tmplcache was built for"
	b=$(bash_release "$1") || skip "bash $1 not built (scripts/build-bash $1)"
	run "$b" -c 'enable -f "$TC_SO" tmplcache; echo "status $?"; type -t tmplcache; echo "shell goes on"' 2>&1
	echo "$output"
	[[ ${lines[0]} == *": enable: tmplcache: built for bash $(built_for), this is bash $1: not loaded" ]]
	[[ $output == *"status 1"* ]]
	[[ ${lines[-1]} == "shell goes on" ]]
	# Nothing of it stayed: no builtin named tmplcache.
	[[ $output != *builtin* ]]
}

@test "bash 5.3.9 refuses a tmplcache built for another release" {
	refused_by 5.3.9
}

@test "bash 5.2.15 refuses a tmplcache built for another release" {
	refused_by 5.2.15
}

@test "bash 5.1.16 refuses a tmplcache built for another release" {
	refused_by 5.1.16
}

@test "bash 5.2.37 refuses a tmplcache built for another release" {
	refused_by 5.2.37
}

@test "the bash it was built for loads it" {
	tc_require_built
	run bash -c 'enable -f "$TC_SO" tmplcache; echo "status $?"; type -t tmplcache'
	[[ $output == $'status 0\nbuiltin' ]] || { echo "$output"; false; }
}

# Bash 5.3's ${ cmd; } and ${| cmd; } run in the current shell, where stock
# bash forks for each external command: routed ones spawn there.
require_funsub() {
	local v
	v=$(bash -c 'echo $((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1]))')
	((v >= 503)) || skip "bash $(built_for) has no \${ cmd; } (5.3 and later)"
}

@test "5.3 \${ cmd; }: routed commands spawn, output and status as stock" {
	require_funsub
	tc_setup_bin
	tc_compare "cat childview" '
printf "one\ntwo\n\n\n" >f
x=${ cat f; cat f; }
printf "[%s]\n" "$x"
x=${ cat missing; }
echo "status $? [$x]"
v=${ childview a "b c"; }
printf "%s\n" "$v"
f() { cat f; }
for i in 1 2; do y=${ f; echo "$i"; }; printf "<%s>\n" "$y"; done'
	tc_assert_spawns 6
}

@test "5.3 \${| cmd; }: routed commands spawn, REPLY as stock" {
	require_funsub
	tc_compare cat '
printf "one\ntwo\n" >f
r=${| cat f; REPLY="cat said $?"; }
echo "$r"
r=${| cat missing 2>/dev/null; REPLY=$?; }
echo "status $r, REPLY ${REPLY-unset}"
r=${| cat f >g; read -r REPLY <g; }
echo "$r"'
	tc_assert_spawns 3
}

@test "5.3 \${ cmd; } in a script on stdin: read-ahead and output as stock" {
	require_funsub
	TC_STDIN=file tc_compare cat '
x=${ cat; }
echo "[$x]"
the rest of the script, read by cat
echo after'
	tc_assert_spawns 1
}
