#!/usr/bin/env bats
# batsrun.bats - the bats library tmplcache-run (bats/tmplcache-run): a
# generated suite run by bats with and without it gives the same TAP and
# the same variables after every `run`, and with it the routed commands
# spawned.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load helpers

# Every flag combination of bats' run, and commands of each kind: routed
# (output with empty and trailing lines, stderr, a status; no output; a
# signal), a function, a builtin, a name not found.
FLAGS=('' '!' '-0' '-3' '--keep-empty-lines' '--separate-stderr'
	'--keep-empty-lines --separate-stderr' '-3 --separate-stderr'
	'! --keep-empty-lines' '--')
ROUTED=("sh -c 'printf \"o1\\n\\no2\\n\\n\"; printf \"e1\\n\\ne2\\n\" >&2; exit 3'"
	"sh -c ':'"
	"childview -q -k 15"
	"sh -c 'printf \"last.\"; printf \"err\" >&2'")
OTHER=("fn a 'b c'" "echo builtin" "tc_no_such_command x")

# The generated suite: one test per flag combination and command; the
# teardown (which runs after a failed test too) dumps run's variables
# and, with the helper, the spawns so far.
gen_suite() {
	local f c n=0
	cat <<-'EOF'
	setup() {
		if [[ ${TC_HELPER:-} ]]; then
			enable -f "$TC_SO" tmplcache && tmplcache sh childview &&
				bats_load_library tmplcache-run
		fi
	}
	teardown() {
		{
			echo "== $BATS_TEST_DESCRIPTION"
			declare -p output status lines BATS_RUN_COMMAND
			declare -p stderr stderr_lines 2>/dev/null || echo "no stderr"
		} >>"$DUMP"
		if [[ ${TC_HELPER:-} ]]; then
			tmplcache -s -v st
			echo "${st[spawns]} ${st[fallbacks]}" >>"$COUNTS"
		fi
	}
	fn() { echo "fn $*"; echo "fn-err" >&2; return 4; }
	EOF
	for f in "${FLAGS[@]}"; do
		for c in "${ROUTED[@]}" "${OTHER[@]}"; do
			n=$((n + 1))
			printf 'TEST "%d: run %s" {\n\trun %s %s\n}\n' \
				"$n" "$f" "$f" "$c"
		done
	done | sed 's/^TEST /@test /'
}

run_suite() {	# DUMP COUNTS [TC_HELPER]
	# A clean environment: bats' own variables would steer the inner run.
	timeout 300 env -i PATH="$PATH" HOME="$HOME" TC_SO="$TC_SO" \
		BATS_LIB_PATH="$BATS_TEST_DIRNAME/../../bats:${BATS_LIB_PATH:-/usr/lib/bats}" \
		DUMP="$1" COUNTS="$2" TC_HELPER="${3:-}" \
		"$BATS_ROOT/bin/bats" --tap "$BATS_TEST_TMPDIR/suite.bats"
}

setup() {
	tc_setup_bin
}

@test "tmplcache-run: same TAP and variables as bats' own run, routed commands spawn" {
	local t=$BATS_TEST_TMPDIR
	gen_suite >"$t/suite.bats"
	run_suite "$t/dump.stock" "$t/counts.stock" >"$t/tap.stock" 2>&1 || true
	run_suite "$t/dump.routed" "$t/counts.routed" 1 >"$t/tap.routed" 2>&1 || true
	# Both ran every test (some fail on purpose: -0 with status 3, ...).
	local tests=$(( ${#FLAGS[@]} * (${#ROUTED[@]} + ${#OTHER[@]}) ))
	grep -qx "1..$tests" "$t/tap.stock"
	[[ $(grep -c '^== ' "$t/dump.stock") == "$tests" ]]
	# One line differs by design: in the trace of a failed `run -N' or
	# `run !' check, and of bats' warnings, the frame of `run' names the
	# file and line it was defined at.
	local f
	for f in stock routed; do
		sed -E "s|(from function \`run' in file ).*(, line )[0-9]+,\$|\1RUN\2N,|" \
			"$t/tap.$f" >"$t/tap.$f.n"
	done
	grep -q "in file RUN, line N," "$t/tap.stock.n"
	diff -u "$t/tap.stock.n" "$t/tap.routed.n"
	diff -u "$t/dump.stock" "$t/dump.routed"
	[[ ! -e $t/counts.stock ]]
	# Every run of a routed name spawned (one per test), none fell back.
	local spawns=0 fallbacks=0 s f
	while read -r s f; do
		spawns=$((spawns + s)) fallbacks=$((fallbacks + f))
	done <"$t/counts.routed"
	[[ $spawns == $(( ${#FLAGS[@]} * ${#ROUTED[@]} )) ]]
	[[ $fallbacks == 0 ]]
}

@test "tmplcache-run: without tmplcache loaded, run is bats' own capture" {
	local t=$BATS_TEST_TMPDIR
	# TEST, not the word bats would turn into a test of this file.
	sed 's/^TEST /@test /' >"$t/suite.bats" <<-'EOF'
	setup() { bats_load_library tmplcache-run; }
	TEST "t" {
		run --separate-stderr sh -c 'echo o; echo e >&2; exit 2'
		[[ $output == o && $stderr == e && $status == 2 ]]
		declare -F bats_tmplcache_stock_run
	}
	EOF
	run_suite /dev/null /dev/null >"$t/tap" 2>&1 || { cat "$t/tap"; false; }
	grep -qx 'ok 1 t' "$t/tap"
}

@test "tmplcache-run: loading it forks nothing (bats starts each test in a new bash)" {
	command -v strace >/dev/null || skip "strace not installed"
	local t=$BATS_TEST_TMPDIR lib=$BATS_TEST_DIRNAME/../../bats/tmplcache-run/load.bash
	[[ -f $BATS_ROOT/lib/bats-core/test_functions.bash ]] ||
		skip "no bats-core/test_functions.bash under $BATS_ROOT/lib"
	mkdir "$t/run"
	# bats' own `run', the library over it, and its result kept in files:
	# nothing here may fork but what the library does.
	cat >"$t/load.sh" <<-EOF
	source "$BATS_ROOT/lib/bats-core/test_functions.bash" || exit 3
	enable -f "$TC_SO" tmplcache || exit 3
	source "$lib"
	declare -f run >"\$1"
	declare -F bats_tmplcache_stock_run >/dev/null || exit 4
	EOF
	forks() {	# OUT [ENV...]
		local out=$1
		shift
		timeout 60 env "$@" strace -f -qq -e trace=clone,clone3,fork,vfork \
			-o "$out.trace" bash "$t/load.sh" "$out"
		grep -c -E '^[0-9]+ +(clone|clone3|fork|vfork)\(' "$out.trace" || true
	}
	# Inside a bats run (BATS_RUN_TMPDIR set): no fork.
	[[ $(forks "$t/in-run" BATS_RUN_TMPDIR="$t/run") == 0 ]]
	grep -q 'bats_tmplcache_routed' "$t/in-run"
	# Outside one it takes the source by $( ): one fork, the same run.
	[[ $(forks "$t/outside" -u BATS_RUN_TMPDIR) == 1 ]]
	diff "$t/in-run" "$t/outside"
}
