# lib.bash - run one program under stock bash and under routed bash, and
# compare everything either run leaves behind.  Sourced by difffuzz.bash
# and minimize.bash.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# df_init WORKDIR      once: the command copies, the rc files
# df_compare PROGRAM   0 same, 1 diverged (DF_ASPECTS lists what), 2 both
#                      runs timed out (discarded)
# df_show              the diffs of the last comparison
#
# Each run gets the same scratch directory name, created afresh ($W/s:
# cwd/ where the program runs, bin/ and bin2/ the commands, home/, side/
# what the hook records), so paths need no normalization.  The program
# reaches bash as its "# mode:" header says.  Routing is set up by the rc
# file (BASH_ENV, or ~/.bashrc for the interactive mode), never by the
# program's text, so both runs read byte-identical programs and agree on
# $LINENO.  The rc files differ only in the enable line.
#
# Compared: status; stdout; stderr; every file under the scratch directory
# (names, type, mode; contents, or a checksum for bin/); the shell's fd
# table at exit (number, target, flags, offset; recorded by the EXIT hook
# __df_end); and the child's own view, which the programs print through
# childview and `cat /proc/self/...`.
#
# Normalizations (only what must differ between two runs):
#   - the shell's pid -> SHELLPID, its parent's (timeout's) -> TOPPID;
#   - other pids: in childview's pid/ppid/pgid/sid lines, bash's "line
#     N: PID Killed"-style notices and "pid PID is not a child", each
#     distinct number -> PID1, PID2...
#     in order of appearance (so equal stays equal);
#   - pipe:[inode], socket:[inode] -> [INODE];
#   - the shell's fd table drops template fds: >= 300, O_PATH|O_CLOEXEC
#     (a redirection cannot make an O_PATH fd, so a user fd never matches);
#   - offsets (pos) of pipes, which mean nothing.

DF_ROUTED_NAMES="cat head tr wc env sleep childview"
DF_TIMEOUT=${DIFFFUZZ_TIMEOUT:-4}

df_init() {	# WORKDIR
	W=$1
	: "${TC_BUILDDIR:?set TC_BUILDDIR to the build tree}"
	DF_SO=$TC_BUILDDIR/builtins/.libs/tmplcache.so
	DF_CV=$TC_BUILDDIR/tests/lib/childview
	DF_BASH=${DIFFFUZZ_BASH:-$(type -P bash)}
	[[ -f $DF_SO && -x $DF_CV ]] || return 77
	S=$W/s
	local t=$W/tmpl n
	rm -rf "$t" && mkdir -p "$t/bin" "$t/bin2" "$t/cwd" "$t/home" "$t/side"
	for n in cat head tr wc true false env sleep sort seq od; do
		cp "$(type -P "$n")" "$t/bin/$n"
	done
	cp "$DF_CV" "$t/bin/childview"
	cp "$DF_CV" "$t/bin/cview"
	cp "$(type -P rev)" "$t/bin2/cat"
	printf 'one\ntwo\nthree\n' >"$t/cwd/in1"
	printf 'alpha\nbeta\ngamma\n' >"$t/cwd/in2"
	printf 'stdin 1\nstdin 2\n' >"$t/input"
	df_rc stock >"$W/rc.stock"
	df_rc routed >"$W/rc.routed"
}

# The rc file: record the pids, route (routed only), define the hook.
df_rc() {	# VARIANT
	printf '%s\n' "__df_side='$S/side'" \
		'echo "$$ $PPID" >|"$__df_side/pid"'
	if [[ $1 == routed ]]; then
		printf '%s\n' "enable -f '$DF_SO' tmplcache && tmplcache $DF_ROUTED_NAMES"
	else
		printf '%s\n' ': stock'
	fi
	cat <<-'EOF'
	__df_end() {
		{ local __df_status=$?; set +x; } 2>/dev/null
		[[ $BASHPID == "$$" ]] || return "$__df_status"
		umask 022
		/bin/sh -c 'cd "/proc/$1/fd" && for f in *; do
			printf "%s\t%s\t%s\n" "$f" "$(/usr/bin/readlink "$f")" \
				"$(/bin/sed -n "s/^\(flags\|pos\):[[:space:]]*//p" "../fdinfo/$f" | /usr/bin/tr "\n" " ")"
			done' sh "$$" >|"$__df_side/fds" 2>/dev/null
		if type -t tmplcache >/dev/null 2>&1; then
			tmplcache -s -v __df_stats 2>/dev/null &&
				declare -p __df_stats >|"$__df_side/stats"
		fi
		return "$__df_status"
	}
	[[ $__df_hook == 1 ]] && trap __df_end EXIT
	: __df_rc	# the same $_ for the program in both variants
	EOF
}

