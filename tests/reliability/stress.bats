#!/usr/bin/env bats
# stress.bats - many routed spawns in one shell leave no trace (fds, RSS,
# job table), and the template cap holds at 1,000 binaries.
#
# TC_STRESS_SPAWNS sets the loop length: `make check` runs 2,000,
# `make check-stress` 100,000.  RSS is compared between the middle and
# the end of the loop (the first measure costs bash some
# memory once, stock bash too) and may grow by
# TC_STRESS_RSS_SLACK_KB (default 256 KiB: malloc settling); fds and
# jobs must not grow at all.  The one-time growth of bash at the first
# pid wrap-around (stock bash has it too) is taken before the measures.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load ../builtin/helpers
load rel-helpers

setup() {
	tc_setup_bin
}

@test "N routed spawns in one shell: no growth in fds, RSS or jobs" {
	local n=${TC_STRESS_SPAWNS:-2000} slack=${TC_STRESS_RSS_SLACK_KB:-256}
	cd "$BATS_TEST_TMPDIR"
	cp /bin/true "$TC_BIN/tctrue"
	run bash -c 'enable -f "$TC_SO" tmplcache && tmplcache tctrue childview || exit 99
measure() { local f=(/proc/$$/fd/*); read -r _ rss _ < <(grep VmRSS /proc/$$/status); echo "${#f[@]} $rss $(jobs | wc -l)"; }
loop() { for ((i = 0; i < $1; i++)); do
	if ((i % 2)); then tctrue; else childview -q -x 3; [[ $? == 3 ]]; fi || bad=$((bad + 1))
done; }
bad=0 warm=0
loop 200	# warm up
# bash (stock too) grows its memory once, by about half a MiB, the first
# time pids wrap around: let that happen before the measures when the
# loop would wrap them (pid_max is 32768 on many machines, and a pid
# namespace starts from 1).
if read -r pmax </proc/sys/kernel/pid_max && read -r last </proc/sys/kernel/ns_last_pid &&
	((pmax - last < '"$n"' + 2000)); then
	while tctrue; warm=$((warm + 1)); read -r now </proc/sys/kernel/ns_last_pid && ((now > last)); do last=$now; done
fi
# Measured in the shell itself, through a file: a process substitution
# leaves its fd to bash to close when it likes, which once showed as an
# extra fd under load.
measure >m0; read -r fd0 rss0 jobs0 <m0	# the first measure pays for itself
loop '"$((n / 2))"'
measure >m1; read -r fd1 rss1 jobs1 <m1; read -r p1 </proc/sys/kernel/ns_last_pid
loop '"$((n - n / 2))"'
measure >m2; read -r fd2 rss2 jobs2 <m2; read -r p2 </proc/sys/kernel/ns_last_pid
# Other processes take pids too (a parallel make check): when the first
# wrap still came between the two measures, measure once more after it.
if ((warm == 0 && p2 < p1 && p1 > $$)); then
	rss1=$rss2
	loop '"$((n - n / 2))"'; warm=$((warm + '"$((n - n / 2))"'))
	measure >m2; read -r fd2 rss2 jobs2 <m2
fi
tmplcache -s -v st
echo "fds $fd0 $fd2"; echo "rss $rss1 $rss2 $rss0"; echo "jobs $jobs0 $jobs2"
echo "bad $bad spawns ${st[spawns]} fallbacks ${st[fallbacks]} warm $warm"'
	assert_success
	echo "$output"
	local fds rss jobs bad
	fds=($(grep '^fds ' <<<"$output")) rss=($(grep '^rss ' <<<"$output"))
	jobs=($(grep '^jobs ' <<<"$output")) bad=($(grep '^bad ' <<<"$output"))
	[[ ${bad[1]} == 0 ]]
	[[ ${bad[3]} == $((n + 200 + bad[7])) && ${bad[5]} == 0 ]]
	[[ ${fds[1]} == "${fds[2]}" ]]
	[[ ${jobs[1]} == 0 && ${jobs[2]} == 0 ]]
	(( rss[2] - rss[1] <= slack ))
	rel_figure stress_spawns "$n"
	rel_figure stress_fds "${fds[1]} -> ${fds[2]}"
	rel_figure stress_rss_kb "${rss[1]} (middle) -> ${rss[2]} (end); ${rss[3]} after warm-up"
	rel_figure stress_jobs "${jobs[1]} -> ${jobs[2]}"
}

@test "2,000 spawns compared with stock bash" {
	tc_compare childview '
bad=0
for ((i = 0; i < 2000; i++)); do childview -q -x $((i % 5)); (( $? == i % 5 )) || bad=$((bad + 1)); done
echo "bad $bad"; jobs; echo "jobs $?"'
	tc_assert_spawns 2000
}

# 1,000 distinct copies of a small ELF in a PATH directory.
make_thousand() {
	TC_MANY=$BATS_TEST_TMPDIR/many
	mkdir -p "$TC_MANY"
	local i
	for ((i = 1; i <= 1000; i++)); do cp /bin/true "$TC_MANY/t$i"; done
	export TC_MANY PATH=$TC_MANY:$PATH
}

@test "templates for 1,000 different binaries with TMPLCACHE_MAX=1000" {
	make_thousand
	local need=1400
	(( $(ulimit -Hn) >= need )) || skip "hard fd limit $(ulimit -Hn) < $need"
	cd "$BATS_TEST_TMPDIR"
	run bash -c 'ulimit -n '"$need"'
enable -f "$TC_SO" tmplcache || exit 99
PATH=$TC_MANY:$PATH TMPLCACHE_MAX=1000
names=(); for ((i = 1; i <= 1000; i++)); do names+=("t$i"); done
tmplcache "${names[@]}"; echo "add $?"
bad=0; for n in "${names[@]}"; do "$n" || bad=$((bad + 1)); done
tmplcache -s -v st
f=(/proc/$$/fd/*)
echo "bad $bad templates ${st[templates]} spawns ${st[spawns]} fds ${#f[@]}"
tmplcache -r; f=(/proc/$$/fd/*); echo "after -r fds ${#f[@]}"'
	assert_success
	assert_line "add 0"
	assert_line --regexp '^bad 0 templates 1000 spawns 1000 fds [0-9]+$'
	local before after
	before=$(grep -o 'fds [0-9]*$' <<<"$output" | head -1 | cut -d' ' -f2)
	after=$(grep -o 'after -r fds [0-9]*' <<<"$output" | cut -d' ' -f4)
	(( before - after == 1000 ))
	rel_figure cap_templates 1000
}

@test "past the cap: counted 'cap' fallbacks at first use" {
	make_thousand
	tc_compare "$(printf 't%d ' {1..1000})" '
ok=0; for ((i = 1; i <= 1000; i++)); do "t$i" && ok=$((ok + 1)); done
echo "ran $ok"
# A second directory in front: each routed name now resolves to a new
# path, and the cap (256, full) refuses a template for it.
mkdir more && cp "$TC_MANY/t1" more/t1 && cp "$TC_MANY/t2" more/t2
PATH=$PWD/more:$PATH
t1; echo "t1 $?"; t2; echo "t2 $?"'
	# Naming is never refused for the cap (tests/builtin/lazy.bats): the
	# first 256 names run get templates, the other 744 and the 2 new
	# paths fall back.
	tc_assert_spawns 256
	tc_assert_fallbacks cap 746
	[[ ${ST[templates]} == 256 ]]
}

@test "past the cap: naming is not refused, first uses past it fall back" {
	make_thousand
	cd "$BATS_TEST_TMPDIR"
	run bash -c 'enable -f "$TC_SO" tmplcache || exit 99
PATH=$TC_MANY:$PATH
tmplcache $(printf "t%d " {1..300}); echo "add $?"
tmplcache -l | wc -l
for ((i = 1; i <= 300; i++)); do "t$i"; done
tmplcache -s -v st; echo "cap ${st[fallback_cap]} templates ${st[templates]}"'
	assert_success
	assert_output "add 0
300
cap 44 templates 256"
}
