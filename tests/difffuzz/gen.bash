#!/bin/bash
# gen.bash SEED - print a random bash program for the differential fuzzer.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Deterministic: the same SEED (and the same DIFFFUZZ_EXCLUDE) gives the
# same program under the same bash version (bash's RANDOM sequence) and
# the same version of this file; saved regressions keep the program text.
# The program runs in an empty scratch cwd holding in1, in2 (three lines
# each); ../bin holds the command copies (routed: cat head tr wc env
# sleep childview; unrouted: true false sort seq od cview, /bin/cat by
# path); ../bin2 holds another `cat` (a copy of rev); $HOME is ../home.
#
# The first lines are headers the runner reads:
#   # mode: file|c|stdin-file|stdin-pipe|source|eval|interactive
#   # hook: 1|0   (1: the rc file sets the EXIT hook that records the fd table)
# A program that sets its own EXIT trap calls __df_end from it.
#
# DIFFFUZZ_EXCLUDE=class,class... leaves out the constructs of known
# divergence classes (README of this directory):
#   readahead   commands reading the inherited stdin when the script is on stdin
#   interactive the interactive mode
#   varredir    {var} redirections
#   expansion   side effects in a redirection's expansion: >f$((n++)), ${x:=y}, ${x:?}
#   highfd      fds 995..1023
#   introspect  enable, command -v/-V, type -Z
#   comm        /proc/self/comm of a child

seed=${1:?usage: gen.bash SEED}
RANDOM=$seed
excl=",${DIFFFUZZ_EXCLUDE:-},"
excluded() { [[ $excl == *",$1,"* ]]; }

# Everything below appends to the program text G, in order: no command
# substitution, because bash reseeds RANDOM in every subshell.
G=""
e() { local a; for a; do G+=$a; done; }
pick() { P=${@:RANDOM % $# + 1:1}; }
ep() { pick "$@"; G+=$P; }
chance() { ((RANDOM % 100 < $1)); }	# PERCENT

modes=(file file c stdin-file stdin-pipe source eval interactive)
while :; do
	pick "${modes[@]}"
	mode=$P
	[[ $mode == interactive ]] && excluded interactive && continue
	break
done
hook=1
chance 20 && hook=0
on_stdin=0
[[ $mode == stdin-* || $mode == interactive ]] && on_stdin=1

fn_count=0 fifo_count=0 out_count=0

# A fresh output file name.
ofile() { out_count=$((out_count + 1)); G+="o$out_count"; }

# The stdin of a command that reads it: inherited, unless that is the
# script itself and readahead is excluded.
stdin_redir() {
	if ((on_stdin)) && excluded readahead; then G+=' <in1'; fi
}

# One redirection (the command's fds 0..2 and a few others); a here-doc
# is left in HD (its body follows the command line).
redir() {
	while :; do
		pick out out app clob in rw err dup2 both bothapp null errnull \
			close0 close1 fd3 fd3in dup9 hstr hdoc psubin psubout devfd \
			varfd arith assign needset highfd badpath
		case $P in
		out) e ' >'; ofile;;
		app) e ' >>o1';;
		clob) e ' >|'; ep o1 o2;;
		in) e ' <'; ep in1 in2;;
		rw) e ' <>rw1';;
		err) e ' 2>'; ep e1 e2;;
		dup2) e ' 2>&1';;
		both) e ' &>'; ep o1 o3;;
		bothapp) e ' &>>o3';;
		null) e ' >/dev/null';;
		errnull) e ' 2>/dev/null';;
		close0) e ' <&-';;
		close1) e ' '; ep '>&-' '2>&-';;
		fd3) e ' 3>'; ep o4 o5;;
		fd3in) e ' 3<in2';;
		dup9) e ' 9>&1';;
		hstr) e " <<<'here string'";;
		hdoc) [[ -n $HD ]] && continue
			e ' <<EOF'; HD=$'here doc $x\nline 2\nEOF';;
		psubin) e ' < <(echo procsub)';;
		psubout) e " > >(/bin/cat >ps$RANDOM)";;
		devfd) e ' >/dev/fd/'; ep 1 2 3;;
		varfd) excluded varredir && continue
			e " {v$((RANDOM % 2))}>"; ofile;;
		arith) excluded expansion && continue
			e ' >f$((n++))';;
		assign) excluded expansion && continue
			e " >\"\${a$((RANDOM % 2)):=as1}\"";;
		needset) excluded expansion && continue
			e " >\"\${u$((RANDOM % 2)):?unset}\"";;
		highfd) excluded highfd && continue
			e ' '; ep 995 1000 1010 1023 1022; e '>'; ofile;;
		badpath) e ' >nodir/x';;
		esac
		return
	done
}

