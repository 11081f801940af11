# bench-bash-loop.sh MB N PROGRAM TMPLCACHE_SO - the cost of one external
# command in a bash loop, from a bash holding about MB megabytes.
#
# Run by guest-run.sh (check-kernel VM) with the guest's /bin/bash, started
# without SPAWN_TEMPLATE_BACKEND in its environment.  Three rows, each in a
# subshell of the one shell that holds the memory (building it costs bash
# instructions per byte, too many under emulation to do three times):
#   stock      bash's own fork+exec;
#   userspace  PROGRAM's name routed by tmplcache (TMPLCACHE_SO) with
#              SPAWN_TEMPLATE_BACKEND=userspace;
#   kernel     the same with SPAWN_TEMPLATE_BACKEND=kernel.
# PROGRAM is run by its name through PATH, as a script would (a name with a
# slash is never routed).  Prints one line per row:
#   bash-loop VARIANT MB RSS_KB N NS_PER_SPAWN
# NS_PER_SPAWN is (N iterations running PROGRAM - N empty iterations) / N,
# timed with EPOCHREALTIME.  A routed row that did not spawn every time on
# the backend asked for (a fallback, another backend) prints
#   bash-loop VARIANT MB failed: REASON
# instead, and the exit status is 1.
#
# SPDX-License-Identifier: GPL-3.0-or-later

mb=$1 n=$2 prog=$3 so=$4
warmup=3
name=${prog##*/}
PATH=${prog%/*}:$PATH

rss_kb() { # of this (sub)shell
	local k v rest
	while read -r k v rest; do
		[[ $k == VmRSS: ]] && { REPLY=$v; return; }
	done <"/proc/$BASHPID/status"
	REPLY=0
}

# The memory: an array of 1 MiB strings, real touched heap whose page
# tables fork must copy (as bench/mem-loop.bash on the host).  A subshell
# shares it copy-on-write, and its fork copies the same page tables.
# Expanding a string costs bash some instructions per byte; the C locale
# saves a third of them (no multibyte checks).
LC_ALL=C
chunk=xxxxxxxxxxxxxxxx
while ((${#chunk} < 1048576)); do chunk+=$chunk; done
rss_kb
declare -a hold=()
for ((i = 0; i < mb - REPLY / 1024; i++)); do hold[i]=$chunk; done

row() { # VARIANT: one row, run in a subshell
	local variant=$1 want t0 t1 t2
	declare -A st
	fail() { echo "bash-loop $variant $mb failed: $*"; exit 1; }

	if [ "$variant" != stock ]; then
		# The library reads the process's environment at its first
		# spawn, and bash puts an exported variable there when it
		# next builds a command's environment: the stock run of
		# PROGRAM does that before tmplcache is loaded.
		export SPAWN_TEMPLATE_BACKEND=$variant
		"$name" || fail "$name: exit status $?"
		tmplcache "$name" || fail "$name: cannot route"
	fi
	rss_kb
	# Warm-up: PATH lookup and hashing, the page cache, the template.
	for ((i = 0; i < warmup; i++)); do
		"$name" || fail "$name: exit status $?"
	done
	t0=${EPOCHREALTIME//[.,]/}
	for ((i = 0; i < n; i++)); do :; done
	t1=${EPOCHREALTIME//[.,]/}
	for ((i = 0; i < n; i++)); do "$name"; done
	t2=${EPOCHREALTIME//[.,]/}

	if [ "$variant" != stock ]; then
		[ "$variant" = userspace ] && want=clone3 || want=kernel
		tmplcache -s -v st
		[ "${st[backend]}" = "$want" ] ||
			fail "backend ${st[backend]}, not $want"
		[ "${st[$name:spawns]}" = $((n + warmup)) ] &&
		[ "${st[$name:fallbacks]}" = 0 ] ||
			fail "$name: ${st[$name:spawns]} spawns, ${st[$name:fallbacks]} fallbacks, not $((n + warmup)) and 0"
	fi
	echo "bash-loop $variant $mb $REPLY $n $(( ((t2 - t1) - (t1 - t0)) * 1000 / n ))"
}

[ -z "${SPAWN_TEMPLATE_BACKEND+set}" ] ||
	{ echo "bench-bash-loop: start without SPAWN_TEMPLATE_BACKEND" >&2; exit 2; }
rc=0
(row stock) || rc=1
# Loaded before the routed rows' subshells fork, with routing on in
# children (-F): loaded in a child, tmplcache does not know where bash
# forked and gives way to every command there (forked).
if enable -f "$so" tmplcache && tmplcache -F; then
	(row userspace) || rc=1
	(row kernel) || rc=1
else
	echo "bash-loop userspace $mb failed: $so: cannot load"
	echo "bash-loop kernel $mb failed: $so: cannot load"
	rc=1
fi
exit $rc
