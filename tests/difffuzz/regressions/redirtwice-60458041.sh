# mode: file
# hook: 1
# seed: 60458041
# class: redirtwice
# aspects: err files
# expect: same
set -C
/bin/cat in1 > >(tr a-z A-Z >psw27587); wait $!
