#!/usr/bin/env bats
# redirections.bats - a routed command's redirections are performed once,
# whether it spawns or falls back to bash's own fork/exec.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bash performs a builtin's redirections in the shell before calling it; a
# fallback that handed the command back to bash (EX_DISKFALLBACK) made bash
# perform them a second time.  Each case compares a routed run with a stock
# one and checks the counters for the path taken.  Tests named "pinned: "
# record a difference that bash's loadable interface leaves (README, "What
# is still visible"): they fail if it changes, in either direction.
#
# FIFO cases would hang when a redirection is done twice (the second open
# finds no peer): every shell here runs under `timeout` (tc_time_limit).

load helpers

# The shell's open fds below the template range, listed from a child that
# is not part of a pipeline (while bash builds one it holds its pipe fds).
FDS='fds() { ls /proc/$$/fd >fdlist; sort -n fdlist | awk "\$1 < 300" | tr "\n" " "; echo; }'

setup() {
	tc_setup_bin
	tc_time_limit
}

# Every bash a test starts (tc_compare's two runs, bash -c) runs under
# timeout, so a redirection done twice on a FIFO fails instead of hanging.
tc_time_limit() {
	local real
	real=$(type -P bash)
	printf '#!%s\nexec timeout -k 5 60 %q "$@"\n' "$real" "$real" >"$TC_BIN/bash"
	chmod +x "$TC_BIN/bash"
}

# Run SCRIPT with bash -c, stock and then routing NAMES; compare stdout and
# stderr together (they may interleave) and the status.  Reading to EOF
# waits for every process that holds the output, process substitutions too.
tc_compare_c() {	# NAMES SCRIPT
	local stock routed rs=0 rr=0 d=$BATS_TEST_TMPDIR/c
	rm -rf "$d" && mkdir -p "$d/stock" "$d/routed"
	stock=$(cd "$d/stock" && bash -c "$2" 2>&1) || rs=$?
	routed=$(cd "$d/routed" && bash -c "enable -f \"\$TC_SO\" tmplcache && tmplcache $1; $2" 2>&1) || rr=$?
	[[ $stock == "$routed" && $rs == "$rr" ]] && return 0
	echo "stock ($rs):"; echo "$stock"
	echo "routed ($rr):"; echo "$routed"
	return 1
}

@test "set -C: command NAME >new creates the file once" {
	tc_compare childview '
set -C
command childview -q >new; echo "status $?"
ls new'
	tc_assert_fallbacks command 1
}

@test "command -p NAME with a redirection searches the standard path" {
	tc_compare cat '
echo in >in
set -C
command -p cat <in >new; echo "status $?"
cat new; hash'
	tc_assert_fallbacks command 1
}

@test "set -C: a non-executable routed file gives Permission denied, 126" {
	tc_compare childview '
mkdir bin && cp "$CHILDVIEW" bin/childview && PATH=$PWD/bin:$PATH
set -C
childview -q >one; echo "before $?"
chmod -x bin/childview
childview -q >two; echo "after $?"
ls'
	tc_assert_spawns 1
	tc_assert_fallbacks create 1
}

@test "not found: the handler runs once with the redirection in place" {
	tc_compare childview '
set -C
PATH=/nonexistent
childview >out1; echo "status $?"
command_not_found_handle() { echo "handled $1"; return 9; }
childview x >out2; echo "status $?"
cat out2'
	tc_assert_fallbacks notfound 2
}

@test "a here-document is expanded once on fallback" {
	tc_compare childview '
command childview -q <<END
$(echo expanded >&2)
END
echo "status $?"'
	tc_assert_fallbacks command 1
}

@test "a FIFO is opened once on fallback (writer)" {
	tc_compare childview '
mkfifo f
cat f >got &
command childview -q x >f; echo "status $?"
wait $!; echo "reader $?"
wc -c <got'
	tc_assert_fallbacks command 1
}

@test "a FIFO is opened once on fallback (reader)" {
	tc_compare cat '
mkfifo f
{ echo data >f; echo "writer $?" >&2; } &
command cat <f; echo "status $?"
wait $!'
	tc_assert_fallbacks command 1
}

@test "a subshell's redirection with a side effect is done once" {
	tc_compare childview '
k=0
(childview -q >cnt$((k++)))
(childview -q >c$((k++)); echo "next")
ls; echo "k $k"'
	# A forked child runs bash's own code: routing ends at fork.
	tc_assert_fallbacks forked 0
}

@test "\$(...) with a redirection: done once" {
	tc_compare childview '
x=$(set -C; childview -q >new; echo "s $?"); echo "$x"
ls'
	# A forked child runs bash's own code: routing ends at fork.
	tc_assert_fallbacks forked 0
}