# 0..2 redirections.
redirs() {
	local n=$((RANDOM % 3))
	((RANDOM % 3 == 0)) && n=0
	while ((n-- > 0)); do redir; done
}

# A command word and its arguments.
command_words() {
	pick cv cv cat cat head tr wc true false env sleep sort seq od cview \
		abscat nosuch script comm proc
	case $P in
	cv) e 'childview'
		chance 30 && { e ' -x '; ep 0 1 3 42; }
		chance 10 && { e ' -k '; ep 15 10 2; }
		chance 10 && { e ' -o '; ep 2 3; }
		chance 50 && { e ' '; ep a "'b c'" '"$x"' '$n' '"$@"' '*'; };;
	cat) e 'cat'
		if chance 50; then e ' '; ep in1 in2 o1 - nofile; else stdin_redir; fi;;
	head) e 'head -n '; ep 1 2
		if chance 50; then e ' '; ep in1 in2; else stdin_redir; fi;;
	tr) e 'tr a-z A-Z'; stdin_redir;;
	wc) e 'wc -l'
		if chance 50; then e ' in1'; else stdin_redir; fi;;
	true|false) e "$P";;
	env) e 'env';;
	sleep) e 'sleep 0';;
	sort) e 'sort -r in1';;
	seq) e 'seq 3';;
	od) e 'od -c in2';;
	cview) e 'cview '; ep x y;;
	abscat) e '/bin/cat in1';;
	nosuch) e 'nosuchcmd'; ep '' ' arg';;
	script) e './sc.sh';;
	comm) if excluded comm; then e 'cat in2'; else e 'cat /proc/self/comm'; fi;;
	proc) e 'cat /proc/self/status | grep -E "^(Sig(Blk|Ign)|Umask)"';;
	esac
}

# A simple command: temporary variables, words, redirections, and
# sometimes a prefix or a status check.
simple() {
	local HD=""
	chance 15 && ep 'X=tmp ' 'x=t2 ' 'PATH=/nowhere ' 'LC_ALL=C E1=e ' 'PATH=$HOME/../bin2:$PATH '
	chance 5 && e 'command '
	chance 5 && e '! '
	command_words
	redirs
	chance 15 && { e ' '; ep '|| echo "st=$?"' '&& echo ok' '; echo "st=$? _=$_"'; }
	[[ -n $HD ]] && e $'\n' "$HD"
}

# A pipeline of two or three commands; only the first has redirections,
# so that no two of them race to write one file.
pipeline() {
	local n=$((2 + RANDOM % 2)) HD=""
	command_words; redirs
	while ((--n > 0)); do
		e ' | '
		if chance 50; then ep 'tr a-z A-Z' 'wc -l' 'cat' 'head -n 3' 'sort'
		else command_words; fi
	done
	chance 30 && e '; echo "ps=${PIPESTATUS[*]}"'
	[[ -n $HD ]] && e $'\n' "$HD"
}

