# minimize.bash - shrink a diverging program and name its class.  Sourced
# after lib.bash.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# df_minimize IN OUT [ASPECTS]: delta debugging, keeping a candidate only
# when it still diverges in the same aspects (stdout, fds, ...): whole
# compound statements deleted, then unwrapped; lines in chunks of half, a
# quarter, ... one; then within lines (df_simplify); again while it
# shrinks; then the simplest mode that still diverges (file).  At most
# DIFFFUZZ_MIN_TESTS comparisons (default 150).
#
# df_classify PROGRAM: a known class (README.md of this directory) from
# the minimized text and how it behaves, or "other".

# A program file is header lines ("# key: value") then the body.
df_head() { awk '!/^# [a-z]+: /{ exit } { print }' "$1"; }
df_body() { awk 'b || !/^# [a-z]+: /{ b = 1; print }' "$1"; }

df_still_diverges() {	# PROGRAM ASPECTS
	((df_min_tests++ < ${DIFFFUZZ_MIN_TESTS:-150})) || return 1
	df_compare "$1"
	[[ $? == 1 && $DF_ASPECTS == "$2" ]]
}

# The line closing the compound statement or here-doc that line I of the
# array NAME opens (the generator's layout: an opener ends its line, a
# closer starts one).
df_close_of() {	# NAME I
	local -n lines=$1
	local i=$2 k d=0 l
	l=${lines[i]}
	if [[ $l == *'<<EOF' ]]; then
		for ((k = i + 1; k < ${#lines[@]}; k++)); do
			[[ ${lines[k]} == EOF ]] && { echo "$k"; return 0; }
		done
		return 1
	fi
	[[ $l == *'{' || $l == '(' || $l == *'; do' || $l == *'; then' ]] || return 1
	for ((k = i; k < ${#lines[@]}; k++)); do
		l=${lines[k]}
		[[ $l == *'{' || $l == '(' || $l == *'; do' || $l == *'; then' ]] && d=$((d + 1))
		[[ $l == '}'* || $l == ')'* || $l == 'done'* || $l == 'fi'* ]] && d=$((d - 1))
		((d == 0)) && { echo "$k"; return 0; }
	done
	return 1
}

# Simplifications tried on each line, as pairs REGEX REPLACEMENT (the
# first is replaced, at each place it matches): status checks, prefixes,
# one redirection at a time; then the features of the known classes made
# plain, so that a feature left in a minimized program is one it needs.
df_simplify=(
	' \|\| echo "st=\$\?"' ''
	' && echo ok' ''
	'; echo "st=\$\? _=\$_"' ''
	'; echo "ps=\$\{PIPESTATUS\[\*\]\}"' ''
	'^(X=tmp|x=t2|PATH=/nowhere|LC_ALL=C E1=e|PATH=\$HOME/\.\./bin2:\$PATH) ' ''
	'^command ' ''
	'^! ' ''
	" <<<'here string'" ''
	' < <\(echo procsub\)' ''
	' > >\([^)]*\)' ''
	' ([0-9]+|&)?(>>|>\||<>|>&|<&|>|<)[^ ]+' ''
	'/proc/self/comm' 'in2'
	'\{v[0-9]\}>' '>'
	'\{w\}>' '3>'
	'\$\(\(n\+\+\)\)' '1'
	'\$\{a[0-9]:=as1\}' 'as1'
	'\$\{u[0-9]:\?unset\}' 'uf'
	'(99[5-9]|10[01][0-9]|102[0-3])>' '7>'
)

# df_minimize IN OUT [ASPECTS]: 0 with the minimized program in OUT, 1
# when IN no longer diverges in ASPECTS (default: as it does now).
df_minimize() {	# IN OUT [ASPECTS]
	local in=$1 out=$2 want=${3:-} cand=$W/min.cand
	local -a head body keep matches
	df_min_tests=0
	if [[ -z $want ]]; then
		df_compare "$in"
		want=$DF_ASPECTS
	fi
	[[ -n $want ]] || return 1
	mapfile -t head < <(df_head "$in")
	mapfile -t body < <(df_body "$in")
	local chunk i j k m l rest op changed=1
	while ((changed)); do
		changed=0
		# Whole compound statements first, then their bodies unwrapped.
		for op in delete unwrap; do
			for ((i = 0; i < ${#body[@]}; i++)); do
				j=$(df_close_of body "$i") || continue
				if [[ $op == delete ]]; then
					keep=("${body[@]:0:i}" "${body[@]:j+1}")
				else
					keep=("${body[@]:0:i}" "${body[@]:i+1:j-i-1}" "${body[@]:j+1}")
				fi
				printf '%s\n' "${head[@]}" "${keep[@]}" >"$cand"
				if df_still_diverges "$cand" "$want"; then
					body=("${keep[@]}")
					changed=1
					i=$((i - 1))
				fi
			done
		done
		for ((chunk = ${#body[@]} / 2; chunk >= 1; chunk /= 2)); do
			for ((i = 0; i < ${#body[@]}; )); do
				keep=("${body[@]:0:i}" "${body[@]:i+chunk}")
				((${#keep[@]})) || { i=$((i + chunk)); continue; }
				printf '%s\n' "${head[@]}" "${keep[@]}" >"$cand"
				if df_still_diverges "$cand" "$want"; then
					body=("${keep[@]}")
					changed=1
				else
					i=$((i + chunk))
				fi
			done
		done
		# Within lines.
		for ((i = 0; i < ${#body[@]}; i++)); do
			for ((k = 0; k < ${#df_simplify[@]}; k += 2)); do
				matches=() rest=${body[i]}
				while [[ $rest =~ ${df_simplify[k]} ]]; do
					matches+=("${BASH_REMATCH[0]}")
					rest=${rest#*"${BASH_REMATCH[0]}"}
				done
				for m in "${matches[@]}"; do
					l=${body[i]/"$m"/${df_simplify[k + 1]}}
					[[ $l != "${body[i]}" ]] || continue
					keep=("${body[@]}")
					keep[i]=$l
					printf '%s\n' "${head[@]}" "${keep[@]}" >"$cand"
					if df_still_diverges "$cand" "$want"; then
						body=("${keep[@]}")
						changed=1
					fi
				done
			done
		done
		((df_min_tests < ${DIFFFUZZ_MIN_TESTS:-150})) || break
	done
	printf '%s\n' "${head[@]}" "${body[@]}" >"$out"
	# The plainest way in that still shows it.
	if [[ $(df_header "$out" mode) != file ]]; then
		sed '1,/^[^#]/s/^# mode: .*/# mode: file/' "$out" >"$cand"
		if df_still_diverges "$cand" "$want"; then
			cp "$cand" "$out"
		fi
	fi
	# Leave the result of the last comparison as that of OUT.
	df_compare "$out"
	[[ $? == 1 && $DF_ASPECTS == "$want" ]]
}

# Lines only added in the routed run, each a copy of a line the stock
# run has too: a step done twice.
df_duplicated() {
	local a added=0 line
	for a in $DF_ASPECTS; do
		[[ -f $W/res.stock/$a ]] || return 1
		while IFS= read -r line; do
			case $line in
			---*|+++*|@@*|' '*) ;;
			-*) return 1;;
			+*) grep -qxF -- "${line#+}" "$W/res.stock/$a" || return 1
				added=1;;
			esac
		done < <(diff -u "$W/res.stock/$a" "$W/res.routed/$a")
	done
	((added))
}

# The same lines in another order, in every aspect that differs: two
# processes writing to one file, an order the scheduler picks.
df_reordered() {
	local a
	for a in $DF_ASPECTS; do
		[[ -f $W/res.stock/$a ]] || return 1
		cmp -s <(LC_ALL=C sort "$W/res.stock/$a") <(LC_ALL=C sort "$W/res.routed/$a") || return 1
	done
}

# The routed run fell back (or, without the hook, may have).
df_fell_back() {
	[[ ! -f $W/res.routed/stats ]] || df_fallbacks | grep -qE '(^| )[a-z]+=[1-9]'
}

# The lines that differ in ASPECT..., "-" stock, "+" routed.
df_changed() {	# ASPECT...
	local a
	for a; do
		diff -u "$W/res.stock/$a" "$W/res.routed/$a" | tail -n +3 | grep -E '^[-+]'
	done
}

# A pipeline writer killed by SIGPIPE on one side only, as its reader's
# exit races, whatever the way in: every changed line is a status 141
# against 0, or bash -i's complaint after a job killed by a signal (alone
# when the status is not printed: `seq 3 | ./missing`).
df_sigpipe_race() {
	local killed='^[-+]((.*[= ])?141( |$)|.*] tcsetattr: Inappropriate ioctl for device$)'
	df_changed status out err files | grep -qE "$killed" &&
	! df_changed status out err files |
		grep -vE '^[-+](.*[= ])?(141|0)( |$)' | grep -qvE "$killed"
}

# Bugs of bash: two of 5.1/5.2 that routing moves from a forked child into
# the shell itself, pinned in tests/builtin/bashbugs.bats (fixed in 5.3),
# and a race of 5.2 in stock and routed alike (below):
# `cmd <&- 3<file` in a script read from stdin crashes the shell (routed
# status 139 where stock's child died), and `cmd > >(...) >nodir/x` in a
# sourced file leaves the substitution's pipe open, so `wait` waits for
# ever (routed timed out, stock did not).
df_bash_bug() {	# BODY MODE
	local body=$1 mode=$2
	# (`f <&-' with `cmd 3<file' inside f is the same crash.)
	if [[ $mode == stdin-* ]] && grep -q '<&-' <<<"$body" &&
		grep -qE '(^|[ ;])[0-9]<' <<<"$body" &&
		[[ $(<"$W/res.routed/status") == 139 ]] &&
		grep -q 'Segmentation fault' "$W/res.stock/err"; then
		return 0
	fi
	grep -qE '> >\(' <<<"$body" && grep -q 'nodir/' <<<"$body" &&
		[[ -f $W/res.routed/timedout && ! -f $W/res.stock/timedout ]] &&
		return 0
	df_chld_trap_parse_race "$body"
}

# A race of bash itself, stock as much as routed: a CHLD trap that runs
# while bash reads a process substitution's text breaks both parses
# ("trap: line 2: unexpected EOF while looking for matching `)'", then a
# syntax error in the substitution, whose redirections are not undone).
# The saved program (`f < <(echo x) > >(cat >f)' under a CHLD trap,
# nothing routed) showed it in 6 of 12 stock runs and 10 of 12 routed.
df_chld_trap_parse_race() {	# BODY
	grep -qE "^trap .* CHLD" <<<"$1" && grep -qE '[<>]\(' <<<"$1" &&
		cat "$W/res.stock/err" "$W/res.routed/err" |
		grep -qE "trap: line [0-9]+: unexpected EOF while looking for matching"
}

# A CHLD trap ran once less in the routed run and nothing else differs:
# the files lose one line of its output, stdout and stderr only its
# `set -x` trace and the `$_` it left (`echo "$_"` after the command).
df_chld_once_less() {
	local a
	df_changed files | grep -q chld || return 1
	! df_changed files | grep -qvE '^-(.*chld.*)?$' || return 1
	for a in out err; do
		cmp -s <(sed 's/_=[^ ]*/_=X/g' "$W/res.stock/$a" | grep -v chld) \
			<(sed 's/_=[^ ]*/_=X/g' "$W/res.routed/$a" | grep -v chld) || return 1
	done
}

# A redirection failed (both runs print the same error): the generator's
# forms, or bash's message for one (`<in2` after a `cd`).
df_redir_failed() {	# BODY
	grep -qE '>(nodir/|/dev/fd/3)' <<<"$1" ||
		grep -qE 'line [0-9]+: .*: (No such file or directory|Permission denied|cannot overwrite existing file|Bad file descriptor|ambiguous redirect)$' \
			"$W/res.stock/err"
}

# The class of a minimized PROGRAM (the last comparison must be its own).
df_classify() {	# PROGRAM
	local p=$1 body mode
	body=$(df_body "$p")
	mode=$(df_header "$p" mode)
	# df_minimize made each known feature plain where it could: one left
	# is needed.  Then the way in, which it kept only if needed too.
	if grep -qE 'command -[vV]|enable |type -Z' <<<"$body"; then echo introspect
	elif grep -qE '\{[a-z][a-z0-9]*\}[<>]' <<<"$body"; then echo varredir
	elif grep -qE '\$\(\(n\+\+\)\)|:=as1|:\?unset' <<<"$body" ||
		{ grep -q '^set -u' <<<"$body" && grep -q '<<EOF' <<<"$body"; }; then echo expansion
	elif grep -qE '(^|[^0-9])(99[5-9]|10[01][0-9]|102[0-3])[<>]' <<<"$body"; then echo highfd
	elif df_bash_bug "$body" "$mode"; then
		echo bashbug	# before the way in: it is bash's, in every mode
	elif df_sigpipe_race; then
		# Before the features below: a writer killed or not is a
		# race whatever else the program holds (`tr | cview y | tr`
		# beside a `cat /proc/self/comm` the minimizer kept).
		echo sigpipe
	elif grep -q '/proc/self/comm' <<<"$body"; then echo comm
	elif grep -q '^set -m' <<<"$body" && grep -qE '[0-9]?[<>]&-' <<<"$body"; then
		echo jobclose	# before the way in: it shows in every mode
	elif grep -qE '[<>]\(' <<<"$body" && grep -q '\$!' <<<"$body" &&
		df_changed err out | grep -qE 'is not a child of this shell|\$!: unbound variable'; then
		echo procsub	# before the way in: $! shows it in every mode
	elif df_changed files | grep -qx '+chld' && grep -qE '[<>]\(' <<<"$body"; then
		echo procsub	# its CHLD trap, in every mode too
	elif grep -qE '[<>]\(' <<<"$body" && grep -q 'wait \$!' <<<"$body" &&
		[[ -f $W/res.stock/timedout && ! -f $W/res.routed/timedout ]]; then
		# Stock's `wait $!` waits for an outer substitution that reads
		# the shell's own output: stock hangs, routed goes on.
		echo procsub
	elif [[ -f $W/res.routed/stats ]] && ! df_fell_back && df_reordered; then
		echo order	# nothing was spawned nor fell back: a race in any mode
	elif [[ $mode == stdin-file ]]; then echo readahead
	elif [[ $mode == stdin-pipe || $mode == interactive ]]; then echo "$mode"
	elif df_reordered; then
		echo order
	elif df_changed status out err files | grep -qE '^[-+](.*[= ])?141( |$)'; then
		echo sigpipe
	elif grep -q '^set -m' <<<"$body" && grep -qE '[0-9]?[<>]&-' <<<"$body"; then
		echo jobclose
	elif grep -qE '<[a-z0-9]+ .*&$' <<<"$body"; then
		echo asyncstdin
	elif df_changed files | grep -qx '+chld' && grep -qE '[<>]\(' <<<"$body"; then
		echo procsub
	elif df_fell_back && { df_duplicated ||
		df_changed err out files | grep -q '^+.*cannot overwrite existing file'; }; then
		echo redirtwice
	elif df_changed err out | grep -qE 'is not a child of this shell|\$!: unbound variable'; then
		echo procsub
	elif df_changed out files | grep -qE '^-(env )?_=' &&
		df_changed out files | grep -qE '^\+(env )?_='; then
		echo relpath
	elif grep -q '^hash' <<<"$body" && grep -qE '>(nodir/|/dev/fd/3)' <<<"$body"; then
		echo redirfail
	elif df_redir_failed "$body" && grep -q '^mv "\$HOME/\.\./bin/' <<<"$body" &&
		df_changed err | grep -qE '^-.*/bin/[^/: ]+: No such file or directory$'; then
		echo redirfail	# not hashed: searched again after its file moved
	elif df_redir_failed "$body" &&
		[[ " $DF_ASPECTS " != *' status '* && " $DF_ASPECTS " != *' fds '* ]] &&
		df_chld_once_less; then
		echo redirfail	# the CHLD trap once less (its trace, its $_)
	elif grep -qE '[<>]\(' <<<"$body" && df_redir_failed "$body" &&
		df_changed out fds | grep -q . &&
		! df_changed out fds | grep -qvE '^\+((fd|fdfl) )?6[0-3] '; then
		echo redirfail	# its process substitution left open in the shell
	elif [[ $DF_ASPECTS == fds ]] && ! df_changed fds | grep -qvE '^[-+]255 '; then
		echo scriptpos
	elif grep -qE '[<>]\(' <<<"$body" && grep -q '\$!' <<<"$body"; then
		echo procsub	# $! names a redirection's process substitution
	else
		echo other
	fi
}
