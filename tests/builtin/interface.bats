#!/usr/bin/env bats
# interface.bats - the tmplcache builtin's options, messages and lifetime.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

setup() {
	tc_setup_bin
}

# template_fds prints "FD EXECUTABLE" for each fd of the shell that is a
# template.  A userspace backend's template is an O_PATH fd of the
# executable itself (its /proc link names it); the kernel's is an anonymous
# inode whose fdinfo names the executable.  Other fds print their /proc
# link.  One line, so that the scripts' line numbers do not move.
_tc_template_fds='template_fds() { local fd t; for fd in /proc/$$/fd/*; do t=$(readlink "$fd") || continue; [[ $t == "anon_inode:[spawn_template]" ]] && t=$(sed -n "s/^exec:\t//p" "/proc/$$/fdinfo/${fd##*/}"); echo "${fd##*/} $t"; done; }'

# Run SCRIPT in a fresh bash with tmplcache loaded, in the test's own
# directory; SCRIPT's first line is line 3 of bash's messages.
tc_bash() {
	cd "$BATS_TEST_TMPDIR"
	run bash -c 'enable -f "$TC_SO" tmplcache || exit 99; '"$_tc_template_fds"'
'"$1"'
:'
}

@test "add, list, reusable list, path, remove, remove all" {
	# Naming only remembers a name (lazy.bats): the listing shows
	# "(not yet resolved)" until the first use pins a path; -t answers
	# with the path bash would run now either way.
	tc_bash '
tmplcache childview cat
tmplcache
echo ---
tmplcache -t cat childview
cat </dev/null; childview -q
tmplcache
echo ---
tmplcache -l
echo ---
tmplcache -t cat childview
tmplcache -d cat
tmplcache -l
tmplcache -r
tmplcache -l; echo "empty $?"'
	assert_success
	local cat_path
	cat_path=$(type -P cat)
	assert_output "$(printf '%-20s %s\n' cat "(not yet resolved)" childview "(not yet resolved)")
---
$cat_path
$TC_BIN/childview
$(printf '%-20s %s\n' cat "$cat_path" childview "$TC_BIN/childview")
---
builtin tmplcache cat
builtin tmplcache childview
---
$cat_path
$TC_BIN/childview
builtin tmplcache childview
empty 0"
}

@test "the reusable listing recreates the same routing" {
	tc_bash '
tmplcache childview cat
saved=$(tmplcache -l)
tmplcache -r
eval "$saved"
[[ $(tmplcache -l) == "$saved" ]] && echo same'
	assert_success
	assert_output same
}

@test "refusals name the command and the reason; other names still added" {
	# Only what needs no system call is refused at naming time (lazy.bats):
	# a missing command or a script is accepted, and its first use falls
	# back (counted) where bash prints its own message or runs the script;
	# -t still tells that the name is not found.
	printf '#!/bin/sh\necho script\n' >"$TC_BIN/ascript"
	chmod +x "$TC_BIN/ascript"
	tc_bash '
tmplcache cd if a/b "" nosuchcommand ascript childview; echo "status $?"
tmplcache -l
tmplcache -t nosuchcommand; echo "t $?"
ascript
nosuchcommand; echo "nf $?"
tmplcache -s -v st
echo "notelf=${st[fallback_notelf]} notfound=${st[fallback_notfound]}"'
	assert_success
	assert_line "bash: line 3: tmplcache: cd: is a shell builtin"
	assert_line "bash: line 3: tmplcache: if: is a shell keyword"
	assert_line "bash: line 3: tmplcache: a/b: name contains a slash: it runs without PATH lookup"
	assert_line "bash: line 3: tmplcache: : empty name"
	assert_line "status 1"
	assert_line "builtin tmplcache ascript"
	assert_line "builtin tmplcache childview"
	assert_line "builtin tmplcache nosuchcommand"
	assert_line "bash: line 5: tmplcache: nosuchcommand: not found"
	assert_line "t 1"
	assert_line "script"
	assert_line "bash: line 7: nosuchcommand: command not found"
	assert_line "nf 127"
	assert_line "notelf=1 notfound=1"
}

@test "bad options and operands: usage errors, nothing lost" {
	tc_bash '
tmplcache childview
tmplcache -z; echo "z $?"
tmplcache -d; echo "d $?"
tmplcache -d nosuch; echo "dn $?"
tmplcache -v 1x -s; echo "v $?"
tmplcache -v st; echo "vs $?"
tmplcache -H x; echo "H $?"
tmplcache -l'
	assert_success
	assert_line "bash: line 4: tmplcache: -z: invalid option"
	assert_line "z 2"
	assert_line "bash: line 5: tmplcache: -d: option requires an argument"
	assert_line "d 2"
	assert_line "bash: line 6: tmplcache: nosuch: not routed"
	assert_line "dn 1"
	assert_line "bash: line 7: tmplcache: \`1x': not a valid identifier"
	assert_line "v 1"
	assert_line "bash: line 8: tmplcache: -v: only with -s"
	assert_line "vs 2"
	assert_line "bash: line 9: tmplcache: x: invalid number"
	assert_line "H 2"
	assert_line "builtin tmplcache childview"
}

