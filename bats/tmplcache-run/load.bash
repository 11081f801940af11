# load.bash - bats' `run`, with a command tmplcache routes captured by
# `tmplcache -o` instead of a forked command substitution.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   bats_load_library tmplcache-run	# after tmplcache is loaded and routes
#					# the commands the tests run
#
# bats' `run` captures the command's output with `output="$(...)"`: bash
# forks a subshell, which forks the command.  Here `run` is bats' own, with
# that one capture changed: when the command is a name tmplcache routes
# (not a function of that name), `tmplcache -e -o output` (stderr merged)
# or `tmplcache -o output ... 2>>FILE` (--separate-stderr), with -k for
# --keep-empty-lines, spawns it with no fork of the shell.  Everything else
# -- flag parsing, status checks, lines, stderr, BATS_RUN_COMMAND, the
# INT trap -- is bats' own text, and any other command goes through bats'
# own capture.  The command's parent is the test's shell, not a subshell;
# a NUL byte warning names this file's line, not bats'.
#
# The `run` bats defined is kept as bats_tmplcache_stock_run.  A bats
# whose `run` does not have the capture lines of bats 1.5 to 1.8 keeps
# its `run` unchanged, and says so once on stderr.

# Whether `run` may capture CMD with tmplcache -o: a routed name, not a
# function (which bash would run instead).
bats_tmplcache_routed() {	# CMD [ARG...]
	[[ $# -gt 0 && $1 != */* ]] || return 1
	! declare -F -- "$1" >/dev/null &&
		builtin tmplcache -t -- "$1" >/dev/null 2>&1
}

# What `output="$("$pre_command" "$@")"` (with -k, the --keep-empty-lines
# form, which leaves a trailing `.`) does, into output, for a routed CMD.
bats_tmplcache_capture() {	# [-k] PRE_COMMAND CMD [ARG...]
	local bats_tc_keep= bats_tc_status
	if [[ $1 == -k ]]; then
		bats_tc_keep=-k
		shift
	fi
	case $1 in
	bats_merge_stdout_and_stderr)
		shift
		builtin tmplcache $bats_tc_keep -e -o output -- "$@"
		;;
	bats_redirect_stderr_into_file)
		shift
		builtin tmplcache $bats_tc_keep -o output -- "$@" \
			2>>"$bats_run_separate_stderr_file"
		;;
	*)
		printf 'tmplcache-run: %s: unknown pre_command\n' "$1" >&2
		return 1
		;;
	esac
	bats_tc_status=$?
	[[ -z $bats_tc_keep ]] || output+=.
	return "$bats_tc_status"
}

# bats' capture statement, patched: "if routed; then ours; else bats'; fi".
bats_tmplcache_patch() {	# SRC-VAR STATEMENT [-k]
	local -n bats_tc_src=$1
	local capture=${2%" && status=0 || status=\$?;"}
	bats_tc_src=${bats_tc_src/"$2"/"if bats_tmplcache_routed \"\$@\"; then bats_tmplcache_capture ${3:+$3 }\"\$pre_command\" \"\$@\"; else $capture; fi && status=0 || status=\$?;"}
}

# `declare -f run' into VAR.  Not by `$( )': bats starts every test in a
# new bash, so that would be a fork per test.  Through a file in bats'
# own run directory (not the test's: a test may list that), which bats
# removes at the end of the run.
bats_tmplcache_source() {	# VAR
	local -n bats_tc_out=$1
	local file=${BATS_RUN_TMPDIR-}/tmplcache-run.$BASHPID
	if [[ -d ${BATS_RUN_TMPDIR-} ]] && declare -f run >"$file"; then
		IFS= read -r -d '' bats_tc_out <"$file"
		bats_tc_out=${bats_tc_out%$'\n'}
	else
		bats_tc_out=$(declare -f run)
	fi
}

bats_tmplcache_install() {
	local src new plain keep
	# Loaded twice (setup of each test): once is enough.
	declare -F bats_tmplcache_stock_run >/dev/null && return 0
	if ! declare -F run >/dev/null; then
		echo "tmplcache-run: no bats run function to wrap" >&2
		return 1
	fi
	bats_tmplcache_source src
	# The two captures as `declare -f' prints them (bash 5.1 keeps the
	# lines inside $( ) as written, 5.2 and 5.3 reindent them).
	plain='output="$("$pre_command" "$@")" && status=0 || status=$?;'
	keep='output="\$\([^)]*printf \.[^)]*\)" && status=0 \|\| status=\$\?;'
	if [[ $src != *"$plain"* || ! $src =~ $keep ]]; then
		echo "tmplcache-run: this bats's run is not one it knows; run left as it is" >&2
		return 0
	fi
	keep=${BASH_REMATCH[0]}
	new=$src
	bats_tmplcache_patch new "$plain"
	bats_tmplcache_patch new "$keep" -k
	eval "bats_tmplcache_stock_${src}"
	eval "$new"
}

bats_tmplcache_install
# Like bats' own files: no stack trace is recorded inside this `run'.
if declare -F bats_add_debug_exclude_path >/dev/null; then
	bats_add_debug_exclude_path "${BASH_SOURCE[0]%/*}"
fi
