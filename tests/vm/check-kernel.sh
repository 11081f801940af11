#!/usr/bin/env bash
# check-kernel.sh - `make check-kernel`: test the library against the
# reference kernel (kernel/) in a qemu VM.
#
# Usage: check-kernel.sh ABS_TOP_SRCDIR
#
#  1. Build the kernel (tests/vm/build-kernel.sh) unless a build for the same
#     VERSION + series + config fragment is cached in
#     ${XDG_CACHE_HOME:-~/.cache}/tmplcache-kernel/<hash>/.
#  2. Build the library out of tree with --with-spawn-template-syscalls=
#     1000,1001 (the reference kernel's numbers), its tests, the BATS
#     suite's dependencies and the spawn benchmark, in the work directory.
#  3. Boot the kernel under qemu-system-x86_64 (KVM only when a probe boot
#     works, TCG otherwise) with the host's / as a read-only 9p root and the
#     work directory as a writable share, and run guest-run.sh: the kernel
#     selftests, the library suite (kernel and clone3 backends), the BATS
#     suite and the benchmark (bench-spawn.c, then bench-bash-loop.sh: a
#     bash loop, stock and routed by tmplcache on each backend).  With
#     TMPLCACHE_KERNEL_ICOUNT=1 (the default) a second, benchmark-only boot
#     runs with -icount shift=0, where 1 ns of guest time is one
#     guest instruction.
#  4. Print every result as TAP, the kernel-vs-userspace differential and a
#     summary line.  Exit 0 only when nothing failed and every difference
#     between the backends is a documented one (kernel/README.md).
#
# Environment: TMPLCACHE_KERNEL_WORKDIR (default ${TMPDIR:-/var/tmp}/
# tmplcache-kernel-check), TMPLCACHE_KERNEL_BUILDDIR (kernel build scratch,
# default ${TMPDIR:-/var/tmp}/tmplcache-kernel-build), TMPLCACHE_VM_ACCEL
# (auto|kvm|tcg), TMPLCACHE_VM_TIMEOUT (seconds, default 3600),
# TMPLCACHE_KERNEL_BENCH_N (spawns per benchmark row, default 200, 0 skips
# the bench-spawn rows), TMPLCACHE_KERNEL_BASH_LOOP_N (spawns per bash loop
# row, tests/vm/bench-bash-loop.sh, default 50, 0 skips them),
# TMPLCACHE_KERNEL_BASH_LOOP_MB (the shell sizes of the bash loop rows,
# default "5 500"; the VM has 1 GB), TMPLCACHE_KERNEL_ICOUNT (1|0),
# TMPLCACHE_KERNEL_LIB_BACKENDS (the library backends run in the VM,
# default "kernel clone3"),
# TMPLCACHE_KERNEL_LIB_TESTS (tests/lib programs to run, e.g.
# "process_name pidfd"; default all of them), TMPLCACHE_KERNEL_LIB_ROUNDS
# (percent of the long library tests' loops, default 100; scripts/test
# uses 10), TMPLCACHE_KERNEL_BATS (1|0,
# default 1: 0 skips every BATS run), TMPLCACHE_KERNEL_BATS_USERSPACE
# (default 1: the whole BATS suite on the userspace backend; 0: none;
# "paired": the files of the kernel pass; or a list of files, named as
# for the kernel pass),
# TMPLCACHE_KERNEL_BATS_KERNEL (the BATS files run with the kernel backend
# forced, relative to tests/builtin, or reliability/NAME.bats for
# tests/reliability; empty: none).  The smallest guest run, for iterating on one test:
#   TMPLCACHE_KERNEL_LIB_TESTS=process_name TMPLCACHE_KERNEL_BATS=0 \
#   TMPLCACHE_KERNEL_BENCH_N=0 TMPLCACHE_KERNEL_BASH_LOOP_N=0 \
#   TMPLCACHE_KERNEL_ICOUNT=0 make check-kernel
#
# It installs nothing: a missing package is an error that names it.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

srcdir=$(cd "$1" && pwd)
here=$srcdir/tests/vm
kdir=$srcdir/kernel
scratch=${TMPDIR:-/var/tmp}
work=${TMPLCACHE_KERNEL_WORKDIR:-$scratch/tmplcache-kernel-check}
kbuild=${TMPLCACHE_KERNEL_BUILDDIR:-$scratch/tmplcache-kernel-build}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/tmplcache-kernel
accel=${TMPLCACHE_VM_ACCEL:-auto}
timeout_s=${TMPLCACHE_VM_TIMEOUT:-3600}
bench_n=${TMPLCACHE_KERNEL_BENCH_N:-200}
loop_n=${TMPLCACHE_KERNEL_BASH_LOOP_N:-50}
loop_mb=${TMPLCACHE_KERNEL_BASH_LOOP_MB:-5 500}
icount=${TMPLCACHE_KERNEL_ICOUNT:-1}

