# rel-helpers.bash - what the reliability suites add to tests/builtin's
# harness (load ../builtin/helpers first: tc_compare is the oracle).
#
# SPDX-License-Identifier: GPL-3.0-or-later

# Append "KEY VALUE" to the figures file when scripts/reliability-report
# (or a caller) asks for one; RELIABILITY.md is written from it.
rel_figure() {	# KEY VALUE...
	[[ -n ${TC_REL_FIGURES:-} ]] || return 0
	printf '%s %s\n' "$1" "${*:2}" >>"$TC_REL_FIGURES"
}

# A directory everybody can enter (tests running as nobody need one;
# BATS_TEST_TMPDIR is private).  Removed by rel_teardown.
rel_public_dir() {
	REL_PUB=$(mktemp -d "${TMPDIR:-/tmp}/tc-rel.XXXXXX")
	chmod 755 "$REL_PUB"
	export REL_PUB
}

rel_teardown() {
	[[ -n ${REL_PUB:-} && -d $REL_PUB ]] && rm -rf "$REL_PUB"
	REL_PUB=
}

rel_require_root() {
	[[ $(id -u) == 0 ]] || skip "needs root (to drop to nobody / set limits)"
}

# rel_compare_via NAMES SCRIPT CMD...: like tc_compare, for scripts that
# must run under a wrapper (setpriv, unshare): CMD... bash SCRIPT, stock,
# then with BASH_ENV loading tmplcache and routing NAMES (startup files
# run first, so the routed shell is the one the wrapper made).  Both runs
# set the same EXIT trap (stock has no tmplcache and stores nothing): an
# EXIT trap is itself observable (after a failed fork bash's next simple
# command, the trap's, says "wait_for: No record of process N").  As in
# tc_compare, both start with every signal at its default.  Needs
# REL_PUB (rel_public_dir): the script, the loadable and the outputs live
# there so an unprivileged user can reach them.  Leaves the routed
# counters in ST.
rel_compare_via() {
	local names=$1 script=$2 mode rc trap
	shift 2
	tc_require_built
	cp "$TC_SO" "$REL_PUB/tmplcache.so"
	mkdir -p "$REL_PUB/out" && chmod 777 "$REL_PUB/out"
	printf '%s\n' "$script" >"$REL_PUB/t.sh"
	trap="trap 'type -t tmplcache >/dev/null && tmplcache -s -v __tc_st && declare -p __tc_st >\"$REL_PUB/out/stats\"' EXIT"
	printf '%s\n' "$trap" >"$REL_PUB/loader.stock"
	printf '%s\n' \
		"enable -f '$REL_PUB/tmplcache.so' tmplcache && tmplcache $names" \
		"$trap" >"$REL_PUB/loader.routed"
	for mode in stock routed; do
		rm -rf "$REL_PUB/cwd" && mkdir -m 777 "$REL_PUB/cwd"
		rc=0
		(cd "$REL_PUB/cwd" && tc_timed "$mode" env --default-signal "$@" \
			env BASH_ENV="$REL_PUB/loader.$mode" bash ../t.sh \
			>"$REL_PUB/out/out.$mode" 2>"$REL_PUB/out/err.$mode" </dev/null 3>&-) || rc=$?
		if ((rc == 124)) && grep -q '^TIMEOUT: ' "$REL_PUB/out/err.$mode"; then
			echo "the $mode run timed out after ${TC_RUN_TIMEOUT}s; its output:"
			tail -n 20 "$REL_PUB/out/out.$mode" "$REL_PUB/out/err.$mode"
			return 1
		fi
		echo "$rc" >"$REL_PUB/out/status.$mode"
		# A child's pid in bash's messages differs between the runs.
		sed -E -i 's/(No record of process )[0-9]+/\1PID/g' \
			"$REL_PUB/out/err.$mode"
	done
	# A known bug's extra stderr line (named by the test) is set aside so
	# the rest is still compared; the test reports it.
	REL_KNOWN_SEEN=0
	if [[ -n ${REL_KNOWN_EXTRA_ERR:-} ]] && grep -q -E "$REL_KNOWN_EXTRA_ERR" "$REL_PUB/out/err.routed"; then
		REL_KNOWN_SEEN=1
		grep -v -E "$REL_KNOWN_EXTRA_ERR" "$REL_PUB/out/err.routed" >"$REL_PUB/out/err.tmp"
		mv "$REL_PUB/out/err.tmp" "$REL_PUB/out/err.routed"
	fi
	local f
	for f in out err status; do
		if ! cmp -s "$REL_PUB/out/$f.stock" "$REL_PUB/out/$f.routed"; then
			echo "$f differs (stock vs routed):"
			diff -u "$REL_PUB/out/$f.stock" "$REL_PUB/out/$f.routed" | head -40
			return 1
		fi
	done
	declare -gA ST=()
	if [[ -f $REL_PUB/out/stats ]]; then
		source "$REL_PUB/out/stats"
		local k
		for k in "${!__tc_st[@]}"; do ST[$k]=${__tc_st[$k]}; done
	fi
	TC_OUT=$(<"$REL_PUB/out/out.routed")
	TC_STATUS=$(<"$REL_PUB/out/status.routed")
}

# Shell code that fills every free fd below LIMIT (after `ulimit -n
# LIMIT`), opening each free number directly: `exec {v}<` would always
# leave the one bash opens before it dups.  The opened numbers are in
# the array FILLED, for rel_unfill_code.
rel_fill_code='FILLED=(); for ((i = 3; i < LIMIT; i++)); do [[ -e /proc/$$/fd/$i ]] || { eval "exec $i</dev/null" && FILLED+=("$i"); }; done'
rel_unfill_code='for i in "${FILLED[@]}"; do eval "exec $i<&-"; done'
