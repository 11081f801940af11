#!/usr/bin/env bats
# forksteps.bats - the steps stock bash takes before it forks a disk
# command, which a routed command (a builtin to bash) must take too:
# re-syncing a script read ahead from a seekable stdin, the signal
# dispositions the child is given, and forgetting an old job whose pid
# the new child reuses.  Each test compares with stock (tc_compare) and
# checks the counters: the routed run really spawned.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers
load tmux

BATS_TEST_TIMEOUT=120

setup() { tc_setup_bin; }
teardown() { tmx_stop; }

# The routed run's stdout (stock's is the same) matches PATTERN.
out_matches() {	# PATTERN
	[[ $TC_OUT == $1 ]] || { echo "stdout was:"; echo "$TC_OUT"; return 1; }
}

# A script whose first routed command reads the script's own stdin.
STDIN_SCRIPT='head -n1
DATA LINE
echo after
childview -q; head -c 5; echo
XY MORE DATA
echo end'

# ---- script on stdin (jobs.c:make_child, sync_buffered_stream) ----------

@test "bash < file: a routed command reads on where the script is" {
	TC_STDIN=file
	tc_compare "head childview" "$STDIN_SCRIPT"
	tc_assert_spawns 3
	out_matches "DATA LINE"$'\n'after$'\n'"XY MO"'*'
}

@test "bash -s < file, as stock" {
	TC_STDIN=file
	tc_compare "head childview" "$STDIN_SCRIPT" -s
	tc_assert_spawns 3
	out_matches "DATA LINE"$'\n'after'*'
}

@test "a script on a pipe (cannot be re-synced) agrees with stock too" {
	TC_STDIN=pipe
	tc_compare "head childview" "$STDIN_SCRIPT"
	# head reads all the pipe holds (the rest of the script), as stock.
	tc_assert_spawns 1
	out_matches "DATA LINE"
}

@test "source of a file whose commands read stdin, script on stdin" {
	TC_STDIN=file
	tc_compare "head" '
echo "head -n1; echo sourced" >lib.sh
. ./lib.sh
DATA LINE
source ./lib.sh
OTHER DATA
echo end'
	tc_assert_spawns 2
	out_matches '*'sourced$'\n'end
}

# bash feeds a here-document through a pipe when it fits in one, else
# through a (seekable) temporary file: both, to an inner bash that routes
# when the outer one does and reports its own counters.
@test "a here-document fed to bash, small (pipe) and large (file)" {
	local inner_head pad
	# The inner bash routes when the outer one does, and adds its own
	# spawn count to a file.
	inner_head='[[ $INNER_ROUTE ]] && enable -f "$TC_SO" tmplcache && tmplcache head &&
	trap '\''tmplcache -s -v s; echo "${s[spawns]}" >>"$TC_CMP/inner"'\'' EXIT'
	pad=$(printf '#%.0s' {1..70000})
	tc_compare "" "type -t tmplcache >/dev/null && export INNER_ROUTE=1
bash <<'INNER'
$inner_head
head -n1
SMALL DATA
echo after small
INNER
bash <<'INNER'
$inner_head
$pad
head -n1
LARGE DATA
echo after large
INNER"
	# From the pipe, head reads all there is (the rest of the script).
	out_matches "SMALL DATA"$'\n'"LARGE DATA"$'\n'"after large"
	[[ $(<"$TC_CMP/inner") == 1$'\n'1 ]]
}

# ---- signals ignored at startup (sig.c, trap.c) -------------------------

