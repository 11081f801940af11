#!/bin/bash
# guest-init.sh - PID 1 of the check-kernel VM.
#
# The root is the host's / over 9p, read-only.  Mount the pseudo
# filesystems and a tmpfs /tmp over it, the writable work share at the same
# path as on the host (libtool and the test scripts use absolute paths),
# run guest-run.sh, store its exit status on the share and power off.
#
# Usage (from the kernel command line): init=.../guest-init.sh -- WORKDIR
#
# SPDX-License-Identifier: GPL-3.0-or-later
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
work=$1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
# What udev would add: bash process substitution needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# A source tree under the host's /tmp (a CI clone, say) would vanish under
# the guest's tmpfs /tmp: keep the host's /tmp reachable and bind the tree
# back at its own path.
src=$(readlink -f "$0") && src=${src%/tests/vm/guest-init.sh}
case $src/ in
/tmp/*)
	mkdir -p /dev/.host-tmp
	mount --bind /tmp /dev/.host-tmp
	mount -t tmpfs tmpfs /tmp
	mkdir -p "$src"
	mount --bind "/dev/.host-tmp/${src#/tmp/}" "$src"
	;;
*)
	mount -t tmpfs tmpfs /tmp
	;;
esac
mount -t tmpfs tmpfs /run
mkdir -p "$work"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 work "$work"

status=1 MODE=unknown
if [ -r "$work/guest.env" ]; then
	. "$work/guest.env"
	bash "$(dirname "$0")/guest-run.sh" "$work" \
		>"$work/results/guest-$MODE.log" 2>&1
	status=$?
fi
echo "$status" > "$work/results/status-$MODE"
sync
umount "$work" 2>/dev/null
busybox poweroff -f 2>/dev/null
# Without busybox: init exits, the kernel panics, panic=-1 with -no-reboot
# ends qemu.
exit "$status"
