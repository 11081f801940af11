# minimize.bash - shrink a diverging program and name its class.  Sourced
# after lib.bash.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# df_minimize IN OUT: delta debugging by lines (chunks of half, a quarter,
# ... one line; again while it shrinks), keeping a candidate only when it
# still diverges in the same aspects (stdout, fds, ...); then the simplest
# mode that still diverges (file).  At most DIFFFUZZ_MIN_TESTS comparisons
# (default 150).
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

df_minimize() {	# IN OUT
	local in=$1 out=$2 want cand=$W/min.cand
	local -a head body keep
	df_min_tests=0
	df_compare "$in"
	want=$DF_ASPECTS
	mapfile -t head < <(df_head "$in")
	mapfile -t body < <(df_body "$in")
	local n chunk i j changed=1
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
}

df_classify() {	# PROGRAM (minimized)
	local p=$1 body mode
	body=$(df_body "$p")
	mode=$(df_header "$p" mode)
	if grep -qE 'command -[vV]|enable |type -Z' <<<"$body"; then echo introspect
	elif grep -qE '\{[a-z][a-z0-9]*\}[<>]' <<<"$body"; then echo varredir
	elif grep -qE '\$\(\(n\+\+\)\)|:=|:\?' <<<"$body"; then echo expansion
	elif grep -qE '(^|[^0-9])(99[5-9]|10[01][0-9]|102[0-3])[<>]' <<<"$body"; then echo highfd
	elif grep -q '/proc/self/comm' <<<"$body"; then echo comm
	elif [[ $mode == stdin-file || $mode == stdin-pipe || $mode == interactive ]]; then
		# Only on stdin: the script's own input is involved.
		local cand=$W/class.cand
		sed '1,/^[^#]/s/^# mode: .*/# mode: file/' "$p" >"$cand"
		if df_compare "$cand"; then
			case $mode in
			stdin-file) echo readahead;;
			*) echo "$mode";;
			esac
		else
			echo other
		fi
		df_compare "$p"
	else
		echo other
	fi
}
