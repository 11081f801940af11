#!/usr/bin/env bats
# lazy.bats - naming a command only remembers it; its first use resolves
# and pins it, as bash's own search at that moment would.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

setup() {
	tc_setup_bin
}

# strace, or skip: the no-syscall test needs it (scripts/setup-debian
# installs it) and a kernel that lets us trace.
require_strace() {
	command -v strace >/dev/null || skip "strace not installed"
	timeout 60 strace -o /dev/null true 2>/dev/null ||
		skip "strace cannot trace here"
}

@test "naming 30 commands does no system call and touches none of them" {
	require_strace
	local i names=()
	for i in $(seq 1 30); do
		ln -s childview "$TC_BIN/lazy$i"
		names+=("lazy$i")
	done
	# The stat of a missing marker file brackets the naming in the trace:
	# bash itself makes no system call between two builtins of bash -c.
	local log=$BATS_TEST_TMPDIR/trace
	run timeout 120 strace -f -o "$log" bash -c '
enable -f "$TC_SO" tmplcache || exit 99
[[ -e $0/marker-begin ]]
tmplcache "$@"; status=$?
[[ -e $0/marker-end ]]
echo "status $status"
tmplcache -l | wc -l' "$BATS_TEST_TMPDIR" "${names[@]}"
	assert_success
	assert_output "status 0
30"
	# Between the markers: no system call but malloc's own growing of the
	# heap (brk, mmap), which depends on the heap's state, not on naming.
	run sed -n '/marker-begin/,/marker-end/p' "$log"
	local calls
	calls=$(grep -vE '^[0-9]+ +(brk|mmap|munmap)\(' <<<"$output")
	assert_equal "$(wc -l <<<"$calls")" 2 || { echo "$output"; false; }
	# Run none, resolve none: no path of a named command in the whole trace.
	run grep -c '/lazy[0-9]' "$log"
	assert_output 0
}

@test "first use resolves and pins; the listing says which are not yet" {
	tc_bash() {
		cd "$BATS_TEST_TMPDIR"
		run bash -c 'enable -f "$TC_SO" tmplcache || exit 99
'"$1"'
:'
	}
	tc_bash '
templates() { ls -l /proc/$$/fd | grep -c "/childview$"; }
tmplcache childview
tmplcache; echo "templates $(templates)"
childview -q; echo "ran $?"
tmplcache; echo "templates $(templates)"
tmplcache -s -v st; echo "spawns ${st[spawns]} fallbacks ${st[fallbacks]}"'
	assert_success
	assert_output "$(printf '%-20s %s\n' childview "(not yet resolved)")
templates 0
ran 0
$(printf '%-20s %s\n' childview "$TC_BIN/childview")
templates 1
spawns 1 fallbacks 0"
}

@test "naming a routed name again keeps its template" {
	cd "$BATS_TEST_TMPDIR"
	run bash -c 'enable -f "$TC_SO" tmplcache || exit 99
templates() { ls -l /proc/$$/fd | grep -c "/childview$"; }
tmplcache childview; childview -q
tmplcache childview; echo "templates $(templates)"
tmplcache; childview -q
tmplcache -s -v st; echo "spawns ${st[spawns]}"'
	assert_success
	assert_output "templates 1
$(printf '%-20s %s\n' childview "$TC_BIN/childview")
spawns 2"
}

@test "a name missing when named but installed before its first use runs" {
	local late=$BATS_TEST_TMPDIR/late
	mkdir -p "$late"
	# Each run leaves no latecmd behind, so the routed run names it missing.
	PATH=$late:$PATH tc_compare latecmd '
latecmd -q; echo "before $?"
cp "$CHILDVIEW" "'"$late"'/latecmd"
latecmd; echo "after $?"
rm "'"$late"'/latecmd"'
	assert_equal "${ST[fallback_notfound]}" 1
	assert_equal "${ST[latecmd:spawns]}" 1
}

@test "PATH changed between naming and first use is honoured as stock" {
	local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b
	mkdir -p "$a" "$b"
	ln -s "$(type -P true)" "$a/pathcmd"
	ln -s "$(type -P false)" "$b/pathcmd"
	PATH=$a:$PATH tc_compare pathcmd '
pathcmd; echo "a $?"
PATH='"$b"':$PATH
pathcmd; echo "b $?"
hash -t pathcmd'
	assert_equal "${ST[pathcmd:spawns]}" 2
	assert_equal "${ST[templates]}" 1
}

