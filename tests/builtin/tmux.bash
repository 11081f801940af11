# tmux.bash - drive an interactive bash in a real terminal (tmux).
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tmx_start MODE starts `bash --norc -i` in a detached tmux session on its
# own server socket, with tmplcache loaded (MODE=routed) or not (stock),
# run through $TMX_WRAP if set (e.g. "env --ignore-signal=HUP");
# tmx_send types keys; tmx_wait waits until the screen shows a pattern;
# tmx_screen prints the screen.  Waits poll with a generous bound and fail
# with the screen shown: no timing is asserted, only that it happened.
# The bound, TMX_WAIT seconds, only stops a wait for what never comes.

TMX_WAIT=${TMX_WAIT:-60}

tmx_require() {
	command -v tmux >/dev/null || skip "tmux not installed"
	tc_require_built
}

tmx_start() {	# MODE NAMES
	TMX_MODE=$1
	TMX_SOCK=$BATS_TEST_TMPDIR/tmux.$1.$RANDOM.sock
	local rc=$BATS_TEST_TMPDIR/rc.$1
	# The bash under test by its path (helpers.bash put it first on PATH):
	# env -i would find another by its default search path.
	{
		echo 'PS1="\$ "; PROMPT_COMMAND=; unset HISTFILE'
		echo "export PATH=\"$PATH\""
		echo "cd \"$BATS_TEST_TMPDIR\""
		[[ $1 == routed ]] && echo "enable -f \"$TC_SO\" tmplcache && tmplcache $2"
		echo 'clear'
	} >"$rc"
	tmux -S "$TMX_SOCK" -f /dev/null new-session -d -x 100 -y 30 \
		"${TMX_WRAP:-} env -i TERM=screen HOME=\"$HOME\" ${SPAWN_TEMPLATE_BACKEND:+SPAWN_TEMPLATE_BACKEND=$SPAWN_TEMPLATE_BACKEND} \"$(type -P bash)\" --noprofile --rcfile \"$rc\" -i"
	tmx_prompt
}

# Safe in any teardown: a test that started no tmux has no TMX_SOCK (and
# `tmux -S ""' would name the default server).
tmx_stop() {
	[[ -n ${TMX_SOCK:-} ]] || return 0
	tmux -S "$TMX_SOCK" kill-server 2>/dev/null || true
}

tmx_send() {	# tmux send-keys arguments
	tmux -S "$TMX_SOCK" send-keys -t 0 "$@"
}

tmx_screen() {
	tmux -S "$TMX_SOCK" capture-pane -p -t 0 | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

tmx_wait() {	# EXTENDED-REGEX: wait until a screen line matches
	local i
	for ((i = SECONDS + TMX_WAIT; SECONDS < i; )); do
		tmx_screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	echo "timed out waiting for /$1/ on the $TMX_MODE screen:"
	tmx_screen
	return 1
}

# Wait until the last line of the screen is a bare prompt: the shell is
# reading a command, nothing is running in the foreground.
tmx_prompt() {
	local i
	for ((i = SECONDS + TMX_WAIT; SECONDS < i; )); do
		[[ $(tmx_screen | tail -n 1) =~ ^\$\ ?$ ]] && return 0
		sleep 0.05
	done
	echo "timed out waiting for a prompt on the $TMX_MODE screen:"
	tmx_screen
	return 1
}

# Wait until at least N lines of the screen match REGEX.
tmx_wait_count() {	# N REGEX
	local i
	for ((i = SECONDS + TMX_WAIT; SECONDS < i; )); do
		(($(tmx_count "$2") >= $1)) && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1 lines /$2/ on the $TMX_MODE screen:"
	tmx_screen
	return 1
}

# Number of lines of the screen matching REGEX.
tmx_count() {
	tmx_screen | grep -Ec -- "$1"
}

# Wait until COMMAND (its argv[0], so after its exec) runs, not stopped,
# in the terminal's foreground process group: keys typed from then on
# reach it.  Progress, not a pause: a loaded machine only waits longer.
tmx_wait_fg() {	# COMMAND
	local i tty
	tty=$(tmux -S "$TMX_SOCK" display-message -p -t 0 '#{pane_tty}')
	for ((i = SECONDS + TMX_WAIT; SECONDS < i; )); do
		ps -t "${tty#/dev/}" -o stat=,args= |
			awk -v c="$1" '$1 ~ /\+/ && $1 !~ /^T/ && ($2 == c) { f = 1 } END { exit !f }' &&
			return 0
		sleep 0.05
	done
	echo "timed out waiting for $1 in the foreground on the $TMX_MODE screen:"
	ps -t "${tty#/dev/}" -o pid,pgid,tpgid,stat,args
	tmx_screen
	return 1
}
