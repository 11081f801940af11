# mode: file
# hook: 1
# seed: 700188
# class: procsub
# aspects: files
# expect: diverge
trap 'echo chld >>chld' CHLD
childview $n > >(/bin/cat >ps21442)
