# mode: file
# hook: 1
# seed: 1017
# class: redirfail
# aspects: files
# expect: diverge
trap 'echo chld >>chld' CHLD
cat in2 >/dev/fd/3