# A fixed-form statement from one feature of the grammar.
feature() {
	while :; do
		pick trap_exit trap_err trap_debug trap_return trap_chld trap_ign \
			set_e set_u set_x set_C set_m set_pipefail unset_opts path hash \
			var export unset umask cd exec_fd exec_close exec_varfd exec_high \
			stale stale stale script fifo psub_wait bg read eval source \
			introspect introspect_known cmdsubst status ulimit
		case $P in
		trap_exit) e "trap 'echo exit-trap \$?; __df_end' EXIT";;
		trap_err) e "trap 'echo err-trap \$? \$LINENO' ERR";;
		trap_debug) e "trap 'echo \"dbg \$BASH_COMMAND\" >>dbg' DEBUG";;
		trap_return) e "trap 'echo ret-trap' RETURN";;
		trap_chld) e "trap 'echo chld >>chld' CHLD";;
		trap_ign) e "trap '' "; ep INT QUIT TERM USR1 'INT QUIT';;
		set_e) e 'set -e';;
		set_u) e 'set -u';;
		set_x) e 'set -x';;
		set_C) e 'set -C';;
		set_m) e 'set -m';;
		set_pipefail) e 'set -o pipefail';;
		unset_opts) e 'set +'; ep e u x C m;;
		path) ep 'PATH=$HOME/../bin2:$PATH' 'PATH=/usr/bin:/bin' \
			'PATH=$HOME/../bin:$PATH' 'PATH=../bin:$PATH' 'PATH=/nowhere';;
		hash) ep 'hash -r' 'hash cat' 'hash -p /usr/bin/rev cat' 'hash -d head' 'hash -t cat';;
		var) e "x=\$((x + 1)) n=$((RANDOM % 3))";;
		export) e 'export '; ep E1=v1 'E2="a b"' x n PATH;;
		unset) e 'unset '; ep E1 x n a0 PATH;;
		umask) e 'umask '; ep 077 022 027 0;;
		cd) ep 'mkdir -p d1 && cd d1' 'cd ..' 'cd "$HOME"' 'cd -';;
		exec_fd) e 'exec '; ep '3>o4' '4<in1' '3<>rw1' '5>&1' '0<in2' '2>e3';;
		exec_close) e 'exec '; ep '3>&-' '4<&-' '5>&-';;
		exec_varfd) excluded varredir && continue
			e 'exec {w}>'; ofile; e '; echo "w=$w"';;
		exec_high) excluded highfd && continue
			e 'exec '; ep 995 1000 1023 1015; e '>'; ofile;;
		stale) ep \
			'cp /usr/bin/rev "$HOME/../bin/cat"' \
			'chmod -x "$HOME/../bin/head"' \
			'chmod +x "$HOME/../bin/head"' \
			'rm -f "$HOME/../bin/tr"' \
			'cp "$HOME/../bin/childview" "$HOME/../bin/true"' \
			'printf "#!/bin/sh\necho script-wc \"\$@\"\n" >"$HOME/../bin/wc"' \
			'mv "$HOME/../bin/env" "$HOME/../bin/env.old"' \
			': >"$HOME/../bin/sleep"';;
		script) e "printf '#!/bin/sh\\necho sc \"\$@\"\\n' >sc.sh; chmod +x sc.sh";;
		fifo) fifo_count=$((fifo_count + 1))
			e "mkfifo ff$fifo_count && { /bin/cat ff$fifo_count >fo$fifo_count & "
			command_words; e " >ff$fifo_count; wait \$!; }";;
		psub_wait) command_words; e " > >(tr a-z A-Z >psw$RANDOM); wait \$!";;
		bg) command_words; e " >bg$RANDOM 2>&1 &";;
		read) e 'read -r line; echo "read=$line"';;
		eval) e "eval '"; command_words; e "'";;
		source) e "echo '"; command_words; e "' >s.src; . ./s.src";;
		introspect) ep 'type cat' 'type -t head' 'type -P tr' 'type -a wc' 'hash -l' \
			'builtin cat in1' 'compgen -b | grep -c ^cat$' 'help cat';;
		introspect_known) excluded introspect && continue
			ep 'command -v cat' 'command -V head' 'enable -a | grep -c tmplcache' \
				'enable -p | grep -w cat' 'type -Z tr' 'enable -n cat';;
		cmdsubst) e 'v=$('; command_words; e '); echo "v=$v st=$?"';;
		status) e 'echo "st=$? _=$_"';;
		ulimit) e 'ulimit -n '; ep 512 64 1024;;
		esac
		return
	done
}

# A statement; DEPTH bounds nesting.
stmt() {	# DEPTH
	local d=$1
	pick simple simple simple simple pipeline feature feature feature \
		group subshell func loop while if
	((d > 1)) && [[ $P != simple && $P != pipeline && $P != feature ]] && P=simple
	case $P in
	simple) simple;;
	pipeline) pipeline;;
	feature) feature;;
	group) e $'{\n'; stmt $((d + 1)); e $'\n'; stmt $((d + 1)); e $'\n}'
		chance 50 && { e ' >'; ofile; };;
	subshell) e $'(\n'; stmt $((d + 1)); e $'\n'; stmt $((d + 1)); e $'\n)'
		chance 30 && e ' 2>&1';;
	func) fn_count=$((fn_count + 1))
		local f=f$fn_count HD=""
		e "$f() {"$'\n'; stmt $((d + 1)); e $'\n'
		if chance 30; then e 'return 3'; else stmt $((d + 1)); fi
		e $'\n}\n' "$f a b"; redirs
		[[ -n $HD ]] && e $'\n' "$HD";;
	loop) e $'for i in 1 2; do\n'; stmt $((d + 1)); e $'\ndone'
		chance 30 && { e ' >>'; ofile; };;
	while) e $'k=0; while ((k++ < 2)); do\n'; stmt $((d + 1)); e $'\ndone';;
	if) local HD=""
		e 'if '; command_words; e $'; then\n'; stmt $((d + 1)); e $'\nelse\n'
		stmt $((d + 1)); e $'\nfi';;
	esac
}

nstmt=$((4 + RANDOM % 10))
for ((i = 0; i < nstmt; i++)); do
	stmt 0
	e $'\n'
done
# Background output lands in files that are compared: wait for it.
e $'wait\n'
chance 15 && { e 'exit '; ep 0 1 7; e $'\n'; }
printf '# mode: %s\n# hook: %s\n# seed: %s\n%s' "$mode" "$hook" "$seed" "$G"
