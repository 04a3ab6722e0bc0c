cat >> lib/textkit.sh <<'SRC'

# tk_reverse_words TEXT: the words of TEXT in reverse order.
tk_reverse_words() {
    printf '%s\n' "$1" | awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : ""); print "" }'
}
SRC
cat > tests/test_reverse.sh <<'SRC'
. ./lib/textkit.sh
. ./tests/assert.sh
assert_eq "c b a" "$(tk_reverse_words 'a b  c')" basic
SRC
