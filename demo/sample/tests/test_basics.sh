. ./lib/textkit.sh
. ./tests/assert.sh
assert_eq "HELLO" "$(tk_upper hello)" upper
assert_eq "a b" "$(tk_trim '  a b  ')" trim