die() { echo "check-kernel: $*" >&2; exit 1; }
say() { echo "check-kernel: $*"; }

# ---- 0. what the host needs ------------------------------------------------
missing=
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_file() { [ -e "$1" ] || missing="$missing $2"; }
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd gcc gcc
need_cmd make make
need_cmd flex flex
need_cmd bison bison
need_cmd bc bc
need_cmd patch patch
need_cmd busybox busybox
need_cmd timeout coreutils
need_file /usr/src/linux-source-6.12.tar.xz linux-source-6.12
need_file /usr/include/libelf.h libelf-dev
need_file /usr/include/openssl/ssl.h libssl-dev
need_file /usr/lib/x86_64-linux-gnu/libc.a libc6-dev
[ -z "$missing" ] ||
	die "missing packages:$missing (apt-get install$missing)"
case $work in *' '*) die "the work directory path must not contain spaces: $work" ;; esac

# ---- 1. the kernel, cached by what it is built from -------------------------
hash=$( {
	cat "$kdir/VERSION" "$kdir/config.fragment" "$kdir/patches/series"
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		cat "$kdir/patches/$p"
	done < "$kdir/patches/series"
	cat "$here/build-kernel.sh"
} | sha256sum | cut -c1-16)
kcache=$cache_root/$hash
if [ -s "$kcache/bzImage" ] && [ -x "$kcache/spawn_template" ]; then
	say "kernel $hash: cached in $kcache"
else
	say "kernel $hash: not cached, building"
	bash "$here/build-kernel.sh" "$srcdir" "$kbuild/$hash" "$kcache.tmp"
	rm -rf "$kcache"
	mv "$kcache.tmp" "$kcache"
	rm -rf "${kbuild:?}/$hash"
fi

# ---- 2. what runs in the VM ---------------------------------------------------
mkdir -p "$work"
rm -rf "$work/results"
mkdir -p "$work/results"
cp "$kcache/spawn_template" "$work/spawn_template"

libbuild=$work/lib-build
run_bats=0
want_bats=${TMPLCACHE_KERNEL_BATS:-1}
lib_note=
say "building the library with --with-spawn-template-syscalls=1000,1001 in $libbuild"
# A build configured from another source tree (an earlier run from another
# clone) is not reused: its Makefiles name that tree.
if [ -f "$libbuild/Makefile" ] &&
   ! grep -qxF "abs_top_srcdir = $(cd "$srcdir" && pwd)" "$libbuild/Makefile"; then
	rm -rf "$libbuild"
