#!/usr/bin/env bats
# security.bats - template fds never reach a child; setuid binaries get
# the kernel's normal secure-exec treatment; a noexec mount refuses as
# stock does; RLIMIT_NPROC (EAGAIN) as an unprivileged user.
#
# A template made before a setuid/setgid change is refused (EACCES) by
# the library itself: tests/lib/credentials.c.  At bash level it does not
# arise: bash cannot change its credentials without exec.
#
# SPDX-License-Identifier: GPL-3.0-or-later

load ../builtin/helpers
load rel-helpers

AUXV_SECURE=$TC_BUILDDIR/tests/reliability/auxv-secure

setup() {
	tc_setup_bin
}

teardown() {
	rel_teardown
}

@test "60 routed names: no template fd reaches any child, fds as stock" {
	local i names=
	for ((i = 1; i <= 60; i++)); do
		cp "$CHILDVIEW" "$TC_BIN/cv$i"
		names+=" cv$i"
	done
	tc_compare "$names" '
for ((i = 1; i <= 60; i++)); do "cv$i" 7</dev/null | grep "^fd "; done
for ((i = 1; i <= 60; i++)); do "cv$i" >view.$i; done
cat view.* | grep "^fd " | sort | uniq -c'
	tc_assert_spawns 60
	tc_assert_fallbacks forked 0	# pipelines: children run as stock
	# The child sees stock's fds only (compared above); no fd of any
	# child names a routed binary.
	[[ $TC_OUT == *"fd 7 /dev/null"* && $TC_OUT != *"/cv"* ]]
}

@test "setuid-root helper run by nobody: AT_SECURE as stock" {
	rel_require_root
	[[ -x $AUXV_SECURE ]] || skip "auxv-secure not built (make -C tests/reliability auxv-secure)"
	command -v setpriv >/dev/null || skip "setpriv missing"
	rel_public_dir
	[[ $(findmnt -no OPTIONS -T "$REL_PUB") != *nosuid* ]] || skip "$REL_PUB is on a nosuid mount"
	mkdir -m 755 "$REL_PUB/bin"
	cp "$AUXV_SECURE" "$REL_PUB/bin/auxvsec"
	cp "$AUXV_SECURE" "$REL_PUB/bin/auxvplain"
	chown root:root "$REL_PUB/bin/auxvsec" && chmod 4755 "$REL_PUB/bin/auxvsec"
	chmod 755 "$REL_PUB/bin/auxvplain"
	rel_compare_via "auxvsec auxvplain" '
auxvsec; echo "status $?"
auxvplain; echo "status $?"' \
		env PATH="$REL_PUB/bin:$PATH" setpriv --reuid=nobody --regid=nogroup --clear-groups
	grep -qx 'AT_SECURE 1 ruid 65534 euid 0' <<<"$TC_OUT"
	grep -qx 'AT_SECURE 0 ruid 65534 euid 65534' <<<"$TC_OUT"
	tc_assert_spawns 2
}

@test "noexec mount: refused as stock, before and after routing" {
	rel_require_root
	command -v unshare >/dev/null || skip "unshare missing"
	unshare -m true 2>/dev/null || skip "cannot make a private mount namespace"
	rel_public_dir
	rel_compare_via childview '
mkdir nx && cp "$CHILDVIEW" nx/childview
PATH=$PWD/nx:$PATH
childview -q; echo "exec before $?"
mount -t tmpfs -o noexec tmpfs nx && cp "$CHILDVIEW" nx/childview
childview -q; echo "noexec $?"
hash -r
childview -q; echo "noexec rehashed $?"
PATH=$PWD/nx:/usr/bin:/bin
childview -q; echo "noexec only $?"
type -t tmplcache >/dev/null && { tmplcache -d childview; tmplcache childview 2>"$REL_PUB/out/add.err"; }
true' \
		unshare -m --propagation private
	# before: spawned; noexec: the pinned file is gone (ESTALE), the new
	# one refuses a template (EACCES): create fallback, bash's 126; after
	# hash -r bash's PATH search skips the noexec file and finds the next
	# childview (spawned, as stock runs it); with only the noexec one,
	# bash's 126 again (create fallback).
	tc_assert_spawns 2
	tc_assert_fallbacks create 2
	[[ $TC_OUT == *"noexec 126"*"noexec rehashed 0"*"noexec only 126"* ]]
	cat "$REL_PUB/out/add.err"
	# Naming touches no file (tests/builtin/lazy.bats): the noexec file's
	# EACCES shows at its use (the create fallbacks above), not here.
	[[ ! -s $REL_PUB/out/add.err ]]
}

@test "RLIMIT_NPROC as nobody: spawn gets EAGAIN, falls back, same as stock" {
	rel_require_root
	command -v setpriv >/dev/null || skip "setpriv missing"
	[[ ${TC_REL_SLOW:-} == 1 ]] || skip "slow (bash's fork retries take 15 s a run): make check-stress runs it"
	rel_public_dir
	cp "$CHILDVIEW" "$REL_PUB/childview" && chmod 755 "$REL_PUB/childview"
	# nobody's processes other than ours would make the limit wrong.
	[[ -z $(pgrep -u nobody) ]] || skip "other processes run as nobody"
	# When bash's fork fails for good it leaves its pipeline started, and
	# the next simple command (the EXIT trap's) says "wait_for: No record
	# of process N": stock does the same with the same trap, so the
	# harness sets one in both runs and the line is compared like the rest.
	rel_compare_via childview '
childview -q; echo "one slot $?"
type -t tmplcache >/dev/null && tmplcache -s -v s && echo "${s[spawns]}" >"$REL_PUB/out/spawns"
ulimit -u 1
childview -q; echo "no slot $?"
echo "shell alive"' \
		env PATH="$REL_PUB:$PATH" setpriv --reuid=nobody --regid=nogroup --clear-groups
	# bash's fork gives up after its retries and the script ends there,
	# stock and routed alike (compared above), before the EXIT trap could
	# store the counters: the first call's spawn is read from a side file.
	[[ $TC_OUT == *"one slot 0"* && $(<"$REL_PUB/out/spawns") == 1 ]]
	[[ $(<"$REL_PUB/out/err.stock") == *"wait_for: No record of process PID"* ]]
}
