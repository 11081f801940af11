# mode: file
# hook: 1
# seed: 82709026
# class: jobclose
# aspects: files fds
# expect: same
# note: fixed in jobreg.c (the process-group pipe under a low ulimit -n)
ulimit -n 64
set -m
sleep 0 <&- 
childview &>>o3