fi
mkdir -p "$libbuild"
if ( cd "$libbuild" &&
     { [ -f Makefile ] ||
       "$srcdir/configure" -q --with-spawn-template-syscalls=1000,1001; } &&
     make -s -j2 >"$work/results/host-build.log" 2>&1 &&
     make -s -j2 -C tests/lib check TESTS= >>"$work/results/host-build.log" 2>&1 &&
     make -s -C tests/reliability check TESTS= >>"$work/results/host-build.log" 2>&1 ); then
	if [ "$want_bats" != 1 ]; then
		lib_note="BATS suite not asked for (TMPLCACHE_KERNEL_BATS=$want_bats)"
	elif ls "$srcdir"/tests/builtin/*.bats >/dev/null 2>&1 && command -v bats >/dev/null; then
		if make -s -C "$libbuild/tests/builtin" check TESTS= \
			>>"$work/results/host-build.log" 2>&1; then
			run_bats=1
		else
			lib_note="BATS suite did not build (see results/host-build.log)"
		fi
	else
		lib_note="tests/builtin has no .bats files yet (or bats is missing)"
	fi
else
	lib_note="library did not build (see $work/results/host-build.log)"
	libbuild=
fi

bench=
bench_targets=
if [ $((bench_n + loop_n)) -gt 0 ] && [ -n "$libbuild" ]; then
	printf 'int main(void) { return 0; }\n' >"$work/static-true.c"
	gcc -O2 -static -o "$work/static-true" "$work/static-true.c"
	if gcc -O2 -Wall -I"$srcdir/lib" -o "$work/bench-spawn" "$here/bench-spawn.c" \
		-L"$libbuild/lib/.libs" -Wl,-rpath,"$libbuild/lib/.libs" -lspawntemplate; then
		bench=$work/bench-spawn
		# guest-run.sh copies static-true to /tmp (tmpfs): exec from the
		# uncached work share would measure 9p round trips.
		bench_targets="/tmp/static-true $(readlink -f /bin/true)"
	fi
fi

# The BATS files that also run with the kernel backend forced: jobcontrol
# needs X_SETPGID/X_TCSETPGRP (patch 0006) and asserts that its routed
# commands spawned with no fallback; stale rewrites executables in place,
# which tmplcache's templates allow with X_NOWRITEPIN (patch 0007);
# interface finds template fds under either backend (fdinfo's exec: line
# under the kernel).  The reliability suite too, but not hangs.bats (it
# tests the harness's time limits and never loads tmplcache) nor
# stress.bats: it passes there (5/5) but costs about 320 s of TCG guest
# time, more than the other added files together, for tmplcache's own
# bookkeeping (fds, RSS, the template cap); TMPLCACHE_KERNEL_BATS_KERNEL
# can name it.
kernel_bats_default="equivalence.bats contexts.bats jobcontrol.bats stale.bats interface.bats"
kernel_bats_default="$kernel_bats_default reliability/faults.bats reliability/security.bats"
kernel_bats_default="$kernel_bats_default reliability/signals.bats"

kernel_bats=${TMPLCACHE_KERNEL_BATS_KERNEL-$kernel_bats_default}
# The userspace pass: 1 the whole suite, 0 none, "paired" the files of
# the kernel pass (CI: the files where the kernel matters, on both
# backends, at half the guest time), or a list of files.
userspace_bats=${TMPLCACHE_KERNEL_BATS_USERSPACE:-1}
[ "$userspace_bats" != paired ] || userspace_bats=${kernel_bats:-0}

write_env() {
	cat >"$work/guest.env" <<EOF
MODE=$1
SELFTEST=$work/spawn_template
LIBBUILD=$libbuild
RUN_BATS=$run_bats
USERSPACE_BATS='$userspace_bats'
LIB_BACKENDS='${TMPLCACHE_KERNEL_LIB_BACKENDS:-kernel clone3}'
LIB_TESTS='${TMPLCACHE_KERNEL_LIB_TESTS:-}'
LIB_ROUNDS=${TMPLCACHE_KERNEL_LIB_ROUNDS:-100}
SRCDIR=$srcdir
KERNEL_BATS='$kernel_bats'
BENCH=$2
BENCH_N=$bench_n
BENCH_TARGETS='$bench_targets'
BASH_LOOP_N=$loop_n
BASH_LOOP_MB='$loop_mb'
EOF
}

# ---- 3. boot ------------------------------------------------------------------
qemu_run() { # SECONDS ACCEL-ARGS... -- APPEND-EXTRA
	local limit=$1 args=() extra
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	extra=$*
	timeout "$limit" qemu-system-x86_64 "${args[@]}" -m 1024 -smp 1 \
		-nographic -no-reboot -kernel "$kcache/bzImage" \
		-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=root,mount_tag=root \
		-fsdev local,id=work,path="$work",security_model=none,multidevs=remap \
		-device virtio-9p-pci,fsdev=work,mount_tag=work \
		-append "console=ttyS0 root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro panic=-1 norandmaps quiet $extra"
}

# The probe's answer is kept with the kernel: it costs up to a minute.
if [ "$accel" = auto ] && [ -s "$kcache/accel" ]; then
	accel=$(cat "$kcache/accel")
	say "accelerator from the last probe: $accel"
elif [ "$accel" = auto ]; then
	accel=tcg
	# A KVM that cannot run this kernel may hang rather than fail: the
	# probe gets a minute (a TCG boot to init takes a few seconds).
	if [ -w /dev/kvm ] &&
	   qemu_run 60 -accel kvm -cpu host -- init=/bin/echo -- tmplcache-kvm-probe-ok \
		2>&1 | grep -q tmplcache-kvm-probe-ok; then
		accel=kvm
	fi
	echo "$accel" >"$kcache/accel"
fi
case $accel in
kvm) accel_args=(-accel kvm -cpu host) ;;
tcg) accel_args=(-accel tcg -cpu max) ;;
*) die "TMPLCACHE_VM_ACCEL must be auto, kvm or tcg" ;;
esac

# Only this run's results may reach the report.
[ -z "$libbuild" ] ||
	rm -f "$libbuild"/tests/lib/*.log "$libbuild"/tests/lib/*.trs \
		"$libbuild"/tests/builtin/*.log "$libbuild"/tests/builtin/*.trs
say "booting ($accel): selftests, library suite, BATS, benchmark"
write_env full "$bench"
t0=$(date +%s)
qemu_run "$timeout_s" "${accel_args[@]}" -- init="$here/guest-init.sh" -- "$work" \
	>"$work/results/console.log" 2>&1 || true
say "VM run took $(( $(date +%s) - t0 )) s"

if [ -n "$bench" ] && [ "$icount" = 1 ]; then
	say "booting (tcg, -icount shift=0): benchmark in guest instructions"
	write_env icount "$bench"
	t0=$(date +%s)
	qemu_run "$timeout_s" -accel tcg -cpu max -icount shift=0,sleep=off -- \
		init="$here/guest-init.sh" -- "$work" \
		>"$work/results/console-icount.log" 2>&1 || true
	say "icount VM run took $(( $(date +%s) - t0 )) s"
fi

# ---- 4. results ---------------------------------------------------------------
exec bash "$here/report.sh" "$srcdir" "$work" "$libbuild" "$run_bats" "$lib_note"
