# mode: file
# hook: 1
# seed: 600061
# class: procsub
# aspects: status err
# expect: diverge
# note: hand-simplified from the minimized program
cat in1 < <(echo procsub)
(wait $!)
