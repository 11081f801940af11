# mode: file
# hook: 0
# seed: 2057
# class: highfd
# aspects: out
# expect: same
exec 1023>o2
cview x
