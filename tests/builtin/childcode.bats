#!/usr/bin/env bats
# childcode.bats - what of tmplcache.so every child of a loaded bash runs.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Our fork handler runs in the child of every fork bash makes, even one
# about to exec cat, and exit() in a `$( )' child runs each loaded
# object's finalizers.  Each 64 KiB window of our code a child enters is a
# page fault in that child (builtins/childtext.h), so the handler's code
# is one section that calls nothing outside it, and the .so carries no C
# start files, whose finalizer every exiting child ran.  Checked on the
# build's own objects and .so, the way a change would break them.

load helpers

SECTION=.text.hot.tmplcache_child

objects() {
	local o=("$TC_BUILDDIR"/builtins/.libs/tmplcache_la-*.o)
	[[ -f ${o[0]} ]] || skip "no libtool objects in $TC_BUILDDIR/builtins/.libs"
	printf '%s\n' "${o[@]}"
}

# The functions SECTION defines in all objects, one per line.
section_functions() {
	local o
	for o in $(objects); do
		objdump -d -j "$SECTION" "$o" 2>/dev/null |
			sed -n 's/^[0-9a-f]* <\([^>+]*\)>:$/\1/p'
	done
}

# The targets of the calls and jumps in SECTION that leave its object
# (a relocation names them), one per line.
section_exits() {
	local o
	for o in $(objects); do
		objdump -dr -j "$SECTION" "$o" 2>/dev/null | awk '
			/^ *[0-9a-f]+:\t/ && !/R_X86_64/ { branch = ($0 ~ /\t(call|jmp) /) }
			/R_X86_64_(PLT32|PC32)/ && branch { t = $NF; sub(/-0x4$/, "", t); print t }'
	done
}

@test "the fork handlers' code is one section that calls only itself" {
	tc_require_built
	command -v objdump >/dev/null || skip "objdump not installed (binutils)"
	[[ $(uname -m) == x86_64 ]] || skip "relocations read for x86_64 only"
	local defined exits t
	defined=$(section_functions | sort -u)
	# Both child handlers (tmplcache.c, automode.c) are there.
	grep -qx unroute_in_child <<<"$defined"
	grep -qx in_child <<<"$defined"
	exits=$(section_exits | sort -u)
	for t in $exits; do
		# The one way out: hiding the table the slow way, when the parent
		# could not make the view before the fork (out of memory).
		[[ $t == tc_table_set_hidden ]] && continue
		grep -qx -- "$t" <<<"$defined" ||
			fail "the fork handler's code calls $t, outside $SECTION"
	done
}

@test "tmplcache.so has no start files' code for load or exit to run" {
	tc_require_built
	command -v readelf >/dev/null || skip "readelf not installed (binutils)"
	nm -D "$TC_SO" | grep -q __asan_init &&
		skip "a sanitizer build: its module constructors and destructors are expected"
	run readelf -d "$TC_SO"
	assert_success
	refute_output --regexp '\((INIT|FINI|INIT_ARRAY|FINI_ARRAY)\)'
	run nm "$TC_SO"
	refute_output --partial __do_global_dtors_aux
}
