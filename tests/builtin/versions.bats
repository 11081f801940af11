#!/usr/bin/env bats
# versions.bats - the loadable refuses a bash release other than the one it
# was built for, with one line naming both, and the shell goes on.  The
# other releases are built from the vendored sources by scripts/build-bash
# (scripts/test does it); a release not built here is a visible skip.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

other_bash() {	# VERSION
	echo "${TC_BASH_PREFIX:-${TMPDIR:-/var/tmp}/tmplcache-bash}/$1/bin/bash"
}

built_for() {
	bash -c 'echo "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}.${BASH_VERSINFO[2]}"'
}

refused_by() {	# VERSION
	local b
	tc_require_built
	b=$(other_bash "$1")
	[[ -x $b ]] || skip "bash $1 not built (scripts/build-bash $1)"
	[[ $1 != "$(built_for)" ]] || skip "bash $1 is the release tmplcache was built for"
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
