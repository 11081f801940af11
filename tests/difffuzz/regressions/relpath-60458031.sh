# mode: file
# hook: 1
# seed: 60458031
# class: relpath
# aspects: out
# expect: same
# note: hand-simplified from the minimized program
PATH=../bin:$PATH
childview
