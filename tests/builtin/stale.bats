#!/usr/bin/env bats
# stale.bats - the executable changes between two calls: the routed run
# runs the right thing or gives the right error, as stock bash does.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

setup() {
	tc_setup_bin
}

# A private PATH entry with a fresh childview, run once (hashing it), then
# CHANGE, then run again.
stale_script() {	# CHANGE
	printf '%s\n' \
		'mkdir bin && cp "$CHILDVIEW" bin/childview && PATH=$PWD/bin:$PATH' \
		'childview -q; echo "before $?"' \
		"$1" \
		'childview -q after; echo "after $?"' \
		'childview -q again; echo "again $?"'
}

@test "replaced by rename: the new executable runs" {
	tc_compare childview "$(stale_script 'cp /bin/echo bin/new && mv bin/new bin/childview')"
	tc_assert_spawns 3
	[[ ${ST[recreated]} == 1 ]]
	[[ $TC_OUT == *"-q after"* ]]
}

@test "rewritten in place: the new content runs" {
	tc_compare childview "$(stale_script 'cat /bin/echo >bin/childview')"
	tc_assert_spawns 3
	[[ ${ST[recreated]} == 1 ]]
}

@test "rewritten in place with the same size: still detected" {
	tc_compare childview "$(stale_script 'touch -d "2001-01-01" bin/childview; cat bin/childview >bin/copy; cat bin/copy >bin/childview')"
	tc_assert_spawns 3
}

@test "chmod -x: bash's Permission denied, status 126" {
	tc_compare childview "$(stale_script 'chmod -x bin/childview')"
	tc_assert_spawns 1
	[[ $TC_OUT == *"after 126"* ]]
}

@test "deleted: bash's No such file or directory, status 127" {
	tc_compare childview "$(stale_script 'rm bin/childview')"
	tc_assert_spawns 1
	[[ $TC_OUT == *"after 127"* ]]
}

@test "turned into a script: bash runs the script" {
	tc_compare childview "$(stale_script 'printf "#!/bin/sh\necho script \"\$@\"\n" >bin/childview')"
	tc_assert_spawns 1
	tc_assert_fallbacks notelf 2
	[[ $TC_OUT == *"script -q after"* ]]
}

@test "turned into a script without #!: bash runs it itself" {
	tc_compare childview "$(stale_script 'printf "echo shebangless \"\$@\"\n" >bin/childview')"
	tc_assert_spawns 1
	[[ $TC_OUT == *"shebangless -q after"* ]]
}

@test "its PATH directory removed: bash's errors as stock, hashed or not" {
	tc_compare childview '
mkdir bin && cp "$CHILDVIEW" bin/childview && PATH=$PWD/bin
childview -q; echo "before $?"
/bin/rm -r bin
childview -q; echo "hashed $?"
hash -r
childview -q; echo "rehashed $?"'
	tc_assert_spawns 1
	tc_assert_fallbacks create 1
	tc_assert_fallbacks notfound 1
}

@test "hash -p and hash -r are honoured" {
	tc_compare childview '
cp /bin/echo myecho
hash -p "$PWD/myecho" childview
childview -q hashed; echo "$?"
hash -r
childview -q unhashed; echo "$?"'
	tc_assert_spawns 2
	[[ $TC_OUT == *"-q hashed"* ]]
}

@test "argument list too long: bash's own message and status" {
	tc_compare childview '
big=$(head -c 3000000 /dev/zero | tr "\0" x)
childview -q "$big"; echo "status $?"'
	tc_assert_fallbacks exec 1
	[[ $TC_OUT == *"status 126"* ]]
}
