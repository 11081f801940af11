# mem-loop.bash MB N CMD - time N runs of CMD (no arguments) from a bash
# holding about MB megabytes, in this one process.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Prints "RSS_KB EMPTY_US LOOP_US": the resident size once the memory is
# held, then the wall time of N empty iterations and of N iterations that
# run CMD.  The memory is an array of 1 MiB strings: real, touched heap
# that fork must copy the page tables of, as a script holding a big file
# or a long list would have.

mb=$1 n=$2 cmd=$3

rss_kb() {
	local k v rest
	while read -r k v rest; do
		[[ $k == VmRSS: ]] && { REPLY=$v; return; }
	done <"/proc/$$/status"
	REPLY=0
}

chunk=xxxxxxxxxxxxxxxx
while ((${#chunk} < 1048576)); do chunk+=$chunk; done
rss_kb
declare -a hold=()
for ((i = 0; i < mb - REPLY / 1024; i++)); do hold[i]=$chunk; done
rss_kb
rss=$REPLY

t0=${EPOCHREALTIME//[.,]/}
for ((i = 0; i < n; i++)); do :; done
t1=${EPOCHREALTIME//[.,]/}
for ((i = 0; i < n; i++)); do "$cmd"; done
t2=${EPOCHREALTIME//[.,]/}
echo "$rss $((t1 - t0)) $((t2 - t1))"
