# mode: file
# hook: 1
# seed: 2010
# class: expansion
# aspects: status out err files
# expect: diverge
k=0; while ((k++ < 2)); do
cat >"${u1:?unset}"
done
trap 'echo "dbg $BASH_COMMAND" >>dbg' DEBUG
od -c in2
