# helpers.bash - stock bash is the oracle: run a script twice and compare.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tc_compare NAMES SCRIPT runs SCRIPT as a bash script file twice, from the
# same directory with the same environment: once with stock bash, once
# with tmplcache loaded and routing NAMES.  It asserts byte-identical
# stdout, stderr and exit status, and leaves the routed run's counters in
# the associative array ST (tmplcache -s -v) so a test can prove the spawn
# path was taken: a test that passes by falling back proves nothing.
#
# Both runs start with one line of the same length in lines, so $LINENO and
# bash's "line N:" messages agree; only that line differs (enable + names).
#
# Set before tc_compare, for that call only (reset after it):
#   TC_STDIN=file  bash reads the script from its stdin, a seekable file
#                  (`bash OPTS < t.sh`); TC_STDIN=pipe: from a pipe
#                  (`cat t.sh | bash OPTS`).  Default: `bash OPTS t.sh`
#                  with stdin /dev/null.
#   TC_WRAP=(CMD...)  a command that runs bash, e.g. (env --ignore-signal=HUP).
# Both runs start with every signal at its default (env --default-signal,
# before TC_WRAP), so no result depends on how the suite itself was started
# (a suite started with `&` inherits SIGINT and SIGQUIT ignored).

bats_load_library bats-support
bats_load_library bats-assert

