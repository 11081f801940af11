# mode: file
# hook: 1
# seed: 1002
# class: introspect
# aspects: out
# expect: diverge
# note: pinned; in the shell itself `command -V` describes a routed name as a builtin (README, What is still visible)
command -V head