@test "every refusal at naming time is in name: arg: reason style" {
	cd "$BATS_TEST_TMPDIR"
	run bash -c 'enable -f "$TC_SO" tmplcache || exit 99
enable -n echo
tmplcache cd echo while x/y ""; echo "status $?"
tmplcache -d nosuch
tmplcache -l | wc -l'
	assert_success
	assert_line "bash: line 3: tmplcache: cd: is a shell builtin"
	assert_line "bash: line 3: tmplcache: echo: is a shell builtin (disabled with enable -n)"
	assert_line "bash: line 3: tmplcache: while: is a shell keyword"
	assert_line "bash: line 3: tmplcache: x/y: name contains a slash: it runs without PATH lookup"
	assert_line "bash: line 3: tmplcache: : empty name"
	assert_line "bash: line 4: tmplcache: nosuch: not routed"
	assert_line "status 1"
	assert_line "0"
	local l
	for l in "${lines[@]}"; do
		[[ $l == status* || $l == 0 ]] && continue
		[[ $l =~ ^bash:\ line\ [0-9]+:\ tmplcache:\ [^:]*:\ [^:].*$ ]] ||
			fail "not in name: arg: reason style: $l"
	done
}

@test "loading and naming make no shared memory; the first fork does" {
	cd "$BATS_TEST_TMPDIR"
	# The counters go to shared memory only when a child could count:
	# until the first fork they are the shell's own.  With -F the child
	# keeps routing and counts the fallback of the command it execs in
	# place, which must reach the shell.  The mappings are counted
	# without a fork (the fourth letter of the permissions is `s').
	run timeout 60 bash -c 'shared() {
	local perm n=0
	while read -r _ perm _; do [[ $perm == ???s ]] && n=$((n + 1)); done </proc/$$/maps
	echo "$1 $((n - ${before:-n}))"; before=${before:-$n}
}
shared before
enable -f "$TC_SO" tmplcache || exit 99
tmplcache -F childview; childview -q
shared loaded
(childview -q)
shared forked
tmplcache -s -v st; echo "spawns ${st[spawns]} forked ${st[fallback_forked]}"'
	assert_success
	assert_output "before 0
loaded 0
forked 1
spawns 1 forked 1"
}

@test "counters reach the shell from children forked before and after naming, not from a child that renames" {
	cd "$BATS_TEST_TMPDIR"
	local i names=()
	for i in $(seq 1 40); do
		ln -s childview "$TC_BIN/many$i"
		names+=("many$i")
	done
	# 40 names outgrow the shell's first counters before any fork; a
	# name added after the first fork counts in the shared ones; a child
	# that removes a name counts apart from then on, its own children too.
	run timeout 60 bash -c 'enable -f "$TC_SO" tmplcache || exit 99
tmplcache -F "$@"
many40 -q; many1 -q
(many40 -q)
tmplcache -F childview
(childview -q)
(tmplcache -d many1; many40 -q; (many40 -q); :)
tmplcache -s -v st
echo "${st[spawns]} ${st[fallback_forked]} ${st[many40:spawns]}" \
	"${st[many40:fallback_forked]} ${st[childview:fallback_forked]} ${st[many1:spawns]}"' \
		_ "${names[@]}"
	assert_success
	assert_output "2 2 1 1 1 1"
}

@test "one call naming many: duplicates, refusals between, a removed name again" {
	cd "$BATS_TEST_TMPDIR"
	ln -s childview "$TC_BIN/zz"
	ln -s childview "$TC_BIN/aa"
	run timeout 60 bash -c 'enable -f "$TC_SO" tmplcache || exit 99
tmplcache zz
tmplcache -d zz
tmplcache zz cd aa zz childview x/y aa; echo "status $?"
tmplcache -l
type -t aa zz childview
aa -q; zz -q; childview -q
tmplcache -s -v st; echo "spawns ${st[spawns]}"
echo "enable -a lists $(enable -a | grep -c -w -e aa -e zz -e childview)"'
	assert_success
	assert_output "bash: line 4: tmplcache: cd: is a shell builtin
bash: line 4: tmplcache: x/y: name contains a slash: it runs without PATH lookup
status 1
builtin tmplcache aa
builtin tmplcache childview
builtin tmplcache zz
file
file
file
spawns 3
enable -a lists 0"
}