: "${TC_BUILDDIR:?set TC_BUILDDIR to the build tree (make check does)}"
TC_SO=$TC_BUILDDIR/builtins/.libs/tmplcache.so
# The bash under test is the one the build was configured with (BASH_PROG:
# configure --with-bash=PREFIX, or bash from PATH): every `bash` the suites
# run, stock and routed, is that one, found first on PATH as a user has it.
TC_BASH=$(sed -n 's/^BASH_PROG = //p' "$TC_BUILDDIR/Makefile" 2>/dev/null)
if [[ -n $TC_BASH && ! $(type -P bash) -ef $TC_BASH ]]; then
	PATH=${TC_BASH%/*}:$PATH
fi
TC_STDIN= TC_WRAP=()
CHILDVIEW=$TC_BUILDDIR/tests/lib/childview
export TC_SO CHILDVIEW PATH

tc_require_built() {
	[[ -f $TC_SO ]] || skip "tmplcache.so not built ($TC_SO)"
	[[ -x $CHILDVIEW ]] || skip "childview not built ($CHILDVIEW)"
}

# The first line of every compared script: where to write $$ and the
# counters (the EXIT trap runs in both runs; stock has no tmplcache and
# writes nothing).
_tc_trailer='echo $$ $PPID >"$TC_CMP/pid"; trap '\''type -t tmplcache >/dev/null && tmplcache -s -v __tc_st && declare -p __tc_st >"$TC_CMP/stats"'\'' EXIT'

# Replace what legitimately differs between two runs (the shell's pid, its
# parent's — the time limit's timeout(1) —, a child's own pid) so the rest
# can be compared byte for byte.
_tc_normalize() {	# FILE SHELLPID PARENTPID
	sed -E -e "s/(^|[^0-9A-Za-z])$2([^0-9A-Za-z]|\$)/\\1SHELLPID\\2/g" \
		-e "s/^ppid $3\$/ppid PARENTPID/" \
		-e 's/^(pid) [0-9]+$/\1 CHILDPID/' \
		-e 's/(line [0-9]+: +)[0-9]+ /\1CHILDPID /' \
		-e 's/(pipe|socket):\[[0-9]+\]/\1:[INODE]/g' "$1"
}

# No compared shell can hang a suite: each is killed after TC_RUN_TIMEOUT
# seconds (a run normally takes well under one; the bound is for a wedged
# shell, stock or routed) and the test fails naming the run.  --foreground
# keeps the shell in the test's process group, as without the wrapper.
TC_RUN_TIMEOUT=${TC_RUN_TIMEOUT:-120}

# tc_timed NAME COMMAND...: run COMMAND under the time limit; a run that
# hit it says so on stderr and returns 124.
tc_timed() {
	local name=$1 t0=$SECONDS rc=0
	shift
	timeout --foreground -s KILL "$TC_RUN_TIMEOUT" "$@" || rc=$?
	if ((rc == 137 && SECONDS - t0 >= TC_RUN_TIMEOUT)); then
		echo "TIMEOUT: the $name run was killed after ${TC_RUN_TIMEOUT}s" >&2
		return 124
	fi
	return "$rc"
}

# Both runs use the same file names (the child sees its fds' targets), and
# are renamed after.  fd 3 is bats' own output: a process left behind
# holding it would keep bats waiting, so the shells do not get it.
_tc_run() {	# MODE FIRSTLINE SCRIPT [bash options...]
	local mode=$1 first=$2 script=$3 f
	shift 3
	printf '%s\n%s\n' "$first" "$script" >"$TC_CMP/t.sh"
	local rc=0 run=(env --default-signal "${TC_WRAP[@]}" bash "$@")
	case ${TC_STDIN:-} in
	'')	(cd "$TC_CMP/cwd" && tc_timed "$mode" "${run[@]}" ./../t.sh \
			>"$TC_CMP/out" 2>"$TC_CMP/err" </dev/null 3>&-) || rc=$? ;;
	file)	(cd "$TC_CMP/cwd" && tc_timed "$mode" "${run[@]}" \
			>"$TC_CMP/out" 2>"$TC_CMP/err" <../t.sh 3>&-) || rc=$? ;;
	pipe)	(cd "$TC_CMP/cwd" && cat ../t.sh | tc_timed "$mode" "${run[@]}" \
			>"$TC_CMP/out" 2>"$TC_CMP/err" 3>&-) || rc=$? ;;
	*)	echo "TC_STDIN: $TC_STDIN: file or pipe" >&2; return 1 ;;
	esac
	if ((rc == 124)) && grep -q '^TIMEOUT: ' "$TC_CMP/err"; then
		echo "the $mode run timed out after ${TC_RUN_TIMEOUT}s; its output:"
		tail -n 20 "$TC_CMP/out" "$TC_CMP/err"
		return 1
	fi
	echo "$rc" >"$TC_CMP/status.$mode"
	for f in out err pid; do mv "$TC_CMP/$f" "$TC_CMP/$f.$mode"; done
	rm -rf "$TC_CMP/cwd" && mkdir "$TC_CMP/cwd"
}

# tc_compare NAMES SCRIPT [bash options...]
tc_compare() {
	local names=$1 script=$2
	shift 2
	tc_require_built
	export TC_CMP=$BATS_TEST_TMPDIR/cmp
	rm -rf "$TC_CMP" && mkdir -p "$TC_CMP/cwd"
	rm -f "$TC_CMP/stats"
	_tc_run stock "$_tc_trailer" "$script" "$@" &&
	_tc_run routed "enable -f \"\$TC_SO\" tmplcache && tmplcache $names; $_tc_trailer" "$script" "$@" ||
		return 1
	TC_STDIN= TC_WRAP=()

	local f pid_s pid_r ppid_s ppid_r
	read -r pid_s ppid_s <"$TC_CMP/pid.stock"
	read -r pid_r ppid_r <"$TC_CMP/pid.routed"
	for f in out err; do
		_tc_normalize "$TC_CMP/$f.stock" "$pid_s" "$ppid_s" >"$TC_CMP/$f.stock.n"
		_tc_normalize "$TC_CMP/$f.routed" "$pid_r" "$ppid_r" >"$TC_CMP/$f.routed.n"
		if ! cmp -s "$TC_CMP/$f.stock.n" "$TC_CMP/$f.routed.n"; then
			echo "std$f differs (stock vs routed):"
			diff -u "$TC_CMP/$f.stock.n" "$TC_CMP/$f.routed.n" | head -40
			return 1
		fi
	done
	if ! cmp -s "$TC_CMP/status.stock" "$TC_CMP/status.routed"; then
		echo "status differs: stock $(<"$TC_CMP/status.stock")," \
			"routed $(<"$TC_CMP/status.routed")"
		return 1
	fi
	declare -gA ST=()
	if [[ -f $TC_CMP/stats ]]; then
		source "$TC_CMP/stats"
		local k
		for k in "${!__tc_st[@]}"; do ST[$k]=${__tc_st[$k]}; done
	fi
	TC_OUT=$(<"$TC_CMP/out.routed")
	TC_STATUS=$(<"$TC_CMP/status.routed")
}

# The routed run really spawned N (or at least N with +N) commands.
tc_assert_spawns() {	# N|+N
	local want=$1 got=${ST[spawns]:-missing}
	if [[ $want == +* ]]; then
		((got >= ${want#+})) || { echo "spawns: want >= ${want#+}, got $got"; return 1; }
	else
		[[ $got == "$want" ]] || { echo "spawns: want $want, got $got"; tc_dump_stats; return 1; }
	fi
}

# The routed run fell back N times for REASON.
tc_assert_fallbacks() {	# REASON N
	local got=${ST[fallback_$1]:-missing}
	[[ $got == "$2" ]] || { echo "fallback_$1: want $2, got $got"; tc_dump_stats; return 1; }
}

tc_dump_stats() {
	local k
	for k in "${!ST[@]}"; do
		[[ $k == *:* ]] || echo "  $k=${ST[$k]}"
	done | sort
}

# A private PATH directory holding a copy of childview (tests may replace,
# rewrite or delete it), in front of PATH for both runs.
tc_setup_bin() {
	tc_require_built
	TC_BIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$TC_BIN"
	cp "$CHILDVIEW" "$TC_BIN/childview"
	export TC_BIN PATH=$TC_BIN:$PATH
}