# `ign FILE` prints childview's ignored set for signals 1-31 in hex: glibc's
# internal 32 and 33 may be ignored by whatever started the suite (make),
# and nothing can reset them.
IGN='ign() {
	local m=$(sed -n "s/^sigign //p" "$1")
	printf "ign %x\n" $((16#$m & 16#7fffffff))
}'

@test "interactive bash started with HUP, PIPE, XFSZ ignored: child as stock" {
	TC_STDIN=file TC_WRAP=(env --ignore-signal=HUP,PIPE,XFSZ HISTFILE=)
	tc_compare childview "$IGN"'
childview | grep "^sigign" >/dev/null	# forked: as stock anyway
childview >v1; ign v1
trap "echo hup" HUP; trap "" PIPE
childview >v2; ign v2
trap - HUP PIPE
childview >v3; ign v3' --norc --noediting -i
	tc_assert_spawns 3
	tc_assert_fallbacks signals 0
	# HUP (bit 0), PIPE (bit 12), XFSZ (bit 24) ignored as at startup,
	# not reset to the default; a trapped HUP is reset.
	out_matches "ign 1001001"$'\n'"ign 1001000"$'\n'"ign 1001001"
}

@test "non-interactive bash started with HUP, PIPE, XFSZ ignored: child as stock" {
	TC_WRAP=(env --ignore-signal=HUP,PIPE,XFSZ)
	tc_compare childview "$IGN"'
childview >v1; ign v1
trap "echo hup" HUP
childview >v2; ign v2
trap - HUP
childview >v3; ign v3'
	tc_assert_spawns 3
	out_matches "ign 1001001"$'\n'"ign 1001001"$'\n'"ign 1001001"
}

@test "started with SIGINT ignored (a script run with &), after trap - INT" {
	TC_WRAP=(env --ignore-signal=INT,QUIT)
	tc_compare childview "$IGN"'
trap "" INT QUIT
childview >v1; ign v1
trap - INT
childview >v2; ign v2
trap "echo int" INT
childview >v3; ign v3'
	tc_assert_spawns 3
	tc_assert_fallbacks signals 0
	out_matches "ign 6"$'\n'"ign 6"'*'
}

@test "started with SIGCHLD ignored: the child ignores it, as stock, spawned" {
	# bash catches SIGCHLD; its child gets the startup SIG_IGN back.  Bash
	# cannot ignore SIGCHLD around a spawn (the kernel would reap its
	# other children), so the child must set it itself (X_SIGIGNORE_BITS).
	TC_WRAP=(env --ignore-signal=CHLD)
	tc_compare childview "$IGN"'
childview >v1; ign v1
childview -q -x 3; echo "status $?"
childview >v2; ign v2'
	tc_assert_spawns 3
	tc_assert_fallbacks signals 0
	out_matches "ign 10000"$'\n'"status 3"$'\n'"ign 10000"
}

@test "bash ignores HUP only for the spawn: a HUP after it ends bash as stock" {
	# Interactive, started with HUP ignored, HUP untrapped: bash catches
	# it, the child must ignore it, so bash ignores it around the spawn.
	# The routed command then sends HUP to bash, which must end it (129)
	# as in stock: bash's own disposition is back.  In its own session:
	# without job control bash sends the HUP on to its process group.
	TC_STDIN=file TC_WRAP=(setsid -w env --ignore-signal=HUP HISTFILE=)
	cp /bin/kill "$TC_BIN/sendsig"
	tc_compare "sendsig childview" "$IGN"'
childview >v; ign v
type -t tmplcache >/dev/null && tmplcache -s -v s && echo "${s[spawns]}" >"$TC_CMP/spawns"
sendsig -HUP $$
echo "not reached"' --norc --noediting -i
	# bash dies of the HUP before its EXIT trap could store the counters.
	[[ $(<"$TC_CMP/spawns") == 1 ]]
	out_matches "ign 1"
	[[ $TC_STATUS == 129 ]]
}

# The same with job control, in a terminal (tmux): the child is in its
# own process group and gets the terminal, and keeps the startup ignores.
tty_child_signals() {
	tmx_send 'childview >view; grep "^sigign" view' Enter
	tmx_wait '^sigign '
	tmx_prompt
	tmx_send 'trap "echo hup" HUP; childview >view; grep "^sigign" view' Enter
	tmx_wait_count 2 '^sigign '
	tmx_prompt
}

@test "in a terminal: bash -i started with HUP, PIPE, XFSZ ignored, child as stock" {
	local stock routed
	tmx_require
	TMX_WRAP="env --ignore-signal=HUP,PIPE,XFSZ"
	tmx_start stock childview
	tty_child_signals
	stock=$(tmx_screen)
	tmx_stop
	tmx_start routed childview
	tty_child_signals
	routed=$(tmx_screen)
	tmx_send 'clear; tmplcache -s -v st; echo "SPAWNS=${st[spawns]} FB=${st[fallbacks]}"' Enter
	tmx_wait '^SPAWNS='
	[[ $(tmx_screen | grep '^SPAWNS=') == "SPAWNS=2 FB=0" ]] || { tmx_screen; false; }
	tmx_stop
	diff -u <(echo "$stock") <(echo "$routed")
	# HUP, PIPE and XFSZ ignored as at startup; then HUP trapped: reset.
	[[ $routed == *"sigign "????????[0-9a-f]1001001$'\n'*"sigign "????????[0-9a-f]1001000* ]] ||
		{ echo "$routed"; false; }
}

# ---- pid reuse (jobs.c: delete_old_job, bgp_delete) ---------------------

# In a new pid namespace (root only), ns_last_pid makes the routed child
# take the pid of an earlier background job: first while that dead job is
# still in bash's table, then when only its saved status is left.
@test "a child reusing a dead job's pid is waited for, as stock" {
	[[ $(id -u) == 0 ]] || skip "needs root (a pid namespace)"
	unshare -p -f --mount-proc true 2>/dev/null || skip "unshare -p not permitted"
	TC_WRAP=(timeout 60 unshare -p -f --mount-proc sh -c '"$@"; exit $?' sh)
	tc_compare childview '
reuse_next() {	# make the next process get pid $1
	while [[ -e /proc/$1 ]]; do :; done	# until bash has reaped it
	echo $(($1 - 1)) >/proc/sys/kernel/ns_last_pid
}
childview -q -x 7 & bg=$!
reuse_next $bg
childview -x 3 >view; echo "status $?"
[[ $(sed -n "s/^pid //p" view) == "$bg" ]] && echo "pid reused"
childview -q -x 5 & bg=$!
wait $bg; echo "waited $?"
jobs
reuse_next $bg
childview -x 3 >view; echo "status $?"
[[ $(sed -n "s/^pid //p" view) == "$bg" ]] && echo "pid reused"
wait $bg; echo "wait again $?"'
	tc_assert_spawns 2
	out_matches "status 3"$'\n'"pid reused"$'\n''*'"pid reused"$'\n'"wait again 127"
}

# ---- the command search (findcmd.c: search_for_command) ------------------

# A name found through a relative PATH entry cannot be spawned (relpath);
# bash's own search must then find it as for a first run: `_` is the path
# as found (../rel/NAME), and only a hashed one gets bash's `./` prefix.
@test "relative PATH entry: _ and the hash table as stock, first and later runs" {
	tc_compare childview '
mkdir -p ../rel && cp "$TC_BIN/childview" ../rel/
PATH=../rel:$PATH
{ childview; } >view1; grep "^env _=" view1
hash
{ childview; } >view2; grep "^env _=" view2
hash
childview >view3; grep "^env _=" view3
hash'
	tc_assert_fallbacks relpath 3
	out_matches "env _=../rel/childview"$'\n''*'
}