# What a run left behind (a job that outlived the shell, a timed-out
# run's children): any process whose cwd is in the scratch directory.  It
# may finish its work for up to DF_TIMEOUT seconds (its output is
# compared), polled by its exit; then it is killed.
df_leftovers() {
	local p
	# Without a scratch path every process would match (and be killed).
	[[ $S == /?*/s ]] || return 0
	for p in $(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$S*" 2>/dev/null); do
		p=${p#/proc/}
		echo "${p%/cwd}"
	done
}
df_reap() {
	local -a left
	local i
	for ((i = 0; i < DF_TIMEOUT * 20; i++)); do
		mapfile -t left < <(df_leftovers)
		((${#left[@]})) || return 0
		sleep 0.05
	done
	kill -9 "${left[@]}" 2>/dev/null
}

df_header() {	# PROGRAM KEY
	sed -n "s/^# $2: //p;/^[^#]/q" "$1" | head -n 1
}

# Run PROGRAM once as VARIANT; results in $W/res.VARIANT.
df_run() {	# VARIANT PROGRAM
	local v=$1 prog=$2 r=$W/res.$1 mode hook st
	mode=$(df_header "$prog" mode) hook=$(df_header "$prog" hook)
	rm -rf "$S" "$r" && cp -a "$W/tmpl" "$S" && mkdir "$r"
	cp "$prog" "$S/prog.sh"
	{ echo "__df_hook=${hook:-1}"; cat "$W/rc.$v"; } >"$S/rc"
	cp "$S/rc" "$S/home/.bashrc"
	local -a run=(env -i "PATH=$S/bin:/usr/bin:/bin" "HOME=$S/home" LC_ALL=C
		TERM=dumb "BASH_ENV=$S/rc" timeout -k 1 "$DF_TIMEOUT" "$DF_BASH")
	(
		cd "$S/cwd" || exit 1
		case $mode in
		file) exec "${run[@]}" ../prog.sh <../input;;
		c) exec "${run[@]}" -c "$(<../prog.sh)" df <../input;;
		stdin-file) exec "${run[@]}" <../prog.sh;;
		stdin-pipe) /bin/cat ../prog.sh | "${run[@]}";;
		source) exec "${run[@]}" -c '. ../prog.sh' df <../input;;
		eval) exec "${run[@]}" -c 'eval "$(<../prog.sh)"' df <../input;;
		interactive) exec "${run[@]}" -i <../prog.sh;;
		*) echo "difffuzz: $prog: unknown mode '$mode'" >&2; exit 99;;
		esac
	) >"$W/out.raw" 2>"$W/err.raw"
	st=$?
	mv "$W/out.raw" "$W/err.raw" "$r/"
	echo "$st" >"$r/status"
	[[ $st == 124 || $st == 137 ]] && touch "$r/timedout"
	df_reap
	df_snapshot "$r"
}

