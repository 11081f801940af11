# mode: file
# hook: 0
# seed: 1019
# class: varredir
# aspects: out
# expect: same
tr a-z A-Z {v1}>o1
cview y
