# mode: file
# hook: 1
# seed: 700183
# class: jobclose
# aspects: status err fds
# expect: same
# note: hand-simplified from the minimized program
set -m
wc -l in1 2>&-
echo still here >&2