@test "in a pipeline: redirections done once, bash execs in place" {
	tc_compare childview '
set -C
childview -q >p1 | cat
childview -q 2>p2 >&2 | cat; echo "${PIPESTATUS[*]}"
ls'
	# A forked child runs bash's own code: routing ends at fork.
	tc_assert_fallbacks forked 0
}

@test "a pipeline element in a function run with a redirection: status as stock" {
	tc_compare childview '
f() { childview -q -x 3 2>/dev/null | cat; echo "${PIPESTATUS[*]}"; }
f >log; cat log
g() { set -C; childview -q -x 4 >g.out; echo "in g $?"; }
g | cat
eval "childview -q -x 5 2>/dev/null | cat; echo \${PIPESTATUS[*]}" >log2; cat log2
h() { childview -q -x 6 2>/dev/null & wait $!; echo "bg $?"; }
h >log3; cat log3
k() { childview -q -k 11 2>/dev/null | cat; echo "${PIPESTATUS[*]}"; }
k >log4; cat log4'
}

@test "{var} in a function run as a pipeline element: opened once" {
	tc_compare childview '
g() { childview -q {fd}>/dev/null; echo "[${fd-unset}]"; }
g | cat'
	# A forked child runs bash's own code: routing ends at fork.
	tc_assert_fallbacks forked 0
}

@test "bash -c, last line: a process substitution runs once" {
	tc_compare_c childview 'echo first; childview -q > >(echo P >&2)'
	tc_compare_c childview 'set -C; echo first; childview -q >new; echo "status $?"; ls new'
}

@test "{var}: the spawned command leaves no variable and no fd in the shell" {
	tc_compare childview "$FDS"'
childview -q {fd}>/dev/null; echo "[${fd-unset}]"
fds
f() { local v; childview -q {v}>/dev/null; echo "[${v-unset}]"; }; f'
	tc_assert_spawns 2
}

@test "{var}: a fallback opens it once and leaves nothing" {
	tc_compare childview "$FDS"'
mkfifo f
cat f >got &
command childview -q {w}>f; echo "status $? [${w-unset}]"
wait $!; echo "reader $?"
fds'
	tc_assert_fallbacks command 1
}

@test "{var}>&- and {var} with varredir_close are left as stock" {
	tc_compare childview "$FDS"'
exec {keep}>/dev/null
childview -q {keep}>&-; echo "[$keep]" >&$keep
shopt -s varredir_close
childview -q {v}>/dev/null; echo "[${v-unset}]"
fds'
	tc_assert_spawns 2
}

@test "own fork path: \$?, PIPESTATUS, a signal's notice, set -e as stock" {
	tc_compare childview '
set -C
command childview -q -x 3 >a; echo "status $? ${PIPESTATUS[*]}"
{ command childview -q -k 11 >b; } 2>notice; echo "status $?"
sed -E "s/: +[0-9]+ /: PID /" notice	# bash pads the pid to 5 places
set -e
command childview -q -x 4 >c || echo "or $?"
command childview -q -x 5 >d
echo notreached'
	tc_assert_fallbacks command 4
	[[ $TC_OUT == *"status 139"*"PID Segmentation fault"* ]]
}

@test "own fork path: a script read from stdin stays in step" {
	local d=$BATS_TEST_TMPDIR/stdin s
	s='trap "cat out; echo done" EXIT
set -C
command cat >out
line one
line two'
	mkdir -p "$d/stock" "$d/routed"
	(cd "$d/stock" && bash <<<"$s" >../out.stock 2>&1)
	(cd "$d/routed" && bash <<<"enable -f \"\$TC_SO\" tmplcache && tmplcache cat; $s" >../out.routed 2>&1)
	diff "$d/out.stock" "$d/out.routed"
	[[ $(<"$d/out.stock") == $'line one\nline two\ndone' ]]
}

# Run SCRIPT as a file under stock bash and routing NAMES; stdout and
# stderr together, then "status N", in STOCK and ROUTED.
tc_both() {	# NAMES SCRIPT
	local d=$BATS_TEST_TMPDIR/both m pre
	for m in stock routed; do
		rm -rf "$d/cwd" && mkdir -p "$d/cwd"
		pre=:
		[[ $m == routed ]] && pre="enable -f \"\$TC_SO\" tmplcache && tmplcache $1"
		printf '%s\n%s\n' "$pre" "$2" >"$d/t.sh"
		local out rc=0
		out=$(cd "$d/cwd" && bash ../t.sh 2>&1 </dev/null) || rc=$?
		printf -v "${m^^}" '%s\nstatus %s' "$out" "$rc"
	done
	printf '%s:\n%s\n' stock "$STOCK" routed "$ROUTED"	# shown on failure
}

