# routed-scenarios.bash - a representative set of routed scripts (from
# the BATS suites: add/list/remove, spawns with redirections, pipelines,
# traps, signals, stale files, E2BIG, fd exhaustion, the cap, enable -d),
# written to DIR as s-NAME.sh, for running bash under a memory checker.
# Each script loads tmplcache itself from $SO and routes childview (a copy
# in ./bin) and cat.
#
# SPDX-License-Identifier: GPL-3.0-or-later

rel_write_scenarios() {	# DIR
	local d=$1
	local head='enable -f "$SO" tmplcache || exit 99
mkdir -p bin && cp "$CHILDVIEW" bin/childview && PATH=$PWD/bin:$PATH
tmplcache childview cat'
	printf '%s\n' "$head" '
tmplcache; tmplcache -l; tmplcache -t cat; tmplcache -s; tmplcache -s -v st
tmplcache -d cat; tmplcache cat nosuch cd if a/b; tmplcache -z; tmplcache -H 1
saved=$(tmplcache -l); tmplcache -r; eval "$saved"' >"$d/s-interface.sh"
	printf '%s\n' "$head" '
for i in $(seq 50); do childview -q -x $((i % 3)); done
childview >out 2>&1 3<out 7>&1; cat out >/dev/null
echo x | cat; cat <<<"here"; A=1 childview -q "a b" ""
f() { childview -q "$@"; }; f 1 2; eval "childview -q"' >"$d/s-spawn.sh"
	printf '%s\n' "$head" '
trap "n=\$((n+1))" CHLD USR1
for i in $(seq 30); do childview -q; kill -USR1 $$; done
trap - CHLD USR1
childview -q -k 15; childview -q -k 2; echo "$?"' >"$d/s-signals.sh"
	printf '%s\n' "$head" '
childview -q; cp /bin/echo bin/new && mv bin/new bin/childview; childview -q x
chmod -x bin/childview; childview -q; rm bin/childview; childview -q
printf "#!/bin/sh\n" >bin/childview; chmod +x bin/childview; childview
exec 300>&-; cat /dev/null
big=$(head -c 300000 /dev/zero | tr "\0" x); cat /dev/null "$big" 2>/dev/null
true' >"$d/s-faults.sh"
	printf '%s\n' "$head" '
mkdir many; for i in $(seq 40); do cp /bin/true many/t$i; done; PATH=$PWD/many:$PATH
TMPLCACHE_MAX=20; tmplcache $(printf "t%d " $(seq 40)) 2>/dev/null
for i in $(seq 40); do t$i; done
ulimit -n 200; mkdir two; cp "$CHILDVIEW" two/childview; PATH=$PWD/two:$PATH; childview -q
enable -d childview; tmplcache -s
enable -d tmplcache; cat /dev/null' >"$d/s-cap-unload.sh"
}
