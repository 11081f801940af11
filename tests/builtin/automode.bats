#!/usr/bin/env bats
# automode.bats - `tmplcache -a`: every command found on PATH is routed,
# without naming any, compared with stock bash.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The routed run's first line is `tmplcache -a`; ST[NAME:spawns] proves
# which names really spawned.

load helpers
load tmux

setup() { tc_setup_bin; }
teardown() { tmx_stop; }

tc_bash() {
	cd "$BATS_TEST_TMPDIR"
	run timeout 120 bash -c 'enable -f "$TC_SO" tmplcache || exit 99
'"$1"'
:'
}

# want NAME N: the routed run spawned NAME N times.
want() {
	local got=${ST[$1:spawns]:-none}
	[[ $got == "$2" ]] || { echo "$1:spawns: want $2, got $got"; tc_dump_stats; return 1; }
}

SCRIPT='
childview -q a "b c"; echo "cv $?"
printf "%s\n" c a b >list
sort list; sort -r list | head -n 1
wc -l <list; cut -c1 list | tr a-c A-C
cat list >copy; cmp list copy && echo same
x=$(sort list); echo "$x"
f() { head -n "$1" list; }; f 2
for i in 1 2; do basename /a/b/$i; done
nosuchtool; echo "status $?"'

@test "-a: a script using several tools runs as stock, each tool spawned" {
	tc_compare -a "$SCRIPT"
	# In a pipeline or $(...) bash forks first: routing ends there.
	want childview 1
	want sort 1
	want head 1
	want wc 1
	want cmp 1
	want cat 1
	want basename 2
	want printf none	# a builtin stays bash's
	tc_assert_fallbacks notfound 0	# not on PATH: never a routed name
}

@test "-a: the same script read from stdin (bash < file) and from a pipe" {
	TC_STDIN=file tc_compare -a "$SCRIPT"
	want sort 1
	want basename 2
	TC_STDIN=pipe tc_compare -a "$SCRIPT"
	want sort 1
	want basename 2
}

@test "-a: a tool installed after -a runs, then is routed (new PATH dir, dir made later)" {
	# cwd/later is on PATH before it exists; each run gets a new cwd.
	PATH=$BATS_TEST_TMPDIR/cmp/cwd/later:$PATH
	tc_compare -a '
mkdir fresh; cp /bin/true fresh/justcopied
PATH=$PWD/fresh:$PATH
justcopied; echo "first $?"; justcopied; echo "second $?"; justcopied
mkdir later; cp /bin/false later/alsocopied
alsocopied; echo "first $?"; alsocopied; echo "second $?"'
	# The first run of each is bash's fork (its fork handler reads what
	# changed); every run after it spawns.
	want justcopied 2
	want alsocopied 1
	want cp 2
	[[ ${ST[auto_rescans]} -ge 2 ]] || { tc_dump_stats; false; }
}

@test "-a: a tool copied into a directory already on PATH is routed after one fork" {
	mkdir -p "$TC_BIN/later"
	tc_bash '
PATH=$TC_BIN/later:$PATH
tmplcache -a
cp /bin/true "$TC_BIN/later/copied"
for i in 1 2 3; do copied; echo "run $?"; done
tmplcache -s -v st; echo "spawns ${st[copied:spawns]}"'
	assert_success
	assert_output "run 0
run 0
run 0
spawns 2"
}

