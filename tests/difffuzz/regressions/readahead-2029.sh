# mode: stdin-file
# hook: 1
# seed: 2029
# class: readahead
# aspects: out files
# expect: same
cat
head -n 1 | head -n 3 | seq 3 3>o4
