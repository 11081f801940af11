# overhead-loop.bash KIND N FILE - a loop that tmplcache must not slow down.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# KIND builtin: N iterations of arithmetic, tests and assignments, no
# command leaves the shell.  KIND external: N runs of cat and head, which
# run-all never routes.  KIND comsub: N command substitutions of a
# builtin, each a child bash forks that exits without an exec (what bats
# and most scripts do most).  The last line on stderr is the loop's wall
# time in microseconds (stdout carries the output, which run-all compares).

kind=$1 n=$2 file=$3

t0=${EPOCHREALTIME//[.,]/}
case $kind in
builtin)
	sum=0
	for ((i = 0; i < n; i++)); do
		x=$((i % 7))
		[[ $x == 3 ]] && sum=$((sum + i))
		s=item$x
	done
	echo "$sum $s"
	;;
external)
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then cat "$file"; else head -n 1 "$file"; fi
	done
	;;
comsub)
	for ((i = 0; i < n; i++)); do
		x=$(echo "$i")
	done
	echo "$x"
	;;
esac
t1=${EPOCHREALTIME//[.,]/}
echo "$((t1 - t0))" >&2
