#!/usr/bin/env bash
# build-kernel.sh - build the tmplcache reference kernel and its selftest.
#
# Usage: build-kernel.sh SRCDIR BUILDDIR OUTDIR
#   SRCDIR    the tmplcache source tree (kernel/ holds VERSION, the patch
#             series and the config fragment)
#   BUILDDIR  scratch space: the unpacked, patched source and the objects
#   OUTDIR    receives bzImage and spawn_template (the static selftest)
#
# The kernel is Debian's linux-source-6.12 at exactly the version in
# kernel/VERSION; the series is applied with patch(1), the config is
# tinyconfig plus kernel/config.fragment.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

srcdir=$1 builddir=$2 outdir=$3
kdir=$srcdir/kernel
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${TMPLCACHE_KERNEL_JOBS:-2}

die() { echo "build-kernel: $*" >&2; exit 1; }

want=$(cat "$kdir/VERSION")
have=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
	die "linux-source-6.12 is not installed (scripts/setup-debian, or apt-get install linux-source-6.12=$want)"
[ "$have" = "$want" ] ||
	die "linux-source-6.12 is $have, the series is pinned to $want (kernel/VERSION; scripts/setup-debian installs that one)"
[ -r "$tarball" ] || die "$tarball missing"

rm -rf "$builddir"
mkdir -p "$builddir" "$outdir"
echo "build-kernel: unpacking $tarball"
tar -C "$builddir" -xf "$tarball"
src=$builddir/linux-source-6.12 obj=$builddir/obj

while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	echo "build-kernel: applying $p"
	patch -d "$src" -p1 -s --no-backup-if-mismatch < "$kdir/patches/$p" ||
		die "$p does not apply"
done < "$kdir/patches/series"

mkdir -p "$obj"
make -s -C "$src" O="$obj" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$kdir/config.fragment" >/dev/null
make -s -C "$src" O="$obj" olddefconfig >/dev/null
# Every option the fragment asks for must have survived olddefconfig.
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	grep -qx "$line" "$obj/.config" ||
		die "config: $line did not stick (missing dependency?)"
done < "$kdir/config.fragment"

echo "build-kernel: building bzImage with -j$jobs (about 5 minutes)"
make -s -C "$src" O="$obj" -j"$jobs" bzImage headers >"$builddir/make.log" 2>&1 ||
	{ tail -30 "$builddir/make.log" >&2; die "kernel build failed (log: $builddir/make.log)"; }

echo "build-kernel: building the selftest"
${CC:-gcc} -O2 -Wall -static -isystem "$obj/usr/include" \
	-I "$src/tools/testing/selftests" \
	-o "$outdir/spawn_template" \
	"$src/tools/testing/selftests/exec/spawn_template.c" ||
	die "selftest build failed"
cp "$obj/arch/x86/boot/bzImage" "$outdir/bzImage"
echo "$want" > "$outdir/VERSION"
