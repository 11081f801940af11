# mode: file
# hook: 1
# seed: 60458093
# class: scriptpos
# aspects: fds
# expect: diverge
set -e
wc -l in1 >/dev/fd/3 
wait
