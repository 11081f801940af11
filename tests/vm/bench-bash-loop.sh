# bench-bash-loop.sh VARIANT MB N PROGRAM [TMPLCACHE_SO] - the cost of one
# external command in a bash loop, from a bash holding about MB megabytes.
#
# Run by guest-run.sh (check-kernel VM) with the guest's /bin/bash.
# VARIANT is stock (bash's own fork+exec), userspace or kernel: PROGRAM's
# name routed by tmplcache (TMPLCACHE_SO) with SPAWN_TEMPLATE_BACKEND set to
# that backend, which the caller puts in the environment (the library reads
# the process's environment, which bash's export does not change).  PROGRAM is run by its name through PATH, as a script would
# (a name with a slash is never routed).  Prints one line:
#   bash-loop VARIANT MB RSS_KB N NS_PER_SPAWN
# NS_PER_SPAWN is (N iterations running PROGRAM - N empty iterations) / N,
# timed with EPOCHREALTIME.  A routed run that did not spawn every time on
# the backend asked for (a fallback, another backend) prints why on stderr
# and exits 1 with no number.
#
# SPDX-License-Identifier: GPL-3.0-or-later

variant=$1 mb=$2 n=$3 prog=$4 so=${5:-}
warmup=3
name=${prog##*/}
PATH=${prog%/*}:$PATH

fail() { echo "bench-bash-loop: $variant $mb MB: $*" >&2; exit 1; }

rss_kb() {
	local k v rest
	while read -r k v rest; do
		[[ $k == VmRSS: ]] && { REPLY=$v; return; }
	done <"/proc/$$/status"
	REPLY=0
}

case $variant in
stock) ;;
userspace) want=clone3 ;;
kernel) want=kernel ;;
*) fail "unknown variant (stock, userspace or kernel)" ;;
esac
if [ "$variant" != stock ]; then
	[ "${SPAWN_TEMPLATE_BACKEND:-}" = "$variant" ] ||
		fail "run with SPAWN_TEMPLATE_BACKEND=$variant in the environment"
	enable -f "$so" tmplcache || fail "$so: cannot load"
	tmplcache "$name" || fail "$name: cannot route"
fi

# The memory: an array of 1 MiB strings, real touched heap whose page
# tables fork must copy (as bench/mem-loop.bash on the host).  Expanding a
# string costs bash some instructions per byte; the C locale saves a third
# of them (no multibyte checks), which matters under emulation.
LC_ALL=C
chunk=xxxxxxxxxxxxxxxx
while ((${#chunk} < 1048576)); do chunk+=$chunk; done
rss_kb
declare -a hold=()
for ((i = 0; i < mb - REPLY / 1024; i++)); do hold[i]=$chunk; done
rss_kb
rss=$REPLY

# Warm-up: PATH lookup and hashing, the page cache, the template.
for ((i = 0; i < warmup; i++)); do "$name" || fail "$name: exit status $?"; done
t0=${EPOCHREALTIME//[.,]/}
for ((i = 0; i < n; i++)); do :; done
t1=${EPOCHREALTIME//[.,]/}
for ((i = 0; i < n; i++)); do "$name"; done
t2=${EPOCHREALTIME//[.,]/}

if [ "$variant" != stock ]; then
	declare -A st
	tmplcache -s -v st
	[ "${st[backend]}" = "$want" ] ||
		fail "backend ${st[backend]}, not $want"
	[ "${st[$name:spawns]}" = $((n + warmup)) ] &&
	[ "${st[$name:fallbacks]}" = 0 ] ||
		fail "$name: ${st[$name:spawns]} spawns, ${st[$name:fallbacks]} fallbacks, not $((n + warmup)) and 0"
fi
echo "bash-loop $variant $mb $rss $n $(( ((t2 - t1) - (t1 - t0)) * 1000 / n ))"