# What is still visible (README): a routed name is a builtin to bash, so
# bash expands and performs its redirections in the shell itself.

@test "pinned: a redirection word's side effects land in the shell" {
	tc_both childview 'n=0; childview -q >f$((n++)); childview -q >${out:=x}; echo "n=$n out=$out"'
	[[ $STOCK == $'n=0 out=\nstatus 0' ]]
	[[ $ROUTED == $'n=1 out=x\nstatus 0' ]]
}

@test "pinned: an expansion error in a redirection ends the script" {
	tc_both childview 'childview -q <${nosuch:?gone}; echo "after $?"'
	[[ $STOCK == $'../t.sh: line 2: nosuch: gone\nafter 1\nstatus 0' ]]
	[[ $ROUTED == $'../t.sh: line 2: nosuch: gone\nstatus 1' ]]
	tc_both childview 'set -u; childview -q >$nosuch; echo "after $?"'
	[[ $STOCK == $'../t.sh: line 2: nosuch: unbound variable\nafter 1\nstatus 0' ]]
	[[ $ROUTED == $'../t.sh: line 2: nosuch: unbound variable\nstatus 1' ]]
}

@test "pinned: an expansion error in a here-document body ends the script" {
	tc_both childview 'childview -q <<END || echo "or $?"
${nosuch:?gone}
END
echo "line $LINENO"'
	[[ $STOCK == $'../t.sh: line 2: nosuch: gone\nor 1\nline 5\nstatus 0' ]]
	[[ $ROUTED == $'../t.sh: line 2: nosuch: gone\nstatus 1' ]]
}

@test "pinned: \$BASHPID in a redirection word is the shell's" {
	tc_both childview 'childview -q >pid.$BASHPID; [[ -e pid.$$ ]]; echo "shell $?"'
	[[ $STOCK == $'shell 1\nstatus 0' ]]
	[[ $ROUTED == $'shell 0\nstatus 0' ]]
}

@test "pinned: a process substitution in a redirection sets \$!" {
	tc_both childview 'childview -q > >(cat); [[ -n $! ]]; echo "set $?"'
	[[ $STOCK == $'set 1\nstatus 0' ]]
	[[ $ROUTED == $'set 0\nstatus 0' ]]
}

@test "pinned: a process substitution in a redirection is the shell's child" {
	# Stock bash starts it in the forked child: no CHLD trap in the shell
	# for it, and $! stays unset, so a subshell's `wait $!` waits for all.
	tc_both childview 'n=0; trap "((n++))" CHLD
childview -q > >(cat)
wait $!; echo "wait $?"
trap - CHLD; echo "chld $n"
(wait $!) 2>&1 | sed "s/[0-9][0-9]*/N/g"; echo "subshell wait ${PIPESTATUS[0]}"'
	[[ $STOCK == $'wait 0\nchld 1\nsubshell wait 0\nstatus 0' ]]
	[[ $ROUTED == $'wait 0\nchld 2\n../t.sh: line N: wait: pid N is not a child of this shell\nsubshell wait 127\nstatus 0' ]]
}

# A failing redirection of a routed command fails before bash calls the
# builtin, in the shell; stock bash has forked by then, after searching
# (and hashing) the command and syncing a script it reads ahead.

@test "pinned: a failed redirection forks no child and hashes nothing" {
	tc_both childview 'trap "echo chld" CHLD
childview -q >nodir/f
echo "status $?"
trap - CHLD
hash | sed "s|/.*/|DIR/|"'
	[[ $STOCK == $'../t.sh: line 3: nodir/f: No such file or directory\nchld\nstatus 1\nhits\tcommand\n   1\tDIR/childview\nstatus 0' ]]
	[[ $ROUTED == $'../t.sh: line 3: nodir/f: No such file or directory\nstatus 1\nhash: hash table empty\nstatus 0' ]]
}

