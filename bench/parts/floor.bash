# floor.bash - the C floor: spawn-floor's own timing of one binary's spawn.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# spawn-floor (bench/spawn-floor.c, its own block in Makefile.am) starts a
# binary N times from C through libspawntemplate (its active backend),
# glibc's posix_spawn, vfork+execve and fork+execve, and prints µs per
# spawn for each.  run-all calls it once per round for true (the xtrue
# copy part 1 uses) and for
# sed, in the same rounds as the shells.

FLOOR_IDS=(library posix_spawn vfork fork)
declare -A FLOOR_LABEL=(
	[library]="C floor: libspawntemplate spawn"
	[posix_spawn]="C floor: glibc posix_spawn"
	[vfork]="C floor: vfork + execve"
	[fork]="C floor: fork + execve"
) FLOOR_NOTE=() FLOOR_US=()
FLOOR_REF=library

floor_setup() {
	local id
	if [[ -z ${SPAWN_FLOOR-} || ! -x $SPAWN_FLOOR ]]; then
		for id in "${FLOOR_IDS[@]}"; do FLOOR_NOTE[$id]="n/a (spawn-floor not built)"; done
	fi
}

# floor_round N ROUND : one round of the floor for true and for sed.  One
# spawn-floor round per call (-r 1): the rounds are run-all's, interleaved
# with the shells'.  sed's output shares stdout with the report lines.
floor_round() {
	local n=$1 kind out=$BENCH_TMP/floor
	[[ -z ${FLOOR_NOTE[$FLOOR_REF]-} ]] || return 0
	for kind in true sed; do
		if [[ $kind == true ]]; then
			bench_run "$out" "$SPAWN_FLOOR" -n "$n" -r 1 "$SPAWN_TRUE"
		else
			bench_run "$out" "$SPAWN_FLOOR" -n "$n" -r 1 "$(command -v sed)" 's/e/E/g' "$SPAWN_SMALL"
		fi
		bench_check_ok "$out" "spawn-floor ($kind)"
		floor_parse "$out" "$kind"
	done
}

# floor_parse OUT KIND : add spawn-floor's µs per spawn, per method, to the
# samples.  Its lines read "METHOD  123.4 us  x1.000 [(K non-zero exits)]".
floor_parse() {
	local line id us seen=0
	while IFS= read -r line; do
		[[ $line =~ ^(library\ \(([a-z0-9]+)\)|posix_spawn|vfork\+execve|fork\+execve)\ +([0-9.]+)\ us ]] ||
			continue
		case ${BASH_REMATCH[1]} in
		library*) id=library
			FLOOR_LABEL[library]="C floor: libspawntemplate spawn (${BASH_REMATCH[2]})" ;;
		posix_spawn) id=posix_spawn ;;
		vfork*) id=vfork ;;
		fork*) id=fork ;;
		esac
		[[ $line == *non-zero* ]] && bench_die "spawn-floor ($2): $line"
		bench_add "floor:$id:$2" "${BASH_REMATCH[3]}"
		seen=$((seen + 1))
	done <"$1"
	((seen >= 4)) || bench_die "spawn-floor ($2): expected 4 methods in its report, got $seen"
}

floor_compute() {
	local id kind
	for id in "${FLOOR_IDS[@]}"; do
		[[ -z ${FLOOR_NOTE[$id]-} ]] || continue
		for kind in true sed; do
			FLOOR_US[$id:$kind]=$(bench_calc '%.1f' "$(bench_median "floor:$id:$kind")")
		done
	done
}