# Record the files, the fd table and the counters of the run just done,
# normalized, into R.
df_snapshot() {	# R
	local r=$1 shpid="" toppid=""
	read -r shpid toppid <"$S/side/pid" 2>/dev/null
	[[ -f $S/side/stats ]] && cp "$S/side/stats" "$r/stats"
	{
		find "$S" -path "$S/side" -prune -o -printf '%P %y %m\n' | LC_ALL=C sort
		(cd "$S" && find . -path ./side -prune -o -path ./bin -prune -o \
			-path ./rc -prune -o -path ./prog.sh -prune -o -path ./home/.bashrc -prune -o \
			-path ./bin2 -prune -o -type f -print0 | LC_ALL=C sort -z |
			xargs -0r tail -v -n +1 2>&1)
		(cd "$S" && find bin bin2 -type f -print0 | LC_ALL=C sort -z |
			xargs -0r md5sum)
	} >"$r/files.raw" 2>&1
	# The fd table, without template fds (>= 300, O_PATH|O_CLOEXEC) and
	# without pipe offsets.
	if [[ -f $S/side/fds ]]; then
		local fd target pos flags
		while IFS=$'\t' read -r fd target pos; do
			read -r pos flags <<<"$pos"
			[[ $flags =~ ^[0-7]+$ ]] || flags=0
			((fd >= 300 && (8#$flags & 010000000) && (8#$flags & 02000000))) && continue
			# Pipe offsets mean nothing; those of the captured
			# stdout/stderr only repeat their length.
			[[ $target == pipe:* || $target == "$W"/*.raw ]] && pos=""
			echo "$fd $target pos=$pos flags=$flags"
		done <"$S/side/fds" | sort -n >"$r/fds.raw"
	else
		echo "(no fd table: the hook did not run)" >"$r/fds.raw"
	fi
	local f
	for f in out err files fds; do
		df_normalize "$shpid" "$toppid" <"$r/$f.raw" >"$r/$f"
	done
}

df_normalize() {	# SHELLPID TOPPID
	local sh=${1:-NOPID} top=${2:-NOPID}
	# Whole numbers only: a pid inside a checksum or a name stays.
	sed -E -e "s/(^|[^0-9A-Za-z])$sh([^0-9A-Za-z]|\$)/\\1SHELLPID\\2/g" \
		-e "s/(^|[^0-9A-Za-z])$top([^0-9A-Za-z]|\$)/\\1TOPPID\\2/g" \
		-e 's/(pipe|socket):\[[0-9]+\]/\1:[INODE]/gI' |
	awk 'function map(n) { if (!(n in m)) m[n] = "PID" (++k); return m[n] }
		tolower($0) ~ /^(pid|ppid|pgid|sid|tpgid) [0-9]+$/ && $2 > 1 { $2 = map($2) }
		/^\[[0-9]+\][-+ ] *[0-9]+$/ { $NF = map($NF) }	# bash -i: [1] PID
		match($0, /pid [0-9]+ is not a child/) {
			n = substr($0, RSTART + 4, RLENGTH - 19) + 0
			$0 = substr($0, 1, RSTART + 3) map(n) substr($0, RSTART + RLENGTH - 15)
		}
		match($0, /line [0-9]+: +[0-9]+ /) {
			s = substr($0, RSTART, RLENGTH); split(s, a, /: +/)
			n = a[2] + 0; sub(n " ", map(n) " ", s)
			$0 = substr($0, 1, RSTART - 1) s substr($0, RSTART + RLENGTH)
		}
		{ print }'
}

DF_ASPECTS=""
df_compare() {	# PROGRAM
	df_run stock "$1"
	df_run routed "$1"
	local a s=$W/res.stock r=$W/res.routed
	if [[ -f $s/timedout && -f $r/timedout ]]; then
		DF_ASPECTS=timeout-both
		return 2
	fi
	DF_ASPECTS=""
	[[ -f $s/timedout || -f $r/timedout ]] && DF_ASPECTS+=" timeout"
	for a in status out err files fds; do
		cmp -s "$s/$a" "$r/$a" || DF_ASPECTS+=" $a"
	done
	DF_ASPECTS=${DF_ASPECTS# }
	[[ -z $DF_ASPECTS ]]
}

df_show() {
	local a
	for a in $DF_ASPECTS; do
		[[ $a == timeout ]] && { echo "timeout: stock $(<"$W/res.stock/status"), routed $(<"$W/res.routed/status")"; continue; }
		echo "--- $a (stock vs routed)"
		diff -u "$W/res.stock/$a" "$W/res.routed/$a" | tail -n +3 | head -n "${DF_SHOW_LINES:-30}"
	done
}

# The routed run's fallbacks, as "reason=N ..." (empty without the hook).
df_fallbacks() {
	[[ -f $W/res.routed/stats ]] || return 0
	(
		declare -A __df_stats
		source "$W/res.routed/stats"
		for k in "${!__df_stats[@]}"; do
			[[ $k == fallback_* && ${__df_stats[$k]} != 0 ]] &&
				printf '%s=%s ' "${k#fallback_}" "${__df_stats[$k]}"
		done
		printf 'spawns=%s\n' "${__df_stats[spawns]:-0}"
	)
}