# Not hashed, the command is looked up again at its next run: moved away,
# stock fails on the stale hashed path, routed searches PATH (found by
# difffuzz: `env >nodir/x; mv .../env ...; env`).
@test "pinned: after a failed redirection, a moved command is searched again, not run from a stale hash" {
	tc_both childview 'childview -q >nodir/f
mv "$TC_BIN/childview" "$TC_BIN/moved"
childview -q
echo "status $?"
mv "$TC_BIN/moved" "$TC_BIN/childview"'
	local msg=$'../t.sh: line 2: nodir/f: No such file or directory'
	[[ $STOCK == "$msg"$'
'"../t.sh: line 4: $TC_BIN/childview: No such file or directory"$'
status 127
status 0' ]]
	[[ $ROUTED == "$msg"$'
../t.sh: line 4: childview: command not found
status 127
status 0' ]]
}

# Bash leaves the process substitution of a builtin's redirection open
# in the shell when a later redirection of the same command fails, until
# the `bash -c` string or the `eval` ends (before 5.3, a sourced file
# too).  Stock bash performs a disk command's redirections in its child;
# a routed name is a builtin and gets what bash does for one, `true`.
@test "pinned: a failed redirection leaves its process substitution open, as for a builtin" {
	local how cmd out stock routed builtin
	local probe='pipes() { local f n=0; for f in /proc/$$/fd/*; do [[ $(readlink "$f") == pipe:* ]] && ((n++)); done; echo "$1: $n pipes"; }'
	for how in c eval; do
		for cmd in stock routed builtin; do
			local pre='' word=childview
			[[ $cmd == routed ]] && pre='enable -f "$TC_SO" tmplcache && tmplcache childview'
			[[ $cmd == builtin ]] && word=true
			local body="$probe
pipes before
$word -q < <(echo ps) >nodir/f
pipes after"
			if [[ $how == c ]]; then
				out=$(cd "$BATS_TEST_TMPDIR" && bash -c "$pre
$body" 2>&1 3>&-)
			else
				out=$(cd "$BATS_TEST_TMPDIR" && bash -c "$pre"'
eval "$1"' _ "$body" 2>&1 3>&-)
			fi
			printf -v "$cmd" '%s' "${out//$word -q/CMD}"
		done
		printf '%s (%s):\n%s\n' stock "$how" "$stock" routed "$how" "$routed" builtin "$how" "$builtin"
		[[ $routed == "$builtin" ]]
		[[ $stock == *"after: "* && $routed == *"after: "* ]]
	done
}

@test "pinned: set -e after a failed redirection leaves a script on stdin read ahead" {
	local d=$BATS_TEST_TMPDIR/ahead m pre out
	mkdir -p "$d"
	for m in stock routed; do
		pre=:
		[[ $m == routed ]] && pre='enable -f "$TC_SO" tmplcache && tmplcache childview'
		printf '%s\n%s\n' "$pre" 'childview -q >nodir/f
echo not reached
the rest' >"$d/s.sh"
		out=$(cd "$d" && timeout 60 bash -c '{ bash -e; echo "status $?"; cat; } <s.sh' 2>&1 |
			sed 's/^[^ ]*bash: line/bash: line/')
		printf -v "${m^^}" '%s' "$out"
	done
	printf '%s:\n%s\n' stock "$STOCK" routed "$ROUTED"
	[[ $STOCK == $'bash: line 2: nodir/f: No such file or directory\nstatus 1\necho not reached\nthe rest' ]]
	[[ $ROUTED == $'bash: line 2: nodir/f: No such file or directory\nstatus 1' ]]
}

@test "pinned: a {var} fd is numbered after the shell's saved copies" {
	# Routed, bash saves the open stdout above 9 in the shell before it
	# opens {fd}: the child sees the next number.
	tc_both childview 'childview >out {fd}>mark; sed -n "s|^fd \([0-9]*\) .*/mark\$|\1|p" out'
	local s=${STOCK%%$'\n'*} r=${ROUTED%%$'\n'*}
	[[ $s == [0-9]* && $r == $((s + 1)) ]]
}

@test "NAME {var}>f | ...: execs in place as stock (routing ends at fork)" {
	tc_both childview 'childview {fd}>/dev/null | cat >v; grep -qx "ppid $$" v; echo "ppid is the shell: $?"'
	[[ $STOCK == $'ppid is the shell: 0\nstatus 0' ]]
	[[ $ROUTED == "$STOCK" ]]
}

@test "pinned: a {name[i]} redirection stays open and set in the shell" {
	tc_both childview 'childview -q {a[1]}>/dev/null; [[ -e /proc/$$/fd/${a[1]-x} ]]; echo "[${a[1]+set}] open $?"'
	[[ $STOCK == $'[] open 1\nstatus 0' ]]
	[[ $ROUTED == $'[set] open 0\nstatus 0' ]]
}

@test "pinned: a {var} that had a value is unset, not kept" {
	tc_both childview 'fd=5; childview -q {fd}>/dev/null; echo "[${fd-unset}]"'
	[[ $STOCK == $'[5]\nstatus 0' ]]
	[[ $ROUTED == $'[unset]\nstatus 0' ]]
}

@test "( NAME >f ), <(NAME >f), coproc NAME >f: exec in place as stock" {
	tc_both childview '
(childview >v1); grep -qx "ppid $$" v1; echo "( ): $?"
cat <(childview 3>&1 >v2); grep -qx "ppid $$" v2; echo "<( ): $?"
coproc childview >v3; wait; grep -qx "ppid $$" v3; echo "coproc: $?"'
	# Bash 5.1 still forks for the command of <( ) when it has
	# redirections (evalstring.c:should_suppress_fork); 5.2 execs it.
	local psub
	psub=$(bash -c 'echo $((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 502))')
	[[ $STOCK == $'( ): 0\n<( ): '"$psub"$'\ncoproc: 0\nstatus 0' ]]
	[[ $ROUTED == "$STOCK" ]]
}

@test "NAME >f | ... in a function, eval or source run with a redirection: execs in place as stock" {
	tc_both childview '
f() { childview 2>/dev/null | cat >v1; }; f >log; grep -qx "ppid $$" v1; echo "function: $?"
eval "childview 2>/dev/null | cat >v2" >log; grep -qx "ppid $$" v2; echo "eval: $?"
echo "childview 2>/dev/null | cat >v3" >s.sh; . ./s.sh >log; grep -qx "ppid $$" v3; echo "source: $?"'
	[[ $STOCK == $'function: 0\neval: 0\nsource: 0\nstatus 0' ]]
	[[ $ROUTED == "$STOCK" ]]
}

@test "in a trap, under a DEBUG trap: still done once" {
	tc_compare childview '
set -C
trap : DEBUG
trap "command childview -q >new; echo \"status \$?\"; ls new" USR1
kill -USR1 $$
trap - DEBUG'
	tc_assert_fallbacks command 1
}

@test "/dev/tcp: connected once on fallback" {
	command -v python3 >/dev/null || skip "python3 not installed"
	python3 -c 'import socket; socket.socket().bind(("127.0.0.1", 0))' 2>/dev/null ||
		skip "no loopback network here (the test VM has none)"
	# Counts the connections before the one that says STOP; accepts them
	# in order, so the count needs no timing.
	export TC_TCP_SERVER=$BATS_TEST_TMPDIR/server.py
	cat >"$TC_TCP_SERVER" <<'PY'
import os, socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open("port.tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename("port.tmp", "port")
n = 0
while True:
    c, _ = s.accept()
    data = c.recv(16)
    c.close()
    if data.startswith(b"STOP"):
        break
    n += 1
print("connections", n)
PY
	tc_compare childview '
timeout 30 python3 "$TC_TCP_SERVER" &
for ((i = 0; i < 600; i++)); do [[ -e port ]] && break; sleep 0.05; done
command childview -q >/dev/tcp/127.0.0.1/$(<port); echo "status $?"
echo STOP >/dev/tcp/127.0.0.1/$(<port)
wait $!; echo "server $?"'
	tc_assert_fallbacks command 1
	[[ $TC_OUT == *"connections 1"* ]]
}

# bash opens its process-group pipe (set -m) with the lowest free fds; in a
# builtin that is after the redirections, so `2>&-` gave it fd 2, and
# bash's stop_pipeline() closed the stderr its undo had put back there.
@test "set -m: NAME 2>&- and 0<&- leave the shell its fds (spawn)" {
	tc_compare childview '
set -m
childview -q 2>&-; echo "status $?"
echo "stderr still here" >&2
childview -q <&-; echo "status $?"
read -r line; echo "stdin: ${line:-eof}"
ls /proc/$$/fd | sort -n | awk "\$1 < 300" | tr "\n" " "; echo'
	tc_assert_spawns 2
}

@test "set -m: NAME 2>&- leaves the shell its stderr (fallback)" {
	tc_compare childview '
set -m
command childview -q 2>&-; echo "status $?"
echo "stderr still here" >&2
ls /proc/$$/fd | sort -n | awk "\$1 < 300" | tr "\n" " "; echo'
	tc_assert_fallbacks command 1
}

# Under a low `ulimit -n` bash's fds (and ours) must stay below it: a
# process-group pipe moved to fd 255 failed to move, kept fd 0, and its
# close then took the stdin bash had restored (found by difffuzz).
@test "set -m, ulimit -n 64: NAME <&- and 2>&- leave the shell its fds" {
	tc_compare childview '
ulimit -n 64
set -m
childview -q <&-; echo "status $?"
read -r line; echo "stdin: ${line:-eof}"
childview -q 2>&-; echo "status $?"
echo "stderr still here" >&2
ls /proc/$$/fd | sort -n | awk "\$1 < 300" | tr "\n" " "; echo'
}