@test "the template cap TMPLCACHE_MAX is enforced as a counted fallback" {
	# Templates are made at first use (lazy.bats), so the cap no longer
	# refuses a name: the first use past it runs the normal way, counted.
	tc_bash '
TMPLCACHE_MAX=1
tmplcache childview cat; echo "status $?"
childview -q; echo x | cat
cat </dev/null; echo "cat $?"
tmplcache -s -v st
echo "spawns=${st[spawns]} cap=${st[fallback_cap]} templates=${st[templates]}"'
	assert_success
	assert_line "status 0"
	assert_line "cat 0"
	assert_line "spawns=1 cap=1 templates=1"
}

@test "-s prints per-name and total statistics; -v stores them" {
	tc_bash '
tmplcache childview
childview -q; childview -q; command childview -q
tmplcache -s
tmplcache -s -v st
echo "spawns=${st[spawns]} fb=${st[fallbacks]} command=${st[fallback_command]} name=${st[childview:spawns]}"'
	assert_success
	assert_line --regexp '^childview +2 +1 +0 +[0-9.]+ command=1$'
	assert_line --regexp '^total +2 +1 +0 +[0-9.]+ command=1$'
	assert_line "spawns=2 fb=1 command=1 name=2"
}

@test "-H adopts hashed commands hit at least N times" {
	tc_bash '
childview -q; childview -q; cat </dev/null
tmplcache -H 2
tmplcache -l
echo ---
tmplcache -H
tmplcache -l'
	assert_success
	assert_output "builtin tmplcache childview
---
builtin tmplcache cat
builtin tmplcache childview"
}

@test "help tmplcache shows the long description" {
	tc_bash 'help tmplcache'
	assert_success
	assert_line --partial "tmplcache: tmplcache [-alrs]"
	assert_line --partial "Start external commands from spawn templates."
	assert_line --partial "Exit Status:"
}

@test "template fds are high, close-on-exec and never reach a child" {
	tc_bash '
tmplcache childview cat
childview -q; cat </dev/null	# templates are made at first use
while read -r n t; do
	[[ $t == *childview || $t == */cat ]] || continue
	(( n >= 300 )) && echo "high $n"
done < <(template_fds)
childview >out; grep "^fd " out; grep -c "^fd " out'
	assert_success
	assert_equal "$(grep -c '^high ' <<<"$output")" 2
	# The child has the fds the shell had, none of them a template (of
	# either backend's kind).
	refute_line --regexp '^fd [0-9]+ .*((childview|/cat)$|spawn_template)'
}

@test "enable -d NAME answers as stock; tmplcache -d NAME closes its template" {
	tc_bash '
tmplcache childview cat
childview -q; cat </dev/null	# templates are made at first use
templates() { template_fds | grep -c -e "/childview$" -e "/cat$"; }
echo "templates $(templates)"
enable -d childview; echo "enable $?"
tmplcache -l
tmplcache -d childview; echo "tmplcache $?"
tmplcache -l
echo "templates $(templates)"
childview -q; echo "runs $?"'
	assert_success
	assert_output "templates 2
bash: line 7: enable: childview: not a shell builtin
enable 1
builtin tmplcache cat
builtin tmplcache childview
tmplcache 0
builtin tmplcache cat
templates 1
runs 0"
}

@test "enable -d tmplcache removes every routing builtin and closes every template" {
	tc_bash '
templates() { template_fds | grep -c -e "/childview$" -e "/cat$"; }
tmplcache childview cat
childview -q; cat </dev/null	# templates are made at first use
echo "templates $(templates)"
enable -d tmplcache; echo "enable $?"
type -t childview cat tmplcache; echo "type $?"
echo "templates $(templates)"
childview -q; echo "runs $?"
enable -f "$TC_SO" tmplcache && tmplcache childview && childview -q && tmplcache -l'
	assert_success
	assert_output "templates 2
enable 0
file
file
type 1
templates 0
runs 0
builtin tmplcache childview"
}

@test "unload in the middle of a loop of routed commands" {
	tc_bash '
tmplcache childview
for i in 1 2 3 4; do
	childview -q; echo "run $i $?"
	[[ $i == 2 ]] && enable -d tmplcache
done
type -t childview'
	assert_success
	assert_output "run 1 0
run 2 0
run 3 0
run 4 0
file"
}

@test "a template fd closed by the user is made anew" {
	tc_bash '
tmplcache childview
childview -q
while read -r n p; do [[ $p == *childview ]] && t=$n; done < <(template_fds)
eval "exec $t>&-"
childview -q; echo "after close $?"
tmplcache -s -v st; echo "spawns ${st[spawns]} recreated ${st[recreated]}"'
	assert_success
	assert_output "after close 0
spawns 2 recreated 1"
}
