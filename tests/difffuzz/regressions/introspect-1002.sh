# mode: file
# hook: 1
# seed: 1002
# class: introspect
# aspects: out
# expect: diverge
command -V head
