# mode: file
# hook: 1
# seed: 64136013
# class: asyncstdin
# aspects: out
# expect: same
# note: hand-simplified from the minimized program
cat <in1 &
wait