@test "-a: a PATH change runs the same-named binary bash would now run" {
	mkdir -p "$TC_BIN/other"
	cp /bin/echo "$TC_BIN/other/childview"
	tc_compare -a '
childview -q x; echo "cv $?"
PATH=$TC_BIN/other:$PATH
childview from-echo; hash -t childview
PATH=${PATH#*:}
childview -q y; echo "cv $?"'
	want childview 3
}

@test "-a: functions and aliases shadow a routed name as in stock; builtins are never routed" {
	tc_compare -a '
shopt -s expand_aliases
sort() { echo "function sort $*"; }
printf "b\na\n" | sort; echo z | sort -r
sort a b
unset -f sort
alias wc="echo alias-wc"
wc -l </dev/null
unalias wc
wc -l </dev/null
echo builtin-echo; pwd >/dev/null; kill -0 $$; test -e /; [ -e / ]; printf "%s\n" p
type -t echo pwd kill test [ printf
sort </dev/null; echo "sort $?"'
	want sort 1	# only after unset -f
	want wc 1	# only after unalias
	local b
	for b in echo pwd kill test printf; do want "$b" none; done
}

@test "-a: type, hash, compgen -c, compgen -b, enable, help, builtin answer as stock" {
	# Each runs in the shell itself (a pipeline would fork first).
	tc_compare -a '
drop() { grep -vx -e tmplcache -e "enable tmplcache" "$1"; }
sort </dev/null; cat </dev/null; childview -q
type sort cat childview; type -a cat; type -t sort
hash; hash -t sort cat
compgen -c >all; drop all >all.d; sort -o all.s all.d; wc -l <all.s; grep -cx sort all.s
compgen -b >b; drop b; compgen -c -- sor >s; drop s
enable >e; drop e; enable -a >e; drop e
help sort; echo "help $?"
builtin cat </dev/null; echo "builtin $?"
enable -n sort; echo "enable $?"'
	want sort 2
	want cat 1
	want wc 1
	want grep 6
}

@test "-a: LRU with TMPLCACHE_MAX=2 and 5 tools: stock results, evictions counted" {
	tc_compare -a '
TMPLCACHE_MAX=2
for i in 1 2; do
	basename /x/a; dirname /x/a; id -u >/dev/null; echo "id $?"
	childview -q; echo "cv $?"; uname -s >/dev/null; echo "uname $?"
done'
	tc_assert_spawns 10
	# 3 closed in the first round (2 fit), all 5 in the second.
	[[ ${ST[evicted]} == 8 ]] || { tc_dump_stats; false; }
	[[ ${ST[templates]} == 2 ]] || { tc_dump_stats; false; }
	tc_assert_fallbacks cap 0
}

@test "-a: -l says -a, -t and -d take a name not used yet, -r ends it" {
	tc_bash '
tmplcache -a
tmplcache -l
[[ $(tmplcache -t cat) == "$(type -P cat)" ]] && echo "t cat"
tmplcache -t nosuchtool; echo "t $?"
tmplcache -d sort; echo "d $?"
sort </dev/null; cat </dev/null
tmplcache -s -v st; echo "sort ${st[sort:spawns]:-none} cat ${st[cat:spawns]}"
tmplcache -r; tmplcache -l; echo "r $?"
cat </dev/null; tmplcache -s -v st; echo "cat ${st[cat:spawns]:-none} auto ${st[auto_names]:-off}"
help tmplcache | grep -c "route every command found in PATH"'
	assert_success
	assert_output "builtin tmplcache -a
t cat
bash: line 6: tmplcache: nosuchtool: not routed
t 1
d 0
sort none cat 1
r 0
cat none auto off
1"
}

@test "-a: bash -c, and a PATH of thousands of names keeps bash's lookups sorted" {
	mkdir -p "$TC_BIN/many"
	local i
	for ((i = 0; i < 3000; i++)); do : >"$TC_BIN/many/t$RANDOM$i"; done
	cp /bin/true "$TC_BIN/many/zz-last" && cp /bin/true "$TC_BIN/many/AA-first"
	cp /bin/true "$TC_BIN/many/é-utf8"
	# Names that test the sort's every branch (automode.c): shared long
	# prefixes, a byte >= 0x80 first (a char below 'A' in bash's order
	# where char is signed) and later, one-byte names, prefixes of
	# builtin names, and a name in two PATH directories.
	mkdir -p "$TC_BIN/more"
	for i in x xx xxx xxxxxxxxxxa xxxxxxxxxxb xxxxxxxxxx ech echoo e $'\xc3' $'\xff'z \
		$'a\xe9' $'a\x7f' cd- cdx 'te' tes testx _ -; do
		: >"$TC_BIN/many/$i"
	done
	cp /bin/true "$TC_BIN/more/xxxxxxxxxxb" && cp /bin/true "$TC_BIN/many/xxxxxxxxxxb"
	tc_bash '
PATH=$TC_BIN/many:$TC_BIN/more:$PATH
tmplcache -a
for i in 1 2; do zz-last; AA-first; é-utf8; sort </dev/null; xxxxxxxxxxb; done
tmplcache -s -v st
echo "${st[zz-last:spawns]} ${st[AA-first:spawns]} ${st[é-utf8:spawns]} ${st[sort:spawns]} ${st[xxxxxxxxxxb:spawns]}"
(( st[auto_names] > 3000 )) && echo many
type -t echo cd zz-last
# bash runs a builtin it finds by a binary search of its table (type
# and the like search a table without ours): builtins from across the
# alphabet, run by name, each found only in a sorted table.
: && [ 1 ] && alias >/dev/null && cd . && echo -n && hash -l >/dev/null &&
	printf "" && pwd >/dev/null && read -t 0 </dev/null; set -- && test 1 &&
	true && umask >/dev/null && ! false && echo "builtins found"'
	assert_success
	assert_output "2 2 2 2 2
many
builtin
builtin
file
builtins found"
}

@test "-a in .bashrc: an interactive bash in a terminal routes what it runs" {
	local stock routed
	tmx_require
	tmx_start stock -a
	tmx_send 'sort </dev/null; childview -q; echo "cv $?"; type -t sort' Enter
	tmx_wait '^file$'
	tmx_prompt
	stock=$(tmx_screen)
	tmx_stop
	tmx_start routed -a
	tmx_send 'sort </dev/null; childview -q; echo "cv $?"; type -t sort' Enter
	tmx_wait '^file$'
	tmx_prompt
	routed=$(tmx_screen)
	tmx_send 'clear; tmplcache -s -v st; echo "SPAWNS=${st[spawns]} FB=${st[fallbacks]}"' Enter
	tmx_wait '^SPAWNS='
	# clear (in the rc file, after -a), sort, childview, clear.
	[[ $(tmx_screen | grep '^SPAWNS=') == "SPAWNS=4 FB=0" ]] || { tmx_screen; false; }
	tmx_stop
	diff -u <(echo "$stock") <(echo "$routed")
}
